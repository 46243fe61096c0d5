"""Contrôle des PDF déposés : la signature et la lecture du fichier, jamais son nom ; le fichier est hostile
jusqu'à son analyse (limites, chiffrement) et seule sa copie assainie est enregistrée (`noyau.pdf_hostile`)."""

from noyau.pdf_hostile import TAILLE_MAX as TAILLE_MAX_PDF
from noyau.pdf_hostile import PdfAssaini, assainir_fichier, valider_pdf_hostile

__all__ = ["TAILLE_MAX_PDF", "PdfAssaini", "assainir_fichier", "valider_pdf"]

valider_pdf = valider_pdf_hostile
