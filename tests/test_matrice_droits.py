"""Matrice des droits : chaque URL du produit (admin comprise), pour chaque rôle et pour l'anonyme.

Les URL viennent du résolveur : une URL ajoutée plus tard sans ligne dans les tables ci-dessous fait échouer le
test. Réponses attendues : OK (200), INTERDIT (403), INTROUVABLE (404, l'objet d'un autre organisme),
CONNEXION (302 vers /connexion/), CONNEXION_ADMIN (302 vers /admin/login/), REDIRECTION (302 ailleurs),
METHODE (405 : la page ne se lit pas en GET).
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from avis import services as services_avis
from avis.models import Organisme
from comptes import roles
from contrat_ville.models import Commune, ConseilCitoyen, Contrat, ObjectifQuartier, ProjetQuartier, Quartier
from conventions import documents
from conventions import services as services_conventions
from conventions.enums import TypeDocument
from indicateurs.models import Indicateur
from journal.models import EntreeJournal
from programmation.echange.exportation import journaliser_export
from programmation.enums import OperationEchange
from programmation.models import BlocNarratif, Programmation
from rapport.enums import StatutRapport
from rapport.models import PresentationRapport, RapportAnnuel, ReferentTerritorial
from tests.avis.conftest import pdf_octets
from tests.comptes import creer_dossier, utilisateur
from tests.conventions.factories import convention, ligne_agglo
from tests.factories import FondsDeConcoursFactory, LigneFinancementFactory, SubventionFCSFactory

OK, INTERDIT, INTROUVABLE, METHODE = 200, 403, 404, 405
CONNEXION, CONNEXION_ADMIN, REDIRECTION = "connexion", "connexion admin", "redirection"

ROLES = ["anonyme", "agent", "directeur", "auditeur", "commune", "conseil"]
INTERNES = ["agent", "directeur", "auditeur"]
PORTAIL = ["commune", "conseil"]

PROJET_PDF = pdf_octets("Projet de rapport")


def pour(defaut, **par_role):
    return {role: par_role.get(role, defaut) for role in ROLES}


# --- Admin : droits par modèle ----------------------------------------------------------------------------
# Lettres : v (voir), a (ajouter), c (modifier), d (supprimer), pour chaque rôle interne. Les comptes du portail
# ne sont pas `is_staff` et l'anonyme n'est pas connecté : tous deux sont renvoyés à la connexion de l'admin.
SAISIE = {"agent": "vacd", "directeur": "v", "auditeur": "v"}
LECTURE = {"agent": "v", "directeur": "v", "auditeur": "v"}
PERSONNE = {"agent": "", "directeur": "", "auditeur": ""}
DROITS_ADMIN = {
    "contrat_ville.contrat": SAISIE,
    "contrat_ville.commune": LECTURE,
    "contrat_ville.quartier": SAISIE,
    "contrat_ville.conseilcitoyen": SAISIE,
    "contrat_ville.pilier": SAISIE,
    "contrat_ville.thematique": LECTURE,
    "contrat_ville.projetquartier": SAISIE,
    "contrat_ville.objectifquartier": SAISIE,
    "contrat_ville.financeur": LECTURE,
    "contrat_ville.porteur": SAISIE,
    "indicateurs.indicateur": SAISIE,
    "journal.entreejournal": {"agent": "", "directeur": "v", "auditeur": "v"},
    "programmation.programmation": SAISIE,
    "programmation.blocnarratif": SAISIE,
    "programmation.dossier": SAISIE,
    "programmation.lignefinancement": SAISIE,
    "rapport.rapportannuel": SAISIE,
    "rapport.presentationrapport": SAISIE,
    "rapport.referentterritorial": SAISIE,
    "programmation.journalechange": LECTURE,
    "fcs.enveloppefcs": SAISIE,
    "fcs.axefcs": SAISIE,
    "fcs.subventionfcs": SAISIE,
    "fcs.fondsdeconcours": SAISIE,
    "avis.organisme": SAISIE,
    "avis.contact": SAISIE,
    "avis.consultation": SAISIE,
    "avis.destinataire": SAISIE,
    "avis.avis": SAISIE,
    "avis.reouverture": SAISIE,
    "conventions.convention": SAISIE,
    "conventions.tranche": SAISIE,
    "conventions.echeance": SAISIE,
    "conventions.versement": SAISIE,
    "conventions.bilan": SAISIE,
    "conventions.titrerecette": SAISIE,
    "conventions.modeledocument": SAISIE,
    "conventions.documentgenere": SAISIE,
    "conventions.versementdeclare": SAISIE,
    "auth.user": PERSONNE,
    "auth.group": PERSONNE,
    "otp_totp.totpdevice": PERSONNE,
    "otp_static.staticdevice": PERSONNE,
}
# Ce que l'administration refuse à tous, quelles que soient les permissions (écrit par le code seul).
JAMAIS = {
    "journal.entreejournal": "acd",
    "programmation.journalechange": "acd",
    "avis.reouverture": "acd",
    # Une consultation se lance depuis la fiche du rapport (étape du cycle), jamais par « ajouter » dans l'admin.
    "avis.consultation": "a",
    # Le cycle du rapport passe par ses propres pages (services, transitions tracées), jamais par l'admin.
    "rapport.rapportannuel": "acd",
    "avis.avis": "d",
    "avis.contact": "d",
    "avis.destinataire": "ad",
    # L'après-vote s'écrit par ses services : la convention par son propre formulaire (« ajouter »), les
    # versements, examens de bilans et titres de recette par les pages de l'échéance, du bilan et de la tranche.
    "conventions.convention": "d",
    "conventions.tranche": "acd",
    "conventions.echeance": "acd",
    "conventions.versement": "acd",
    "conventions.bilan": "acd",
    "conventions.titrerecette": "acd",
    # Un modèle par type de document, chargé par la migration : il se modifie, ne s'ajoute ni ne se supprime. Un
    # document généré est figé : il s'écrit par la génération (aperçu de la décision, comité), jamais par l'admin.
    "conventions.modeledocument": "ad",
    "conventions.documentgenere": "acd",
    # Un versement déclaré par un autre financeur se saisit par le service ; une erreur se corrige en le supprimant.
    "conventions.versementdeclare": "c",
}
# Les pages de l'admin qui renvoient vers les pages du produit (le rapport a ses propres pages).
REDIRIGEES = {("rapport.rapportannuel", "changelist"), ("rapport.rapportannuel", "change")}
VUE_ADMIN = {"changelist": "v", "add": "a", "history": "v", "delete": "d", "change": "v"}


def attendu_admin(label: str, vue: str) -> dict:
    droits = DROITS_ADMIN[label]
    lettre = VUE_ADMIN[vue]
    resultat = {"anonyme": CONNEXION_ADMIN, "commune": CONNEXION_ADMIN, "conseil": CONNEXION_ADMIN}
    for role in INTERNES:
        permis = lettre in droits[role] and lettre not in JAMAIS.get(label, "")
        if vue == "change" and not permis:
            permis = "c" in droits[role] and "c" not in JAMAIS.get(label, "")
        resultat[role] = (REDIRECTION if (label, vue) in REDIRIGEES else OK) if permis else INTERDIT
    return resultat


# --- Les autres URL, par nom ------------------------------------------------------------------------------
# Pour les URL à paramètres : une variante « propre » (l'objet de l'organisme de l'utilisateur du portail) et
# « autre » (celui d'un autre organisme).
SANS_DROIT_ADMIN = {"anonyme": CONNEXION_ADMIN, "commune": CONNEXION_ADMIN, "conseil": CONNEXION_ADMIN}
RAPPORT = pour(OK, anonyme=CONNEXION, commune=INTERDIT, conseil=INTERDIT)
NOMMEES = {
    # La racine mène chacun à sa page de travail ; l'anonyme, à la connexion (qui y ramène).
    "racine": {"": pour(REDIRECTION, anonyme=CONNEXION)},
    "login": {"": pour(OK)},
    "logout": {"": pour(METHODE)},
    "verifier_double_facteur": {"": pour(OK, anonyme=CONNEXION)},
    "activer_double_facteur": {"": pour(OK, anonyme=CONNEXION, commune=REDIRECTION, conseil=REDIRECTION)},
    "admin:index": {"": pour(OK, **SANS_DROIT_ADMIN)},
    "admin:login": {"": pour(REDIRECTION, anonyme=OK, commune=OK, conseil=OK)},
    # Déconnexion de l'admin : POST seulement ; qui n'est pas de l'admin est renvoyé ailleurs.
    "admin:logout": {"": pour(METHODE, anonyme=REDIRECTION, commune=REDIRECTION, conseil=REDIRECTION)},
    "admin:autocomplete": {"": pour(INTERDIT, **SANS_DROIT_ADMIN)},
    "admin:jsi18n": {"": pour(OK, **SANS_DROIT_ADMIN)},
    "admin:view_on_site": {"": pour(INTROUVABLE, **SANS_DROIT_ADMIN)},
    "admin:password_change": {"": pour(OK, **SANS_DROIT_ADMIN)},
    "admin:password_change_done": {"": pour(OK, **SANS_DROIT_ADMIN)},
    "admin:auth_user_password_change": {"": pour(INTERDIT, **SANS_DROIT_ADMIN)},
    "admin:otp_totp_totpdevice_config": {"": pour(INTERDIT, **SANS_DROIT_ADMIN)},
    "admin:otp_totp_totpdevice_qrcode": {"": pour(INTERDIT, **SANS_DROIT_ADMIN)},
    # Le classeur modèle vierge : pour qui importe ou exporte.
    "admin:programmation_dossier_modele": {"": pour(OK, auditeur=INTERDIT, **SANS_DROIT_ADMIN)},
    "admin:programmation_dossier_import": {
        "": pour(OK, auditeur=INTERDIT, directeur=INTERDIT, **SANS_DROIT_ADMIN)
    },
    "admin:programmation_dossier_process_import": {
        "": pour(METHODE, **SANS_DROIT_ADMIN)  # POST seulement, refusé avant tout contrôle de droit
    },
    "admin:programmation_dossier_export": {"": pour(OK, auditeur=INTERDIT, **SANS_DROIT_ADMIN)},
    "admin:programmation_dossier_export_financeurs": {"": pour(OK, auditeur=INTERDIT, **SANS_DROIT_ADMIN)},
    "tableau:tableau_de_bord": {"": RAPPORT},
    "rapport:liste": {"": RAPPORT},
    "rapport:fiche": {"": RAPPORT},
    "rapport:apercu": {"": RAPPORT},
    "rapport:pdf": {"": RAPPORT},
    # La page de confirmation de chaque étape : directeur seulement.
    "rapport:avancer": {"": pour(INTERDIT, anonyme=CONNEXION, directeur=OK)},
    "rapport:projet_transmis": {"": RAPPORT},
    "avis:accueil": {"": pour(INTERDIT, anonyme=CONNEXION, commune=OK, conseil=OK)},
    "avis:consultation": {
        "propre": pour(INTERDIT, anonyme=CONNEXION, commune=OK, conseil=OK),
        "autre": pour(INTERDIT, anonyme=CONNEXION, commune=INTROUVABLE, conseil=INTROUVABLE),
    },
    "avis:projet": {
        "propre": pour(INTERDIT, anonyme=CONNEXION, commune=OK, conseil=OK),
        "autre": pour(INTERDIT, anonyme=CONNEXION, commune=INTROUVABLE, conseil=INTROUVABLE),
    },
    # L'accusé de réception est une page du portail ; les agents suivent les avis dans l'admin.
    "avis:recu": {
        "propre": pour(INTERDIT, anonyme=CONNEXION, commune=OK, conseil=OK),
        "autre": pour(INTERDIT, anonyme=CONNEXION, commune=INTROUVABLE, conseil=INTROUVABLE),
    },
    # La délibération : l'organisme qui l'a déposée, et les comptes internes qui voient les avis.
    "avis:deliberation": {
        "propre": pour(OK, anonyme=CONNEXION),
        "autre": pour(OK, anonyme=CONNEXION, commune=INTROUVABLE, conseil=INTROUVABLE),
    },
    "avis:invitation": {"": pour(OK)},
    # Les pages des porteurs : ni les communes, ni les conseils citoyens, ni les agents (le périmètre d'un porteur,
    # 404 pour le bilan d'un autre, est vérifié par tests/avis/test_porteurs.py).
    "avis:porteur_conventions": {"": pour(INTERDIT, anonyme=CONNEXION)},
    "avis:porteur_bilan": {"": pour(INTERDIT, anonyme=CONNEXION)},
    "avis:porteur_bilan_fichier": {"": pour(INTERDIT, anonyme=CONNEXION)},
    # Les écritures de l'après-vote : l'agent seul ; le bilan déposé se lit par tous les comptes internes.
    "admin:conventions_echeance_verser": {"": pour(INTERDIT, agent=OK, **SANS_DROIT_ADMIN)},
    "admin:conventions_tranche_titre": {"": pour(INTERDIT, agent=OK, **SANS_DROIT_ADMIN)},
    "admin:conventions_bilan_examiner": {"": pour(INTERDIT, agent=OK, **SANS_DROIT_ADMIN)},
    "admin:conventions_bilan_fichier": {"": pour(OK, **SANS_DROIT_ADMIN)},
    # Lettres et conventions : l'aperçu, les comités et les PDF figés se lisent par tous les comptes internes ; la
    # génération est un POST (agent seul) ; l'import des mandats, l'agent seul.
    "admin:conventions_decision_apercu": {"": pour(OK, **SANS_DROIT_ADMIN)},
    "admin:conventions_decision_generer": {"": pour(METHODE, **SANS_DROIT_ADMIN)},
    "admin:conventions_convention_comites": {"": pour(OK, **SANS_DROIT_ADMIN)},
    "admin:conventions_convention_comite": {"": pour(OK, **SANS_DROIT_ADMIN)},
    "admin:conventions_documentgenere_pdf": {"": pour(OK, **SANS_DROIT_ADMIN)},
    "admin:conventions_versement_importer": {"": pour(INTERDIT, agent=OK, **SANS_DROIT_ADMIN)},
    # La page d'un porteur : le personnel. L'open data : le directeur (sans SIRET de l'agglomération dans ce jeu de
    # données, l'export est refusé et le renvoie au tableau de bord avec le message).
    "conventions:fiche_porteur": {"": pour(OK, anonyme=CONNEXION, commune=INTERDIT, conseil=INTERDIT)},
    "conventions:open_data": {"": pour(INTERDIT, anonyme=CONNEXION, directeur=REDIRECTION)},
    "conventions:versements": {"": pour(OK, anonyme=CONNEXION, commune=INTERDIT, conseil=INTERDIT)},
    # Les indicateurs : l'agent importe leurs valeurs ; le personnel suit la vue à mi-parcours.
    "admin:indicateurs_indicateur_importer": {"": pour(INTERDIT, agent=OK, **SANS_DROIT_ADMIN)},
    "admin:indicateurs_indicateur_modele": {"": pour(INTERDIT, agent=OK, **SANS_DROIT_ADMIN)},
    "indicateurs:mi_parcours": {"": pour(OK, anonyme=CONNEXION, commune=INTERDIT, conseil=INTERDIT)},
    "avis:invitation_terminee": {"": pour(CONNEXION)},
}


def _routes(motifs, prefixe="", espace=None):
    for motif in motifs:
        if isinstance(motif, URLResolver):
            ns = espace
            if motif.namespace:
                ns = f"{espace}:{motif.namespace}" if espace else motif.namespace
            yield from _routes(motif.url_patterns, prefixe + str(motif.pattern), ns)
        elif isinstance(motif, URLPattern):
            nom = motif.name and (f"{espace}:{motif.name}" if espace else motif.name)
            yield prefixe + str(motif.pattern), nom


def routes_du_produit():
    """(route, nom) de chaque URL ; les routes sans nom de l'admin (redirections de compatibilité vers la page
    de modification, et le « catch-all » qui ajoute la barre oblique) sont rangées à part."""
    return list(_routes(get_resolver().url_patterns))


MODELE_ADMIN = re.compile(
    r"^admin:(?P<app>[a-z_]+?)_(?P<modele>[a-z]+)_(?P<vue>changelist|add|history|delete|change)$"
)


# --- Données ----------------------------------------------------------------------------------------------


@pytest.fixture
def monde(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    contrat = Contrat.objects.get()
    projet = ProjetQuartier.objects.create(
        contrat=contrat, quartier=Quartier.objects.get(code="QN06208M"), intitule="Mont-Liébaut 2030"
    )
    ObjectifQuartier.objects.create(projet=projet, code="MLB-1", libelle="Réussite éducative")
    Indicateur.objects.create(
        contrat=contrat,
        code="EMP-1",
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
    dossier = creer_dossier(annee=2032)
    programmation = dossier.programmation
    BlocNarratif.objects.create(programmation=programmation, type="PNRU", texte="Texte")
    rapport = RapportAnnuel.objects.create(
        programmation=programmation,
        statut=StatutRapport.ADOPTE,
        date_seance_conseil=datetime.date(2032, 9, 1),
    )
    agent = utilisateur("m.agent", roles.AGENT)
    comptes = {
        "anonyme": None,
        "agent": agent,
        "directeur": utilisateur("m.directeur", roles.DIRECTEUR),
        "auditeur": utilisateur("m.auditeur", roles.AUDITEUR),
    }
    bethune = Organisme.objects.get_or_create(commune=Commune.objects.get(nom="Béthune"))[0]
    bruay = Organisme.objects.get_or_create(commune=Commune.objects.get(nom__startswith="Bruay-la-Bui"))[0]
    conseil = Organisme.objects.get_or_create(
        conseil_citoyen=ConseilCitoyen.objects.get(quartier=Quartier.objects.get(code="QN06208M"))
    )[0]
    contacts = {}
    for role, organisme, email in (
        ("commune", bethune, "pdlv@bethune.example"),
        ("conseil", conseil, "conseil@mont-liebaut.example"),
        (None, bruay, "pdlv@bruay.example"),
    ):
        contact = services_avis.creer_contact(
            organisme=organisme, email=email, prenom="C", nom="Contact", par=agent
        )
        contacts[organisme.pk] = contact
        if role:
            comptes[role] = contact.utilisateur
            assert contact.utilisateur.groups.filter(name__in=roles.ROLES_PORTAIL).exists()
    aujourdhui = datetime.date.today()
    consultation = services_avis.creer_consultation(
        programmation=rapport.programmation,
        projet_pdf=PROJET_PDF,
        date_envoi=aujourdhui - datetime.timedelta(days=5),
        date_limite=aujourdhui + datetime.timedelta(days=40),
        organismes=[bethune, bruay, conseil],
        par=agent,
    )
    # La présentation du rapport (signataire, logos) et un référent du service, saisis dans l'admin.
    presentation = PresentationRapport.objects.create(contrat=contrat, signataire_nom="Camille Martin")
    ReferentTerritorial.objects.create(presentation=presentation, nom="Carole Warembourg")
    # Une autre consultation (une autre année) où seule Bruay est consultée.
    rapport_autre = RapportAnnuel.objects.create(
        programmation=Programmation.objects.create(annee=2033, contrat=contrat),
        statut=StatutRapport.ADOPTE,
        date_seance_conseil=datetime.date(2033, 9, 1),
    )
    autre = services_avis.creer_consultation(
        programmation=rapport_autre.programmation,
        projet_pdf=PROJET_PDF,
        date_envoi=aujourdhui - datetime.timedelta(days=5),
        date_limite=aujourdhui + datetime.timedelta(days=40),
        organismes=[bruay],
        par=agent,
    )
    avis = {}
    for organisme in (bethune, conseil, bruay):
        destinataire = consultation.destinataires.get(organisme=organisme)
        avis[organisme.pk] = services_avis.deposer_avis(
            destinataire=destinataire,
            par=contacts[organisme.pk].utilisateur,
            decision="FAVORABLE",
            date_seance=aujourdhui - datetime.timedelta(days=1),
            deliberation=SimpleUploadedFile("d.pdf", pdf_octets(), content_type="application/pdf"),
        )
    services_avis.rouvrir_avis(
        destinataire=consultation.destinataires.get(organisme=bruay), par=agent, motif="Délibération corrigée"
    )
    SubventionFCSFactory(axe__enveloppe__annee=2032)
    FondsDeConcoursFactory(annee=2032)
    # L'après-vote : une convention, son avance versée, un bilan déposé, un titre de recette.
    cpo = convention(ligne_agglo(2032, Decimal("20000.00")), {2032: Decimal("20000.00")})
    tranche = cpo.tranches.get()
    services_conventions.enregistrer_versement(
        echeance=tranche.echeances.first(),
        date=aujourdhui,
        montant=Decimal("10000.00"),
        reference_mandat="M-MATRICE-1",
    )
    services_conventions.emettre_titre_recette(
        tranche=tranche, date=aujourdhui, montant=Decimal("100.00"), reference="T-MATRICE-1"
    )
    documents.generer_document(decision=cpo.decisions.get(), type_document=TypeDocument.NOTIFICATION)
    services_conventions.declarer_versement(
        ligne=LigneFinancementFactory(dossier__programmation__annee=2032),
        date=aujourdhui,
        montant=Decimal("10.00"),
    )
    bilan_depose = services_conventions.deposer_bilan(
        bilan=tranche.bilans.first(), fichier=SimpleUploadedFile("b.pdf", pdf_octets()), par=None
    )
    TOTPDevice.objects.create(user=comptes["directeur"], name="téléphone", confirmed=True)
    StaticDevice.objects.create(user=comptes["directeur"], name="Codes de secours", confirmed=True)
    journaliser_export(OperationEchange.EXPORT, utilisateur=agent, nom_fichier="p.xlsx", nb_lignes=1)
    assert EntreeJournal.objects.exists()
    propres = {"commune": bethune, "conseil": conseil}
    return {
        "comptes": comptes,
        "annee": programmation.annee,
        "consultation": consultation,
        "autre_consultation": autre,
        "avis": avis,
        "propres": propres,
        "bruay": bruay,
        "bilan_depose": bilan_depose,
    }


def url_de(route: str, nom: str | None, variante: str, role: str, monde) -> str:
    """Remplit les paramètres d'une route avec les objets du jeu de données."""
    from django.contrib.contenttypes.models import ContentType

    propre = monde["propres"].get(role, monde["propres"]["commune"])
    valeurs = {
        "annee": str(monde["annee"]),
        "uidb64": "MQ",
        "token": "jeton-invalide",
        "content_type_id": str(ContentType.objects.get_for_model(monde["consultation"]).pk),
        "object_id": str(monde["consultation"].pk),
    }
    if nom == "rapport:projet_transmis":
        valeurs["pk"] = str(monde["consultation"].pk)
    elif nom in ("avis:consultation", "avis:projet"):
        valeurs["pk"] = str(monde["consultation" if variante == "propre" else "autre_consultation"].pk)
    elif nom in ("avis:recu", "avis:deliberation"):
        organisme = propre if variante == "propre" else monde["bruay"]
        valeurs["pk"] = str(monde["avis"][organisme.pk].pk)
    elif nom in ("admin:conventions_echeance_verser", "admin:conventions_tranche_titre"):
        valeurs["pk"] = str(objet_du_modele(f"conventions.{nom.split('_')[1]}").pk)
    elif nom in ("admin:conventions_bilan_examiner", "admin:conventions_bilan_fichier") or (
        nom or ""
    ).startswith("avis:porteur_bilan"):
        valeurs["pk"] = str(monde["bilan_depose"].pk)
    elif nom in ("admin:conventions_decision_apercu", "admin:conventions_decision_generer"):
        valeurs["pk"] = str(objet_du_modele("conventions.decision").pk)
        valeurs["type_document"] = "NOTIFICATION"
    elif nom == "admin:conventions_convention_comite":
        decision = objet_du_modele("conventions.decision")
        valeurs["instance"], valeurs["date"] = decision.instance, decision.date.isoformat()
    elif nom == "admin:conventions_documentgenere_pdf":
        valeurs["pk"] = str(objet_du_modele("conventions.documentgenere").pk)
    elif nom == "conventions:fiche_porteur":
        valeurs["pk"] = str(monde["bilan_depose"].tranche.convention.porteur_id)
    elif nom and nom.startswith("admin:otp_totp_totpdevice"):
        valeurs["pk"] = str(TOTPDevice.objects.first().pk)
    elif nom == "admin:auth_user_password_change":
        valeurs["id"] = str(monde["comptes"]["agent"].pk)
    url = route
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: valeurs[m.group(1)], url)
    return "/" + url


