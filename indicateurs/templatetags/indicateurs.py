"""Filtres des gabarits des indicateurs : le graphique de tendance et les valeurs dans l'unité de l'indicateur."""

from django import template

from noyau.nombres import formater_nombre

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
    texte = formater_nombre(nombre, 2)
    return texte.rstrip("0").rstrip(",") if "," in texte else texte
