"""Ce que la consultation ajoute au rapport définitif : les délibérations signées, après l'annexe des avis."""

import io

from django.core.exceptions import ValidationError
from pypdf import PdfReader, PdfWriter

from avis.selectors import AnnexeAvis
from noyau.pdf_hostile import assainir_pdf


def joindre_deliberations(pdf: bytes, annexe: AnnexeAvis | None) -> bytes:
    """Le PDF du rapport suivi de chaque délibération jointe, dans l'ordre de l'annexe, avec un signet chacune."""
    if annexe is None or not annexe.deliberations:
        return pdf
    ecrivain = PdfWriter()
    ecrivain.append(PdfReader(io.BytesIO(pdf)))
    for avis in annexe.deliberations:
        with avis.deliberation.open("rb") as fichier:
            # Déjà assainie au dépôt ; l'analyse est refaite ici (fichier ancien ou changé sur le disque).
            contenu = assainir_pdf(fichier.read(), nom=f"délibération – {avis.organisme}").contenu
        ecrivain.append(
            PdfReader(io.BytesIO(contenu)),
            outline_item=f"Délibération – {avis.organisme} ({avis.date_seance:%d/%m/%Y})",
        )
    sortie = io.BytesIO()
    ecrivain.write(sortie)
    return sortie.getvalue()


# Le budget du rapport définitif, vérifié avant de le figer : un rapport de 60 à 120 pages et, au pire, une
# délibération de 30 pages (noyau.pdf_hostile.LIMITE_PAGES) pour chacun des quelque 40 organismes consultés.
BUDGET_PAGES = 1_500
BUDGET_OCTETS = 80 * 1024 * 1024


def verifier_budget(pdf: bytes) -> None:
    """ValidationError en français si le PDF définitif dépasse son budget de pages ou de taille."""
    if len(pdf) > BUDGET_OCTETS:
        mega = len(pdf) // (1024 * 1024)
        raise ValidationError(
            f"Le PDF définitif pèserait {mega} Mo : {BUDGET_OCTETS // (1024 * 1024)} Mo au plus. "
            "Rien n'a été enregistré ; vérifiez les délibérations jointes."
        )
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    if pages > BUDGET_PAGES:
        raise ValidationError(
            f"Le PDF définitif compterait {pages} pages : {BUDGET_PAGES} au plus. "
            "Rien n'a été enregistré ; vérifiez les délibérations jointes."
        )
