"""Administration du référentiel : contrats, communes, quartiers, piliers, financeurs, porteurs."""

from django.contrib import admin

from journal.admin_base import BaseAdmin

from .forms import PorteurForm
from .models import (
    Commune,
    ConseilCitoyen,
    Contrat,
    Financeur,
    Pilier,
    Porteur,
    Quartier,
    Thematique,
)


@admin.register(Contrat)
class ContratAdmin(BaseAdmin):
    list_display = ["nom", "epci", "date_signature", "date_fin", "date_fin_prorogation"]
    search_fields = ["nom", "epci"]
    filter_horizontal = ["quartiers"]


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


class ThematiqueInline(admin.TabularInline):
    model = Thematique
    extra = 0


@admin.register(Pilier)
class PilierAdmin(BaseAdmin):
    list_display = ["code", "libelle", "contrat", "ordre"]
    list_filter = ["contrat"]
    list_select_related = ["contrat"]
    search_fields = ["code", "libelle"]
    inlines = [ThematiqueInline]


@admin.register(Thematique)
class ThematiqueAdmin(BaseAdmin):
    list_display = ["code", "libelle", "pilier", "principale"]
    list_filter = ["pilier__contrat", "pilier", "principale"]
    list_select_related = ["pilier"]
    search_fields = ["code", "libelle"]


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
