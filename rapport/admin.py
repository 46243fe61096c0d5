"""Les rapports annuels dans l'administration : une entrée d'index qui mène aux pages du rapport."""

from django.contrib import admin
from django.shortcuts import redirect

from journal.admin_base import BaseAdmin
from noyau.admin import LectureSeuleMixin

from .models import LogoRapport, PresentationRapport, RapportAnnuel, ReferentTerritorial


@admin.register(RapportAnnuel)
class RapportAnnuelAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """« Rapports annuels » dans l'index de l'administration : mène aux pages du rapport.

    Le cycle du rapport (étapes, approbation, PDF figé) passe par ses services, jamais par un formulaire
    d'administration : la liste renvoie donc vers `/rapport-annuel/`, et rien ne s'y ajoute ni ne s'y modifie.
    """

    def changelist_view(self, request, extra_context=None):
        return redirect("rapport:liste")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rapport = self.get_object(request, object_id)
        if rapport is None:
            return redirect("rapport:liste")
        return redirect("rapport:fiche", annee=rapport.programmation.annee)


class LogoRapportInline(admin.TabularInline):
    model = LogoRapport
    extra = 1
    fields = ["nom", "image", "ordre"]


@admin.register(PresentationRapport)
class PresentationRapportAdmin(BaseAdmin):
    """Logos de la couverture (PNG ou JPEG vérifiés au dépôt) et bloc de signature du rapport."""

    list_display = ["contrat", "signataire_qualite", "signataire_nom"]
    fields = ["contrat", "signataire_qualite", "signataire_nom"]
    inlines = [LogoRapportInline]


@admin.register(ReferentTerritorial)
class ReferentTerritorialAdmin(BaseAdmin):
    """L'organisation du service : chaque référent et les communes qu'il suit (imprimé dans le rapport)."""

    list_display = ["nom", "fonction", "ordre"]
    fields = ["presentation", "nom", "fonction", "communes", "ordre"]
    filter_horizontal = ["communes"]
