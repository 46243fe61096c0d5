"""Administration du référentiel : contrats, communes, quartiers, piliers, financeurs, porteurs."""

import datetime

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from programmation.models import Dossier

from .admin_base import BaseAdmin
from .forms import PorteurForm
from .models import (
    Commune,
    ConseilCitoyen,
    Contrat,
    EntreeJournal,
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


class DossierDuPorteurInline(admin.TabularInline):
    model = Dossier
    fields = ["numero", "programmation", "intitule", "pilier", "statut"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = "dossiers du porteur"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("programmation", "pilier")


@admin.register(Porteur)
class PorteurAdmin(BaseAdmin):
    form = PorteurForm
    list_display = ["nom", "type", "siret", "nb_dossiers"]
    list_filter = ["type"]
    search_fields = ["nom", "siret"]
    inlines = [DossierDuPorteurInline]

    def get_queryset(self, request):
        nb = (
            Dossier.objects.filter(porteur=OuterRef("pk"))
            .order_by()
            .values("porteur")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(nb_dossiers=Coalesce(Subquery(nb), 0))

    @admin.display(description="dossiers", ordering="nb_dossiers")
    def nb_dossiers(self, obj):
        return obj.nb_dossiers


class FiltreSource(admin.SimpleListFilter):
    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [(s, s) for s in ("admin", "import", "portail", "web", "commande", "systeme")]

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


@admin.register(EntreeJournal)
class EntreeJournalAdmin(admin.ModelAdmin):
    """Le journal d'audit, en lecture seule, cherchable : pour la direction et l'audit."""

    list_display = ["le_utc", "nom_utilisateur", "source", "action", "type_objet", "objet_repr", "resume"]
    list_filter = ["action", FiltreSource, "type_objet", "horodatage"]
    search_fields = ["objet_repr", "nom_utilisateur", "resume", "=objet_id", "adresse_ip"]
    list_select_related = ["type_objet"]
    list_per_page = 100
    show_full_result_count = False
    fields = [
        "le_utc",
        "nom_utilisateur",
        "source",
        "adresse_ip",
        "action",
        "type_objet",
        "objet_id",
        "objet_repr",
        "parent",
        "resume",
        "changements",
    ]
    readonly_fields = fields

    @admin.display(description="le (UTC)", ordering="horodatage")
    def le_utc(self, obj):
        return obj.horodatage.astimezone(datetime.UTC).strftime("%d/%m/%Y %H:%M:%S")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
