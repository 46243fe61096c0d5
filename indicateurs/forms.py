"""Saisie des valeurs d'indicateurs à la française : un champ texte lu par l'analyseur des montants du noyau."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from noyau.formulaires import SaisieMontant
from noyau.nombres import MontantInvalide, analyser_montant, formater_nombre

EXEMPLE_VALEUR = "par exemple « 12,5 » ou « 1 250 »"


def formater_valeur(nombre) -> str:
    """12.50 → « 12,5 » ; 1250 → « 1 250 » : une valeur d'indicateur n'a pas de centimes à montrer."""
    texte = formater_nombre(nombre, 2)
    return texte.rstrip("0").rstrip(",") if "," in texte else texte


def accorder(nombre: int, singulier: str, pluriel: str) -> str:
    """« 0 valeur créée », « 1 valeur créée », « 2 valeurs créées »."""
    return f"{nombre} {pluriel if nombre > 1 else singulier}"


class ValeurInvalide(ValueError):
    pass


def analyser_valeur(texte) -> Decimal | None:
    """« 12,5 » → Decimal("12.5") ; « 24,3 % » aussi (l'unité est celle de l'indicateur) ; None pour un texte vide.

    Une seule lecture des nombres tapés pour tout le projet : `noyau.nombres.analyser_montant` (milliers par
    espaces, une virgule, au plus deux décimales, jamais deviné) ; seuls ses messages parlent ici de valeur
    plutôt que de montant."""
    if texte is None:
        return None
    brut = str(texte).strip()
    if brut.endswith("%"):
        brut = brut[:-1]
    try:
        return analyser_montant(brut)
    except MontantInvalide as exc:
        if exc.code == "negatif":
            raise ValeurInvalide(
                f"« {brut.strip()} » : une valeur d'indicateur ne peut pas être négative ; {EXEMPLE_VALEUR}."
            ) from exc
        if "plus de deux décimales" in str(exc):
            raise ValeurInvalide(
                f"« {brut.strip()} » a plus de deux décimales : écrivez au plus deux chiffres après la virgule, "
                f"et des espaces entre les milliers, {EXEMPLE_VALEUR}."
            ) from exc
        raise ValeurInvalide(
            f"« {brut.strip()} » n'est pas un nombre : écrivez les chiffres de 0 à 9, des espaces entre les "
            f"milliers et une virgule avant les décimales, {EXEMPLE_VALEUR}."
        ) from exc


class SaisieValeur(SaisieMontant):
    def format_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return formater_valeur(value)  # « 12,5 » plutôt que « 12,50 »
        return super().format_value(value)


class ChampValeur(forms.DecimalField):
    """Une valeur d'indicateur (référence, cible, valeur annuelle) : « 12,5 », « 1 250 », « 24,3 % »."""

    widget = SaisieValeur

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.pop("localize", None)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return analyser_valeur(value)
        except ValeurInvalide as exc:
            raise ValidationError(str(exc), code="invalid") from exc

    def widget_attrs(self, widget):
        # Pas de `step`/`min`/`max` : ils n'ont de sens que pour `type=number`.
        return forms.Field.widget_attrs(self, widget)


class FormulaireImport(forms.Form):
    contrat = forms.ModelChoiceField(queryset=None, label="Contrat", empty_label=None)
    classeur = forms.FileField(label="Classeur (.xlsx)")

    def __init__(self, *args, contrats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contrat"].queryset = contrats
