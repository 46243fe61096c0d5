import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from contrat_ville.enums import TypeQuartier
from contrat_ville.models import Commune, Quartier
from rapport import graphiques


def test_camembert_secteurs_et_legende_avec_parts():
    svg = graphiques.camembert(
        [("Cohésion sociale", Decimal("4734927")), ("Cadre de vie", Decimal("724721"))], titre="Par pilier"
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<path") == 2
    assert ">Cohésion sociale<" in svg and ">4\u00a0734\u00a0927\u00a0€ (86,7\u00a0%)<" in svg
    assert ">Cadre de vie<" in svg and ">724\u00a0721\u00a0€ (13,3\u00a0%)<" in svg


def test_camembert_grand_secteur_prend_le_grand_arc():
    svg = graphiques.camembert([("A", 75), ("B", 25)], titre="t")
    arcs = re.findall(r"A[\d.]+ [\d.]+ 0 (\d) 1", svg)
    assert arcs == ["1", "0"]


def test_camembert_sans_montant_ne_divise_pas_par_zero():
    svg = graphiques.camembert([("A", 0), ("B", 0)], titre="t")
    assert "Aucun montant" in svg


def test_camembert_un_seul_secteur_est_un_disque():
    svg = graphiques.camembert([("A", 10), ("B", 0)], titre="t")
    assert "<circle" in svg and "<path" not in svg


def test_textes_echappes():
    svg = graphiques.camembert([('<script>alert("x")</script>', 1)], titre="<b>titre</b>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<b>" not in svg
    svg = graphiques.barres_groupees(["<img src=x>"], [("<i>s</i>", "#000", [5])], titre="t")
    assert "<img" not in svg and "<i>" not in svg


def test_barres_groupees_hauteurs_proportionnelles():
    svg = graphiques.barres_groupees(
        ["Cohésion sociale", "Emploi"],
        [("Droit commun", "#aaa", [Decimal(100), Decimal(50)]), ("Spécifiques", "#333", [Decimal(25), 0])],
        titre="Natures",
    )
    hauteurs = [
        float(h) for h in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg)
    ]
    hauteurs = hauteurs[:4]  # les suivants sont les carrés de la légende
    # ordre : catégorie 1 (droit commun, spécifiques), puis catégorie 2
    assert hauteurs[0] == pytest.approx(2 * hauteurs[2], rel=0.01)
    assert hauteurs[0] == pytest.approx(4 * hauteurs[1], rel=0.01)
    assert hauteurs[3] == 0
    assert "100\u00a0€" in svg and "Droit commun" in svg


def carre(lon, lat, cote=0.01):
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + cote, lat], [lon + cote, lat + cote], [lon, lat + cote], [lon, lat]]
        ],
    }


def test_projection_corrige_les_longitudes_par_le_cosinus():
    # Un carré de 0,01° à 50° de latitude est plus haut que large d'un facteur 1/cos(50°).
    projection = graphiques.Projection(graphiques._anneaux(carre(2.6, 50.5)), 1000, 1000, marge=0)
    x0, y0 = projection(2.6, 50.5)
    x1, y1 = projection(2.61, 50.51)
    assert (y0 - y1) / (x1 - x0) == pytest.approx(1 / 0.6361, rel=0.01)
    assert y1 < y0  # le nord en haut


def test_carte_quartiers_couleurs_par_type_fond_et_legende():
    quartiers = [
        SimpleNamespace(nom="Mont-Liébaut", type=TypeQuartier.QPV, contour=carre(2.6, 50.5)),
        SimpleNamespace(
            nom="Veille <x>",
            type=TypeQuartier.VEILLE,
            contour={"type": "MultiPolygon", "coordinates": [carre(2.7, 50.55)["coordinates"]]},
        ),
        SimpleNamespace(nom="Sans contour", type=TypeQuartier.QPC, contour=None),
    ]
    communes = [SimpleNamespace(nom="Béthune", contour=carre(2.55, 50.45, 0.2))]
    svg = graphiques.carte_quartiers(quartiers, communes)
    assert svg.count(f'fill="{graphiques.COULEURS_QUARTIERS[TypeQuartier.QPV]}"') == 2  # zone + légende
    assert svg.count(f'fill="{graphiques.COULEURS_QUARTIERS[TypeQuartier.VEILLE]}"') == 2
    assert graphiques.COULEURS_QUARTIERS[TypeQuartier.QPC] not in svg
    assert "Quartier prioritaire de l&#x27;État (1)" in svg
    assert "<title>Béthune</title>" in svg and "Veille &lt;x&gt;" in svg


