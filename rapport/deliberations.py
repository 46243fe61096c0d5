"""Ce que la consultation ajoute au rapport définitif : les délibérations signées, après l'annexe des avis."""

import io

from pypdf import PdfReader, PdfWriter

from avis.selectors import AnnexeAvis


def joindre_deliberations(pdf: bytes, annexe: AnnexeAvis | None) -> bytes:
    """Le PDF du rapport suivi de chaque délibération jointe, dans l'ordre de l'annexe, avec un signet chacune."""
    if annexe is None or not annexe.deliberations:
        return pdf
    ecrivain = PdfWriter()
    ecrivain.append(PdfReader(io.BytesIO(pdf)))
    for avis in annexe.deliberations:
        with avis.deliberation.open("rb") as fichier:
            contenu = fichier.read()
        ecrivain.append(
            PdfReader(io.BytesIO(contenu)),
            outline_item=f"Délibération – {avis.organisme} ({avis.date_seance:%d/%m/%Y})",
        )
    sortie = io.BytesIO()
    ecrivain.write(sortie)
    return sortie.getvalue()
