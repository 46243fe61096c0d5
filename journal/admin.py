"""Le journal d'audit dans l'administration : en lecture seule, cherchable, lisible (noms, heure de Paris)."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils import timezone

from noyau.admin import LectureSeuleMixin, RechercheSansAccentsMixin

from .models import SOURCES, EntreeJournal
from .selectors import rendre_lisibles


class FiltreSource(admin.SimpleListFilter):
    title = "par quel moyen"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return list(SOURCES.items())

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


class JournalChangeList(ChangeList):
    """La page de la liste nomme les objets liés de toutes ses entrées d'un coup : une requête par modèle lié, les
    mêmes pour toute page, quel que soit le journal."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = rendre_lisibles(self.result_list, chaque_modele=True)


@admin.register(EntreeJournal)
class EntreeJournalAdmin(RechercheSansAccentsMixin, LectureSeuleMixin, admin.ModelAdmin):
    """Le journal d'audit, en lecture seule, cherchable : pour la direction et l'audit."""

    list_display = [
        "le",
        "nom_utilisateur",
        "moyen",
        "action",
        "type_objet",
        "objet_repr",
        "changements_lisibles",
    ]
    list_filter = ["action", FiltreSource, "type_objet", "horodatage"]
    search_fields = ["objet_repr", "nom_utilisateur", "resume", "=objet_id", "adresse_ip"]
    list_select_related = ["type_objet"]
    list_per_page = 100
    show_full_result_count = False
    fields = [
        "le",
        "nom_utilisateur",
        "moyen",
        "adresse_ip",
        "action",
        "type_objet",
        "objet_id",
        "objet_repr",
        "parent",
        "changements_lisibles",
        "changements",
    ]
    readonly_fields = fields

    def get_changelist(self, request, **kwargs):
        return JournalChangeList

    @admin.display(description="le (heure de Paris)", ordering="horodatage")
    def le(self, obj):
        return timezone.localtime(obj.horodatage).strftime("%d/%m/%Y %H:%M:%S")

    @admin.display(description="par quel moyen", ordering="source")
    def moyen(self, obj):
        return obj.source_lisible

    @admin.display(description="changements (avant → après)")
    def changements_lisibles(self, obj):
        if not hasattr(obj, "resume_lisible"):
            rendre_lisibles([obj])  # la fiche d'une seule entrée
        return obj.resume_lisible
