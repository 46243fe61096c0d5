"""Administration du fonds de cohésion sociale et des fonds de concours."""

from django.contrib import admin

from contrat_ville.admin_base import BaseAdmin
from contrat_ville.nombres import formater_euros

from .models import AxeFCS, EnveloppeFCS, FondsDeConcours, SubventionFCS
from .selectors import montant_attribue_fcs


class AxeFCSInline(admin.TabularInline):
    model = AxeFCS
    extra = 0


@admin.register(EnveloppeFCS)
class EnveloppeFCSAdmin(BaseAdmin):
    list_display = ["annee", "contrat", "montant_affiche", "attribue", "reste"]
    list_select_related = ["contrat"]
    readonly_fields = ["attribue", "reste"]
    inlines = [AxeFCSInline]

    @admin.display(description="enveloppe", ordering="montant")
    def montant_affiche(self, obj):
        return formater_euros(obj.montant)

    @admin.display(description="attribué")
    def attribue(self, obj):
        return formater_euros(montant_attribue_fcs(obj)) if obj.pk else "—"

    @admin.display(description="reste disponible")
    def reste(self, obj):
        return formater_euros(obj.montant - montant_attribue_fcs(obj)) if obj.pk else "—"


@admin.register(AxeFCS)
class AxeFCSAdmin(BaseAdmin):
    list_display = ["numero", "libelle", "enveloppe"]
    list_filter = ["enveloppe__annee"]
    list_select_related = ["enveloppe"]
    search_fields = ["libelle"]


@admin.register(SubventionFCS)
class SubventionFCSAdmin(BaseAdmin):
    list_display = ["porteur", "action", "axe", "montant_affiche", "cpo"]
    list_filter = ["axe__enveloppe__annee", "axe", "cpo"]
    list_select_related = ["porteur", "axe", "axe__enveloppe"]
    search_fields = ["porteur__nom", "action"]
    autocomplete_fields = ["porteur", "axe"]

    @admin.display(description="montant", ordering="montant")
    def montant_affiche(self, obj):
        return formater_euros(obj.montant)


@admin.register(FondsDeConcours)
class FondsDeConcoursAdmin(BaseAdmin):
    list_display = ["commune", "projet", "annee", "montant_affiche", "date_deliberation"]
    list_filter = ["annee", ("commune", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["commune"]
    search_fields = ["commune__nom", "projet"]
    autocomplete_fields = ["commune"]

    @admin.display(description="montant", ordering="montant")
    def montant_affiche(self, obj):
        return formater_euros(obj.montant)
