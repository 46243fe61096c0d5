"""Administration du fonds de cohésion sociale et des fonds de concours."""

from django.contrib import admin
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from journal.admin_base import BaseAdmin
from noyau.nombres import formater_euros

from .models import AxeFCS, EnveloppeFCS, FondsDeConcours, SubventionFCS
from .selectors import ZERO


class AxeFCSInline(admin.TabularInline):
    model = AxeFCS
    extra = 0


@admin.register(EnveloppeFCS)
class EnveloppeFCSAdmin(BaseAdmin):
    list_display = ["annee", "contrat", "montant_affiche", "attribue", "reste"]
    list_select_related = ["contrat"]
    readonly_fields = ["attribue", "reste"]
    inlines = [AxeFCSInline]

    def get_queryset(self, request):
        # Somme corrélée : une requête pour toute la liste, pas une par enveloppe.
        attribue = (
            SubventionFCS.objects.filter(axe__enveloppe=OuterRef("pk"))
            .order_by()
            .values("axe__enveloppe")
            .annotate(s=Sum("montant"))
            .values("s")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(montant_attribue=Coalesce(Subquery(attribue), ZERO))
            .annotate(montant_reste=F("montant") - F("montant_attribue"))
        )

    @admin.display(description="enveloppe", ordering="montant")
    def montant_affiche(self, obj):
        return formater_euros(obj.montant)

    @admin.display(description="attribué", ordering="montant_attribue")
    def attribue(self, obj):
        return formater_euros(obj.montant_attribue) if obj.pk else "—"

    @admin.display(description="reste disponible", ordering="montant_reste")
    def reste(self, obj):
        return formater_euros(obj.montant_reste) if obj.pk else "—"


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
