"""Formulaires du référentiel."""

from django import forms

from noyau.validators import normaliser_siret

from .models import Porteur


class PorteurForm(forms.ModelForm):
    # Plus long que 14 : l'agent colle souvent un SIRET avec ses espaces, retirés avant validation.
    siret = forms.CharField(label="SIRET", max_length=24, required=False)

    class Meta:
        model = Porteur
        fields = ["nom", "type", "siret", "commune"]

    def clean_siret(self):
        return normaliser_siret(self.cleaned_data["siret"])
