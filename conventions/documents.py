"""Lettres de notification et conventions en PDF : contexte d'une décision, aperçu HTML, génération figée.

Le texte vient du modèle que les agents éditent (`ModeleDocument`), rendu par le moteur de gabarits restreint du
noyau ; la mise en page (en-tête, destinataire, signatures) est la nôtre. Le PDF est rendu par le moteur borné du
noyau (processus enfant tué à sa limite), hors de toute transaction ; puis, sous le verrou des décisions, il est
figé avec son empreinte SHA-256 dans une nouvelle version : un document généré n'est jamais réécrit.

Pour un comité (les décisions d'une même instance à une même date), tous les PDF sont rendus d'abord, puis figés
dans une seule transaction : tous ou aucun.
"""

import datetime
import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from contrat_ville.models import Contrat
from noyau import gabarits, pdf
from noyau.empreintes import empreinte, fichier_verifie
from noyau.nombres import formater_euros, formater_pourcent, montant_en_lettres
from programmation.models import Programmation

from .enums import TypeConvention, TypeDocument, TypeEcheance
from .models import (
    CHAMPS_DES_DOCUMENTS,
    Convention,
    Decision,
    DocumentGenere,
    Echeance,
    ModeleDocument,
    Tranche,
)
from .services import date_limite_bilan

GABARIT = "conventions/document.html"
GABARIT_APERCU = "conventions/_document.html"  # le même corps, posé dans une page de l'administration
SERVICE = "Politique de la Ville"
LIBELLES_ECHEANCE = {
    TypeEcheance.AVANCE: "Avance à la signature",
    TypeEcheance.SOLDE: "Solde après le bilan",
    TypeEcheance.AUTRE: "Échéance",
}


def _date(jour: datetime.date | None) -> str:
    return f"{jour:%d/%m/%Y}" if jour else ""


def type_convention(convention: Convention) -> str:
    """Le document « convention » d'une convention : annuelle ou CPO."""
    return TypeDocument.CPO if convention.type == TypeConvention.CPO else TypeDocument.CONVENTION_ANNUELLE


def types_possibles(convention: Convention) -> list[str]:
    return [TypeDocument.NOTIFICATION, type_convention(convention)]


def decisions_du_document():
    """Les décisions avec tout ce que leur document lit, en un nombre fixe de requêtes quel que soit leur nombre."""
    tranches = Tranche.objects.select_related("ligne__dossier").prefetch_related(
        Prefetch("echeances", queryset=Echeance.objects.order_by("date_prevue", "pk"))
    )
    return Decision.objects.select_related("convention__porteur__commune").prefetch_related(
        Prefetch("convention__tranches", queryset=tranches.order_by("annee"))
    )


def contrat_de(convention: Convention, contrats: dict | None = None) -> Contrat | None:
    """Le contrat de l'année de la convention (celui de sa programmation), sinon le plus récent."""
    contrats = contrats if contrats is not None else _contrats_par_annee({convention.annee_debut})
    return contrats.get(convention.annee_debut) or contrats.get(None)


def _contrats_par_annee(annees: set[int]) -> dict:
    contrats = {
        p.annee: p.contrat
        for p in Programmation.objects.filter(annee__in=annees).select_related("contrat")
        if p.contrat_id
    }
    if len(contrats) < len(annees):
        contrats[None] = Contrat.objects.order_by("-date_signature", "pk").first()
    return contrats


