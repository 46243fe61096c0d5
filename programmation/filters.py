"""Filtres du tableau de bord (django-filter) et leur traduction en filtres de la liste des dossiers de l'admin.

Les filtres sur une relation multiple (quartier, commune, financeur) passent par `Exists` : un dossier qui vise
deux quartiers de la même commune n'est compté qu'une fois, comme dans la liste de l'admin.
"""

import re

import django_filters
from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet

from contrat_ville.enums import TypePorteur
from contrat_ville.models import Commune, Contrat, Financeur, Pilier, Quartier, Thematique

from .enums import StatutDossier
from .models import Dossier, LigneFinancement, Programmation
from .selectors import annee_courante


def choix_annees():
    return [(a, str(a)) for a in Programmation.objects.order_by("-annee").values_list("annee", flat=True)]


class DossierFilterSet(django_filters.FilterSet):
    annee = django_filters.ChoiceFilter(
        label="Année", field_name="programmation__annee", choices=choix_annees, empty_label=None
    )
    contrat = django_filters.ModelChoiceFilter(
        label="Contrat",
        field_name="programmation__contrat",
        queryset=Contrat.objects.all(),
        empty_label="Tous",
    )
    pilier = django_filters.ModelChoiceFilter(
        label="Pilier",
        queryset=Pilier.objects.select_related("contrat").order_by("contrat", "ordre", "code"),
        empty_label="Tous",
    )
    thematique = django_filters.ModelChoiceFilter(
        label="Thématique",
        queryset=Thematique.objects.order_by("pilier__ordre", "code"),
        empty_label="Toutes",
    )
    commune = django_filters.ModelChoiceFilter(
        label="Commune",
        queryset=Commune.objects.filter(quartiers__isnull=False).distinct().defer("contour").order_by("nom"),
        method="filtrer_commune",
        empty_label="Toutes",
    )
    quartier = django_filters.ModelChoiceFilter(
        label="Quartier",
        queryset=Quartier.objects.defer("contour").order_by("nom"),
        method="filtrer_quartier",
        empty_label="Tous",
    )
    financeur = django_filters.ModelChoiceFilter(
        label="Financeur",
        queryset=Financeur.objects.order_by("nom"),
        method="filtrer_financeur",
        empty_label="Tous",
    )
    type_porteur = django_filters.ChoiceFilter(
        label="Type de porteur", field_name="porteur__type", choices=TypePorteur.choices, empty_label="Tous"
    )
    statut = django_filters.ChoiceFilter(
        label="Statut du dossier", field_name="statut", choices=StatutDossier.choices, empty_label="Tous"
    )

    class Meta:
        model = Dossier
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        # Sans année dans l'adresse, la dernière année programmée : la page a toujours une année à montrer.
        data = data.copy() if data is not None else None
        if data is not None and not data.get("annee"):
            derniere = Programmation.objects.order_by("-annee").values_list("annee", flat=True).first()
            if derniere is not None:
                data["annee"] = str(derniere)
        super().__init__(data, *args, **kwargs)
        # Les libellés des quartiers et thématiques sont longs : on les veut lisibles dans une liste.
        self.filters["pilier"].field.label_from_instance = lambda p: p.libelle
        self.filters["thematique"].field.label_from_instance = lambda t: f"{t.code} {t.libelle}"

    def filtrer_quartier(self, queryset: QuerySet[Dossier], name, valeur) -> QuerySet[Dossier]:
        liens = Dossier.quartiers.through.objects.filter(dossier=OuterRef("pk"), quartier=valeur)
        return queryset.filter(Exists(liens))

    def filtrer_commune(self, queryset: QuerySet[Dossier], name, valeur) -> QuerySet[Dossier]:
        liens = Dossier.quartiers.through.objects.filter(dossier=OuterRef("pk"), quartier__communes=valeur)
        return queryset.filter(Exists(liens))

    def filtrer_financeur(self, queryset: QuerySet[Dossier], name, valeur) -> QuerySet[Dossier]:
        return queryset.filter(
            Exists(LigneFinancement.objects.filter(dossier=OuterRef("pk"), financeur=valeur))
        )

    @property
    def valeurs(self) -> dict:
        """Les filtres valides et renseignés."""
        if not self.is_valid():
            return {}
        valeurs = {nom: v for nom, v in self.form.cleaned_data.items() if v not in (None, "")}
        if "annee" in valeurs:
            valeurs["annee"] = int(valeurs["annee"])
        return valeurs

    def filtrer(self, queryset: QuerySet[Dossier], sauf: tuple[str, ...] = ()) -> QuerySet[Dossier]:
        """Applique tous les filtres renseignés sauf ceux nommés (l'année, pour comparer ou tracer la tendance)."""
        for nom, valeur in self.valeurs.items():
            if nom not in sauf:
                queryset = self.filters[nom].filter(queryset, valeur)
        return queryset


