"""Progression vers la cible, trajectoire et vue à mi-parcours : comparées à des calculs faits à la main."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contrat_ville.models import Quartier
from indicateurs.enums import Position, SensSouhaite
from indicateurs.models import ValeurIndicateur
from indicateurs.selectors import (
    attendu,
    progression,
    suivi_des_indicateurs,
    valeur_attendue,
    vue_mi_parcours,
)

from .conftest import indicateur

D = Decimal
pytestmark = pytest.mark.django_db


def test_progression_a_la_hausse(contrat_2024):
    ind = indicateur(contrat_2024, reference="40", cible="60")
    # (45 - 40) / (60 - 40) = 5 / 20 = 25 %
    assert progression(ind, D("45")) == D("25.0")
    # (52,5 - 40) / 20 = 62,5 %
    assert progression(ind, D("52.5")) == D("62.5")
    assert progression(ind, D("40")) == D("0.0")
    assert progression(ind, D("60")) == D("100.0")
    # Bornée : un recul compte 0, une cible dépassée 100.
    assert progression(ind, D("35")) == D("0.0")
    assert progression(ind, D("75")) == D("100.0")
    assert progression(ind, D("35"), bornee=False) == D("-25.0")
    assert progression(ind, None) is None


def test_progression_a_la_baisse(contrat_2024):
    # Demandeurs d'emploi : de 5 840 à 4 900 ; 5 420 en 2025 : (5 840 - 5 420) / (5 840 - 4 900) = 420 / 940
    # = 0,44680… → 44,7 %.
    ind = indicateur(contrat_2024, "EMP-2", sens=SensSouhaite.BAISSE, reference="5840", cible="4900")
    assert progression(ind, D("5420")) == D("44.7")
    # De 40 à 20 : 30 est à mi-chemin, 35 au quart ; une hausse (45) est un recul, 10 dépasse la cible.
    ind = indicateur(contrat_2024, "B", sens=SensSouhaite.BAISSE, reference="40", cible="20")
    assert progression(ind, D("30")) == D("50.0")
    assert progression(ind, D("35")) == D("25.0")
    assert progression(ind, D("45")) == D("0.0")
    assert progression(ind, D("45"), bornee=False) == D("-25.0")
    assert progression(ind, D("10")) == D("100.0")


def test_trajectoire_lineaire(contrat_2024):
    ind = indicateur(contrat_2024, reference="40", cible="61", annee_reference=2023)
    assert ind.annee_cible == 2030  # la fin du contrat par défaut
    # De 2023 à 2030 : 7 ans ; en 2027, 4/7 = 57,142… % du chemin, soit 40 + 21 × 4/7 = 52.
    assert attendu(ind, 2027) == D("57.1")
    assert valeur_attendue(ind, 2027) == D("52.00")
    assert attendu(ind, 2023) == D("0.0")
    assert attendu(ind, 2035) == D("100.0")


def test_une_cible_dans_le_mauvais_sens_est_refusee(contrat_2024):
    ind = indicateur(contrat_2024, reference="40", cible="60")
    ind.sens = SensSouhaite.BAISSE
    with pytest.raises(ValidationError, match="à la baisse, la cible est sous la valeur de référence"):
        ind.full_clean()


def test_vue_mi_parcours(contrat_2024):
    mlb = Quartier.objects.get(code="QN06208M")
    # Trajectoire de 2023 à 2030 : 2/7 = 28,6 % attendus en 2025, 4/7 = 57,1 % en 2027.
    en_avance = indicateur(contrat_2024, "A", reference="40", cible="60", valeurs={2024: "42", 2025: "48"})
    # 2025 : (48 - 40) / 20 = 40 % > 28,6 + 5 ; la valeur de 2028, après le mi-parcours, n'est pas lue.
    en_avance.valeurs.create(annee=2028, valeur=D("30"))
    trajectoire = indicateur(
        contrat_2024, "B", sens=SensSouhaite.BAISSE, reference="40", cible="20", valeurs={2027: "29"}
    )  # (40 - 29) / 20 = 55 %, 57,1 attendus : dans la trajectoire
    en_retard = indicateur(
        contrat_2024, "C", reference="100", cible="170", quartier=mlb, valeurs={2026: "110"}
    )
    # 2026 : 10 / 70 = 14,3 %, 3/7 = 42,9 % attendus
    sans_valeur = indicateur(contrat_2024, "D", reference="10", cible="5", sens=SensSouhaite.BAISSE)
    sans_valeur.valeurs.create(annee=2029, valeur=D("6"))  # après le mi-parcours : pas connue en 2027

    vue = vue_mi_parcours(contrat_2024)
    assert vue.annee == 2027
    par_code = {s.indicateur.code: s for s in vue.lignes}
    assert par_code["A"].derniere.annee == 2025 and par_code["A"].progression == D("40.0")
    assert par_code["A"].attendu == D("28.6")
    assert par_code["A"].position == Position.EN_AVANCE
    assert par_code["B"].progression == D("55.0") and par_code["B"].position == Position.DANS_LA_TRAJECTOIRE
    assert par_code["C"].progression == D("14.3") and par_code["C"].position == Position.EN_RETARD
    assert par_code["D"].derniere is None and par_code["D"].position == Position.SANS_VALEUR
    assert dict(vue.par_position()) == {
        Position.EN_AVANCE: 1,
        Position.DANS_LA_TRAJECTOIRE: 1,
        Position.EN_RETARD: 1,
        Position.SANS_VALEUR: 1,
    }
    assert [s.indicateur for s in vue.des_quartiers] == [en_retard]
    assert {s.indicateur for s in vue.du_contrat} == {en_avance, trajectoire, sans_valeur}


def test_la_tendance_est_lue_en_une_requete(contrat_2024, django_assert_num_queries):
    quartiers = list(contrat_2024.quartiers.all())
    for i in range(12):
        indicateur(
            contrat_2024,
            f"I{i}",
            quartier=quartiers[i % 3] if i % 2 else None,
            valeurs={2023: "40", 2024: str(41 + i), 2025: "44", 2026: "50"},
        )
    indicateur(contrat_2024, "VIDE")
    with django_assert_num_queries(1):
        suivi = suivi_des_indicateurs(contrat_2024, 2025)
        lignes = [
            (s.indicateur.code, s.indicateur.quartier, [p.annee for p in s.points]) for s in suivi.lignes
        ]
    assert len(lignes) == 13
    annees = {code: a for code, _q, a in lignes}
    assert annees["I3"] == [2023, 2024, 2025]  # 2026 vient après l'année regardée
    assert annees["VIDE"] == []
    # L'ensemble du contrat d'abord, puis les quartiers.
    assert [q is None for _c, q, _a in lignes] == [True] * 7 + [False] * 6


def test_une_valeur_saisie_se_voit_aussitot_malgre_le_cache(contrat_2024):
    ind = indicateur(contrat_2024, reference="40", cible="60", valeurs={2024: "45"})
    assert suivi_des_indicateurs(contrat_2024, 2025).lignes[0].progression == D("25.0")  # en cache désormais
    ValeurIndicateur.objects.create(indicateur=ind, annee=2025, valeur=D("50"))
    assert suivi_des_indicateurs(contrat_2024, 2025).lignes[0].progression == D("50.0")
    ValeurIndicateur.objects.filter(indicateur=ind, annee=2025).get().delete()
    assert suivi_des_indicateurs(contrat_2024, 2025).lignes[0].progression == D("25.0")
    ind.cible = D("50")
    ind.save()
    assert suivi_des_indicateurs(contrat_2024, 2025).lignes[0].progression == D("50.0")
