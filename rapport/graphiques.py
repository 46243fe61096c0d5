"""Graphiques et carte en SVG rendus côté serveur, partagés par le rapport PDF et le tableau de bord.

Du SVG écrit à la main plutôt qu'une bibliothèque de tracé : quelques formes suffisent, le rendu est identique
dans le navigateur et dans WeasyPrint, sans JavaScript, et tout texte venu des données passe par `escape`.
Les fonctions prennent des données simples (libellés, montants, géométries GeoJSON) et rendent une chaîne
SVG sûre (`SafeString`) à insérer telle quelle dans un gabarit.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from contrat_ville.enums import TypeQuartier
from noyau.nombres import formater_euros, formater_pourcent, taux

# Palette lisible imprimée en couleur comme en niveaux de gris (tons de luminosité différente).
PALETTE = ("#1f4e79", "#e07b39", "#6aa84f", "#8e6bbf", "#c9a227", "#4bacc6", "#b04a5a", "#7f7f7f")
COULEUR_DROIT_COMMUN = "#8fb3d9"
COULEUR_SPECIFIQUES = "#1f4e79"
COULEURS_QUARTIERS = {
    TypeQuartier.QPV: "#c0392b",
    TypeQuartier.QPC: "#e59866",
    TypeQuartier.VEILLE: "#f7dc6f",
}
# Les secteurs des référents : des teintes claires, qui laissent lire les quartiers (rouge, orange, jaune) par-dessus.
COULEURS_SECTEURS = ("#d6e4f2", "#dcefd4", "#e6dcf2", "#f2e6d6", "#d9f0f0", "#efd9e4")
POLICE = "DejaVu Sans, Arial, sans-serif"


def _n(valeur: float) -> str:
    """Coordonnée SVG compacte : deux décimales, sans zéros inutiles."""
    texte = f"{valeur:.2f}".rstrip("0").rstrip(".")
    return "0" if texte in ("-0", "") else texte


def _svg(largeur: int, hauteur: int, titre: str, corps: Iterable[str]) -> SafeString:
    titre = escape(titre)
    return mark_safe(  # noqa: S308 - chaque texte venu des données est passé par escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {largeur} {hauteur}" '
        f'width="{largeur}" height="{hauteur}" role="img" aria-label="{titre}" '
        f'font-family="{POLICE}" class="graphique">'
        f"<title>{titre}</title>" + "".join(corps) + "</svg>"
    )


def _texte(x: float, y: float, texte: str, taille: float = 11, ancre: str = "start", **attrs) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(taille)}" text-anchor="{ancre}"{extra}>'
        f"{escape(texte)}</text>"
    )


def _couper(texte: str, largeur_max: int) -> list[str]:
    """Coupe un libellé en lignes d'au plus `largeur_max` caractères, aux espaces."""
    lignes: list[str] = []
    for mot in str(texte).split():
        if lignes and len(lignes[-1]) + 1 + len(mot) <= largeur_max:
            lignes[-1] += " " + mot
        else:
            lignes.append(mot)
    return lignes or [""]


@dataclass(frozen=True)
class Trait:
    """Une entrée de légende tracée en trait (la limite du territoire), au lieu d'un carré de couleur."""

    couleur: str
    epaisseur: str


def _legende(
    x: float, y: float, elements: Sequence[tuple[str | Trait, str]], pas: float = 20, taille=11
) -> list[str]:
    corps = []
    for i, (couleur, libelle) in enumerate(elements):
        cy = y + i * pas
        if isinstance(couleur, Trait):
            corps.append(
                f'<line x1="{_n(x)}" y1="{_n(cy - 4)}" x2="{_n(x + 12)}" y2="{_n(cy - 4)}" '
                f'stroke="{couleur.couleur}" stroke-width="{couleur.epaisseur}"/>'
            )
        else:
            corps.append(
                f'<rect x="{_n(x)}" y="{_n(cy - 10)}" width="12" height="12" fill="{couleur}" '
                f'stroke="#333" stroke-width="0.5"/>'
            )
        corps.append(_texte(x + 18, cy, libelle, taille))
    return corps


