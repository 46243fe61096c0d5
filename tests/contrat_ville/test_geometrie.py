"""La limite d'une union de communes, calculée en Python seul : arêtes partagées retirées, anneaux chaînés."""

import json

import pytest
from django.conf import settings

from contrat_ville.geometrie import limite_exterieure, superficie_km2

COTE = 0.01


def carre(i: int, j: int, *, sens_horaire: bool = False) -> dict:
    """Le carré (i, j) d'une grille de côté 0,01° posée sur le Pas-de-Calais."""
    x, y = round(2.6 + i * COTE, 5), round(50.5 + j * COTE, 5)
    anneau = [[x, y], [x + COTE, y], [x + COTE, y + COTE], [x, y + COTE], [x, y]]
    if sens_horaire:
        anneau.reverse()
    return {"type": "Polygon", "coordinates": [anneau]}


def aretes(anneau) -> set[frozenset]:
    points = [tuple(round(c, 5) for c in p) for p in anneau]
    return {frozenset(a) for a in zip(points, points[1:], strict=False)}


def test_deux_carres_voisins_donnent_un_seul_anneau_sans_la_frontiere_commune():
    # Le second carré tourne dans l'autre sens : l'orientation des contours ne compte pas.
    limite = limite_exterieure([carre(0, 0), carre(1, 0, sens_horaire=True)])
    assert limite["type"] == "MultiPolygon"
    assert len(limite["coordinates"]) == 1
    [[anneau]] = limite["coordinates"]
    assert anneau[0] == anneau[-1]  # fermé, comme le veut GeoJSON
    assert len(anneau) == 7  # six sommets : les deux bouts de la frontière commune restent des sommets
    frontiere = frozenset({(2.61, 50.5), (2.61, 50.51)})
    assert frontiere not in aretes(anneau)
    assert {(2.6, 50.5), (2.62, 50.5), (2.62, 50.51), (2.6, 50.51)} <= {tuple(p) for p in anneau}
    assert superficie_km2(limite) == pytest.approx(superficie_km2(carre(0, 0)) + superficie_km2(carre(1, 0)))


def test_un_anneau_de_communes_autour_d_une_autre_donne_un_exterieur_et_un_trou():
    couronne = [carre(i, j) for i in range(3) for j in range(3) if (i, j) != (1, 1)]
    limite = limite_exterieure(couronne)
    assert len(limite["coordinates"]) == 1
    exterieur, trou = limite["coordinates"][0]
    assert {tuple(p) for p in exterieur} >= {(2.6, 50.5), (2.63, 50.5), (2.63, 50.53), (2.6, 50.53)}
    assert {tuple(p) for p in trou} == {(2.61, 50.51), (2.62, 50.51), (2.62, 50.52), (2.61, 50.52)}
    assert superficie_km2(limite) == pytest.approx(sum(superficie_km2(c) for c in couronne))


def test_deux_territoires_disjoints_et_rien():
    limite = limite_exterieure(
        [carre(0, 0), carre(5, 5), None, {"type": "Point", "coordinates": [2.6, 50.5]}]
    )
    assert len(limite["coordinates"]) == 2
    assert limite_exterieure([]) is None
    assert limite_exterieure([None]) is None


def test_des_communes_voisines_du_referentiel_partagent_leurs_sommets():
    """Les contours simplifiés de l'IGN gardent leur topologie : Béthune, Beuvry et Annezin n'ont qu'un anneau."""
    chemin = settings.BASE_DIR / "fixtures" / "referentiel" / "communes_62.geojson"
    contours = {
        f["properties"]["code"]: f["geometry"]
        for f in json.loads(chemin.read_text(encoding="utf-8"))["features"]
    }
    voisines = [contours[code] for code in ("62119", "62126", "62035")]
    limite = limite_exterieure(voisines)
    assert [len(polygone) for polygone in limite["coordinates"]] == [1]
    assert superficie_km2(limite) == pytest.approx(sum(superficie_km2(c) for c in voisines))
