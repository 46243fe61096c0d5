"""Le champ de formulaire des montants : saisi et ré-affiché à la française, lu par `analyser_montant`.

`champ_montant` (noyau/models.py) le rend par `formfield()` : tout formulaire de modèle, toute page
d'administration et toute ligne d'inline qui montre un montant en hérite sans y penser.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .nombres import EXEMPLE, MontantInvalide, analyser_montant, formater_nombre


class SaisieMontant(forms.TextInput):
    """Un champ texte : `type=number` ferait perdre la virgule au navigateur (« 3 500,50 » → 350050)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "class": "montant", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return formater_nombre(value)
        return super().format_value(value)


class ChampMontant(forms.DecimalField):
    """Un montant en euros, au centime : « 3 500,50 », « 3500.50 », « 3 500,50 € »."""

    widget = SaisieMontant

    def __init__(self, *, message_negatif: str = "Un montant ne peut pas être négatif.", **kwargs):
        self.message_negatif = message_negatif
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
            return analyser_montant(str(value))
        except MontantInvalide as exc:
            if exc.code == "negatif":
                # Dans une ligne d'inline, le message doit dire de quel montant il s'agit.
                raise ValidationError(
                    f"{self.message_negatif} Écrivez-le sans signe moins, {EXEMPLE}.", code="negatif"
                ) from exc
            raise ValidationError(str(exc), code="invalid") from exc

    def widget_attrs(self, widget):
        # Pas de `step`/`min`/`max` : ils n'ont de sens que pour `type=number`.
        return forms.Field.widget_attrs(self, widget)


class ObligatoiresEnMotsMixin:
    """Les champs obligatoires le disent en mots (« Intitulé (obligatoire) ») : le gras seul ne se voit pas,
    ni ne s'entend avec un lecteur d'écran."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for champ in self.fields.values():
            if (
                champ.required
                and not champ.widget.is_hidden
                and champ.label
                and "(obligatoire)" not in champ.label
            ):
                champ.label = f"{champ.label} (obligatoire)"


def _attributs(attrs: dict) -> SafeString:
    """Les attributs HTML comme les écrit le gabarit de Django (`attrs.html`) : False omis, True sans valeur."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(' {}="{}"', nom, valeur) if valeur is not True else format_html(" {}", nom),)
            for nom, valeur in attrs.items()
            if valeur is not False
        ),
    )


class ListeDeroulante(forms.Select):
    """Une liste déroulante écrite en Python, au même HTML que le gabarit de Django.

    Le gabarit de Django inclut un gabarit par option et un par jeu d'attributs : les neuf filtres du tableau de bord
    (une centaine d'options) coûtaient 7 ms par page. Avec des groupes d'options (`optgroup`), le gabarit
    de Django reprend la main."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(groupe for groupe, _choix, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], _attributs(option["attrs"]), option["label"])
                for _groupe, choix, _index in widget["optgroups"]
                for option in choix
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], _attributs(widget["attrs"]), options
        )