def camembert(
    parts: Sequence[tuple[str, Decimal | int]], *, titre: str, largeur: int = 640, hauteur: int = 260
) -> SafeString:
    """Secteurs proportionnels aux montants, avec une légende « libellé – montant (part) »."""
    total = sum((Decimal(v) for _, v in parts), Decimal(0))
    rayon = min(hauteur / 2 - 15, largeur / 4)
    cx, cy = rayon + 15, hauteur / 2
    corps: list[str] = []
    if total <= 0:
        corps.append(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(rayon)}" fill="#eee" stroke="#999"/>')
        corps.append(_texte(cx, cy + 4, "Aucun montant", 12, "middle"))
    else:
        angle = -math.pi / 2
        non_nuls = [(i, Decimal(v)) for i, (_, v) in enumerate(parts) if Decimal(v) > 0]
        for i, valeur in non_nuls:
            couleur = PALETTE[i % len(PALETTE)]
            if len(non_nuls) == 1:
                corps.append(
                    f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(rayon)}" fill="{couleur}" stroke="#fff"/>'
                )
                break
            balayage = float(valeur / total) * 2 * math.pi
            x1, y1 = cx + rayon * math.cos(angle), cy + rayon * math.sin(angle)
            angle += balayage
            x2, y2 = cx + rayon * math.cos(angle), cy + rayon * math.sin(angle)
            grand_arc = 1 if balayage > math.pi else 0
            corps.append(
                f'<path d="M{_n(cx)} {_n(cy)} L{_n(x1)} {_n(y1)} '
                f'A{_n(rayon)} {_n(rayon)} 0 {grand_arc} 1 {_n(x2)} {_n(y2)} Z" '
                f'fill="{couleur}" stroke="#fff" stroke-width="1.5"/>'
            )
    # Légende sur deux lignes (libellé, puis montant et part) : les libellés de piliers sont longs.
    x_legende = cx + rayon + 30
    pas = 34
    y = cy - (len(parts) - 1) * pas / 2 - 2
    for i, (libelle, valeur) in enumerate(parts):
        corps.extend(
            _legende(x_legende, y + i * pas, [(PALETTE[i % len(PALETTE)], str(libelle))], taille=10.5)
        )
        corps.append(
            _texte(
                x_legende + 18,
                y + i * pas + 13,
                f"{formater_euros(valeur, 0)} ({formater_pourcent(taux(valeur, total))})",
                9.5,
                fill="#444",
            )
        )
    return _svg(largeur, hauteur, titre, corps)


def _graduations(maximum: Decimal, nombre: int = 5) -> list[Decimal]:
    """Graduations « rondes » (1, 2 ou 5 × 10^n) couvrant `maximum`."""
    if maximum <= 0:
        return [Decimal(0), Decimal(1)]
    brut = float(maximum) / nombre
    puissance = 10 ** math.floor(math.log10(brut))
    pas = next(m * puissance for m in (1, 2, 2.5, 5, 10) if m * puissance >= brut)
    pas_decimal = Decimal(str(pas))
    graduations = [Decimal(0)]
    while graduations[-1] < maximum:
        graduations.append(graduations[-1] + pas_decimal)
    return graduations


def _etiquette_axe(valeur: Decimal) -> str:
    if valeur >= 1_000_000:
        return formater_euros(valeur / 1_000_000, 1).replace("€", "M€")
    if valeur >= 1_000:
        return formater_euros(valeur / 1_000, 0).replace("€", "k€")
    return formater_euros(valeur, 0)


