"""La liste déroulante écrite en Python rend le même HTML que le gabarit de Django."""

import re

import pytest
from django import forms

from noyau.formulaires import ListeDeroulante

CHOIX = [("", "Tous"), ("1", "Béthune"), ("2", "Quartier <Mont-Liébaut> & co"), ("3", "« Centre »")]


def sans_blancs(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html).strip())


@pytest.mark.parametrize("valeur", [None, "", "2", "inconnu"])
@pytest.mark.parametrize(
    "attrs",
    [{"id": "id_commune"}, {"id": "id_commune", "aria-invalid": "true", "required": True, "disabled": False}],
)
def test_meme_html_que_le_gabarit_de_django(valeur, attrs):
    rapide = ListeDeroulante(choices=CHOIX).render("commune", valeur, attrs)
    django = forms.Select(choices=CHOIX).render("commune", valeur, attrs)
    assert sans_blancs(rapide) == sans_blancs(django)
    assert "&lt;Mont-Liébaut&gt; &amp; co" in rapide  # échappé


def test_une_option_choisie_est_marquee():
    html = ListeDeroulante(choices=CHOIX).render("commune", "3", {"id": "id_commune"})
    assert '<option value="3" selected>« Centre »</option>' in html


def test_avec_des_groupes_le_gabarit_de_django_reprend_la_main():
    groupes = [("Pas-de-Calais", [("1", "Béthune"), ("2", "Bruay")]), ("", "Aucune")]
    assert sans_blancs(ListeDeroulante(choices=groupes).render("c", "2")) == sans_blancs(
        forms.Select(choices=groupes).render("c", "2")
    )
    assert "<optgroup" in ListeDeroulante(choices=groupes).render("c", "2")
