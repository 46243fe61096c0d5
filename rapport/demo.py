"""Données de démonstration de la consultation, à l'image du rapport 2021 de référence.

Le projet, adopté le 27/09/2022, est soumis le 07/10/2022 avec une date limite au 07/11/2022 ; Bruay répond par
courrier du 24/10, Auchel par délibération du 26/10, Nœux-les-Mines par délibération du 03/11 ; les autres
organismes, sans réponse, sont réputés favorables. Les comptes « service commune de Béthune » et « conseil
citoyen du Mont-Liébaut » (créés par `comptes.demo`) sont rattachés à leur organisme.

2021 reste l'histoire close du rapport réel. Pour montrer le cycle vivant, la démonstration ajoute l'année 2022 (ses
dossiers sont inventés, comme ceux de 2020) dont le projet de rapport suit les étapes du service, par la même
machine que le directeur (`faire_avancer_rapport`) : adopté en conseil communautaire dix jours avant le chargement
de la démonstration, soumis aux communes et conseils citoyens trois jours avant, réponses attendues jusqu'à six
semaines après l'envoi. Les dates suivent le jour du chargement : après `make run`, la consultation 2022 est
ouverte et `commune.bethune` peut déposer son avis aussitôt. Un second chargement ne relance rien.

Le contact du service que le portail donne aux organismes consultés est une donnée du contrat (saisie dans
l'administration) ; la démonstration la renseigne si elle est vide, avec un numéro réservé à la fiction (ARCEP).
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from avis import services
from avis.dates import un_mois_apres
from avis.enums import Decision
from avis.models import Avis, Consultation, Contact, Organisme
from contrat_ville.models import Commune, ConseilCitoyen, Contrat
from noyau import pdf
from noyau.empreintes import empreinte
from programmation import demo as demo_programmation
from programmation.models import Programmation
from rapport.enums import StatutRapport
from rapport.models import PresentationRapport, RapportAnnuel, ReferentTerritorial, TransitionRapport

from .contexte import contexte_du_rapport
from .rendu import pdf_a_enregistrer
from .services import faire_avancer_rapport

ENVOI = datetime.date(2022, 10, 7)
LIMITE = datetime.date(2022, 11, 7)
# (code INSEE, date, libellé du document) : les trois réponses annexées au rapport de référence.
REPONSES = (
    ("62178", datetime.date(2022, 10, 24), "Courrier du maire de Bruay-La-Buissière du 24 octobre 2022"),
    ("62048", datetime.date(2022, 10, 26), "Délibération du conseil municipal d'Auchel du 26 octobre 2022"),
    (
        "62617",
        datetime.date(2022, 11, 3),
        "Délibération du conseil municipal de Nœux-les-Mines du 3 novembre 2022",
    ),
)
CONTACTS = (("commune.bethune", "62119", None), ("cc.mont-liebaut", None, "QN06208M"))
CONTACT_DU_SERVICE = {
    "contact_nom": "Camille Lefebvre, service Politique de la Ville de l'Agglomération",
    "contact_courriel": "politique-ville@agglo.example",
    # 03 53 01 xx xx : plage que l'ARCEP réserve aux œuvres de fiction (Hauts-de-France).
    "contact_telephone": "03 53 01 21 64",
}
# Le cycle vivant : jours avant le chargement de la démonstration.
JOURS_DEPUIS_ADOPTION = 10
JOURS_DEPUIS_ENVOI = 3
# Six semaines environ : le mois légal et deux semaines.
DELAI_DE_REPONSE_EN_PLUS = datetime.timedelta(days=14)


def _pdf(titre: str) -> bytes:
    return pdf.rendre_pdf(
        f"<h1 style='font-size:14pt'>{titre}</h1><p>Le conseil émet un avis favorable sur le projet de rapport "
        "sur la mise en œuvre de la politique de la ville, année 2021.</p><p>Document de démonstration.</p>"
    )


def _minuit(jour: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time(10, 0)))


# Les trois « référents des communes » que nomme le rapport 2021 de référence (sa carte des référents techniques).
# Les communes de chacun ne s'y lisent pas : la démonstration partage celles des quartiers du contrat d'ouest en est,
# en trois secteurs (inventé).
REFERENTS = ("Alexandre Hermant", "Carole Warembourg", "Sarah Thedrez")


def _presentation_et_referents(contrat: Contrat) -> None:
    """Le bloc de signature (« Par délégation du Président », comme le rapport de référence) et les référents du
    service avec leurs communes ; rien n'est changé s'ils existent déjà."""
    presentation, _ = PresentationRapport.objects.get_or_create(
        contrat=contrat, defaults={"signataire_qualite": "Par délégation du Président"}
    )
    if presentation.referents.exists():
        return
    communes = sorted(
        {c for q in contrat.quartiers.prefetch_related("communes") for c in q.communes.all()},
        key=lambda c: (c.longitude is None, c.longitude or 0, c.nom),
    )
    for rang, nom in enumerate(REFERENTS):
        referent = ReferentTerritorial.objects.create(
            presentation=presentation, nom=nom, fonction="Référent technique des communes", ordre=rang
        )
        debut, fin = round(rang * len(communes) / 3), round((rang + 1) * len(communes) / 3)
        referent.communes.set(communes[debut:fin])


@transaction.atomic
def charger() -> str:
    User = get_user_model()
    for contrat in Contrat.objects.all():
        _presentation_et_referents(contrat)
    for identifiant, insee, quartier in CONTACTS:
        utilisateur = User.objects.filter(username=identifiant).first()
        if utilisateur is None:
            continue
        if insee:
            organisme, _ = Organisme.objects.get_or_create(commune=Commune.objects.get(code_insee=insee))
        else:
            conseil = ConseilCitoyen.objects.get(quartier__code=quartier)
            organisme, _ = Organisme.objects.get_or_create(conseil_citoyen=conseil)
        Contact.objects.update_or_create(utilisateur=utilisateur, defaults={"organisme": organisme})

    programmation = Programmation.objects.filter(annee=2021).first()
    if programmation is None:
        return "pas de programmation 2021 : consultation non créée"
    rapport, _ = RapportAnnuel.objects.get_or_create(
        programmation=programmation,
        defaults={"statut": StatutRapport.EN_CONSULTATION, "date_seance_conseil": datetime.date(2022, 9, 27)},
    )
    agent = User.objects.filter(username="agent").first() or User.objects.filter(is_staff=True).first()
    directeur = User.objects.filter(username="directeur").first() or agent
    if directeur is not None and not rapport.transitions.exists():
        # L'histoire du rapport de référence : adopté le 27/09/2022, soumis aux organismes le 07/10/2022.
        for de, vers, jour in (
            (StatutRapport.PROJET, StatutRapport.ADOPTE, datetime.date(2022, 9, 27)),
            (StatutRapport.ADOPTE, StatutRapport.EN_CONSULTATION, ENVOI),
        ):
            transition = TransitionRapport.objects.create(rapport=rapport, de=de, vers=vers, par=directeur)
            TransitionRapport.objects.filter(pk=transition.pk).update(le=_minuit(jour))
    consultation = Consultation.objects.filter(programmation=programmation).first()
    if consultation is None:
        # Le projet transmis le jour de l'envoi, avant toute réponse : c'est l'histoire de 2021, pas un lancement
        # d'aujourd'hui (aucune invitation ne part).
        projet = pdf_a_enregistrer(
            contexte_du_rapport(rapport, pour_pdf=True), document="Le projet de démonstration", sinon="Rien"
        )
        consultation = Consultation(
            programmation=programmation,
            date_envoi=ENVOI,
            date_limite=LIMITE,
            lancee_le=_minuit(ENVOI),
            projet_sha256=empreinte(projet),
            cree_par=agent,
        )
        consultation.projet_pdf.save("projet.pdf", ContentFile(projet), save=False)
        consultation.save()
    services.ajouter_destinataires(consultation=consultation, inviter=False)
    consultation.destinataires.filter(invite_le__isnull=True).update(invite_le=_minuit(ENVOI))
    for insee, jour, titre in REPONSES:
        organisme, _ = Organisme.objects.get_or_create(commune=Commune.objects.get(code_insee=insee))
        services.ajouter_destinataires(consultation=consultation, organismes=[organisme], inviter=False)
        avis, cree = Avis.objects.update_or_create(
            consultation=consultation,
            organisme=organisme,
            defaults={
                "decision": Decision.FAVORABLE,
                "date_seance": jour,
                "observations": titre,
                "depose_par": agent,
                "depose_le": _minuit(jour),
                "recu_par_courrier": True,
            },
        )
        if not avis.deliberation:
            avis.deliberation.save("deliberation.pdf", ContentFile(_pdf(titre)), save=True)
    resume_2021 = f"consultation 2021 : {consultation.destinataires.count()} organismes, {consultation.avis.count()} avis"
    return f"{resume_2021} ; {charger_consultation_ouverte(directeur)}"


def renseigner_contact_du_service() -> None:
    for contrat in Contrat.objects.all():
        vides = {champ: valeur for champ, valeur in CONTACT_DU_SERVICE.items() if not getattr(contrat, champ)}
        if vides:
            Contrat.objects.filter(pk=contrat.pk).update(**vides)


def charger_consultation_ouverte(directeur) -> str:
    """L'année 2022 et son projet de rapport adopté puis soumis, par les étapes du service (voir plus haut)."""
    renseigner_contact_du_service()
    demo_programmation.charger_annee_en_cours()
    annee = demo_programmation.ANNEE_EN_COURS
    if directeur is None:
        return f"pas de directeur : consultation {annee} non lancée"
    rapport, _ = RapportAnnuel.objects.get_or_create(programmation=Programmation.objects.get(annee=annee))
    aujourdhui = timezone.localdate()
    envoi = aujourdhui - datetime.timedelta(days=JOURS_DEPUIS_ENVOI)
    if rapport.statut == StatutRapport.PROJET:
        rapport = faire_avancer_rapport(
            rapport=rapport,
            vers=StatutRapport.ADOPTE,
            par=directeur,
            date=aujourdhui - datetime.timedelta(days=JOURS_DEPUIS_ADOPTION),
            commentaire="Démonstration : séance du conseil communautaire.",
            source="commande",
        )
    if rapport.statut == StatutRapport.ADOPTE:
        rapport = faire_avancer_rapport(
            rapport=rapport,
            vers=StatutRapport.EN_CONSULTATION,
            par=directeur,
            date=envoi,
            date_limite=un_mois_apres(envoi) + DELAI_DE_REPONSE_EN_PLUS,
            commentaire="Démonstration : projet soumis aux communes et conseils citoyens.",
            source="commande",
        )
    consultation = Consultation.objects.filter(programmation=rapport.programmation).first()
    if consultation is None:
        return f"rapport {annee} : {rapport.get_statut_display()}"
    return (
        f"consultation {annee} ouverte jusqu'au {consultation.date_limite:%d/%m/%Y} : "
        f"{consultation.destinataires.count()} organismes, {consultation.avis.count()} avis"
    )