def barres_groupees(
    categories: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[Decimal | int]]],
    *,
    titre: str,
    largeur: int = 640,
    hauteur: int = 300,
) -> SafeString:
    """Barres verticales groupées : une série = (libellé, couleur, une valeur par catégorie).

    Chaque barre porte son montant ; l'axe vertical est gradué en k€ / M€.
    """
    marge_g, marge_d, marge_h, marge_b = 62, 10, 40, 58
    zone_l, zone_h = largeur - marge_g - marge_d, hauteur - marge_h - marge_b
    maximum = max((Decimal(v) for _, _, valeurs in series for v in valeurs), default=Decimal(0))
    graduations = _graduations(maximum)
    haut = graduations[-1] or Decimal(1)
    corps: list[str] = []
    base = marge_h + zone_h
    for g in graduations:
        y = base - float(g / haut) * zone_h
        corps.append(
            f'<line x1="{marge_g}" y1="{_n(y)}" x2="{largeur - marge_d}" y2="{_n(y)}" '
            f'stroke="#ddd" stroke-width="0.7"/>'
        )
        corps.append(_texte(marge_g - 6, y + 3.5, _etiquette_axe(g), 9, "end", fill="#444"))
    groupe = zone_l / max(len(categories), 1)
    barre = min(groupe * 0.8 / max(len(series), 1), 90)
    for i, categorie in enumerate(categories):
        x0 = marge_g + i * groupe + (groupe - barre * len(series)) / 2
        for j, (_, couleur, valeurs) in enumerate(series):
            valeur = Decimal(valeurs[i])
            h = float(valeur / haut) * zone_h
            x = x0 + j * barre
            corps.append(
                f'<rect x="{_n(x + 2)}" y="{_n(base - h)}" width="{_n(barre - 4)}" height="{_n(h)}" '
                f'fill="{couleur}"/>'
            )
            corps.append(_texte(x + barre / 2, base - h - 4, formater_euros(valeur, 0), 8.5, "middle"))
        for k, ligne in enumerate(_couper(categorie, int(groupe / 6.2))[:3]):
            corps.append(_texte(marge_g + i * groupe + groupe / 2, base + 15 + k * 12, ligne, 10, "middle"))
    corps.append(
        f'<line x1="{marge_g}" y1="{_n(base)}" x2="{largeur - marge_d}" y2="{_n(base)}" stroke="#333"/>'
    )
    elements = [(couleur, libelle) for libelle, couleur, _ in series]
    x = marge_g
    for couleur, libelle in elements:
        corps.extend(_legende(x, 16, [(couleur, libelle)], taille=10.5))
        x += 30 + len(libelle) * 6.2
    return _svg(largeur, hauteur, titre, corps)


# --- Cartes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Zone:
    """Une surface à dessiner : sa géométrie GeoJSON (Polygon ou MultiPolygon, WGS84), sa couleur, son nom."""

    geometrie: dict
    couleur: str
    nom: str = ""


def _anneaux(geometrie: dict | None) -> list[list[list[float]]]:
    if not geometrie:
        return []
    if geometrie.get("type") == "Polygon":
        return list(geometrie.get("coordinates") or [])
    if geometrie.get("type") == "MultiPolygon":
        return [anneau for polygone in geometrie.get("coordinates") or [] for anneau in polygone]
    if geometrie.get("type") == "GeometryCollection":
        return [a for g in geometrie.get("geometries") or [] for a in _anneaux(g)]
    return []


# Les chemins déjà projetés : (contour, chemin) par contour et projection ; vidé au-delà de quelques cartes.
_CHEMINS: dict[tuple, tuple[dict, str]] = {}
CHEMINS_GARDES = 4096


