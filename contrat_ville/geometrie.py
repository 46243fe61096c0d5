"""Géométrie du territoire, en Python seul : la limite extérieure d'une union de communes, et sa superficie.

Les contours des communes (IGN Admin Express, simplifiés) gardent leur topologie : deux communes voisines
partagent exactement les mêmes sommets le long de leur frontière (vérifié sur `communes_62.geojson` : chaque arête
intérieure au département y figure deux fois, à l'identique). L'union se calcule donc sans bibliothèque
géographique : une arête présente dans deux communes du territoire est intérieure et disparaît ; les arêtes qui
restent, mises bout à bout, sont les anneaux de la limite (l'extérieur, et les trous laissés par une commune qui
n'en fait pas partie).
"""

import math
from collections import defaultdict
from collections.abc import Iterable

DECIMALES = 5  # celles des données : ~1 m, au-delà de la précision des contours simplifiés
RAYON_TERRE_KM = 6371.0

Point = tuple[float, float]


def _polygones(geometrie: dict | None) -> list[list[list]]:
    if not geometrie:
        return []
    if geometrie.get("type") == "Polygon":
        return [geometrie.get("coordinates") or []]
    if geometrie.get("type") == "MultiPolygon":
        return list(geometrie.get("coordinates") or [])
    return []


def _arrondi(anneau) -> list[Point]:
    points: list[Point] = []
    for p in anneau:
        point = (round(float(p[0]), DECIMALES), round(float(p[1]), DECIMALES))
        if not points or point != points[-1]:
            points.append(point)
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    return points


def aire_signee(anneau: list[Point]) -> float:
    """Aire de l'anneau (non fermé) en degrés carrés, positive quand il tourne dans le sens direct."""
    return (
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(anneau, anneau[1:] + anneau[:1], strict=True)) / 2
    )


def _dedans(point: Point, anneau: list[Point]) -> bool:
    x, y = point
    dedans = False
    for (x0, y0), (x1, y1) in zip(anneau, anneau[1:] + anneau[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            dedans = not dedans
    return dedans


def limite_exterieure(geometries: Iterable[dict | None]) -> dict | None:
    """La limite de l'union des polygones, en GeoJSON MultiPolygon (anneaux fermés) ; None s'il n'y a rien.

    Chaque anneau de commune est d'abord orienté (extérieur dans le sens direct, trous dans l'autre) : une frontière
    commune à deux communes est alors parcourue une fois dans chaque sens, et s'annule. Les arêtes restantes se
    suivent d'un sommet au suivant ; à un sommet où deux anneaux se touchent, on prend l'arête qui tourne le plus
    à droite, ce qui garde des anneaux simples. Les anneaux dans le sens direct sont les extérieurs, les autres
    (des trous) vont dans l'extérieur qui les contient.
    """
    aretes: dict[tuple[Point, Point], int] = defaultdict(int)
    for geometrie in geometries:
        for polygone in _polygones(geometrie):
            for rang, brut in enumerate(polygone):
                anneau = _arrondi(brut)
                if len(anneau) < 3:
                    continue
                if (aire_signee(anneau) > 0) != (rang == 0):
                    anneau.reverse()
                for a, b in zip(anneau, anneau[1:] + anneau[:1], strict=True):
                    if aretes.get((b, a)):
                        aretes[(b, a)] -= 1  # frontière partagée : parcourue dans l'autre sens par la voisine
                        if not aretes[(b, a)]:
                            del aretes[(b, a)]
                    else:
                        aretes[(a, b)] += 1
    suivantes: dict[Point, list[Point]] = defaultdict(list)
    for (a, b), nombre in aretes.items():
        suivantes[a].extend([b] * nombre)

    anneaux: list[list[Point]] = []
    while suivantes:
        depart = min(suivantes)  # un ordre déterministe : le même tracé à chaque calcul
        anneau = [depart]
        precedent, courant = None, depart
        while True:
            candidats = suivantes.get(courant)
            if not candidats:  # chaîne ouverte (contour mal fermé) : rien de sûr à tracer
                anneau = []
                break
            if precedent is None or len(candidats) == 1:
                suivant = candidats[0]
            else:
                suivant = min(candidats, key=lambda c: _virage(precedent, courant, c))
            candidats.remove(suivant)
            if not candidats:
                del suivantes[courant]
            precedent, courant = courant, suivant
            if courant == depart:
                break
            anneau.append(courant)
        if len(anneau) >= 3 and aire_signee(anneau) != 0:
            anneaux.append(anneau)

    exterieurs = [a for a in anneaux if aire_signee(a) > 0]
    trous = [a for a in anneaux if aire_signee(a) < 0]
    polygones: list[list[list[Point]]] = [[a] for a in sorted(exterieurs, key=aire_signee, reverse=True)]
    for trou in trous:
        # Le plus petit extérieur qui contient le trou (un point du trou qui n'est pas un sommet partagé).
        contenants = [p for p in polygones if _dedans(_milieu(trou), p[0])]
        if contenants:
            min(contenants, key=lambda p: aire_signee(p[0])).append(trou)
    if not polygones:
        return None
    return {
        "type": "MultiPolygon",
        "coordinates": [[[list(p) for p in a + a[:1]] for a in polygone] for polygone in polygones],
    }


def _milieu(anneau: list[Point]) -> Point:
    (x0, y0), (x1, y1) = anneau[0], anneau[1]
    return (x0 + x1) / 2, (y0 + y1) / 2


def _virage(a: Point, b: Point, c: Point) -> float:
    """L'angle de a→b vers b→c, de -π (demi-tour à droite) à π : le plus petit tourne le plus à droite."""
    angle = math.atan2(c[1] - b[1], c[0] - b[0]) - math.atan2(b[1] - a[1], b[0] - a[0])
    return (angle + math.pi) % (2 * math.pi) - math.pi


def superficie_km2(geometrie: dict | None) -> float:
    """Superficie sur la sphère terrestre, par la projection sinusoïdale (équivalente : elle garde les aires)."""
    total = 0.0
    for polygone in _polygones(geometrie):
        for rang, brut in enumerate(polygone):
            anneau = [
                (
                    math.radians(x) * math.cos(math.radians(y)) * RAYON_TERRE_KM,
                    math.radians(y) * RAYON_TERRE_KM,
                )
                for x, y in _arrondi(brut)
            ]
            if len(anneau) < 3:
                continue
            aire = abs(aire_signee(anneau))
            total += aire if rang == 0 else -aire
    return total
