"""Filtres `euros`, `euros_entiers` et `pourcent`, chargés partout (pages, admin et PDF)."""

from django import template

from noyau.nombres import formater_euros, formater_nombre, formater_pourcent

register = template.Library()


@register.filter
def euros(valeur):
    """`4734927` → `4 734 927,00 €`."""
    return formater_euros(valeur)


@register.filter
def euros_entiers(valeur):
    """`4734927` → `4 734 927 €`, comme les tableaux du rapport qui arrondissent à l'euro."""
    return formater_euros(valeur, 0)


@register.filter
def pourcent(valeur, decimales=1):
    """`68.3` → `68,3 %`."""
    return formater_pourcent(valeur, int(decimales))


@register.filter
def nombre(valeur, decimales=0):
    return formater_nombre(valeur, int(decimales))
