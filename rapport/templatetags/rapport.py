"""Filtres du rapport annuel : la date longue à la française (« 1er décembre 2022 ») et la typographie des textes saisis."""

import datetime

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from noyau.typographie import typographier

register = template.Library()


@register.filter
def date_longue(valeur: datetime.date | None) -> str:
    """`2022-12-06` → « 6 décembre 2022 » ; le premier du mois s'écrit « 1er »."""
    if not valeur:
        return ""
    texte = date_format(valeur, "j F Y")
    return "1er" + texte[1:] if valeur.day == 1 else texte


@register.filter
def typographie(valeur, mode: str = "") -> SafeString:
    """La typographie française d'un texte saisi (`noyau.typographie`) ; `|typographie:"titre"` garde aussi
    les noms composés d'un titre sur une ligne."""
    return typographier(valeur, titre=mode == "titre")
