"""Écritures du référentiel : le territoire d'un contrat (les communes de l'EPCI signataire)."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Commune, Contrat

SEPARATEURS_CODES = re.compile(r"[\s,;]+")


def lire_codes_insee(texte: str) -> list[str]:
    """Les codes d'un texte collé (virgules, points-virgules, espaces ou retours à la ligne), sans doublon."""
    return list(dict.fromkeys(code for code in SEPARATEURS_CODES.split(texte or "") if code))


def communes_des_codes(codes: Iterable[str]) -> list[Commune]:
    """Les communes des codes INSEE, dans l'ordre donné, en une requête ; un code inconnu est refusé, nommé."""
    codes = list(dict.fromkeys(codes))
    communes = Commune.objects.in_bulk(codes, field_name="code_insee")
    inconnus = [code for code in codes if code not in communes]
    if inconnus:
        raise ValidationError(
            (
                "Code INSEE inconnu du référentiel des communes : %(codes)s."
                if len(inconnus) == 1
                else "Codes INSEE inconnus du référentiel des communes : %(codes)s."
            ),
            code="code_insee_inconnu",
            params={"codes": ", ".join(f"« {code} »" for code in inconnus)},
        )
    return [communes[code] for code in codes]


@transaction.atomic
def definir_territoire(*, contrat: Contrat, codes_insee: Iterable[str]) -> list[Commune]:
    """Remplace les communes du territoire du contrat par celles des codes INSEE ; un code inconnu ne change rien.

    La limite de l'agglomération, gardée en cache, est recalculée à la lecture suivante (signal m2m_changed).
    """
    communes = communes_des_codes(codes_insee)
    contrat.communes.set(communes)
    return communes
