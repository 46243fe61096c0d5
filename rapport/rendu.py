"""Rendu du rapport : HTML par les gabarits Django, PDF par le moteur borné du noyau (`noyau.pdf`)."""

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from noyau import pdf
from noyau.empreintes import fichier_verifie
from noyau.pdf import DelaiDepasse, limite_affichee

from .contexte import contexte_du_rapport
from .enums import StatutRapport
from .models import RapportAnnuel

GABARIT_PDF = "rapport/document.html"


def pdf_a_enregistrer(contexte: dict, *, document: str, sinon: str) -> bytes:
    """Le PDF du rapport pour un contexte donné, à stocker par une écriture atomique : un rendu trop long devient
    une ValidationError en français (« `document` n'a pas pu être produit … `sinon` ; réessayez … »)."""
    try:
        return pdf.rendre_pdf(render_to_string(GABARIT_PDF, contexte))
    except DelaiDepasse as erreur:
        raise ValidationError(
            f"{document} n'a pas pu être produit : sa mise en page a dépassé la limite de {limite_affichee()} s. "
            f"{sinon} ; réessayez, et prévenez l'administrateur si cela se répète."
        ) from erreur


def html_du_rapport(rapport: RapportAnnuel) -> str:
    return render_to_string(GABARIT_PDF, contexte_du_rapport(rapport, pour_pdf=True))


def pdf_stocke(rapport: RapportAnnuel) -> bytes:
    return fichier_verifie(
        rapport.pdf_definitif,
        rapport.empreinte_sha256,
        f"Le PDF définitif du rapport {rapport.programmation.annee}",
    )


def pdf_du_rapport(rapport: RapportAnnuel) -> bytes:
    """Le PDF définitif tel qu'approuvé (empreinte vérifiée), sinon un projet rendu à partir des données."""
    if rapport.statut == StatutRapport.DEFINITIF and rapport.pdf_definitif:
        return pdf_stocke(rapport)
    return pdf.rendre_pdf(html_du_rapport(rapport))
