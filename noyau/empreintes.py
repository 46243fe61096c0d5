"""Empreintes SHA-256 des documents figés (rapport approuvé, projet transmis) : un fichier stocké n'est servi que
s'il a encore l'empreinte enregistrée avec lui."""

import hashlib
import logging

journal = logging.getLogger("securite")


class FichierAltere(Exception):
    """Un PDF stocké ne correspond plus à son empreinte SHA-256 : il a été modifié hors de l'application."""


def empreinte(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


def fichier_verifie(champ, attendue: str, description: str) -> bytes:
    """Le contenu d'un PDF stocké, s'il a encore l'empreinte SHA-256 enregistrée avec lui ; sinon FichierAltere."""
    with champ.open("rb") as fichier:
        contenu = fichier.read()
    if empreinte(contenu) != attendue:
        journal.error("%s : le fichier %s ne correspond plus à son empreinte", description, champ.name)
        raise FichierAltere(
            f"{description} ne correspond plus à son empreinte SHA-256 : il a été modifié hors de l'application."
        )
    return contenu