def objet_du_modele(label: str):
    app, modele = label.split(".")
    from django.apps import apps

    obj = apps.get_model(app, modele)._default_manager.order_by("pk").first()
    assert obj is not None, f"le jeu de données n'a aucun {label} : ajoutez-en un à la fixture"
    return obj


def reponse_de(client: Client, url: str):
    r = client.get(url)
    if r.streaming:
        # Lire le flux jusqu'au bout ferme le fichier (FileResponse) par le chemin du client de test.
        b"".join(r.streaming_content)
    if r.status_code in (301, 302):
        cible = r["Location"]
        if cible.startswith("/connexion/"):
            return CONNEXION
        if cible.startswith("/admin/login/"):
            return CONNEXION_ADMIN
        return REDIRECTION
    return r.status_code


def client_de(role, monde) -> Client:
    client = Client()
    compte = monde["comptes"][role]
    if compte is not None:
        client.force_login(compte)
        device = TOTPDevice.objects.filter(user=compte, confirmed=True).first()
        if device is not None:
            # Le directeur a activé la double authentification : sa session l'a passée.
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client


def test_matrice_des_droits(monde):
    clients = {role: client_de(role, monde) for role in ROLES}

    modeles_admin = {m._meta.label_lower for m in admin.site._registry}
    assert modeles_admin == set(DROITS_ADMIN), (
        "modèles de l'admin sans ligne dans DROITS_ADMIN (ou lignes en trop) : "
        f"{sorted(modeles_admin ^ set(DROITS_ADMIN))}"
    )
    ecarts, inconnues, vues = [], [], 0
    for route, nom in routes_du_produit():
        if nom is None:
            if route == "":
                nom = "racine"
            elif route.startswith("admin/") and route.endswith("<path:object_id>/"):
                continue  # redirection de compatibilité de l'admin vers …/change/, couverte par « change »
            elif route == "admin/(?P<url>.*)$":
                continue  # ajoute la barre oblique finale (catch_all_view)
            else:
                inconnues.append(route)
                continue
        if route.startswith("admin/^(?P<app_label>"):
            # Liste des modèles d'une application : 404 pour qui n'a aucune permission sur l'application.
            for app in re.search(r"<app_label>([^)]*)\)", route).group(1).split("|"):
                for role in ROLES:
                    if role in PORTAIL or role == "anonyme":
                        attendu = CONNEXION_ADMIN
                    else:
                        attendu = (
                            OK
                            if any(
                                DROITS_ADMIN[lbl][role] for lbl in DROITS_ADMIN if lbl.startswith(app + ".")
                            )
                            else INTROUVABLE
                        )
                    obtenu = reponse_de(clients[role], f"/admin/{app}/")
                    vues += 1
                    if obtenu != attendu:
                        ecarts.append(
                            f"{role:9} GET /admin/{app}/ (admin:app_list) : {obtenu}, attendu {attendu}"
                        )
            continue
        m = MODELE_ADMIN.match(nom)
        if m and f"{m['app']}.{m['modele']}" in DROITS_ADMIN:
            label, vue = f"{m['app']}.{m['modele']}", m["vue"]
            url = "/" + re.sub(r"<path:object_id>", str(objet_du_modele(label).pk), route)
            variantes = {"": attendu_admin(label, vue)}
        elif nom in NOMMEES:
            url = None
            variantes = NOMMEES[nom]
        else:
            inconnues.append(f"{route} ({nom})")
            continue
        for variante, attendus in variantes.items():
            for role in ROLES:
                adresse = url or url_de(route, nom, variante, role, monde)
                obtenu = reponse_de(clients[role], adresse)
                vues += 1
                if obtenu != attendus[role]:
                    ecarts.append(
                        f"{role:9} GET {adresse} ({nom} {variante}) : {obtenu}, attendu {attendus[role]}"
                    )
    assert not inconnues, "URL absentes de la matrice des droits : " + ", ".join(inconnues)
    assert not ecarts, f"{len(ecarts)} écart(s) sur {vues} :\n" + "\n".join(ecarts)
    assert vues > 500


def test_les_roles_du_portail_n_ont_aucune_permission_d_administration(monde):
    for nom in roles.ROLES_PORTAIL:
        assert not Group.objects.get(name=nom).permissions.exists()
    for role in PORTAIL:
        assert not monde["comptes"][role].is_staff
