import pytest

from contrat_ville.enums import TypeQuartier
from contrat_ville.models import Contrat, Quartier
from contrat_ville.selectors import limite_du_territoire, territoire


@pytest.mark.django_db
def test_territoire_du_rapport_21_quartiers_dont_16_qpv():
    t = territoire(Contrat.objects.get())
    assert t.nb_quartiers == 21
    assert t.nb_qpv == 16
    assert {x.type: x.nombre for x in t.par_type} == {
        TypeQuartier.QPV: 16,
        TypeQuartier.QPC: 2,
        TypeQuartier.VEILLE: 3,
    }


@pytest.mark.django_db
def test_territoire_d_un_contrat_sans_quartier(django_assert_num_queries):
    contrat = Contrat.objects.create(
        nom="Contrat vide", epci="EPCI", date_signature="2024-01-01", date_fin="2030-12-31"
    )
    limite_du_territoire(contrat.pk)  # les limites des territoires, lues une fois puis en cache
    with django_assert_num_queries(1):
        t = territoire(contrat)
    assert (t.nb_quartiers, t.nb_qpv, t.communes, t.par_type, t.limite) == (0, 0, (), (), None)


@pytest.mark.django_db
def test_quartiers_communautaires_avec_leur_commune_et_un_contour():
    mancey = Quartier.objects.get(code="QPC06201")
    assert mancey.type == TypeQuartier.QPC
    assert [c.nom for c in mancey.communes.all()] == ["Divion"]
    assert mancey.contour["type"] == "Polygon"
    assert (
        Quartier.objects.get(code="QN06208M").conseils_citoyens.get().nom == "Conseil citoyen du Mont-Liébaut"
    )
