"""Le journal d'audit dans l'administration : en lecture seule, cherchable."""

import datetime

from django.contrib import admin

from noyau.admin import LectureSeuleMixin

from .models import EntreeJournal


class FiltreSource(admin.SimpleListFilter):
    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [(s, s) for s in ("admin", "import", "portail", "web", "commande", "systeme")]

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


@admin.register(EntreeJournal)
class EntreeJournalAdmin(LectureSeuleMixin, admin.ModelAdmin):
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
