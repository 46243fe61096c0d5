"""Formulaires du référentiel."""

from django import forms

from noyau.validators import normaliser_siret

from .models import Contrat, Porteur
from .services import communes_des_codes, lire_codes_insee


class PorteurForm(forms.ModelForm):
    # Plus long que 14 : l'agent colle souvent un SIRET avec ses espaces, retirés avant validation.
    siret = forms.CharField(label="SIRET", max_length=24, required=False)

    class Meta:
        model = Porteur
        fields = ["nom", "type", "siret", "commune"]

    def clean_siret(self):
        return normaliser_siret(self.cleaned_data["siret"])


class ContratForm(forms.ModelForm):
    """Le contrat dans l'administration : ses communes du territoire se choisissent une à une ou se collent en
    codes INSEE (la liste de l'EPCI, par exemple celle de la BANATIC)."""

    codes_insee = forms.CharField(
        label="codes INSEE des communes du territoire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Séparés par des virgules ou des retours à la ligne. S'ils sont donnés, ils remplacent la "
        "sélection ci-dessus ; un code inconnu est refusé et rien n'est enregistré.",
    )

    class Meta:
        model = Contrat
        fields = ["communes"]  # l'administration donne les autres, d'après ses fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "communes" in self.fields:
            # Le code lève les homonymes et se cherche dans le filtre du sélecteur.
            self.fields["communes"].label_from_instance = lambda c: f"{c.nom} ({c.code_insee})"

    def clean(self):
        donnees = super().clean()
        codes = lire_codes_insee(donnees.get("codes_insee", ""))
        if codes:
            try:
                donnees["communes"] = communes_des_codes(codes)
            except forms.ValidationError as erreur:
                self.add_error("codes_insee", erreur)
        return donnees
