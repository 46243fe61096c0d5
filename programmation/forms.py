"""Le formulaire du dossier dans l'administration : thématique du pilier choisi, numéro suggéré, champs
obligatoires dits en mots, lignes de financement aux montants tapés à la française (`noyau.formulaires`)."""

import json

from django import forms

from contrat_ville.models import Pilier, Thematique
from noyau.formulaires import ObligatoiresEnMotsMixin

from .filters import cle_naturelle
from .models import Dossier, LigneFinancement, Programmation
from .selectors.selections import prochains_numeros

FORMAT_NUMERO = (
    "Format : l'année, un tiret, puis le rang du dossier dans l'année sur trois chiffres (par exemple 2021-007). "
    "Unique dans l'année."
)


class ChoixThematique(forms.Select):
    """Chaque option dit son pilier (`data-pilier`) : la page ne propose que les thématiques du pilier choisi."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-pilier"] = str(instance.pilier_id)
        return option


class DossierAdminForm(ObligatoiresEnMotsMixin, forms.ModelForm):
    class Meta:
        model = Dossier
        # L'admin restreint aux champs de ses fieldsets.
        fields = [
            "programmation",
            "numero",
            "intitule",
            "porteur",
            "statut",
            "cout_total",
            "pilier",
            "thematique",
            "quartiers",
            "beneficiaires_femmes",
            "beneficiaires_hommes",
            "focus",
            "focus_description",
            "focus_objectif",
            "focus_resultats",
        ]
        widgets = {"thematique": ChoixThematique}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "pilier" in self.fields:
            piliers = Pilier.objects.select_related("contrat")
            self.fields["pilier"].queryset = piliers
            self.fields["pilier"].choices = sorted(
                self.fields["pilier"].choices, key=lambda c: (c[0] != "", cle_naturelle(str(c[1])))
            )
        if "thematique" in self.fields:
            self.fields["thematique"].queryset = Thematique.objects.select_related("pilier")
            self.fields["thematique"].choices = sorted(
                self.fields["thematique"].choices, key=lambda c: (c[0] != "", cle_naturelle(str(c[1])))
            )
            self.fields["thematique"].help_text = "Seules les thématiques du pilier choisi sont proposées."
        if "numero" in self.fields:
            self.preparer_numero()

    def preparer_numero(self):
        programmations = dict(Programmation.objects.order_by("-annee").values_list("annee", "pk")[:3])
        suggestions = prochains_numeros(list(programmations))
        aide = FORMAT_NUMERO
        if suggestions:
            libres = ", ".join(f"{s} en {a}" for a, s in sorted(suggestions.items(), reverse=True))
            aide += f" Prochain numéro libre : {libres}."
        champ = self.fields["numero"]
        champ.help_text = aide
        champ.widget.attrs["placeholder"] = "AAAA-NNN"
        # Changer d'année dans le formulaire change la suggestion (programmation/static/…/dossier_formulaire.js).
        champ.widget.attrs["data-suggestions"] = json.dumps(
            {str(programmations[a]): s for a, s in suggestions.items()}
        )

    def clean(self):
        donnees = super().clean()
        pilier, thematique = donnees.get("pilier"), donnees.get("thematique")
        if pilier is not None and thematique is not None and thematique.pilier_id != pilier.pk:
            self.add_error(
                "thematique",
                f"La thématique « {thematique} » relève du pilier {thematique.pilier.code}, pas du pilier "
                f"{pilier.code} : choisissez une thématique du pilier {pilier.code}, ou changez de pilier.",
            )
        return donnees


class LigneFinancementForm(ObligatoiresEnMotsMixin, forms.ModelForm):
    class Meta:
        model = LigneFinancement
        fields = ["financeur", "nature", "montant_sollicite", "montant_accorde"]
