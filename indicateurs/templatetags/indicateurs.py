"""Filtres des gabarits des indicateurs : le graphique de tendance et les valeurs dans l'unité de l'indicateur."""

from django import template

from ..forms import formater_valeur
from ..graphique import tendance_svg

register = template.Library()


@register.filter
def tendance(suivi):
    return tendance_svg(suivi)


@register.filter
def valeur(nombre):
    """12.50 → « 12,5 » ; 1250 → « 1 250 » : une valeur d'indicateur sans zéros inutiles."""
    if nombre is None or nombre == "":
        return "–"
    return formater_valeur(nombre)
