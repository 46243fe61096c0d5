"""Administration du référentiel : contrats et leur cadre, communes, quartiers, thématiques, financeurs, porteurs."""

from django.contrib import admin
from django.db.models import Count

from journal.admin_base import BaseAdmin

from .forms import ContratForm, PorteurForm
from .models import (
    Commune,
    ConseilCitoyen,
    Contrat,
    Financeur,
    ObjectifQuartier,
    Pilier,
    Porteur,
    ProjetQuartier,
    Quartier,
    Signataire,
    Thematique,
)


class SignataireInline(admin.TabularInline):
    model = Signataire
    extra = 0


class ElementDuCadreInline(admin.TabularInline):
    """Les éléments du premier niveau, saisis avec le contrat ; leurs sous-niveaux sur la fiche de chacun."""

    model = Pilier
    fk_name = "contrat"
    fields = ["code", "libelle", "libelle_court", "ordre"]
    extra = 0
    verbose_name = "élément du premier niveau"
    verbose_name_plural = "cadre : éléments du premier niveau (piliers, orientations…)"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(parent__isnull=True)


@admin.register(Contrat)
class ContratAdmin(BaseAdmin):
    form = ContratForm
    list_display = [
        "nom",
        "epci",
        "date_signature",
        "date_fin",
        "date_fin_prorogation",
        "libelle_niveau",
        "nombre_communes",
    ]
    search_fields = ["nom", "epci"]
    # Un sélecteur à deux listes filtrable : les ~900 communes du département s'y cherchent par nom ou par code,
    # et la centaine de communes choisies se relit d'un coup d'œil.
    filter_horizontal = ["quartiers", "communes"]
    inlines = [SignataireInline, ElementDuCadreInline]
    fieldsets = [
        (None, {"fields": ["nom", "epci", "siren_epci", "quartiers"]}),
        (
            "Territoire de l'EPCI",
            {
                "fields": ["communes", "codes_insee"],
                "description": "Les communes membres de l'EPCI signataire : la limite de l'agglomération en est "
                "tirée sur les cartes du rapport et du tableau de bord.",
            },
        ),
        ("Période", {"fields": ["date_signature", "date_fin", "date_fin_prorogation", "annee_mi_parcours"]}),
        (
            "Cadre",
            {
                "fields": [
                    "libelle_niveau",
                    "libelle_niveau_pluriel",
                    "niveau_feminin",
                    "libelle_sous_niveau",
                    "cadre_national",
                    "cible_part_cpo",
                ]
            },
        ),
        ("Contact du service", {"fields": ["contact_nom", "contact_courriel", "contact_telephone"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(nb_communes=Count("communes", distinct=True))

    @admin.display(description="communes du territoire", ordering="nb_communes")
    def nombre_communes(self, obj):
        return obj.nb_communes


@admin.register(Commune)
class CommuneAdmin(BaseAdmin):
    list_display = ["nom", "code_insee"]
    search_fields = ["nom", "code_insee"]
    ordering = ["nom"]


@admin.register(Quartier)
class QuartierAdmin(BaseAdmin):
    list_display = ["code", "nom", "type", "liste_communes"]
    list_filter = ["type", "contrats", ("communes", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "nom", "communes__nom"]
    autocomplete_fields = ["communes"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("communes")

    @admin.display(description="communes")
    def liste_communes(self, obj):
        return ", ".join(c.nom for c in obj.communes.all())


@admin.register(ConseilCitoyen)
class ConseilCitoyenAdmin(BaseAdmin):
    list_display = ["nom", "quartier"]
    list_select_related = ["quartier"]
    search_fields = ["nom", "quartier__nom", "quartier__code"]
    autocomplete_fields = ["quartier"]


class SousNiveauInline(admin.TabularInline):
    model = Pilier
    fk_name = "parent"
    fields = ["code", "libelle", "libelle_court", "ordre"]
    extra = 0
    verbose_name = "sous-niveau"
    verbose_name_plural = "sous-niveaux"


@admin.register(Pilier)
class PilierAdmin(BaseAdmin):
    list_display = ["code", "libelle", "parent", "contrat", "ordre"]
    list_filter = ["contrat"]
    list_select_related = ["contrat", "parent"]
    search_fields = ["code", "libelle"]
    inlines = [SousNiveauInline]

    def save_formset(self, request, form, formset, change):
        # Un sous-niveau appartient au contrat de son élément de premier niveau.
        for objet in formset.save(commit=False):
            objet.contrat_id = form.instance.contrat_id
            objet.save()
        for objet in formset.deleted_objects:
            objet.delete()
        formset.save_m2m()


@admin.register(Thematique)
class ThematiqueAdmin(BaseAdmin):
    list_display = ["code", "libelle", "pilier_anct_libelle", "principale"]
    list_filter = ["pilier_anct_libelle", "principale"]
    search_fields = ["code", "libelle"]


class ObjectifInline(admin.TabularInline):
    model = ObjectifQuartier
    extra = 0


@admin.register(ProjetQuartier)
class ProjetQuartierAdmin(BaseAdmin):
    list_display = ["intitule", "quartier", "contrat"]
    list_filter = ["contrat"]
    list_select_related = ["quartier", "contrat"]
    search_fields = ["intitule", "quartier__nom", "quartier__code"]
    autocomplete_fields = ["quartier"]
    inlines = [ObjectifInline]


@admin.register(ObjectifQuartier)
class ObjectifQuartierAdmin(BaseAdmin):
    list_display = ["code", "libelle", "projet"]
    list_filter = ["projet__contrat"]
    list_select_related = ["projet"]
    search_fields = ["code", "libelle", "projet__intitule"]


@admin.register(Financeur)
class FinanceurAdmin(BaseAdmin):
    list_display = ["code", "nom", "nature_par_defaut"]
    search_fields = ["code", "nom"]


@admin.register(Porteur)
class PorteurAdmin(BaseAdmin):
    form = PorteurForm
    list_display = ["nom", "type", "siret"]
    list_filter = ["type"]
    search_fields = ["nom", "siret"]
