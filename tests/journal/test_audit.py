"""Journal d'audit : chaque chemin d'écriture de l'ORM sur chaque modèle audité laisse une trace."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from avis.models import Avis, Consultation, Contact, Destinataire, Organisme, Reouverture
from contrat_ville.enums import NatureCredits, TypePorteur, TypeQuartier
from contrat_ville.models import (
    Commune,
    ConseilCitoyen,
    Contrat,
    Financeur,
    ObjectifQuartier,
    Pilier,
    Porteur,
    ProjetQuartier,
    Quartier,
    Signataire,
)
from conventions.enums import Instance, TypeBilan, TypeConvention, TypeDocument, TypeEcheance
from conventions.models import (
    Bilan,
    Convention,
    Decision,
    DocumentGenere,
    Echeance,
    ModeleDocument,
    TitreRecette,
    Tranche,
    Versement,
    VersementDeclare,
)
from fcs.models import AxeFCS, EnveloppeFCS, FondsDeConcours, SubventionFCS
from indicateurs.models import Indicateur, ValeurIndicateur
from journal import audit
from journal.models import EntreeJournal
from programmation.enums import TypeBloc
from programmation.models import BlocNarratif, Dossier, LigneFinancement, Programmation
from rapport.enums import StatutRapport
from rapport.models import (
    LogoRapport,
    PresentationRapport,
    RapportAnnuel,
    ReferentTerritorial,
    TransitionRapport,
)

# Modèles des applications métier qui n'ont pas à être audités, et pourquoi.
NON_AUDITES = {
    "programmation.programmation": "une année : aucun montant, créée une fois",
    "journal.entreejournal": "le journal lui-même",
    "programmation.journalechange": "journal des imports et exports : écrit une fois, jamais modifié",
}
APPLICATIONS_METIER = ("indicateurs", "programmation", "fcs", "conventions", "avis", "rapport")

_compteur = iter(range(10_000_000))


def n():
    return next(_compteur)


@pytest.fixture
def agent(db):
    return get_user_model().objects.create_user("agent.audit")  # sans mot de passe : pas de hachage coûteux


@pytest.fixture
def base(db):
    contrat = Contrat.objects.first()
    prog, _ = Programmation.objects.get_or_create(annee=2031, defaults={"contrat": contrat})
    porteur = Porteur.objects.create(nom="Association Audit", type=TypePorteur.ASSOCIATION)
    pilier = Pilier.objects.filter(contrat=contrat).first()
    return {"contrat": contrat, "prog": prog, "porteur": porteur, "pilier": pilier}


def _quartier(enregistre=True):
    quartier = Quartier(code=f"QT{n()}", nom="Quartier de test", type=TypeQuartier.QPV)
    if enregistre:
        quartier.save()
    return quartier


def _dossier(b):
    return Dossier(
        programmation=b["prog"],
        numero=f"A-{n()}",
        intitule="Action",
        porteur=b["porteur"],
        pilier=b["pilier"],
    )


def _enveloppe(b):
    return EnveloppeFCS.objects.get_or_create(
        annee=2031, defaults={"contrat": b["contrat"], "montant": Decimal("1000000")}
    )[0]


def _axe(b):
    return AxeFCS.objects.get_or_create(enveloppe=_enveloppe(b), numero=1, defaults={"libelle": "Axe 1"})[0]


def _convention(b):
    return Convention.objects.create(
        porteur=b["porteur"],
        type=TypeConvention.ANNUELLE,
        reference=f"C-{n()}",
        objet="Objet",
        annee_debut=2031,
        annee_fin=2031,
    )


def _tranche(b):
    ligne = LigneFinancement.objects.create(
        dossier=Dossier.objects.create(numero=f"T-{n()}", **_champs(b)),
        financeur=Financeur.objects.get(code="AGGLO"),
        nature=NatureCredits.SPECIFIQUE,
        montant_accorde=Decimal("100"),
    )
    return Tranche.objects.create(convention=_convention(b), annee=2031, montant=Decimal("100"), ligne=ligne)


def _decision(b):
    return Decision.objects.create(
        convention=_convention(b),
        date=datetime.date(2031, 3, 1),
        instance=Instance.BUREAU,
        reference=f"B-{n()}",
        montant=Decimal("100"),
    )


def _modele_document():
    # Un modèle par type de document : celui de la migration de données cède la place.
    ModeleDocument.objects.filter(type=TypeDocument.NOTIFICATION).delete()
    return ModeleDocument(
        type=TypeDocument.NOTIFICATION,
        titre="Notification",
        corps="Madame,",
        signataire_nom="X",
        signataire_qualite="Y",
    )


def _echeance(b):
    return Echeance.objects.create(
        tranche=_tranche(b),
        type=TypeEcheance.AVANCE,
        montant=Decimal("50"),
        date_prevue=datetime.date(2031, 4, 1),
    )


def _commune_libre(decalage=0):
    return Commune.objects.filter(organisme__isnull=True).order_by("pk")[decalage]


def _organisme(b):
    return Organisme.objects.create(commune=_commune_libre())


def _nouveau_rapport(b):
    return RapportAnnuel.objects.create(
        programmation=Programmation.objects.create(annee=3000 + n() % 5000, contrat=b["contrat"])
    )


def _consultation(b):
    return Consultation.objects.create(
        programmation=_nouveau_rapport(b).programmation,
        date_envoi=datetime.date(2031, 9, 1),
        date_limite=datetime.date(2031, 10, 15),
    )


def _destinataire(b):
    return Destinataire.objects.create(consultation=_consultation(b), organisme=_organisme(b))


def _avis(b, u):
    return Avis(
        consultation=_consultation(b),
        organisme=_organisme(b),
        decision="FAVORABLE",
        date_seance=datetime.date(2031, 9, 20),
        depose_par=u,
        depose_le=datetime.datetime(2031, 9, 21, 10, tzinfo=datetime.UTC),
    )


def _rapport(b):
    return RapportAnnuel.objects.get_or_create(programmation=b["prog"])[0]


def _indicateur(b, enregistre=False):
    indicateur = Indicateur(
        contrat=b["contrat"],
        code=f"EMP-{n()}",
        libelle="Taux d'emploi",
        definition="Part des 15-64 ans en emploi.",
        unite="%",
        source="INSEE",
        sens="HAUSSE",
        valeur_reference=Decimal("46.2"),
        annee_reference=2023,
        cible=Decimal("52"),
        annee_cible=2030,
    )
    if enregistre:
        indicateur.save()
    return indicateur


def _presentation(b):
    return PresentationRapport.objects.get_or_create(contrat=b["contrat"])[0]


# Pour chaque modèle audité : fabriquer une instance non enregistrée, et le champ qu'on modifie avec sa
# nouvelle valeur. Un modèle audité sans fabrique fait échouer le test : ajoutez-la.
FABRIQUES = {
    "indicateurs.indicateur": (lambda b, u: _indicateur(b), "cible", Decimal("55.5")),
    "indicateurs.valeurindicateur": (
        lambda b, u: ValeurIndicateur(
            indicateur=_indicateur(b, enregistre=True), annee=2025, valeur=Decimal("47.8")
        ),
        "valeur",
        Decimal("12.5"),
    ),
    "avis.organisme": (lambda b, u: Organisme(commune=_commune_libre()), "commune", None),
    "avis.contact": (
        lambda b, u: Contact(
            utilisateur=get_user_model().objects.create_user(f"contact{n()}"), organisme=_organisme(b)
        ),
        "fonction",
        "Chargée de mission",
    ),
    "avis.consultation": (
        lambda b, u: Consultation(
            programmation=_nouveau_rapport(b).programmation,
            date_envoi=datetime.date(2031, 9, 1),
            date_limite=datetime.date(2031, 10, 15),
        ),
        "date_limite",
        datetime.date(2031, 11, 30),
    ),
    "avis.destinataire": (
        lambda b, u: Destinataire(consultation=_consultation(b), organisme=_organisme(b)),
        "rouvert",
        True,
    ),
    "avis.avis": (lambda b, u: _avis(b, u), "observations", "Avis rendu après la séance du 20 septembre"),
    "avis.reouverture": (
        lambda b, u: Reouverture(destinataire=_destinataire(b), par=u),
        "motif",
        "Délibération reçue en retard",
    ),
    "contrat_ville.porteur": (
        lambda b, u: Porteur(nom=f"Porteur {n()}", type=TypePorteur.ASSOCIATION),
        "type",
        TypePorteur.COMMUNE,
    ),
    "contrat_ville.contrat": (
        lambda b, u: Contrat(
            nom=f"Contrat {n()}",
            epci="CA de test",
            date_signature=datetime.date(2040, 1, 1),
            date_fin=datetime.date(2046, 12, 31),
        ),
        "libelle_niveau",
        "orientation",
    ),
    "contrat_ville.signataire": (
        lambda b, u: Signataire(contrat=b["contrat"], nom=f"Signataire {n()}"),
        "qualite",
        "le préfet",
    ),
    "contrat_ville.pilier": (
        lambda b, u: Pilier(contrat=b["contrat"], code=f"O{n()}", libelle="Orientation"),
        "libelle",
        "Orientation renommée",
    ),
    "contrat_ville.projetquartier": (
        lambda b, u: ProjetQuartier(
            contrat=b["contrat"], quartier=_quartier(), intitule="Projet de quartier"
        ),
        "intitule",
        "Projet de quartier revu",
    ),
    "contrat_ville.objectifquartier": (
        lambda b, u: ObjectifQuartier(
            projet=ProjetQuartier.objects.create(
                contrat=b["contrat"], quartier=_quartier(), intitule="Projet"
            ),
            code=f"OBJ-{n()}",
            libelle="Objectif",
        ),
        "libelle",
        "Objectif reformulé",
    ),
    "contrat_ville.quartier": (lambda b, u: _quartier(enregistre=False), "nom", "Quartier renommé"),
    "contrat_ville.conseilcitoyen": (
        lambda b, u: ConseilCitoyen(nom=f"Conseil citoyen {n()}", quartier=_quartier()),
        "nom",
        f"Conseil citoyen renommé {n()}",
    ),
    "programmation.dossier": (lambda b, u: _dossier(b), "intitule", "Intitulé changé"),
    "programmation.lignefinancement": (
        lambda b, u: LigneFinancement(
            dossier=Dossier.objects.create(numero=f"L-{n()}", **_champs(b)),
            financeur=Financeur.objects.get(code="AGGLO"),
            nature=NatureCredits.SPECIFIQUE,
            montant_sollicite=Decimal("1000"),
            montant_accorde=Decimal("800"),
        ),
        "montant_accorde",
        Decimal("1500.50"),
    ),
    "programmation.blocnarratif": (
        lambda b, u: BlocNarratif(
            programmation=Programmation.objects.create(annee=3000 + n() % 5000, contrat=b["contrat"]),
            type=TypeBloc.PNRU,
            texte="Texte",
        ),
        "texte",
        "Texte revu",
    ),
    "rapport.rapportannuel": (
        lambda b, u: RapportAnnuel(
            programmation=Programmation.objects.create(annee=3000 + n() % 5000, contrat=b["contrat"])
        ),
        "date_seance_conseil",
        datetime.date(2031, 6, 30),
    ),
    "rapport.transitionrapport": (
        lambda b, u: TransitionRapport(
            rapport=_rapport(b), de=StatutRapport.PROJET, vers=StatutRapport.ADOPTE, par=u
        ),
        "commentaire",
        "Séance du 30 juin",
    ),
    "rapport.presentationrapport": (
        lambda b, u: PresentationRapport(contrat=b["contrat"]),
        "signataire_nom",
        "Camille Martin",
    ),
    "rapport.logorapport": (
        lambda b, u: LogoRapport(presentation=_presentation(b), nom="Préfecture", image="logos/etat.png"),
        "nom",
        "Préfecture du Pas-de-Calais",
    ),
    "rapport.referentterritorial": (
        lambda b, u: ReferentTerritorial(presentation=_presentation(b), nom="Carole Warembourg"),
        "fonction",
        "Chargée de mission",
    ),
    "fcs.enveloppefcs": (
        lambda b, u: EnveloppeFCS(contrat=b["contrat"], annee=3000 + n() % 5000, montant=Decimal("50000")),
        "montant",
        Decimal("60000"),
    ),
    "fcs.axefcs": (
        lambda b, u: AxeFCS(enveloppe=_enveloppe(b), numero=2 + n() % 30000, libelle="Axe"),
        "libelle",
        "Axe revu",
    ),
    "fcs.subventionfcs": (
        lambda b, u: SubventionFCS(
            axe=_axe(b), porteur=b["porteur"], action="Action", montant=Decimal("100")
        ),
        "montant",
        Decimal("250.00"),
    ),
    "conventions.convention": (
        lambda b, u: Convention(
            porteur=b["porteur"],
            type=TypeConvention.ANNUELLE,
            reference=f"C-{n()}",
            objet="Objet",
            annee_debut=2031,
            annee_fin=2031,
        ),
        "objet",
        "Objet revu",
    ),
    "conventions.decision": (
        lambda b, u: Decision(
            convention=_convention(b),
            date=datetime.date(2031, 3, 1),
            instance=Instance.BUREAU,
            reference="B-1",
            montant=Decimal("100"),
        ),
        "montant",
        Decimal("250.00"),
    ),
    "conventions.tranche": (
        lambda b, u: Tranche(
            convention=_convention(b),
            annee=2031,
            montant=Decimal("100"),
            subvention_fcs=SubventionFCS.objects.create(
                axe=_axe(b), porteur=b["porteur"], action="Action", montant=Decimal("100")
            ),
        ),
        "montant",
        Decimal("150.00"),
    ),
    "conventions.echeance": (
        lambda b, u: Echeance(
            tranche=_tranche(b),
            type=TypeEcheance.SOLDE,
            montant=Decimal("50"),
            date_prevue=datetime.date(2032, 7, 31),
        ),
        "montant",
        Decimal("60.00"),
    ),
    "conventions.versement": (
        lambda b, u: Versement(
            echeance=_echeance(b),
            date=datetime.date(2031, 5, 2),
            montant=Decimal("10"),
            reference_mandat=f"M-{n()}",
        ),
        "montant",
        Decimal("20.00"),
    ),
    "conventions.bilan": (
        lambda b, u: Bilan(
            tranche=_tranche(b), type=TypeBilan.FINANCIER, date_limite=datetime.date(2032, 6, 30)
        ),
        "message",
        "Joindre les justificatifs.",
    ),
    "conventions.titrerecette": (
        lambda b, u: TitreRecette(
            tranche=_tranche(b), date=datetime.date(2032, 9, 1), montant=Decimal("5"), reference=f"T-{n()}"
        ),
        "montant",
        Decimal("7.00"),
    ),
    "conventions.modeledocument": (lambda b, u: _modele_document(), "corps", "Madame, Monsieur,"),
    "conventions.documentgenere": (
        lambda b, u: DocumentGenere(
            decision=_decision(b),
            type=TypeDocument.NOTIFICATION,
            version=1,
            titre="Notification",
            fichier="documents/essai.pdf",
            empreinte_sha256="0" * 64,
        ),
        "titre",
        "Notification revue",
    ),
    "conventions.versementdeclare": (
        lambda b, u: VersementDeclare(
            ligne=LigneFinancement.objects.create(
                dossier=Dossier.objects.create(numero=f"VD-{n()}", **_champs(b)),
                financeur=Financeur.objects.get(code="ETAT-ANCT"),
                nature=NatureCredits.SPECIFIQUE,
                montant_accorde=Decimal("100"),
            ),
            date=datetime.date(2031, 6, 1),
            montant=Decimal("40"),
        ),
        "montant",
        Decimal("45.00"),
    ),
    "fcs.fondsdeconcours": (
        lambda b, u: FondsDeConcours(
            commune=Commune.objects.first(), projet="Projet", montant=Decimal("10000"), annee=2031
        ),
        "montant",
        Decimal("12000"),
    ),
}


def _champs(b):
    return {"programmation": b["prog"], "intitule": "Action", "porteur": b["porteur"], "pilier": b["pilier"]}


def _journal(modele, pk=None, action=None):
    qs = EntreeJournal.objects.filter(type_objet=ContentType.objects.get_for_model(modele))
    if pk is not None:
        qs = qs.filter(objet_id=str(pk))
    if action is not None:
        qs = qs.filter(action=action)
    return qs


def test_les_modeles_metier_sont_audites():
    """Un modèle des applications métier ajouté plus tard doit être audité (ou exempté ici, avec sa raison)."""
    for modele in apps.get_models():
        label = modele._meta.label_lower
        if modele._meta.app_label in APPLICATIONS_METIER and not modele._meta.auto_created:
            assert audit.est_audite(modele) or label in NON_AUDITES, (
                f"{label} n'est pas audité : donnez-lui objects = GestionnaireAudite() et ajoutez-le à "
                "la liste des modèles audités du ready() de son application"
            )
    for label in ("programmation.dossier", "programmation.lignefinancement", "fcs.subventionfcs"):
        assert audit.est_audite(apps.get_model(label))
    assert {m._meta.label for m in audit.modeles_audites()} == {
        "contrat_ville.Porteur",
        "contrat_ville.Contrat",
        "contrat_ville.Signataire",
        "contrat_ville.Pilier",
        "contrat_ville.ProjetQuartier",
        "contrat_ville.ObjectifQuartier",
        "contrat_ville.Quartier",
        "contrat_ville.ConseilCitoyen",
        "indicateurs.Indicateur",
        "indicateurs.ValeurIndicateur",
        "programmation.Dossier",
        "programmation.LigneFinancement",
        "programmation.BlocNarratif",
        "rapport.RapportAnnuel",
        "rapport.PresentationRapport",
        "rapport.LogoRapport",
        "rapport.ReferentTerritorial",
        "rapport.TransitionRapport",
        "fcs.EnveloppeFCS",
        "fcs.AxeFCS",
        "fcs.SubventionFCS",
        "fcs.FondsDeConcours",
        "avis.Organisme",
        "avis.Contact",
        "avis.Consultation",
        "avis.Destinataire",
        "avis.Avis",
        "avis.Reouverture",
        "conventions.Convention",
        "conventions.Decision",
        "conventions.Tranche",
        "conventions.Echeance",
        "conventions.Versement",
        "conventions.Bilan",
        "conventions.TitreRecette",
        "conventions.ModeleDocument",
        "conventions.DocumentGenere",
        "conventions.VersementDeclare",
    }


def test_les_gestionnaires_des_modeles_audites_tracent_les_ecritures_en_masse():
    for modele in audit.modeles_audites():
        assert isinstance(modele._default_manager, audit.GestionnaireAudite), modele
        assert isinstance(modele._default_manager.all(), audit.QuerySetAudite), modele
        # Django écrit aussi par le gestionnaire de base (mises à NULL d'une suppression en cascade…).
        assert isinstance(modele._base_manager, audit.GestionnaireAudite), modele


CHEMINS = [
    "save_creation",
    "create",
    "save_modification",
    "update",
    "base_manager_update",
    "bulk_create",
    "bulk_update",
    "delete",
    "queryset_delete",
]


@pytest.mark.django_db
@pytest.mark.parametrize("chemin", CHEMINS)
@pytest.mark.parametrize("label", [m._meta.label_lower for m in audit.modeles_audites()])
def test_chaque_chemin_d_ecriture_laisse_une_trace(label, chemin, base, agent):
    modele = apps.get_model(label)
    assert label in FABRIQUES, f"ajoutez une fabrique pour {label} dans ce test"
    fabriquer, champ, nouvelle = FABRIQUES[label]
    if label == "avis.organisme":
        nouvelle = _commune_libre(decalage=1)  # une autre commune, pas encore consultée
    A = EntreeJournal.Action
    with audit.acteur(agent, source="test"):
        if chemin == "save_creation":
            obj = fabriquer(base, agent)
            obj.save()
            attendu = (obj.pk, A.CREATION)
        elif chemin == "create":
            obj = fabriquer(base, agent)
            obj = modele.objects.create(
                **{
                    f.attname: getattr(obj, f.attname)
                    for f in modele._meta.concrete_fields
                    if not f.primary_key
                }
            )
            attendu = (obj.pk, A.CREATION)
        elif chemin == "bulk_create":
            (obj,) = modele.objects.bulk_create([fabriquer(base, agent)])
            assert obj.pk is not None
            attendu = (obj.pk, A.CREATION)
        else:
            obj = fabriquer(base, agent)
            obj.save()
            EntreeJournal.objects.all().delete()
            if chemin == "save_modification":
                obj = modele.objects.get(pk=obj.pk)
                setattr(obj, champ, nouvelle)
                obj.save()
            elif chemin == "update":
                assert modele.objects.filter(pk=obj.pk).update(**{champ: nouvelle}) == 1
            elif chemin == "base_manager_update":
                assert modele._base_manager.filter(pk=obj.pk).update(**{champ: nouvelle}) == 1
            elif chemin == "bulk_update":
                setattr(obj, champ, nouvelle)
                modele.objects.bulk_update([obj], [champ])
            elif chemin == "delete":
                obj.delete()
            elif chemin == "queryset_delete":
                modele.objects.filter(pk=obj.pk).delete()
            action = A.SUPPRESSION if "delete" in chemin else A.MODIFICATION
            attendu = (obj.pk, action)
    pk, action = attendu
    entrees = list(_journal(modele, pk, action))
    assert len(entrees) == 1, f"{label} via {chemin} : {len(entrees)} trace(s)"
    e = entrees[0]
    assert e.utilisateur == agent and e.nom_utilisateur == "agent.audit" and e.source == "test"
    assert e.horodatage.utcoffset() == datetime.timedelta(0)
    if action == A.MODIFICATION:
        champ_modele = modele._meta.get_field(champ)
        assert list(e.changements) == [champ]
        valeur = (
            nouvelle.pk if hasattr(nouvelle, "pk") else nouvelle
        )  # un ForeignKey est tracé par son numéro
        assert e.changements[champ][1] == audit._normaliser(champ_modele, valeur)
        assert e.changements[champ][0] != e.changements[champ][1]


@pytest.mark.django_db
def test_montant_change_avant_apres_qui_et_parent(base, agent):
    dossier = Dossier.objects.create(numero="D-1", **_champs(base))
    ligne = LigneFinancement.objects.create(
        dossier=dossier, financeur=Financeur.objects.get(code="AGGLO"), montant_accorde=Decimal("1000")
    )
    with audit.acteur(agent, source="import"):
        LigneFinancement.objects.filter(dossier=dossier).update(montant_accorde=Decimal("1234.5"))
    e = _journal(LigneFinancement, ligne.pk, EntreeJournal.Action.MODIFICATION).get()
    assert e.changements == {"montant_accorde": ["1000.00", "1234.50"]}
    assert e.resume == "montant accordé : 1\u00a0000,00\u00a0€ → 1\u00a0234,50\u00a0€"
    assert e.parent == f"programmation.dossier:{dossier.pk}"
    assert e.source == "import" and e.nom_utilisateur == "agent.audit"
    ligne.refresh_from_db()
    assert ligne.modifie_par is None  # update() n'écrit que ce qu'on lui donne


@pytest.mark.django_db
def test_save_renseigne_cree_par_et_modifie_par_depuis_l_acteur(base, agent):
    with audit.acteur(agent, source="import"):
        dossier = Dossier.objects.create(numero="D-2", **_champs(base))
    assert dossier.cree_par == agent and dossier.modifie_par == agent


@pytest.mark.django_db
def test_un_enregistrement_sans_changement_ne_charge_pas_le_journal(base):
    dossier = Dossier.objects.create(numero="D-3", **_champs(base))
    avant = EntreeJournal.objects.count()
    Dossier.objects.get(pk=dossier.pk).save()
    assert EntreeJournal.objects.count() == avant


@pytest.mark.django_db
def test_m2m_quartiers_traces(base, agent):
    from contrat_ville.models import Quartier

    dossier = Dossier.objects.create(numero="D-4", **_champs(base))
    q1, q2 = Quartier.objects.all()[:2]
    with audit.acteur(agent, source="admin"):
        dossier.quartiers.add(q1, q2)
        dossier.quartiers.remove(q1)
    entrees = list(_journal(Dossier, dossier.pk, EntreeJournal.Action.MODIFICATION).order_by("id"))
    assert [e.changements["quartiers"] for e in entrees] == [
        [[], sorted([str(q1), str(q2)])],
        [sorted([str(q1), str(q2)]), [str(q2)]],
    ]


@pytest.mark.django_db
def test_une_ecriture_annulee_ne_laisse_pas_de_trace(base):
    avant = EntreeJournal.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        Dossier.objects.create(numero="D-5", **_champs(base))
        raise RuntimeError
    assert EntreeJournal.objects.count() == avant
