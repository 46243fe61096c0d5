"""La carte du rapport montre la limite de l'agglomération quand le contrat a ses communes du territoire."""

import pytest

from contrat_ville.services import definir_territoire
from programmation.models import Programmation
from rapport.contexte import contexte_du_rapport
from rapport.models import RapportAnnuel
from tests.factories import contrat_cabbalr

pytestmark = pytest.mark.django_db


def carte_du_rapport() -> str:
    programmation, _ = Programmation.objects.get_or_create(annee=2021, contrat=contrat_cabbalr())
    rapport, _ = RapportAnnuel.objects.get_or_create(programmation=programmation)
    return str(contexte_du_rapport(rapport)["carte"])


def test_sans_territoire_ni_limite_ni_legende():
    carte = carte_du_rapport()
    assert "limite-territoire" not in carte and "Limite de l" not in carte


def test_avec_territoire_la_limite_et_sa_legende():
    # Béthune, Beuvry, Annezin, Bruay-la-Buissière, Labourse : des communes de quartiers et leurs voisines.
    definir_territoire(contrat=contrat_cabbalr(), codes_insee=["62119", "62126", "62035", "62178", "62480"])
    carte = carte_du_rapport()
    assert carte.count('class="limite-territoire"') == 1
    assert ">Limite de l&#x27;agglomération</text>" in carte
