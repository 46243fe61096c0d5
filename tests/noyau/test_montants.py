"""La seule analyse des montants tapés (formulaires, inlines) ou écrits en texte dans le classeur."""

from decimal import Decimal

import pytest
from django import forms

from fcs.models import FondsDeConcours
from noyau.formulaires import ChampMontant, SaisieMontant
from noyau.nombres import MontantInvalide, analyser_montant
from programmation.models import Dossier, LigneFinancement

NBSP, FINE = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("3 500,50", Decimal("3500.50")),
        ("3500,50", Decimal("3500.50")),
        ("3 500,50 €", Decimal("3500.50")),
        ("3 500,50€", Decimal("3500.50")),
        ("3500.50", Decimal("3500.50")),
        (f"3{NBSP}500,50", Decimal("3500.50")),
        (f"3{FINE}500,50{NBSP}€", Decimal("3500.50")),
        (f"1{FINE}234{FINE}567,8", Decimal("1234567.80")),
        ("12 000", Decimal("12000.00")),
        ("  12000  ", Decimal("12000.00")),
        ("0,07", Decimal("0.07")),
        ("0", Decimal("0.00")),
        ("3 EUR", Decimal("3.00")),
        ("999 999 999 999,99", Decimal("999999999999.99")),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_montants_acceptes_exactement_au_centime(texte, attendu):
    montant = analyser_montant(texte)
    assert montant == attendu
    if attendu is not None:
        assert montant.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("texte", "debut"),
    [
        ("3.500,50", "« 3.500,50 » est ambigu"),
        ("3,500.50", "« 3,500.50 » est ambigu"),
        ("1.250.000", "« 1.250.000 » est ambigu"),
        ("1,5,3", "« 1,5,3 » est ambigu"),
        ("1e5", "« 1e5 » n'est pas un montant"),
        ("douze", "« douze » n'est pas un montant"),
        ("+5", "« +5 » n'est pas un montant"),
        ("3500,", "« 3500, » n'est pas un montant"),
        (",50", "« ,50 » n'est pas un montant"),
        ("35 00", "« 35 00 » n'est pas un montant"),
        ("3  500", "« 3  500 » n'est pas un montant"),
        ("NaN", "« NaN » n'est pas un montant"),
        ("Infinity", "« Infinity » n'est pas un montant"),
        ("12,345", "« 12,345 » a plus de deux décimales"),
        ("12,500", "« 12,500 » a plus de deux décimales"),
        ("12.500", "« 12.500 » a plus de deux décimales"),
        ("-12", "« -12 » : un montant ne peut pas être négatif"),
        ("−12,00 €", "« −12,00 € » : un montant ne peut pas être négatif"),
        ("١٢٣", "« ١٢٣ » contient des chiffres autres que 0 à 9"),
        ("१२३", "« १२३ » contient des chiffres autres que 0 à 9"),
        ("１２３", "« １２３ » contient des chiffres autres que 0 à 9"),
        (
            "1 000 000 000 000",
            f"« 1 000 000 000 000 » dépasse le plus grand montant accepté (999{NBSP}999{NBSP}999{NBSP}999,99{NBSP}€)",
        ),
    ],
)
def test_montants_refuses_avec_un_message_qui_dit_comment_ecrire(texte, debut):
    with pytest.raises(MontantInvalide) as exc:
        analyser_montant(texte)
    message = str(exc.value)
    assert message.startswith(debut)
    if "dépasse" not in debut:
        assert "« 3 500,50 »" in message  # l'exemple de la bonne écriture


class FormulaireLigne(forms.ModelForm):
    class Meta:
        model = LigneFinancement
        fields = ["montant_sollicite", "montant_accorde"]


def test_tout_champ_montant_d_un_modele_se_tape_a_la_francaise():
    for modele, champ in [
        (LigneFinancement, "montant_sollicite"),
        (Dossier, "cout_total"),
        (FondsDeConcours, "montant"),
    ]:
        champ_formulaire = modele._meta.get_field(champ).formfield()
        assert isinstance(champ_formulaire, ChampMontant)
        html = str(champ_formulaire.widget.render("m", Decimal("3500.50")))
        assert 'type="text"' in html
        assert 'inputmode="decimal"' in html
        assert f'value="3{NBSP}500,50"' in html
        assert "step=" not in html


@pytest.mark.django_db
def test_le_formulaire_lit_la_saisie_francaise_et_refuse_le_reste():
    formulaire = FormulaireLigne(data={"montant_sollicite": "12 000", "montant_accorde": "3 500,50 €"})
    assert formulaire.is_valid(), formulaire.errors
    assert formulaire.cleaned_data == {
        "montant_sollicite": Decimal("12000.00"),
        "montant_accorde": Decimal("3500.50"),
    }
    formulaire = FormulaireLigne(data={"montant_sollicite": "3.500,50", "montant_accorde": "1e5"})
    assert not formulaire.is_valid()
    assert formulaire.errors["montant_sollicite"][0].startswith("« 3.500,50 » est ambigu")
    assert formulaire.errors["montant_accorde"][0].startswith("« 1e5 » n'est pas un montant")
    # La saisie refusée est ré-affichée telle quelle, pour être corrigée.
    assert 'value="3.500,50"' in str(formulaire["montant_sollicite"])


def test_un_montant_enregistre_est_reaffiche_a_la_francaise():
    formulaire = FormulaireLigne(initial={"montant_sollicite": Decimal("15500.50")})
    assert f'value="15{NBSP}500,50"' in str(formulaire["montant_sollicite"])
    assert not FormulaireLigne(
        initial={"montant_sollicite": Decimal("15500.50"), "montant_accorde": Decimal("0.00")},
        data={"montant_sollicite": f"15{NBSP}500,50", "montant_accorde": "0,00"},
    ).has_changed()


def test_saisie_montant_est_un_champ_texte():
    assert SaisieMontant().input_type == "text"
