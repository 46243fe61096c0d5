"""Une année dont le rapport est approuvé : ses dossiers restent modifiables, mais chaque modification demande un
motif, que le journal d'audit enregistre.

Le rapport (application au-dessus) dit quand une année a été approuvée en s'inscrivant ici (`RapportConfig.ready`) :
la programmation n'importe pas le rapport.
"""

import datetime
from collections.abc import Callable

from django import forms
from django.contrib import messages

from journal import audit

_sources: list[Callable] = []


def inscrire(source: Callable) -> None:
    """`source(programmation)` rend la date et l'heure d'approbation du rapport de l'année, ou None."""
    if source not in _sources:
        _sources.append(source)


def approuvee_le(programmation) -> datetime.datetime | None:
    for source in _sources:
        quand = source(programmation)
        if quand is not None:
            return quand
    return None


CHAMP_MOTIF = "motif_apres_approbation"


class MotifApresApprobationMixin:
    """Pour l'admin d'un modèle rattaché à une année (`programmation_de(obj)`) : si le rapport de l'année est
    approuvé, le formulaire demande un motif, écrit au journal avec chaque changement (dossier et lignes)."""

    def programmation_de(self, obj):
        return getattr(obj, "programmation", None)

    def _approuvee_le(self, obj):
        if obj is None or obj.pk is None:
            return None
        if not hasattr(obj, "_approuvee_le"):  # une requête par objet, pas une par appel de l'admin
            programmation = self.programmation_de(obj)
            obj._approuvee_le = approuvee_le(programmation) if programmation is not None else None
        return obj._approuvee_le

    def get_form(self, request, obj=None, change=False, **kwargs):
        quand = self._approuvee_le(obj)
        if quand is not None:
            annee = self.programmation_de(obj).annee
            champ = forms.CharField(
                label="Motif de la modification",
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=1000,
                help_text=(
                    f"Le rapport {annee} a été approuvé le {quand:%d/%m/%Y} : ses chiffres figés ne changent pas, "
                    "mais toute modification de cette année est signalée sur la fiche du rapport, avec ce motif."
                ),
            )
            # Le champ est déclaré sur la classe de base : le formulaire du modèle l'accepte dans ses `fields`.
            base = kwargs.get("form", self.form)
            kwargs["form"] = type("FormulaireAvecMotif", (base,), {CHAMP_MOTIF: champ})
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._approuvee_le(obj) is None:
            return fieldsets
        return [("Année au rapport approuvé", {"fields": [CHAMP_MOTIF]}), *fieldsets]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            quand = self._approuvee_le(obj)
            if quand is not None:
                messages.warning(
                    request,
                    f"Le rapport {self.programmation_de(obj).annee} est approuvé depuis le {quand:%d/%m/%Y} : "
                    "indiquez le motif de toute modification.",
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def _motif(self, form):
        return (getattr(form, "cleaned_data", None) or {}).get(CHAMP_MOTIF, "")

    def save_model(self, request, obj, form, change):
        with audit.motif(self._motif(form)):
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with audit.motif(self._motif(form)):
            super().save_related(request, form, formsets, change)
