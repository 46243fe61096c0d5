"""Petit graphique SVG de la tendance d'un indicateur face à sa trajectoire vers la cible, rendu sur le serveur.

Accessible : `role="img"` et un titre qui dit ce que le graphique montre ; les chiffres sont dans le tableau
voisin. Aucun script, aucune ressource extérieure : le même SVG sert la page et le PDF."""

from django.utils.html import format_html, format_html_join

from .forms import formater_valeur
from .selectors import SuiviIndicateur

LARGEUR, HAUTEUR, MARGE = 220, 70, 8
# Dessiné à 220 × 70 et affiché plus petit : la colonne du libellé garde sa place dans le PDF.
LARGEUR_AFFICHEE, HAUTEUR_AFFICHEE = 140, 45
COULEUR_VALEURS = "#1f4e79"
COULEUR_TRAJECTOIRE = "#8a8a8a"
COULEUR_CIBLE = "#2e7d32"


_nombre = formater_valeur


def tendance_svg(suivi: SuiviIndicateur) -> str:
    ind = suivi.indicateur
    annees = [ind.annee_reference, ind.annee_cible, *(p.annee for p in suivi.points)]
    valeurs = [ind.valeur_reference, ind.cible, *(p.valeur for p in suivi.points)]
    a_min, a_max = min(annees), max(annees)
    v_min, v_max = min(valeurs), max(valeurs)
    if v_max == v_min:
        v_max = v_min + 1

    def x(annee):
        return MARGE + (annee - a_min) * (LARGEUR - 2 * MARGE) / max(a_max - a_min, 1)

    def y(valeur):
        return HAUTEUR - MARGE - float(valeur - v_min) * (HAUTEUR - 2 * MARGE) / float(v_max - v_min)

    titre = (
        f"{ind.libelle} : référence {_nombre(ind.valeur_reference)} en {ind.annee_reference}, cible "
        f"{_nombre(ind.cible)} en {ind.annee_cible}"
    )
    if suivi.derniere:
        titre += f", {_nombre(suivi.derniere.valeur)} en {suivi.derniere.annee}"
    else:
        titre += ", aucune valeur connue"
    points = " ".join(f"{x(p.annee):.1f},{y(p.valeur):.1f}" for p in suivi.points)
    trajectoire = [
        f"{v:.1f}"
        for v in (x(ind.annee_reference), y(ind.valeur_reference), x(ind.annee_cible), y(ind.cible))
    ]
    return format_html(
        '<svg class="indicateur-tendance" role="img" viewBox="0 0 {} {}" width="{}" height="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="4 3" stroke-width="1.5"/>'
        '<circle cx="{}" cy="{}" r="4" fill="none" stroke="{}" stroke-width="2"/>'
        "{}{}</svg>",
        LARGEUR,
        HAUTEUR,
        LARGEUR_AFFICHEE,
        HAUTEUR_AFFICHEE,
        titre,
        *trajectoire,
        COULEUR_TRAJECTOIRE,
        trajectoire[2],
        trajectoire[3],
        COULEUR_CIBLE,
        format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>', points, COULEUR_VALEURS
        )
        if len(suivi.points) > 1
        else "",
        format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="2.5" fill="{}"/>',
            ((f"{x(p.annee):.1f}", f"{y(p.valeur):.1f}", COULEUR_VALEURS) for p in suivi.points),
        ),
    )