class Projection:
    """Équirectangulaire centrée sur l'emprise, longitudes corrigées par cos(latitude moyenne).

    À l'échelle d'une agglomération, c'est à moins d'un pour cent d'une projection conforme, et sans
    dépendance géographique.
    """

    def __init__(
        self,
        anneaux: Sequence[Sequence[Sequence[float]]],
        largeur: float,
        hauteur: float,
        marge=8,
        finesse=0.8,
    ):
        self.finesse = finesse
        points = [p for anneau in anneaux for p in anneau]
        if not points:
            points = [[0.0, 0.0], [1.0, 1.0]]
        lons = [float(p[0]) for p in points]
        lats = [float(p[1]) for p in points]
        self.lon_min, self.lat_max = min(lons), max(lats)
        self.cos = math.cos(math.radians((min(lats) + max(lats)) / 2))
        etendue_x = max((max(lons) - self.lon_min) * self.cos, 1e-9)
        etendue_y = max(self.lat_max - min(lats), 1e-9)
        self.echelle = min((largeur - 2 * marge) / etendue_x, (hauteur - 2 * marge) / etendue_y)
        self.dx = marge + ((largeur - 2 * marge) - etendue_x * self.echelle) / 2
        self.dy = marge + ((hauteur - 2 * marge) - etendue_y * self.echelle) / 2
        # Ce qui fait le chemin d'un contour : deux projections au même cadre donnent les mêmes chemins.
        self._cadre = (self.lon_min, self.lat_max, self.cos, self.echelle, self.dx, self.dy, finesse)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            self.dx + (float(lon) - self.lon_min) * self.cos * self.echelle,
            self.dy + (self.lat_max - float(lat)) * self.echelle,
        )

    def chemin(self, geometrie: dict | None) -> str:
        """Le chemin SVG du contour. Les contours viennent du référentiel, gardé en mémoire par le processus : le
        chemin d'un même contour dans la même projection est repris au lieu d'être reprojeté à chaque carte."""
        if geometrie is None:
            return ""
        cle = (id(geometrie), *self._cadre)
        deja = _CHEMINS.get(cle)
        if deja is not None and deja[0] is geometrie:  # le même objet, pas un autre à la même adresse
            return deja[1]
        d = self._projeter(geometrie)
        if len(_CHEMINS) >= CHEMINS_GARDES:
            _CHEMINS.clear()
        _CHEMINS[cle] = (geometrie, d)
        return d

    def _projeter(self, geometrie: dict) -> str:
        morceaux = []
        for anneau in _anneaux(geometrie):
            if len(anneau) < 3:
                continue
            # Un point à moins de `self.finesse` pixel du précédent ne se voit pas : on l'omet (le SVG, et le
            # temps de rendu de WeasyPrint, fondent d'autant sur les contours détaillés).
            points = [self(anneau[0][0], anneau[0][1])]
            for p in anneau[1:]:
                x, y = self(p[0], p[1])
                if abs(x - points[-1][0]) + abs(y - points[-1][1]) >= self.finesse:
                    points.append((x, y))
            if len(points) < 3:
                continue
            morceaux.append("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in points) + " Z")
        return " ".join(morceaux)


def _contour(projection: Projection, geometrie, couleur: str, trait: str, epaisseur: str, titre: str) -> str:
    """Le tracé d'un contour projeté, avec son infobulle ; vide s'il n'a rien à montrer dans le cadre."""
    d = projection.chemin(geometrie)
    if not d:
        return ""
    return (
        f'<path d="{d}" fill="{couleur}" stroke="{trait}" stroke-width="{epaisseur}" fill-rule="evenodd">'
        f"<title>{escape(titre)}</title></path>"
    )


COULEUR_LIMITE = "#262626"
EPAISSEUR_LIMITE = "2.2"
LEGENDE_LIMITE = "Limite de l'agglomération"
TRAIT_LIMITE = Trait(COULEUR_LIMITE, EPAISSEUR_LIMITE)


def _limite(d: str, titre: str) -> str:
    """La limite du territoire (son chemin projeté `d`) : un trait sombre et épais, sans remplissage (le fond et
    les quartiers restent visibles), tracé au-dessus des communes et sous les quartiers."""
    if not d:
        return ""
    return (
        f'<path d="{d}" fill="none" stroke="{COULEUR_LIMITE}" stroke-width="{EPAISSEUR_LIMITE}" '
        f'stroke-linejoin="round" class="limite-territoire"><title>{escape(titre)}</title></path>'
    )


SOURCE_CARTE = "Sources : ANCT (quartiers), IGN Admin Express (communes) – Licence Ouverte Etalab"
COULEUR_HORS_TERRITOIRE = (
    "#e6e6e3"  # gris neutre : ce qui n'est pas une commune du fond ne se lit pas comme la mer
)
KM_PAR_DEGRE = 111.2


def _boite(projection: Projection, geometrie) -> tuple[float, float, float, float] | None:
    points = [projection(p[0], p[1]) for anneau in _anneaux(geometrie) for p in anneau]
    if not points:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _recouvrement(a, b) -> float:
    largeur = min(a[2], b[2]) - max(a[0], b[0])
    hauteur = min(a[3], b[3]) - max(a[1], b[1])
    return largeur * hauteur if largeur > 0 and hauteur > 0 else 0.0


def placer_etiquettes(
    points: Sequence[tuple[float, float, str]],
    obstacles: Sequence[tuple[float, float, float, float]],
    largeur: float,
    hauteur: float,
    taille: float = 8.5,
) -> list[tuple[float, float, str]]:
    """Place chaque étiquette (x, y, texte) sans chevaucher les obstacles (boîtes des quartiers) ni les étiquettes
    déjà placées : la première position libre parmi des décalages croissants autour du point, sinon la moins
    recouverte. Rend (x du milieu, y de la ligne de base, texte)."""
    places: list[tuple[float, float, float, float]] = []
    resultat = []
    haut = taille * 1.2
    for x0, y0, texte in points:
        demi = len(texte) * taille * 0.31 + 2
        meilleure, cout_min = None, None
        for rayon in (0, 10, 16, 24, 34, 46):
            for dx, dy in (
                ((0, 0),)
                if rayon == 0
                else (
                    (0, -rayon),
                    (0, rayon),
                    (rayon + demi, 0),
                    (-rayon - demi, 0),
                    (rayon, -rayon),
                    (-rayon, -rayon),
                    (rayon, rayon),
                    (-rayon, rayon),
                )
            ):
                x = min(max(x0 + dx, demi + 2), largeur - demi - 2)
                y = min(max(y0 + dy, haut + 2), hauteur - 4)
                boite = (x - demi, y - haut + 2, x + demi, y + 2)
                cout = sum(_recouvrement(boite, o) for o in obstacles) + 4 * sum(
                    _recouvrement(boite, p) for p in places
                )
                if cout_min is None or cout < cout_min:
                    meilleure, cout_min = (x, y, boite), cout
                if cout == 0:
                    break
            if cout_min == 0:
                break
        x, y, boite = meilleure
        places.append(boite)
        resultat.append((x, y, texte))
    return resultat


def _barre_d_echelle(projection: Projection, x: float, y: float, largeur_max: float) -> list[str]:
    """Une barre d'échelle de longueur ronde (1, 2, 5, 10… km) tenant dans `largeur_max` pixels."""
    px_par_km = projection.echelle / KM_PAR_DEGRE
    longueur = 1
    for candidat in (1, 2, 5, 10, 20, 50, 100):
        if candidat * px_par_km <= largeur_max:
            longueur = candidat
    px = longueur * px_par_km
    return [
        f'<rect x="{_n(x - 4)}" y="{_n(y - 16)}" width="{_n(px + 8)}" height="22" fill="#fff" '
        'fill-opacity="0.85"/>',
        f'<path d="M{_n(x)} {_n(y - 4)} V{_n(y)} H{_n(x + px)} V{_n(y - 4)}" fill="none" stroke="#222" '
        'stroke-width="1.2"/>',
        _texte(x + px / 2, y - 6, f"{longueur} km", 8.5, "middle", fill="#222"),
    ]


def carte(
    zones: Sequence[Zone],
    *,
    titre: str,
    fond: Sequence[Zone] = (),
    legende: Sequence[tuple[str, str]] = (),
    etiquettes: Sequence[tuple[float, float, str]] = (),
    largeur: int = 640,
    hauteur: int = 420,
    source: str = SOURCE_CARTE,
    limite: dict | None = None,
    legende_limite: str = LEGENDE_LIMITE,
) -> SafeString:
    """Carte des `zones` sur un `fond` clair (communes), cadrée sur les zones, avec sa légende, une barre
    d'échelle et la ligne de source en bas ; hors des communes du fond, un gris neutre.

    `limite` : la limite du territoire (GeoJSON), en trait sombre entre le fond et les zones, avec son entrée
    `legende_limite` en fin de légende ; rien sans elle. La carte est alors cadrée sur le territoire entier : les
    quartiers s'y lisent dans l'agglomération, et la limite n'est pas coupée.

    `etiquettes` : (longitude, latitude, texte) écrits en petit sur la carte, par exemple les communes, placés
    sans chevaucher les zones ni les autres étiquettes quand c'est possible.
    """
    limite = limite if _anneaux(limite) else None
    if limite:
        legende = [*legende, (TRAIT_LIMITE, legende_limite)]
    hauteur_legende = 22 * len(legende) + (8 if legende else 0) + (16 if source else 0)
    hauteur_carte = hauteur - hauteur_legende
    cadre = [a for z in zones for a in _anneaux(z.geometrie)] + _anneaux(limite)
    projection = Projection(cadre, largeur, hauteur_carte, marge=24)
    # Une carte imbriquée (<svg> interne) coupe les communes qui sortent du cadre, sans identifiant de
    # clipPath qui entrerait en collision avec une autre carte de la même page.
    corps = [
        f'<svg x="0" y="0" width="{largeur}" height="{hauteur_carte}" overflow="hidden">',
        f'<rect x="0.5" y="0.5" width="{largeur - 1}" height="{hauteur_carte - 1}" '
        f'fill="{COULEUR_HORS_TERRITOIRE}" stroke="#bbb"/>',
    ]
    for zone in fond:
        corps.append(_contour(projection, zone.geometrie, zone.couleur, "#b5b5b5", "0.6", zone.nom))
    if limite:
        corps.append(_limite(projection.chemin(limite), legende_limite))
    for zone in zones:
        corps.append(_contour(projection, zone.geometrie, zone.couleur, "#333", "0.6", zone.nom))
    obstacles = [b for z in zones if (b := _boite(projection, z.geometrie))]
    points = [(*projection(lon, lat), texte) for lon, lat, texte in etiquettes]
    for x, y, texte in placer_etiquettes(points, obstacles, largeur, hauteur_carte):
        # Un halo blanc dessous (WeasyPrint ignore paint-order), le texte par-dessus.
        corps.append(_texte(x, y, texte, 8.5, "middle", fill="#fff", stroke="#fff", stroke_width="2.5"))
        corps.append(_texte(x, y, texte, 8.5, "middle", fill="#222"))
    corps.extend(_barre_d_echelle(projection, largeur - 24 - largeur / 5, hauteur_carte - 10, largeur / 5))
    corps.append("</svg>")
    corps.extend(_legende(10, hauteur_carte + 22, legende, pas=22, taille=10.5))
    if source:
        corps.append(_texte(largeur - 4, hauteur - 4, source, 8, "end", fill="#555"))
    return _svg(largeur, hauteur, titre, corps)


def carte_quartiers(
    quartiers: Iterable,
    communes: Iterable = (),
    *,
    titre: str | None = None,
    communes_nommees: Iterable = (),
    secteurs: Sequence[tuple[str, Iterable]] = (),
    **options,
):
    """Les quartiers (objets avec `contour`, `type`, `nom`) colorés par type, les communes en fond clair.

    La carte est cadrée sur les quartiers ; les communes qui en sortent sont coupées au cadre. Les
    `communes_nommees` (avec `longitude`, `latitude`, `nom`) sont écrites à leur centre. `secteurs` : (nom du
    référent, ses communes) ; les communes de chaque secteur prennent sa teinte, nommée dans la légende. `limite`
    (option de `carte`) : la limite de l'agglomération.
    """
    quartiers = list(quartiers)
    zones = [
        Zone(q.contour, COULEURS_QUARTIERS.get(q.type, PALETTE[-1]), q.nom) for q in quartiers if q.contour
    ]
    teintes = {}
    legende_secteurs = []
    for rang, (nom, communes_du_secteur) in enumerate(secteurs):
        couleur = COULEURS_SECTEURS[rang % len(COULEURS_SECTEURS)]
        pks = {c.pk for c in communes_du_secteur}
        if pks:
            teintes.update(dict.fromkeys(pks, couleur))
            communes_du_nom = "commune" if len(pks) == 1 else "communes"
            legende_secteurs.append((couleur, f"Secteur de {nom} ({len(pks)} {communes_du_nom})"))
    fond = [
        Zone(c.contour, teintes.get(c.pk, "#ffffff") if teintes else "#ffffff", c.nom)
        for c in communes
        if c.contour
    ]
    presents = {q.type for q in quartiers if q.contour}
    legende = [
        (COULEURS_QUARTIERS[t], f"{t.label} ({sum(1 for q in quartiers if q.type == t and q.contour)})")
        for t in TypeQuartier
        if t in presents
    ] + legende_secteurs
    return carte(
        zones,
        titre=titre or "Carte des quartiers de la politique de la ville",
        fond=fond,
        legende=legende,
        etiquettes=[
            (float(c.longitude), float(c.latitude), c.nom)
            for c in communes_nommees
            if c.longitude is not None and c.latitude is not None
        ],
        **options,
    )


# --- Tableau de bord : barres horizontales, courbe des années, carte teintée par montant -----------------


@dataclass(frozen=True)
class Barre:
    """Une ligne de barres horizontales : son libellé, une valeur par série, un lien facultatif (la liste des
    dossiers qui la composent)."""

    libelle: str
    valeurs: tuple[Decimal, ...]
    lien: str | None = None


def _lien(contenu: str, lien: str | None) -> str:
    return f'<a href="{escape(lien)}">{contenu}</a>' if lien else contenu


def barres_horizontales(
    barres: Sequence[Barre],
    *,
    titre: str,
    series: Sequence[tuple[str, str]] = (("Montant", PALETTE[0]),),
    largeur: int = 720,
) -> SafeString:
    """Barres horizontales, empilées quand il y a plusieurs séries (libellé, couleur) ; total au bout."""
    marge_libelle, marge_valeur, pas = 250, 125, 28
    haut = 30 if len(series) > 1 else 6
    hauteur = haut + pas * max(len(barres), 1) + 6
    maximum = max((sum((Decimal(v) for v in b.valeurs), Decimal(0)) for b in barres), default=Decimal(0))
    place = largeur - marge_libelle - marge_valeur
    corps: list[str] = []
    if len(series) > 1:
        x = marge_libelle
        for libelle, couleur in series:
            corps.extend(_legende(x, 18, [(couleur, libelle)], taille=10.5))
            x += 30 + len(libelle) * 6.5
    for i, barre in enumerate(barres):
        y = haut + i * pas
        ligne = [_texte(marge_libelle - 8, y + 14, _tronquer(barre.libelle, 40), 11, "end")]
        x = float(marge_libelle)
        total = Decimal(0)
        for valeur, (nom_serie, couleur) in zip(barre.valeurs, series, strict=False):
            valeur = Decimal(valeur)
            total += valeur
            longueur = float(valeur / maximum) * place if maximum > 0 else 0
            if longueur > 0:
                ligne.append(
                    f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(longueur)}" height="19" fill="{couleur}">'
                    f"<title>{escape(barre.libelle)} – {escape(nom_serie)} : {escape(formater_euros(valeur))}"
                    "</title></rect>"
                )
            x += longueur
        ligne.append(_texte(x + 5, y + 14, formater_euros(total), 10.5))
        corps.append(_lien("".join(ligne), barre.lien))
    corps.append(
        f'<line x1="{marge_libelle}" y1="{haut - 3}" x2="{marge_libelle}" y2="{hauteur - 4}" stroke="#333"/>'
    )
    return _svg(largeur, hauteur, titre, corps)


