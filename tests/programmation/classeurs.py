"""Fabrique de classeurs d'échange écrits « à la main », pour les tests d'import et d'export."""

import io

import openpyxl

from programmation.echange.format import COLONNES_DOSSIERS, COLONNES_FINANCEMENTS

ENTETES_DOSSIERS = [c.titre for c in COLONNES_DOSSIERS]
ENTETES_FINANCEMENTS = [c.titre for c in COLONNES_FINANCEMENTS]


def classeur(
    dossiers=(), financements=(), entetes_dossiers=None, entetes_financements=None, feuilles=None
) -> bytes:
    """Un .xlsx avec les feuilles Dossiers et Financements (en-têtes du format sauf mention contraire)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    contenu = feuilles or {
        "Dossiers": [entetes_dossiers or ENTETES_DOSSIERS, *dossiers],
        "Financements": [entetes_financements or ENTETES_FINANCEMENTS, *financements],
    }
    for nom, lignes in contenu.items():
        ws = wb.create_sheet(nom)
        for ligne in lignes:
            ws.append(list(ligne))
    tampon = io.BytesIO()
    wb.save(tampon)
    return tampon.getvalue()


def lire(contenu: bytes) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(io.BytesIO(contenu))
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
