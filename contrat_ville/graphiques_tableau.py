"""Graphiques SVG du tableau de bord : barres horizontales, courbe des années, carte des quartiers par montant.

Dessinés côté serveur (aucun JavaScript), lisibles à l'impression ; chaque graphique porte un titre et une
description pour les lecteurs d'écran, et la page donne aussi les chiffres en tableau.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .nombres import formater_euros, formater_nombre

# Couleurs contrastées sur fond blanc (≥ 3:1 pour les objets graphiques, 4,5:1 pour le texte).
BLEU = "#1d3f72"
ORANGE = "#a8470a"
GRIS_TEXTE = "#1e1e1e"
GRIS_AXE = "#595959"
# Palette séquentielle de la carte, du plus clair au plus foncé.
NUANCES = ["#dbe6f4", "#9fbde0", "#5b8fc9", "#2a5c9c", "#0b2f5e"]
SANS_MONTANT = "#f2f2f2"


@dataclass(frozen=True)
class Barre:
    libelle: str
    valeurs: tuple[Decimal, ...]
    lien: str | None = None


def _tronquer(texte: str, longueur: int) -> str:
    return texte if len(texte) <= longueur else texte[: longueur - 1] + "…"


def _attr(valeur) -> str:
    return escape(str(valeur))


def _entete_svg(largeur: int, hauteur: int, titre: str, description: str, ident: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {largeur} {hauteur}" width="100%" '
        f'class="graphique" role="img" aria-labelledby="{ident}-titre {ident}-desc" '
        f'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">'
        f'<title id="{ident}-titre">{escape(titre)}</title><desc id="{ident}-desc">{escape(description)}</desc>'
    )


def barres_horizontales(
    barres: list[Barre],
    *,
    titre: str,
    ident: str,
    series: tuple[str, ...] = ("Montant",),
    couleurs: tuple[str, ...] = (BLEU, ORANGE),
    formater=formater_euros,
    largeur: int = 720,
) -> SafeString:
    """Barres horizontales, empilées quand il y a plusieurs séries ; une barre peut mener à une liste."""
    marge_libelle, marge_valeur, hauteur_ligne = 250, 130, 30
    hauteur_legende = 26 if len(series) > 1 else 0
    hauteur = hauteur_legende + hauteur_ligne * max(len(barres), 1) + 10
    maximum = max((sum(b.valeurs, Decimal(0)) for b in barres), default=Decimal(0)) or Decimal(1)
    place = largeur - marge_libelle - marge_valeur
    description = "; ".join(
        f"{b.libelle} : " + ", ".join(f"{s} {formater(v)}" for s, v in zip(series, b.valeurs, strict=True))
        for b in barres
    )
    parties = [_entete_svg(largeur, hauteur, titre, description, ident)]
    if len(series) > 1:
        x = marge_libelle
        for serie, couleur in zip(series, couleurs, strict=False):
            parties.append(
                f'<rect x="{x}" y="6" width="14" height="14" fill="{couleur}"/>'
                f'<text x="{x + 20}" y="18" fill="{GRIS_TEXTE}">{escape(serie)}</text>'
            )
            x += 30 + 8 * len(serie)
    for i, barre in enumerate(barres):
        y = hauteur_legende + i * hauteur_ligne + 5
        ligne = [
            f'<text x="{marge_libelle - 8}" y="{y + 15}" text-anchor="end" fill="{GRIS_TEXTE}">'
            f"<title>{escape(barre.libelle)}</title>{escape(_tronquer(barre.libelle, 38))}</text>"
        ]
        x = Decimal(marge_libelle)
        for valeur, couleur in zip(barre.valeurs, couleurs, strict=False):
            longueur = (Decimal(valeur) / maximum * place).quantize(Decimal("0.1"))
            if longueur > 0:
                ligne.append(
                    f'<rect x="{x}" y="{y}" width="{longueur}" height="20" fill="{couleur}">'
                    f"<title>{escape(barre.libelle)} : {escape(formater(valeur))}</title></rect>"
                )
            x += longueur
        ligne.append(
            f'<text x="{x + 6}" y="{y + 15}" fill="{GRIS_TEXTE}">{escape(formater(sum(barre.valeurs, Decimal(0))))}</text>'
        )
        contenu = "".join(ligne)
        if barre.lien:
            contenu = f'<a href="{_attr(barre.lien)}">{contenu}</a>'
        parties.append(contenu)
    parties.append(
        f'<line x1="{marge_libelle}" y1="{hauteur_legende}" x2="{marge_libelle}" y2="{hauteur - 5}" '
        f'stroke="{GRIS_AXE}"/></svg>'
    )
    return mark_safe("".join(parties))  # noqa: S308 - chaque texte est échappé ci-dessus


def courbe_annuelle(
    points: list[tuple[int, Decimal]],
    *,
    titre: str,
    ident: str,
    annee_courante: int | None = None,
    formater=formater_euros,
    largeur: int = 720,
    hauteur: int = 260,
) -> SafeString:
    """Courbe d'un montant au fil des années du contrat ; l'année affichée est marquée."""
    gauche, droite, haut, bas = 20, 20, 30, 40
    description = "; ".join(f"{annee} : {formater(valeur)}" for annee, valeur in points)
    parties = [_entete_svg(largeur, hauteur, titre, description, ident)]
    if not points:
        parties.append(
            f'<text x="{gauche}" y="{haut + 20}" fill="{GRIS_TEXTE}">Aucune année à montrer.</text></svg>'
        )
        return mark_safe("".join(parties))  # noqa: S308
    maximum = max(Decimal(v) for _, v in points) or Decimal(1)
    pas = (largeur - gauche - droite) / max(len(points) - 1, 1)

    def position(i: int, valeur) -> tuple[float, float]:
        x = gauche + (i * pas if len(points) > 1 else (largeur - gauche - droite) / 2)
        y = haut + (hauteur - haut - bas) * (1 - float(Decimal(valeur) / maximum))
        return round(x, 1), round(y, 1)

    coordonnees = [position(i, v) for i, (_, v) in enumerate(points)]
    parties.append(
        f'<line x1="{gauche}" y1="{hauteur - bas}" x2="{largeur - droite}" y2="{hauteur - bas}" stroke="{GRIS_AXE}"/>'
    )
    if len(coordonnees) > 1:
        trace = " ".join(f"{x},{y}" for x, y in coordonnees)
        parties.append(f'<polyline points="{trace}" fill="none" stroke="{BLEU}" stroke-width="3"/>')
    for (annee, valeur), (x, y) in zip(points, coordonnees, strict=True):
        courante = annee == annee_courante
        ancre = "start" if x < gauche + 40 else "end" if x > largeur - droite - 40 else "middle"
        parties.append(
            f'<circle cx="{x}" cy="{y}" r="{7 if courante else 5}" fill="{ORANGE if courante else BLEU}">'
            f"<title>{annee} : {escape(formater(valeur))}</title></circle>"
            f'<text x="{x}" y="{hauteur - bas + 18}" text-anchor="{ancre}" fill="{GRIS_TEXTE}"'
            f"{' font-weight="bold"' if courante else ''}>{annee}</text>"
            f'<text x="{x}" y="{y - 10}" text-anchor="{ancre}" fill="{GRIS_TEXTE}" font-size="11">'
            f"{escape(formater(valeur))}</text>"
        )
    parties.append("</svg>")
    return mark_safe("".join(parties))  # noqa: S308


def _anneaux(geometrie: dict) -> list[list]:
    if not geometrie:
        return []
    if geometrie.get("type") == "Polygon":
        return list(geometrie["coordinates"])
    if geometrie.get("type") == "MultiPolygon":
        return [anneau for polygone in geometrie["coordinates"] for anneau in polygone]
    return []


class Projection:
    """Projection équirectangulaire ajustée à l'emprise : suffisante à l'échelle d'une agglomération."""

    def __init__(self, anneaux: list[list], largeur: int, hauteur: int, marge: int = 10):
        points = [p for anneau in anneaux for p in anneau] or [[0, 0], [1, 1]]
        self.xmin = min(p[0] for p in points)
        self.xmax = max(p[0] for p in points)
        self.ymin = min(p[1] for p in points)
        self.ymax = max(p[1] for p in points)

        self.kx = math.cos(math.radians((self.ymin + self.ymax) / 2))
        etendue_x = (self.xmax - self.xmin) * self.kx or 1
        etendue_y = (self.ymax - self.ymin) or 1
        self.echelle = min((largeur - 2 * marge) / etendue_x, (hauteur - 2 * marge) / etendue_y)
        self.marge = marge
        self.hauteur_utile = etendue_y * self.echelle

    def chemin(self, geometrie: dict) -> str:
        morceaux = []
        for anneau in _anneaux(geometrie):
            coords = [
                f"{(x - self.xmin) * self.kx * self.echelle + self.marge:.1f},"
                f"{(self.ymax - y) * self.echelle + self.marge:.1f}"
                for x, y, *_ in anneau
            ]
            if coords:
                morceaux.append("M" + " L".join(coords) + " Z")
        return " ".join(morceaux)