# Paramètres de la liste des dossiers de l'admin (`DossierAdmin.list_filter`) pour chaque filtre du tableau.
PARAMETRES_ADMIN = {
    "annee": ("programmation__annee", lambda v: v),
    "contrat": ("programmation__contrat__id__exact", lambda v: v.pk),
    "pilier": ("pilier__id__exact", lambda v: v.pk),
    "thematique": ("thematique__id__exact", lambda v: v.pk),
    "commune": ("quartiers__communes__id__exact", lambda v: v.pk),
    "quartier": ("quartiers__id__exact", lambda v: v.pk),
    "financeur": ("lignes_financement__financeur__id__exact", lambda v: v.pk),
    "type_porteur": ("porteur__type__exact", lambda v: v),
    "statut": ("statut__exact", lambda v: v),
}


def parametres_admin(valeurs: dict, **surcharges) -> dict[str, str] | None:
    """Les paramètres de la liste de l'admin qui montrent les dossiers d'un chiffre du tableau.

    `surcharges` précise le chiffre (statut, pilier, quartier…). Quand il contredit un filtre de la page (le
    nombre de retenus alors qu'on filtre les refusés), ce chiffre est nul par construction : pas de lien (None).
    """
    parametres = {}
    for nom, valeur in {**valeurs, **surcharges}.items():
        if nom in surcharges and nom in valeurs and valeurs[nom] != surcharges[nom]:
            return None
        cle, convertir = PARAMETRES_ADMIN[nom]
        parametres[cle] = str(convertir(valeur))
    return parametres


# --- Filtres de la liste des dossiers de l'admin ---------------------------------------------------------------

TOUTES = "toutes"


class FiltreAnnee(admin.SimpleListFilter):
    """L'année de programmation ; sans choix, la liste s'ouvre sur l'année courante (la dernière programmée).

    Une recherche sans année choisie parcourt toutes les années : on cherche un dossier dont on ignore l'année.
    « Toutes les années » reste un choix explicite. Le paramètre est celui des liens du tableau de bord.
    """

    title = "année"
    parameter_name = "programmation__annee"

    def lookups(self, request, model_admin):
        # En texte : un entier passerait par la mise en forme française (« 2 021 »).
        annees = Programmation.objects.order_by("-annee").values_list("annee", flat=True)
        return [(str(a), str(a)) for a in annees] + [(TOUTES, "Toutes les années")]

    def annee(self, request) -> str | None:
        valeur = self.value()
        if valeur is None and not request.GET.get("q"):
            courante = annee_courante()
            return str(courante) if courante is not None else None
        return None if valeur == TOUTES else valeur

    def queryset(self, request, queryset):
        self._annee = self.annee(request)
        if self._annee and self._annee.isdigit():
            return queryset.filter(programmation__annee=int(self._annee))
        return queryset

    def choices(self, changelist):
        annee = getattr(self, "_annee", None)
        for valeur, libelle in self.lookup_choices:
            selectionne = valeur == annee if valeur != TOUTES else annee is None
            yield {
                "selected": selectionne,
                "query_string": changelist.get_query_string({self.parameter_name: valeur}),
                "display": libelle,
            }


def cle_naturelle(libelle: str) -> list:
    """« 1.10 » après « 1.9 » : les nombres d'un code se comparent comme des nombres."""
    return [int(m) if m.isdigit() else m.casefold() for m in re.split(r"(\d+)", libelle)]


class FiltreParCode(admin.RelatedFieldListFilter):
    """Les piliers et thématiques dans l'ordre de leur code (1, 2, 3, 4 ; 1.1, 1.2…), libellé commençant par le
    code."""

    def field_choices(self, field, request, model_admin):
        choix = field.get_choices(include_blank=False, ordering=())
        return sorted(choix, key=lambda c: cle_naturelle(str(c[1])))
