import pytest
from django.core.exceptions import ValidationError

from noyau.validators import valider_siret


@pytest.mark.parametrize("siret", ["73282932000074", "732 829 320 00074", "35600000049837"])
def test_siret_valides(siret):
    valider_siret(siret)


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("73282932000075", "clé de contrôle"),
        ("7328293200007", "14 chiffres"),
        ("7328293200007A", "14 chiffres"),
    ],
)
def test_siret_invalides(siret, message):
    with pytest.raises(ValidationError, match=message):
        valider_siret(siret)
