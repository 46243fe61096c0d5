"""Filtres du tableau de bord (django-filter) et leur traduction en filtres de la liste des dossiers de l'admin.

Les filtres sur une relation multiple (quartier, commune, financeur) passent par `Exists` : un dossier qui vise
deux quartiers de la même commune n'est compté qu'une fois, comme dans la liste de l'admin.
"""

import re

import django_filters
from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet

from contrat_ville.enums import TypePorteur
from contrat_ville.selectors import referentiel
from noyau.formulaires import ListeDeroulante

from .enums import StatutDossier
from .models import Dossier, LigneFinancement, Programmation
from .selectors.selections import annee_courante, toutes_les_programmations


def choix_annees():
    return [(a, str(a)) for a in Programmation.objects.order_by("-annee").values_list("annee", flat=True)]


# Les filtres dont les choix sont des objets du référentiel : lus du référentiel en cache (aucune requête pour les
# proposer ni pour valider le choix), avec le libellé de chaque option.
FILTRES_DU_REFERENTIEL = {
    "contrat": (lambda r: r.contrats, str),
    "pilier": (lambda r: r.piliers, lambda p: p.libelle),
    "thematique": (lambda r: r.thematiques, lambda t: f"{t.code} {t.libelle}"),
    "commune": (lambda r: r.communes, str),
    "quartier": (lambda r: r.quartiers, str),
    "financeur": (lambda r: r.financeurs, str),
}


class FiltreChoix(django_filters.ChoiceFilter):
    """Un filtre à choix rendu par `ListeDeroulante` : les neuf listes du tableau de bord sans un gabarit par option."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", ListeDeroulante)
        super().__init__(*args, **kwargs)


class DossierFilterSet(django_filters.FilterSet):
    """Les filtres du tableau de bord. Une requête en tout pour les proposer : la liste des programmations
    (`self.programmations`, que le tableau reprend) ; le reste vient du référentiel en cache."""

    annee = FiltreChoix(
        label="Année", field_name="programmation__annee", choices=choix_annees, empty_label=None
    )
    contrat = FiltreChoix(label="Contrat", field_name="programmation__contrat", empty_label="Tous")
    # Nommé comme le contrat de l'année nomme son premier niveau (pilier, orientation…) ; un élément du premier
    # niveau retient aussi les dossiers rangés sur ses sous-niveaux.
    pilier = FiltreChoix(label="Élément du cadre", method="filtrer_element", empty_label="Tous")
    thematique = FiltreChoix(label="Thématique", field_name="thematique", empty_label="Toutes")
    commune = FiltreChoix(label="Commune", method="filtrer_commune", empty_label="Toutes")
    quartier = FiltreChoix(label="Quartier", method="filtrer_quartier", empty_label="Tous")
    financeur = FiltreChoix(label="Financeur", method="filtrer_financeur", empty_label="Tous")
    type_porteur = FiltreChoix(
        label="Type de porteur", field_name="porteur__type", choices=TypePorteur.choices, empty_label="Tous"
    )
    statut = FiltreChoix(
        label="Statut du dossier", field_name="statut", choices=StatutDossier.choices, empty_label="Tous"
    )

    class Meta:
        model = Dossier
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        self.programmations = toutes_les_programmations()
        self.referentiel = referentiel()
        # Sans année dans l'adresse, la dernière année programmée : la page a toujours une année à montrer.
        data = data.copy() if data is not None else None
        if data is not None and not data.get("annee") and self.programmations:
            data["annee"] = str(self.programmations[0].annee)
        super().__init__(data, *args, **kwargs)
        self.filters["annee"].extra["choices"] = [(str(p.annee), str(p.annee)) for p in self.programmations]
        self._objets = {}
        for nom, (objets, libelle) in FILTRES_DU_REFERENTIEL.items():
            objets = objets(self.referentiel)
            self._objets[nom] = {str(o.pk): o for o in objets}
            self.filters[nom].extra["choices"] = [(str(o.pk), libelle(o)) for o in objets]
        self._nommer_le_cadre(data.get("annee") if data is not None else None)

    def _nommer_le_cadre(self, annee) -> None:
        """Le filtre du cadre porte le nom du premier niveau du contrat de l'année et ne propose que ses éléments
        (les sous-niveaux sous leur élément) : les piliers de 2015 ne se mêlent pas aux orientations de 2024."""
        programmation = next((p for p in self.programmations if str(p.annee) == str(annee)), None)
        contrat = self.referentiel.contrat(programmation.contrat_id) if programmation else None
        if contrat is None:
            return
        self.filters["pilier"].label = contrat.libelle_niveau_capitalise()
        elements = self.referentiel.piliers_du_contrat(contrat.pk)
        self.filters["pilier"].extra["choices"] = [
            (str(p.pk), p.libelle if p.parent_id is None else f"— {p.libelle}")
            for premier in elements
            if premier.parent_id is None
            for p in (premier, *(e for e in elements if e.parent_id == premier.pk))
        ]

    def programmation(self, annee: int) -> Programmation | None:
        return next((p for p in self.programmations if p.annee == annee), None)

    def filtrer_element(self, queryset: QuerySet[Dossier], name, valeur) -> QuerySet[Dossier]:
        return queryset.filter(Q(pilier=valeur) | Q(pilier__parent=valeur))

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
        for nom, objets in self._objets.items():
            if nom in valeurs:
                valeurs[nom] = objets[valeurs[nom]]
        if "annee" in valeurs:
            valeurs["annee"] = int(valeurs["annee"])
        return valeurs

    def filtrer(self, queryset: QuerySet[Dossier], sauf: tuple[str, ...] = ()) -> QuerySet[Dossier]:
        """Applique tous les filtres renseignés sauf ceux nommés (l'année, pour comparer ou tracer la tendance)."""
        for nom, valeur in self.valeurs.items():
            if nom not in sauf:
                queryset = self.filters[nom].filter(queryset, valeur)
        return queryset


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


class FiltreElementDuCadre(FiltreParCode):
    """Un élément du premier niveau du cadre retient aussi les dossiers rangés sur ses sous-niveaux : le lien d'une
    ligne du tableau par orientation montre les dossiers que la ligne compte."""

    def queryset(self, request, queryset):
        valeur = self.used_parameters.get(self.lookup_kwarg)
        if not valeur:
            return super().queryset(request, queryset)
        valeurs = valeur if isinstance(valeur, list | tuple) else [valeur]
        return queryset.filter(Q(pilier__in=valeurs) | Q(pilier__parent__in=valeurs))
