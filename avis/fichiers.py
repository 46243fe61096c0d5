"""Contrôle des PDF déposés : la signature et la lecture du fichier, jamais son nom."""

import io
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from noyau.nombres import formater_nombre

TAILLE_MAX_PDF = 10 * 1024 * 1024
SIGNATURE_PDF = b"%PDF-"


def valider_pdf(fichier) -> None:
    """Lève une ValidationError en français si le fichier n'est pas un PDF lisible de 10 Mo au plus."""
    nom = getattr(fichier, "name", "") or "fichier"
    taille = fichier.size
    if not taille:
        raise ValidationError(f"Le fichier « {nom} » est vide.", code="vide")
    if taille > TAILLE_MAX_PDF:
        mega = formater_nombre(Decimal(taille) / (1024 * 1024), decimales=1)
        raise ValidationError(f"Le fichier « {nom} » pèse {mega} Mo : 10 Mo au plus.", code="trop_gros")
    fichier.seek(0)
    # Certains logiciels de numérisation placent quelques octets avant l'en-tête : la norme tolère 1 024.
    if SIGNATURE_PDF not in fichier.read(1024):
        fichier.seek(0)
        raise ValidationError(
            f"Le fichier « {nom} » n'est pas un PDF (quel que soit son nom).", code="pas_pdf"
        )
    fichier.seek(0)
    try:
        # pypdf signale les défauts bénins par son journal : on ne garde que les erreurs bloquantes.
        journal = logging.getLogger("pypdf")
        niveau = journal.level
        journal.setLevel(logging.ERROR)
        try:
            lecteur = PdfReader(io.BytesIO(fichier.read()))
            nb_pages = len(lecteur.pages)
        finally:
            journal.setLevel(niveau)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ValidationError(
            f"Le fichier « {nom} » est un PDF illisible ou abîmé.", code="illisible"
        ) from exc
    finally:
        fichier.seek(0)
    if nb_pages < 1:
        raise ValidationError(f"Le fichier « {nom} » ne contient aucune page.", code="sans_page")