def _tronquer(texte: str, longueur: int) -> str:
    return texte if len(texte) <= longueur else texte[: longueur - 1] + "…"


def courbe_annuelle(
    points: Sequence[tuple[int, Decimal]],
    *,
    titre: str,
    annee_courante: int | None = None,
    largeur: int = 720,
    hauteur: int = 260,
) -> SafeString:
    """Un montant au fil des années (du contrat) ; l'année affichée est marquée d'un point plus gros."""
    gauche, droite, haut, bas = 70, 40, 30, 34
    corps: list[str] = []
    if not points:
        corps.append(_texte(gauche, haut + 20, "Aucune année à montrer.", 12))
        return _svg(largeur, hauteur, titre, corps)
    maximum = max(Decimal(v) for _, v in points)
    graduations = _graduations(maximum, 4)
    sommet = graduations[-1] or Decimal(1)
    zone_h = hauteur - haut - bas
    base = haut + zone_h
    for g in graduations:
        y = base - float(g / sommet) * zone_h
        corps.append(
            f'<line x1="{gauche}" y1="{_n(y)}" x2="{largeur - droite}" y2="{_n(y)}" stroke="#ddd" '
            'stroke-width="0.7"/>'
        )
        corps.append(_texte(gauche - 6, y + 3.5, _etiquette_axe(g), 9, "end", fill="#444"))
    # Les points restent à distance de l'axe gradué : leurs étiquettes ne chevauchent pas les graduations.
    retrait = 40
    pas = (largeur - gauche - droite - 2 * retrait) / max(len(points) - 1, 1)
    coords = [
        (
            gauche
            + retrait
            + (i * pas if len(points) > 1 else (largeur - gauche - droite - 2 * retrait) / 2),
            base - float(Decimal(v) / sommet) * zone_h,
        )
        for i, (_, v) in enumerate(points)
    ]
    if len(coords) > 1:
        trace = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        corps.append(f'<polyline points="{trace}" fill="none" stroke="{PALETTE[0]}" stroke-width="2.5"/>')
    for (annee, valeur), (x, y) in zip(points, coords, strict=True):
        courante = annee == annee_courante
        corps.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{6 if courante else 4}" '
            f'fill="{PALETTE[1] if courante else PALETTE[0]}"><title>{annee} : '
            f"{escape(formater_euros(valeur))}</title></circle>"
        )
        attributs = {"font_weight": "bold"} if courante else {}
        corps.append(_texte(x, base + 16, str(annee), 10.5, "middle", **attributs))
        corps.append(_texte(x, y - 9, _etiquette_axe(Decimal(valeur)), 9, "middle"))
    corps.append(
        f'<line x1="{gauche}" y1="{_n(base)}" x2="{largeur - droite}" y2="{_n(base)}" stroke="#333"/>'
    )
    return _svg(largeur, hauteur, titre, corps)


