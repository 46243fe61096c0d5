"""Administration de l'après-vote. Chaque écriture passe par un service (`services.py`) : l'administration
n'enregistre ni convention, ni versement, ni examen de bilan par un autre chemin."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from journal.admin_base import BaseAdmin
from noyau.admin import LectureSeuleMixin
from noyau.nombres import formater_euros

from . import selectors, services
from .enums import StatutBilan
from .forms import ConventionForm, ExamenBilanForm, TitreRecetteForm, VersementForm
from .models import Bilan, Convention, Decision, Echeance, TitreRecette, Tranche, Versement

GABARIT = "admin/conventions/formulaire.html"


@admin.display(description="année", ordering="annee")
def annee(obj):
    # Sans séparateur de milliers (« 2021 », pas « 2 021 »).
    return str(obj.annee)


@admin.display(description="montant")
def montant(obj):
    return formater_euros(obj.montant)


def _formulaire(modeladmin, request, form, titre: str, intro: str = ""):
    contexte = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": titre,
        "intro": intro,
        "form": form,
    }
    return TemplateResponse(request, GABARIT, contexte, status=422 if form.errors else 200)


def _erreurs_vers_form(form, erreur: ValidationError) -> None:
    if hasattr(erreur, "error_dict"):
        for champ, liste in erreur.error_dict.items():
            form.add_error(champ if champ in form.fields else None, liste)
    else:
        form.add_error(None, erreur)


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    fields = readonly_fields = ["date", "instance", "reference", montant]

    def has_add_permission(self, request, obj=None):
        return False


class TrancheInline(admin.TabularInline):
    model = Tranche
    extra = 0
    can_delete = False
    fields = readonly_fields = ["lien", annee, montant, "ligne", "subvention_fcs"]
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("ligne__dossier__programmation", "ligne__financeur", "subvention_fcs")
        )

    @admin.display(description="tranche")
    def lien(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:conventions_tranche_change", args=[obj.pk]), obj
        )


@admin.register(Convention)
class ConventionAdmin(BaseAdmin):
    list_display = ["reference", "porteur", "type", "periode", "montant_total", "date_signature"]
    list_select_related = ["porteur"]
    list_filter = ["type", "annee_debut"]
    search_fields = ["reference", "objet", "porteur__nom", "porteur__siret"]
    fields = [
        "reference",
        "porteur",
        "type",
        "objet",
        "periode",
        "date_signature",
        "taux_avance",
    ]
    # L'échéancier a été calculé avec l'avance : elle ne change plus ; la signature arrive souvent après.
    readonly_fields = ["reference", "porteur", "type", "periode", "taux_avance"]
    inlines = [DecisionInline, TrancheInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(total=Sum("tranches__montant"))

    @admin.display(description="montant total", ordering="total")
    def montant_total(self, obj):
        return formater_euros(obj.total or 0)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="années")
    def periode(self, obj):
        return obj.periode

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ConventionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                convention = services.enregistrer_convention(
                    source=d["source"],
                    type=d["type"],
                    reference=d["reference"],
                    objet=d["objet"],
                    tranches=d["tranches"],
                    decision_date=d["decision_date"],
                    decision_instance=d["decision_instance"],
                    decision_reference=d["decision_reference"],
                    date_signature=d["date_signature"],
                    taux_avance=d["taux_avance"],
                    acteur=request.user,
                )
            except ValidationError as erreur:
                _erreurs_vers_form(form, erreur)
            else:
                self.message_user(
                    request,
                    f"Convention {convention.reference} ({convention.periode}) enregistrée, avec son échéancier et "
                    "ses bilans attendus.",
                    messages.SUCCESS,
                )
                return redirect("admin:conventions_convention_change", convention.pk)
        return _formulaire(
            self,
            request,
            form,
            "Décision et convention",
            "Pour une CPO, la tranche de chaque année suivante est portée par la programmation de cette année "
            "(dossier reconduit, ligne de l'agglomération) : elle n'est pas à saisir de nouveau.",
        )


class EcheanceInline(admin.TabularInline):
    model = Echeance
    extra = 0
    can_delete = False
    fields = readonly_fields = ["type", montant, "date_prevue", "verser"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="")
    def verser(self, obj):
        return format_html(
            '<a href="{}">Enregistrer un versement</a>',
            reverse("admin:conventions_echeance_verser", args=[obj.pk]),
        )


class BilanInline(admin.TabularInline):
    model = Bilan
    extra = 0
    can_delete = False
    fields = readonly_fields = ["lien", "date_limite", "statut", "depose_le"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="bilan")
    def lien(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:conventions_bilan_change", args=[obj.pk]),
            obj.get_type_display(),
        )


class VersementInline(admin.TabularInline):
    model = Versement
    fk_name = "echeance"
    extra = 0
    can_delete = False
    fields = readonly_fields = ["date", montant, "reference_mandat"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Tranche)
class TrancheAdmin(LectureSeuleMixin, BaseAdmin):
    list_display = ["__str__", "porteur", annee, montant, "paye", "reste"]
    list_select_related = ["convention__porteur"]
    list_filter = ["annee", "convention__type"]
    search_fields = ["convention__reference", "convention__porteur__nom"]
    fields = ["convention", annee, montant, "ligne", "subvention_fcs", "situation", "titre"]
    readonly_fields = fields
    inlines = [EcheanceInline, BilanInline]

    def get_queryset(self, request):
        return selectors.tranches_annotees(super().get_queryset(request), timezone.localdate())

    @admin.display(description="porteur")
    def porteur(self, obj):
        # La page du porteur : chaque année, chaque financeur, versements et bilans.
        porteur = obj.convention.porteur
        return format_html(
            '<a href="{}">{}</a>', reverse("conventions:fiche_porteur", args=[porteur.pk]), porteur
        )

    @admin.display(description="payé", ordering="paye")
    def paye(self, obj):
        return formater_euros(obj.paye)

    @admin.display(description="reste à payer")
    def reste(self, obj):
        return formater_euros(obj.montant - obj.paye)

    @admin.display(description="situation")
    def situation(self, obj):
        return (
            f"Accordé {formater_euros(obj.montant)}, payé {formater_euros(obj.paye)}, reste à payer "
            f"{formater_euros(obj.montant - obj.paye)}, repris par titre de recette {formater_euros(obj.recouvre)}."
        )

    @admin.display(description="titre de recette")
    def titre(self, obj):
        return format_html(
            '<a href="{}">Émettre un titre de recette</a>',
            reverse("admin:conventions_tranche_titre", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/titre-de-recette/",
                self.admin_site.admin_view(self.titre_view),
                name="conventions_tranche_titre",
            ),
            *super().get_urls(),
        ]

    def titre_view(self, request, pk):
        if not request.user.has_perm("conventions.add_titrerecette"):
            raise PermissionDenied
        tranche = get_object_or_404(Tranche.objects.select_related("convention__porteur"), pk=pk)
        form = TitreRecetteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.emettre_titre_recette(tranche=tranche, acteur=request.user, **form.cleaned_data)
            except ValidationError as erreur:
                _erreurs_vers_form(form, erreur)
            else:
                self.message_user(request, "Titre de recette enregistré.", messages.SUCCESS)
                return redirect("admin:conventions_tranche_change", tranche.pk)
        return _formulaire(self, request, form, f"Titre de recette – {tranche}")


@admin.register(Echeance)
class EcheanceAdmin(LectureSeuleMixin, BaseAdmin):
    list_display = ["__str__", "type", montant, "date_prevue"]
    list_select_related = ["tranche__convention"]
    list_filter = ["type", "tranche__annee"]
    search_fields = ["tranche__convention__reference", "tranche__convention__porteur__nom"]
    fields = readonly_fields = ["tranche", "type", montant, "date_prevue", "verser"]
    inlines = [VersementInline]

    @admin.display(description="versement")
    def verser(self, obj):
        return format_html(
            '<a href="{}">Enregistrer un versement</a>',
            reverse("admin:conventions_echeance_verser", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/verser/",
                self.admin_site.admin_view(self.verser_view),
                name="conventions_echeance_verser",
            ),
            *super().get_urls(),
        ]

    def verser_view(self, request, pk):
        if not request.user.has_perm("conventions.add_versement"):
            raise PermissionDenied
        echeance = get_object_or_404(Echeance.objects.select_related("tranche__convention__porteur"), pk=pk)
        form = VersementForm(request.POST or None, initial={"montant": echeance.montant})
        if request.method == "POST" and form.is_valid():
            try:
                services.enregistrer_versement(echeance=echeance, acteur=request.user, **form.cleaned_data)
            except ValidationError as erreur:
                _erreurs_vers_form(form, erreur)
            else:
                self.message_user(request, "Versement enregistré.", messages.SUCCESS)
                return redirect("admin:conventions_tranche_change", echeance.tranche_id)
        reste = selectors.reste_a_payer(echeance.tranche)
        return _formulaire(
            self,
            request,
            form,
            f"Versement – {echeance}",
            f"Reste à payer sur la tranche : {formater_euros(reste)}.",
        )


@admin.register(Versement)
class VersementAdmin(LectureSeuleMixin, BaseAdmin):
    list_display = ["reference_mandat", "date", montant, "echeance"]
    list_select_related = ["echeance__tranche__convention"]
    list_filter = ["echeance__tranche__annee"]
    search_fields = ["reference_mandat", "echeance__tranche__convention__reference"]
    fields = readonly_fields = ["echeance", "date", montant, "reference_mandat"]


@admin.register(Bilan)
class BilanAdmin(LectureSeuleMixin, BaseAdmin):
    list_display = ["__str__", "porteur", "date_limite", "statut", "depose_le"]
    list_select_related = ["tranche__convention__porteur"]
    list_filter = ["statut", "type", "tranche__annee"]
    search_fields = ["tranche__convention__reference", "tranche__convention__porteur__nom"]
    fields = readonly_fields = [
        "tranche",
        "type",
        "date_limite",
        "statut",
        "fichier_depose",
        "depose_le",
        "montant_depense",
        "examine_le",
        "message",
        "examen",
    ]

    @admin.display(description="porteur")
    def porteur(self, obj):
        return obj.tranche.convention.porteur

    @admin.display(description="fichier déposé")
    def fichier_depose(self, obj):
        if not obj.fichier:
            return "—"
        return format_html(
            '<a href="{}">Télécharger le PDF</a>', reverse("admin:conventions_bilan_fichier", args=[obj.pk])
        )

    @admin.display(description="examen")
    def examen(self, obj):
        if obj.statut != StatutBilan.DEPOSE:
            return "—"
        return format_html(
            '<a href="{}">Examiner ce bilan</a>', reverse("admin:conventions_bilan_examiner", args=[obj.pk])
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/examiner/",
                self.admin_site.admin_view(self.examiner_view),
                name="conventions_bilan_examiner",
            ),
            path(
                "<int:pk>/bilan.pdf",
                self.admin_site.admin_view(self.fichier_view),
                name="conventions_bilan_fichier",
            ),
            *super().get_urls(),
        ]

    def examiner_view(self, request, pk):
        if not request.user.has_perm("conventions.change_bilan"):
            raise PermissionDenied
        bilan = get_object_or_404(Bilan.objects.select_related("tranche__convention__porteur"), pk=pk)
        form = ExamenBilanForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.examiner_bilan(bilan=bilan, acteur=request.user, **form.cleaned_data)
            except ValidationError as erreur:
                _erreurs_vers_form(form, erreur)
            else:
                self.message_user(request, "Examen du bilan enregistré.", messages.SUCCESS)
                return redirect("admin:conventions_bilan_change", bilan.pk)
        return _formulaire(self, request, form, f"Examiner : {bilan}")

    def fichier_view(self, request, pk):
        if not request.user.has_perm("conventions.view_bilan"):
            raise PermissionDenied
        bilan = get_object_or_404(Bilan, pk=pk)
        if not bilan.fichier:
            raise Http404("Aucun fichier déposé.")
        reponse = FileResponse(
            bilan.fichier.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"bilan-{bilan.pk}.pdf",
        )
        reponse["X-Content-Type-Options"] = "nosniff"
        return reponse


@admin.register(TitreRecette)
class TitreRecetteAdmin(LectureSeuleMixin, BaseAdmin):
    list_display = ["reference", "date", montant, "tranche"]
    list_select_related = ["tranche__convention"]
    search_fields = ["reference", "tranche__convention__reference"]
    fields = readonly_fields = ["tranche", "date", montant, "reference", "motif"]
