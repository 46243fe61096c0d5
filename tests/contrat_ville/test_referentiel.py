import pytest

from contrat_ville.enums import TypeQuartier
from contrat_ville.models import Contrat, Financeur, Quartier


@pytest.mark.django_db
def test_referentiel_du_territoire():
    contrat = Contrat.objects.get()
    qpv = contrat.quartiers.filter(type=TypeQuartier.QPV)
    assert qpv.count() == 16
    mont_liebaut = Quartier.objects.get(code="QN06208M")
    assert [c.nom for c in mont_liebaut.communes.all()] == ["Béthune"]
    assert mont_liebaut.contour["type"] == "MultiPolygon"
    assert set(Financeur.objects.values_list("code", flat=True)) == {
        "ETAT-ANCT",
        "AGGLO",
        "COMMUNE",
        "DEPARTEMENT",
        "REGION",
        "CAF",
        "BAILLEUR",
        "AUTRE",
    }
    assert list(contrat.piliers.values_list("code", flat=True)) == ["1", "3", "2", "4"]
