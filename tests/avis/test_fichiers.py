"""Un PDF déposé est vérifié par sa signature et sa lecture, jamais par son nom."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from avis.fichiers import valider_pdf

from .conftest import pdf_octets


def png_octets() -> bytes:
    def bloc(genre, donnees):
        return (
            struct.pack(">I", len(donnees)) + genre + donnees + struct.pack(">I", zlib.crc32(genre + donnees))
        )

    entete = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + bloc(b"IHDR", entete)
        + bloc(b"IDAT", zlib.compress(b"\0\0\0\0"))
        + bloc(b"IEND", b"")
    )


def test_un_vrai_pdf_est_accepte():
    valider_pdf(SimpleUploadedFile("delib.pdf", pdf_octets(), content_type="application/pdf"))


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("scan.pdf", png_octets(), "n'est pas un PDF"),
        ("vide.pdf", b"", "est vide"),
        ("faux.pdf", b"%PDF-1.7\n ceci n'est pas un PDF\n%%EOF", "illisible"),
        ("gros.pdf", pdf_octets(remplissage=11 * 1024 * 1024), "10 Mo au plus"),
    ],
)
def test_un_mauvais_fichier_est_refuse_en_francais(nom, contenu, message):
    with pytest.raises(ValidationError) as erreur:
        valider_pdf(SimpleUploadedFile(nom, contenu, content_type="application/pdf"))
    assert message in erreur.value.messages[0]
    assert nom in erreur.value.messages[0]


def test_le_fichier_de_11_mo_est_bien_un_pdf_lisible():
    """Le refus tient à la taille, pas à un fichier mal formé."""
    from pypdf import PdfReader

    contenu = pdf_octets(remplissage=11 * 1024 * 1024)
    assert len(contenu) > 11 * 1024 * 1024
    assert len(PdfReader(io.BytesIO(contenu)).pages) == 1