def contexte_document(decision: Decision, modele: ModeleDocument, contrat: Contrat | None) -> dict:
    """Ce qu'un modèle de document peut citer (`CHAMPS_DES_DOCUMENTS`) : textes, dictionnaires et listes, montants
    et dates mis en forme. Aucun objet de modèle : le gabarit n'atteint aucune méthode."""
    convention = decision.convention
    porteur = convention.porteur
    tranches = list(convention.tranches.all())
    dossier = next((t.ligne.dossier for t in tranches if t.ligne_id), None)
    contexte = {
        "collectivite": {
            "nom": contrat.epci if contrat else "",
            "contrat": contrat.nom if contrat else "contrat de ville",
            "service": SERVICE,
            "contact_nom": contrat.contact_nom if contrat else "",
            "contact_courriel": contrat.contact_courriel if contrat else "",
            "contact_telephone": contrat.contact_telephone if contrat else "",
        },
        "porteur": {
            "nom": porteur.nom,
            "siret": porteur.siret,
            "commune": porteur.commune.nom if porteur.commune_id else "",
        },
        "action": {
            "intitule": dossier.intitule if dossier else convention.objet,
            "numero": dossier.numero if dossier else "",
        },
        "convention": {
            "reference": convention.reference,
            "type": convention.get_type_display(),
            "objet": convention.objet,
            "periode": convention.periode,
            "annee_debut": str(convention.annee_debut),
            "annee_fin": str(convention.annee_fin),
            "date_signature": _date(convention.date_signature),
            "avance_pourcent": formater_pourcent(convention.taux_avance * 100, 0),
            "pluriannuelle": convention.type == TypeConvention.CPO,
        },
        "decision": {
            "date": _date(decision.date),
            "instance": decision.get_instance_display(),
            "reference": decision.reference,
            "montant": formater_euros(decision.montant),
            "montant_en_lettres": montant_en_lettres(decision.montant),
        },
        "montant": formater_euros(decision.montant),
        "montant_en_lettres": montant_en_lettres(decision.montant),
        "tranches": [
            {
                "annee": str(t.annee),
                "montant": formater_euros(t.montant),
                "montant_en_lettres": montant_en_lettres(t.montant),
                "date_limite_bilans": _date(date_limite_bilan(t.annee)),
            }
            for t in tranches
        ],
        "echeancier": [
            {
                "libelle": LIBELLES_ECHEANCE.get(e.type, e.get_type_display()),
                "annee": str(t.annee),
                "montant": formater_euros(e.montant),
                "montant_en_lettres": montant_en_lettres(e.montant),
                "date_prevue": _date(e.date_prevue),
            }
            for t in tranches
            for e in t.echeances.all()
        ],
        "signataire": {"nom": modele.signataire_nom, "qualite": modele.signataire_qualite},
        "date_du_jour": _date(timezone.localdate()),
    }
    assert set(contexte) == set(CHAMPS_DES_DOCUMENTS)
    return contexte


def modele_de(type_document: str, modeles: dict | None = None) -> ModeleDocument:
    modele = (modeles or {}).get(type_document) or ModeleDocument.objects.filter(type=type_document).first()
    if modele is None:
        raise ValidationError(
            f"Aucun modèle « {TypeDocument(type_document).label} » : créez-le dans Après le vote › Modèles de "
            "documents."
        )
    return modele


def html_document(decision: Decision, type_document: str, *, modele=None, contrat=None, apercu=False) -> str:
    """Le HTML du document : la page entière pour le PDF, ou son corps pour l'aperçu dans l'administration ; le texte
    du modèle rendu et mis en HTML dans notre mise en page."""
    return _composer(decision, type_document, modele, contrat, apercu)[1]


def _composer(decision, type_document, modele, contrat, apercu=False) -> tuple[str, str]:
    modele = modele or modele_de(type_document)
    contrat = contrat if contrat is not None else contrat_de(decision.convention)
    contexte = contexte_document(decision, modele, contrat)
    try:
        titre = gabarits.rendre(modele.titre, contexte).strip()
        corps = gabarits.en_html(gabarits.rendre(modele.corps, contexte))
    except gabarits.GabaritInvalide as erreur:
        raise ValidationError(f"Le modèle « {modele.get_type_display()} » : {erreur}") from erreur
    html = render_to_string(
        GABARIT_APERCU if apercu else GABARIT,
        {
            **contexte,
            "titre": titre,
            "corps": corps,
            "lettre": type_document == TypeDocument.NOTIFICATION,
            "type_document": TypeDocument(type_document).label,
            "apercu": apercu,
        },
    )
    return titre, html


@dataclass(frozen=True)
class DocumentRendu:
    decision: Decision
    type: str
    titre: str
    pdf: bytes


def _rendre(decision: Decision, type_document: str, modele, contrat) -> DocumentRendu:
    if type_document not in types_possibles(decision.convention):
        raise ValidationError(
            f"La convention {decision.convention.reference} est une {decision.convention.get_type_display().lower()} :"
            f" pas de document « {TypeDocument(type_document).label} »."
        )
    titre, html = _composer(decision, type_document, modele, contrat)
    try:
        contenu = pdf.rendre_pdf(html)
    except pdf.DelaiDepasse as erreur:
        raise ValidationError(
            f"Le document de la convention {decision.convention.reference} n'a pas pu être produit : sa mise en page "
            f"a dépassé la limite de {pdf.limite_affichee()} s. Rien n'a été enregistré ; réessayez."
        ) from erreur
    return DocumentRendu(decision, type_document, titre[:300], contenu)


