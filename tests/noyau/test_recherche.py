"""La réduction des textes pour la recherche sans accents, et sa traduction SQL sur la base de test."""

import pytest

from contrat_ville.models import Porteur
from noyau.recherche import mots_recherches, sans_accents


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("Mont-Liébaut", "mont liebaut"),
        ("MONT LIÉBAUT", "mont liebaut"),
        ("Cœur de ville", "coeur de ville"),
        ("L’Épinette", "l epinette"),
        ("Béthune", "bethune"),
        (None, None),
    ],
)
def test_sans_accents(texte, attendu):
    assert sans_accents(texte) == attendu


def test_mots_recherches():
    assert mots_recherches("  Mont-Liébaut  ") == ["mont", "liebaut"]
    assert mots_recherches("atelier numérique") == ["atelier", "numerique"]


@pytest.mark.django_db
def test_le_transform_sansaccents_en_base():
    Porteur.objects.create(nom="Centre social du MONT-LIÉBAUT", type="ASSOCIATION")
    Porteur.objects.create(nom="Maison du Cœur de Ville", type="ASSOCIATION")
    assert Porteur.objects.filter(nom__sansaccents__icontains="mont liebaut").count() == 1
    assert Porteur.objects.filter(nom__sansaccents__icontains="coeur de ville").count() == 1
    assert not Porteur.objects.filter(
        nom__sansaccents__icontains="mont-liebaut"
    ).exists()  # tiret réduit en base
