"""La carte du rapport montre la limite de l'agglomération quand le contrat a ses communes du territoire."""

import re

import pytest

from contrat_ville.models import Commune
from contrat_ville.services import definir_territoire
from programmation.models import Programmation
from rapport.contexte import contexte_du_rapport
from rapport.graphiques import COULEURS_SECTEURS
from rapport.models import PresentationRapport, RapportAnnuel, ReferentTerritorial
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


def test_les_secteurs_des_referents_teintent_leurs_communes():
    """Comme la carte des référents techniques du rapport de référence : chaque référent, sa teinte et ses
    communes, nommé dans la légende ; sans référent, aucune teinte."""
    assert "Secteur de" not in carte_du_rapport()
    presentation = PresentationRapport.objects.create(contrat=contrat_cabbalr())
    hermant = ReferentTerritorial.objects.create(presentation=presentation, nom="Alexandre Hermant", ordre=0)
    hermant.communes.set(Commune.objects.filter(code_insee__in=["62119", "62126"]))  # Béthune, Beuvry
    thedrez = ReferentTerritorial.objects.create(presentation=presentation, nom="Sarah Thedrez", ordre=1)
    thedrez.communes.set(Commune.objects.filter(code_insee__in=["62178"]))  # Bruay-la-Buissière
    carte = carte_du_rapport()
    assert ">Secteur de Alexandre Hermant (2 communes)</text>" in carte
    assert ">Secteur de Sarah Thedrez (1 commune)</text>" in carte
    premiere, seconde = COULEURS_SECTEURS[:2]
    # Chaque commune du secteur porte la teinte de son référent (le titre de la forme nomme la commune).
    for couleur, commune in ((premiere, "Béthune"), (premiere, "Beuvry"), (seconde, "Bruay-la-Buissière")):
        assert re.search(rf'fill="{couleur}"[^>]*>\s*<title>{commune}</title>', carte), commune
