"""Validateurs d'identifiants administratifs."""

import re

from django.core.exceptions import ValidationError


def normaliser_siret(valeur: str) -> str:
    """Retire les espaces (ordinaires, insécables, fines) d'un SIRET saisi ou importé."""
    return re.sub(r"\s+", "", valeur or "")


def cle_luhn_valide(chiffres: str) -> bool:
    total = 0
    for position, caractere in enumerate(reversed(chiffres)):
        chiffre = int(caractere)
        if position % 2 == 1:
            chiffre *= 2
            if chiffre > 9:
                chiffre -= 9
        total += chiffre
    return total % 10 == 0


def valider_siret(valeur: str) -> None:
    siret = normaliser_siret(valeur)
    if not re.fullmatch(r"\d{14}", siret):
        raise ValidationError("Le SIRET doit comporter 14 chiffres.", code="siret_format")
    # La Poste (SIREN 356000000) déroge à la clé de Luhn : la somme de ses chiffres est un multiple de 5.
    if siret.startswith("356000000"):
        if sum(int(c) for c in siret) % 5 != 0:
            raise ValidationError("La clé de contrôle du SIRET est invalide.", code="siret_cle")
        return
    if not cle_luhn_valide(siret):
        raise ValidationError("La clé de contrôle du SIRET est invalide.", code="siret_cle")