@pytest.mark.django_db
def test_carte_des_qpv_du_referentiel():
    quartiers = Quartier.objects.filter(code__startswith="QN062")
    communes = Commune.objects.filter(quartiers__in=quartiers).distinct()
    svg = graphiques.carte_quartiers(quartiers, communes)
    # Les quartiers (trait foncé) tiennent dans le cadre ; les communes autour peuvent en sortir.
    chemins = re.findall(r'<path d="([^"]+)" fill="[^"]+" stroke="#333"', svg)
    assert len(chemins) == 16
    xs = [float(v) for d in chemins for v in re.findall(r"[ML](-?[\d.]+) ", d)]
    assert min(xs) >= 0 and max(xs) <= 640
    assert "(16)" in svg


def test_carte_quartiers_trace_la_limite_sous_les_quartiers_avec_sa_legende():
    quartiers = [SimpleNamespace(nom="Mont-Liébaut", type=TypeQuartier.QPV, contour=carre(2.6, 50.5))]
    communes = [SimpleNamespace(nom="Béthune", contour=carre(2.55, 50.45, 0.2))]
    limite = {"type": "MultiPolygon", "coordinates": [carre(2.5, 50.4, 0.4)["coordinates"]]}
    svg = graphiques.carte_quartiers(quartiers, communes, limite=limite)
    assert svg.count('class="limite-territoire"') == 1
    assert "<title>Limite de l&#x27;agglomération</title>" in svg
    assert ">Limite de l&#x27;agglomération</text>" in svg  # entrée de légende
    # Au-dessus du fond des communes, sous les quartiers.
    assert svg.index("<title>Béthune</title>") < svg.index("limite-territoire") < svg.index("Mont-Liébaut")
    # Cadrée sur le territoire : la limite tient dans la carte.
    d = re.search(r'<path d="([^"]+)" fill="none"[^>]*class="limite-territoire"', svg).group(1)
    xs = [float(v) for v in re.findall(r"[ML](-?[\d.]+) ", d)]
    assert min(xs) >= 0 and max(xs) <= 640

    sans = graphiques.carte_quartiers(quartiers, communes)
    assert "limite-territoire" not in sans and "Limite de l" not in sans


def test_carte_des_montants_trace_la_limite_quand_elle_est_donnee():
    quartier = SimpleNamespace(nom="Mont-Liébaut", contour=carre(2.6, 50.5))
    limite = {"type": "MultiPolygon", "coordinates": [carre(2.5, 50.4, 0.4)["coordinates"]]}
    avec = graphiques.carte_quartiers_montants([(quartier, Decimal(10), None)], titre="t", limite=limite)
    assert 'class="limite-territoire"' in avec and ">Limite de l&#x27;agglomération</text>" in avec
    sans = graphiques.carte_quartiers_montants([(quartier, Decimal(10), None)], titre="t")
    assert "limite-territoire" not in sans and "Limite de l" not in sans


def test_un_chemin_repris_n_est_que_celui_du_meme_contour_dans_la_meme_projection():
    carre = {
        "type": "Polygon",
        "coordinates": [[[2.6, 50.5], [2.7, 50.5], [2.7, 50.6], [2.6, 50.6], [2.6, 50.5]]],
    }
    petit = graphiques.Projection(graphiques._anneaux(carre), 100, 100)
    grand = graphiques.Projection(graphiques._anneaux(carre), 400, 400)
    d = petit.chemin(carre)
    assert petit.chemin(carre) == d  # repris
    assert grand.chemin(carre) != d  # autre cadre, autre chemin
    # Un autre contour aux mêmes coordonnées donne le même chemin ; un contour décalé, un autre.
    assert petit.chemin({**carre}) == d
    decale = {"type": "Polygon", "coordinates": [[[x + 0.05, y] for x, y in carre["coordinates"][0]]]}
    assert petit.chemin(decale) != d
    assert petit.chemin(None) == ""