def classes_de_montant(maximum: Decimal) -> list[tuple[Decimal, Decimal, str]]:
    """Cinq classes égales de (0, maximum] ; chaque classe : borne basse exclue, borne haute, couleur."""
    if maximum <= 0:
        return []
    pas = Decimal(maximum) / len(NUANCES)
    return [(pas * i, pas * (i + 1), couleur) for i, couleur in enumerate(NUANCES)]


def couleur_du_montant(montant: Decimal, classes) -> str:
    if not montant or montant <= 0:
        return SANS_MONTANT
    for _, haut, couleur in classes:
        if montant <= haut:
            return couleur
    return classes[-1][2]


def carte_quartiers_montants(
    quartiers: list[tuple[object, Decimal, str | None]],
    communes: list[object],
    *,
    titre: str,
    ident: str,
    largeur: int = 720,
    hauteur: int = 520,
) -> SafeString:
    """Carte des quartiers (contours GeoJSON) teintés selon le montant programmé, communes en fond.

    `quartiers` : (quartier, montant, lien vers ses dossiers ou None).
    """
    anneaux = [a for c in communes for a in _anneaux(c.contour)] or [
        a for q, _, _ in quartiers for a in _anneaux(q.contour)
    ]
    projection = Projection(anneaux, largeur, hauteur - 70)
    maximum = max((m for _, m, _ in quartiers), default=Decimal(0))
    classes = classes_de_montant(maximum)
    description = "; ".join(f"{q.nom} : {formater_euros(m)}" for q, m, _ in quartiers)
    parties = [_entete_svg(largeur, hauteur, titre, description, ident)]
    parties.append('<g class="carte-communes">')
    for commune in communes:
        chemin = projection.chemin(commune.contour)
        if chemin:
            parties.append(
                f'<path d="{chemin}" fill="#ffffff" stroke="#8c8c8c" stroke-width="0.6">'
                f"<title>{escape(commune.nom)}</title></path>"
            )
    parties.append('</g><g class="carte-quartiers">')
    for quartier, montant, lien in quartiers:
        chemin = projection.chemin(quartier.contour)
        if not chemin:
            continue
        forme = (
            f'<path d="{chemin}" fill="{couleur_du_montant(montant, classes)}" stroke="{GRIS_TEXTE}" '
            f'stroke-width="0.8"><title>{escape(quartier.nom)} : {escape(formater_euros(montant))}</title></path>'
        )
        parties.append(f'<a href="{_attr(lien)}">{forme}</a>' if lien else forme)
    parties.append("</g>")
    # Légende : les classes de montant, et le gris des quartiers sans montant.
    y = hauteur - 60
    legende = [(SANS_MONTANT, "aucun montant")] + [
        (couleur, f"jusqu'à {formater_nombre(haut, 0)} €") for _, haut, couleur in classes
    ]
    for i, (couleur, texte) in enumerate(legende):
        x = 10 + (i % 3) * 235
        ligne = y + (i // 3) * 24
        parties.append(
            f'<rect x="{x}" y="{ligne}" width="16" height="16" fill="{couleur}" stroke="{GRIS_TEXTE}" stroke-width="0.6"/>'
            f'<text x="{x + 22}" y="{ligne + 13}" fill="{GRIS_TEXTE}">{escape(texte)}</text>'
        )
    parties.append("</svg>")
    return mark_safe("".join(parties))  # noqa: S308
