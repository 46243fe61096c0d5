"""Administration du fonds de cohésion sociale et des fonds de concours."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from journal.admin_base import BaseAdmin
from noyau.nombres import formater_euros

from . import services
from .models import AxeFCS, EnveloppeFCS, FondsDeConcours, SubventionFCS
from .selectors import ZERO


class SubventionFCSForm(forms.ModelForm):
    """L'enveloppe est vérifiée sous son verrou, dans la transaction où l'administration enregistre."""

    def clean(self):
        donnees = super().clean()
        axe, montant = donnees.get("axe"), donnees.get("montant")
        if axe is not None and montant is not None:
            try:
                services.verifier_le_reste(axe=axe, montant=montant, exclure_pk=self.instance.pk)
            except ValidationError as erreur:
                self.add_error(None, erreur)
        return donnees


class EnveloppeFCSForm(forms.ModelForm):
    def clean(self):
        donnees = super().clean()
        if donnees.get("montant") is not None:
            try:
                services.verifier_l_enveloppe(enveloppe=self.instance, montant=donnees["montant"])
            except ValidationError as erreur:
                self.add_error(None, erreur)
        return donnees


class AxeFCSInline(admin.TabularInline):
    model = AxeFCS
    extra = 0


@admin.display(description="année", ordering="annee")
def annee_affichee(obj):
    return str(obj.annee)  # « 2021 », pas la mise en forme des nombres (« 2 021 »)


@admin.register(EnveloppeFCS)
class EnveloppeFCSAdmin(BaseAdmin):
    form = EnveloppeFCSForm
    list_display = [annee_affichee, "contrat", "montant_affiche", "attribue", "reste"]
    list_display_links = [annee_affichee]
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
    form = SubventionFCSForm
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
    list_display = ["commune", "projet", annee_affichee, "montant_affiche", "date_deliberation"]
    list_filter = ["annee", ("commune", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["commune"]
    search_fields = ["commune__nom", "projet"]
    autocomplete_fields = ["commune"]

    @admin.display(description="montant", ordering="montant")
    def montant_affiche(self, obj):
        return formater_euros(obj.montant)
