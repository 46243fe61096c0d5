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
    """Chaque thématique dit son pilier national (`data-pilier-anct`)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-pilier-anct"] = instance.pilier_anct
        return option


class ChoixPilier(forms.Select):
    """Dans un cadre national (2015), chaque pilier dit son code (`data-pilier-anct`) : la page ne propose alors
    que les thématiques de ce pilier. Une orientation locale ne filtre pas les thématiques."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and instance.contrat.cadre_national:
            option["attrs"]["data-pilier-anct"] = (instance.parent or instance).code
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
            "objectifs",
            "beneficiaires_femmes",
            "beneficiaires_hommes",
            "focus",
            "focus_description",
            "focus_objectif",
            "focus_resultats",
        ]
        widgets = {"pilier": ChoixPilier, "thematique": ChoixThematique}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "pilier" in self.fields:
            piliers = Pilier.objects.select_related("contrat", "parent")
            self.fields["pilier"].queryset = piliers
            self.fields["pilier"].choices = sorted(
                self.fields["pilier"].choices, key=lambda c: (c[0] != "", cle_naturelle(str(c[1])))
            )
        if "thematique" in self.fields:
            self.fields["thematique"].queryset = Thematique.objects.all()
            self.fields["thematique"].choices = sorted(
                self.fields["thematique"].choices, key=lambda c: (c[0] != "", cle_naturelle(str(c[1])))
            )
            self.fields[
                "thematique"
            ].help_text = "Nomenclature de l'ANCT. Dans un contrat à piliers nationaux (2015), la thématique relève du pilier."
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
        if pilier is not None and pilier.refuse_thematique(thematique):
            code = (pilier.parent or pilier).code
            self.add_error(
                "thematique",
                f"La thématique « {thematique} » relève du pilier {thematique.pilier_anct}, pas du pilier "
                f"{code} : choisissez une thématique du pilier {code}, ou changez de pilier.",
            )
        programmation, objectifs = donnees.get("programmation"), donnees.get("objectifs")
        if programmation is not None and objectifs:
            autres = [str(o) for o in objectifs.exclude(projet__contrat=programmation.contrat_id)]
            if autres:
                self.add_error(
                    "objectifs",
                    f"Ces objectifs appartiennent aux projets de quartier d'un autre contrat que celui de "
                    f"{programmation.annee} (« {programmation.contrat} ») : {', '.join(autres)}.",
                )
        return donnees


class LigneFinancementForm(ObligatoiresEnMotsMixin, forms.ModelForm):
    class Meta:
        model = LigneFinancement
        fields = ["financeur", "nature", "montant_sollicite", "montant_accorde"]