# Du plus clair au plus foncé : cinq classes de montant ; un quartier sans montant reste gris clair.
NUANCES_MONTANT = ("#dbe6f4", "#9fbde0", "#5b8fc9", "#2a5c9c", "#0b2f5e")
SANS_MONTANT = "#eeeeee"


def classes_de_montant(maximum: Decimal) -> list[tuple[Decimal, str]]:
    """Cinq classes égales de ]0, maximum] : (borne haute, couleur)."""
    if maximum <= 0:
        return []
    pas = Decimal(maximum) / len(NUANCES_MONTANT)
    return [(pas * (i + 1), couleur) for i, couleur in enumerate(NUANCES_MONTANT)]


def couleur_du_montant(montant: Decimal, classes: Sequence[tuple[Decimal, str]]) -> str:
    if not classes or montant <= 0:
        return SANS_MONTANT
    return next((couleur for borne, couleur in classes if montant <= borne), classes[-1][1])


def carte_quartiers_montants(
    quartiers: Sequence[tuple[object, Decimal, str | None]],
    communes: Iterable = (),
    *,
    titre: str,
    largeur: int = 720,
    hauteur: int = 480,
    limite: dict | None = None,
    legende_limite: str = LEGENDE_LIMITE,
) -> SafeString:
    """Les quartiers teintés selon le montant programmé qui les vise, cadrés sur eux, communes en fond.

    `quartiers` : (quartier avec `contour` et `nom`, montant, lien vers ses dossiers ou None). `limite` : la
    limite de l'agglomération (GeoJSON), en trait sombre sous les quartiers, avec son entrée de légende ; la carte
    est alors cadrée sur le territoire.
    """
    classes = classes_de_montant(max((Decimal(m) for _, m, _ in quartiers), default=Decimal(0)))
    legende = [(SANS_MONTANT, "aucun montant")] + [
        (couleur, f"jusqu'à {formater_euros(borne, 0)}") for borne, couleur in classes
    ]
    limite = limite if _anneaux(limite) else None
    if limite:
        legende.append((TRAIT_LIMITE, legende_limite))
    hauteur_legende = 22 * math.ceil(len(legende) / 3) + 10
    hauteur_carte = hauteur - hauteur_legende
    # Cadrée sur le territoire quand il est connu, comme la carte du rapport : la limite n'est pas coupée.
    projection = Projection(
        [a for q, _, _ in quartiers for a in _anneaux(q.contour)] + _anneaux(limite), largeur, hauteur_carte
    )
    corps = [
        f'<svg x="0" y="0" width="{largeur}" height="{hauteur_carte}" overflow="hidden">',
        f'<rect x="0.5" y="0.5" width="{largeur - 1}" height="{hauteur_carte - 1}" fill="#f4f7fb" stroke="#bbb"/>',
    ]
    # Le chemin de la limite, projeté une fois : le fond du territoire, puis son trait.
    chemin_limite = projection.chemin(limite) if limite else ""
    if chemin_limite:
        # Le fond n'a que les communes des quartiers : le territoire entier se lit en blanc sur le bleu pâle.
        corps.append(f'<path d="{chemin_limite}" fill="#ffffff" stroke="none"/>')
    for commune in communes:
        corps.append(_contour(projection, commune.contour, "#ffffff", "#b5b5b5", "0.6", commune.nom))
    if chemin_limite:
        corps.append(_limite(chemin_limite, legende_limite))
    for quartier, montant, lien in quartiers:
        couleur = couleur_du_montant(Decimal(montant), classes)
        titre_forme = f"{quartier.nom} : {formater_euros(montant)}"
        forme = _contour(projection, quartier.contour, couleur, "#333", "0.7", titre_forme)
        if forme:
            corps.append(_lien(forme, lien))
    corps.append("</svg>")
    for i, element in enumerate(legende):
        corps.extend(_legende(10 + (i % 3) * 235, hauteur_carte + 22 + (i // 3) * 22, [element], taille=10.5))
    return _svg(largeur, hauteur, titre, corps)