def _figer(rendus: list[DocumentRendu], acteur) -> list[DocumentGenere]:
    """Tous les documents dans une transaction, chacun dans une nouvelle version : tous ou aucun."""
    fichiers = []
    try:
        with transaction.atomic():
            ids = sorted({r.decision.pk for r in rendus})
            list(Decision.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
            versions = {
                (ligne["decision_id"], ligne["type"]): ligne["v"]
                for ligne in DocumentGenere.objects.filter(decision_id__in=ids)
                .values("decision_id", "type")
                .annotate(v=Max("version"))
            }
            documents = []
            for rendu in rendus:
                cle = (rendu.decision.pk, rendu.type)
                versions[cle] = versions.get(cle, 0) + 1
                document = DocumentGenere(
                    decision=rendu.decision,
                    type=rendu.type,
                    version=versions[cle],
                    titre=rendu.titre,
                    empreinte_sha256=empreinte(rendu.pdf),
                    cree_par=acteur,
                    modifie_par=acteur,
                )
                document.fichier.save(document.nom_de_fichier, ContentFile(rendu.pdf), save=False)
                fichiers.append(document.fichier)
                document.save()
                documents.append(document)
            return documents
    except BaseException:
        for fichier in fichiers:  # la transaction est annulée : pas de fichier orphelin
            if fichier.name:
                fichier.storage.delete(fichier.name)
        raise


def generer_document(*, decision: Decision, type_document: str, acteur=None) -> DocumentGenere:
    """Génère et fige un document (nouvelle version s'il l'a déjà été)."""
    decision = decisions_du_document().get(pk=decision.pk)
    rendu = _rendre(decision, type_document, modele_de(type_document), contrat_de(decision.convention))
    return _figer([rendu], acteur)[0]


def decisions_du_comite(instance: str, date: datetime.date):
    return (
        decisions_du_document().filter(instance=instance, date=date).order_by("convention__reference", "pk")
    )


def generer_documents_comite(
    *, instance: str, date: datetime.date, nature: str, acteur=None
) -> list[DocumentGenere]:
    """Pour chaque décision du comité, la notification (`nature="notification"`) ou la convention (annuelle ou CPO,
    selon la décision) : tous rendus, puis figés ensemble, ou aucun."""
    decisions = list(decisions_du_comite(instance, date))
    if not decisions:
        raise ValidationError("Aucune décision pour ce comité.")
    modeles = {m.type: m for m in ModeleDocument.objects.all()}
    contrats = _contrats_par_annee({d.convention.annee_debut for d in decisions})
    rendus = []
    for decision in decisions:
        type_document = (
            TypeDocument.NOTIFICATION if nature == "notification" else type_convention(decision.convention)
        )
        rendus.append(
            _rendre(
                decision,
                type_document,
                modele_de(type_document, modeles),
                contrat_de(decision.convention, contrats),
            )
        )
    return _figer(rendus, acteur)


def derniers_documents_comite(*, instance: str, date: datetime.date, nature: str) -> tuple[list, list]:
    """La dernière version figée du document de chaque décision du comité, et les décisions qui n'en ont pas encore :
    deux requêtes, sans rien générer."""
    decisions = list(
        Decision.objects.filter(instance=instance, date=date)
        .select_related("convention")
        .order_by("convention__reference", "pk")
    )
    types = {
        d.pk: TypeDocument.NOTIFICATION if nature == "notification" else type_convention(d.convention)
        for d in decisions
    }
    derniers: dict[int, DocumentGenere] = {}
    for document in (
        DocumentGenere.objects.filter(decision__in=decisions)
        .select_related("decision__convention")
        .order_by("decision", "type", "-version")
    ):
        if document.type == types[document.decision_id]:
            derniers.setdefault(document.decision_id, document)
    return [derniers[d.pk] for d in decisions if d.pk in derniers], [
        d for d in decisions if d.pk not in derniers
    ]


def archive_zip(documents: list[DocumentGenere]) -> bytes:
    """Les PDF figés dans une archive ZIP, chacun relu et vérifié par son empreinte."""
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            archive.writestr(document.nom_de_fichier, pdf_fige(document))
    return tampon.getvalue()


def pdf_fige(document: DocumentGenere) -> bytes:
    """Le PDF tel qu'il a été généré (empreinte vérifiée), jamais rendu de nouveau."""
    return fichier_verifie(document.fichier, document.empreinte_sha256, f"Le document « {document.titre} »")
