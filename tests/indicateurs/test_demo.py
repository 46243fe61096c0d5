"""Les indicateurs de démonstration : seulement pour le contrat qui couvre 2025, idempotents."""

import pytest

from contrat_ville.models import Contrat
from indicateurs import demo
from indicateurs.enums import Position
from indicateurs.models import Indicateur, ValeurIndicateur
from indicateurs.selectors import suivi_des_indicateurs, vue_mi_parcours

pytestmark = pytest.mark.django_db


def photographie():
    lignes = ValeurIndicateur.objects.values_list(
        "indicateur__code", "indicateur__quartier__code", "annee", "valeur"
    )
    return sorted((code, quartier or "", annee, valeur) for code, quartier, annee, valeur in lignes)


def test_sans_contrat_qui_couvre_2025_rien_n_est_cree():
    assert not any(c.couvre(2025) for c in Contrat.objects.all())
    assert demo.charger() == "aucun contrat ne couvre 2025 : pas d'indicateur de démonstration"
    assert not Indicateur.objects.exists()


def test_la_demo_du_contrat_2024_se_relance_sans_rien_dupliquer(contrat_2024):
    assert demo.charger().startswith("9 indicateurs de suivi du contrat « Engagements Quartiers 2030 »")
    photo = photographie()
    demo.charger()
    assert photographie() == photo
    assert Indicateur.objects.count() == 9
    assert Indicateur.objects.filter(quartier__isnull=True).count() == 5
    assert {v[2] for v in photo} == {2023, 2024, 2025}
    # Chaque indicateur de démonstration est cohérent (cible dans le sens souhaité, quartier du contrat).
    for ind in Indicateur.objects.all():
        ind.full_clean()
    # La vue à mi-parcours montre chaque position.
    positions = {s.position for s in vue_mi_parcours(contrat_2024).lignes}
    assert positions == set(Position)
    assert len(suivi_des_indicateurs(contrat_2024, 2025).lignes) == 9
