"""Administration de l'après-vote. Chaque écriture passe par un service (`services.py`) : l'administration
n'enregistre ni convention, ni versement, ni examen de bilan par un autre chemin."""

import base64
import binascii
import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from journal.admin_base import BaseAdmin
from noyau.admin import LectureSeuleMixin
from noyau.empreintes import FichierAltere
from noyau.nombres import formater_euros

from . import documents, mandats, selectors, services
from .enums import Instance, StatutBilan, TypeDocument
from .forms import ConventionForm, ExamenBilanForm, TitreRecetteForm, VersementDeclareForm, VersementForm
from .models import (
    CHAMPS_DES_DOCUMENTS,
    Bilan,
    Convention,
    Decision,
    DocumentGenere,
    Echeance,
    ModeleDocument,
    TitreRecette,
    Tranche,
    Versement,
    VersementDeclare,
)

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


def _reponse_zip(contenu: bytes, nature: str, instance: str, jour) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type="application/zip")
    nom = "notifications" if nature == "notification" else "conventions"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}-{instance.lower()}-{jour:%Y-%m-%d}.zip"'
    return reponse


def _minuscule(libelle: str) -> str:
    # « Convention pluriannuelle d'objectifs (CPO) » → « convention pluriannuelle d'objectifs (CPO) ».
    return libelle[:1].lower() + libelle[1:]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    fields = readonly_fields = ["date", "instance", "reference", montant, "documents"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("convention")

    @admin.display(description="lettre et convention (PDF)")
    def documents(self, obj):
        liens = [
            format_html(
                '<a href="{}">Aperçu : {}</a>',
                reverse("admin:conventions_decision_apercu", args=[obj.pk, type_document]),
                _minuscule(TypeDocument(type_document).label),
            )
            for type_document in documents.types_possibles(obj.convention)
        ]
        comite = format_html(
            '<a href="{}">Tout le comité du {}</a>',
            reverse("admin:conventions_convention_comite", args=[obj.instance, obj.date.isoformat()]),
            f"{obj.date:%d/%m/%Y}",
        )
        return format_html_join(" · ", "{}", [(lien,) for lien in [*liens, comite]])


class DocumentGenereInline(admin.TabularInline):
    model = DocumentGenere
    fk_name = "decision"
    extra = 0
    can_delete = False
    fields = readonly_fields = ["type", "version", "titre", "cree_le", "cree_par", "empreinte", "pdf"]
    verbose_name_plural = "documents générés (figés)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cree_par", "decision__convention")

    @admin.display(description="empreinte SHA-256")
    def empreinte(self, obj):
        return format_html('<code title="{}">{}…</code>', obj.empreinte_sha256, obj.empreinte_sha256[:16])

    @admin.display(description="PDF")
    def pdf(self, obj):
        return format_html(
            '<a href="{}">Télécharger</a>', reverse("admin:conventions_documentgenere_pdf", args=[obj.pk])
        )


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
        "documents_generes",
    ]
    # L'échéancier a été calculé avec l'avance : elle ne change plus ; la signature arrive souvent après.
    readonly_fields = ["reference", "porteur", "type", "periode", "taux_avance", "documents_generes"]
    inlines = [DecisionInline, TrancheInline]
    change_list_template = "admin/conventions/convention/change_list.html"

    @admin.display(description="documents générés (figés)")
    def documents_generes(self, obj):
        lignes = [
            (
                reverse("admin:conventions_documentgenere_pdf", args=[d.pk]),
                d.get_type_display(),
                d.version,
                timezone.localtime(d.cree_le).strftime("%d/%m/%Y %H:%M"),
                d.empreinte_sha256[:16],
            )
            for d in DocumentGenere.objects.filter(decision__convention=obj).order_by("-cree_le", "-pk")
        ]
        if not lignes:
            return "Aucun : générez la lettre ou la convention depuis l'aperçu de la décision."
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}, version {}</a> du {} (SHA-256 {}…)',
            lignes,
        )

    def get_urls(self):
        vue = self.admin_site.admin_view
        return [
            path(
                "decisions/<id:pk>/<str:type_document>/apercu/",
                vue(self.apercu_view),
                name="conventions_decision_apercu",
            ),
            path(
                "decisions/<id:pk>/<str:type_document>/generer/",
                vue(self.generer_view),
                name="conventions_decision_generer",
            ),
            path("comites/", vue(self.comites_view), name="conventions_convention_comites"),
            path(
                "comites/<str:instance>/<str:date>/",
                vue(self.comite_view),
                name="conventions_convention_comite",
            ),
            *super().get_urls(),
        ]

    def _decision_et_type(self, request, pk, type_document):
        if not request.user.has_perm("conventions.view_documentgenere"):
            raise PermissionDenied
        decision = get_object_or_404(documents.decisions_du_document(), pk=pk)
        if type_document not in documents.types_possibles(decision.convention):
            raise Http404("Pas de tel document pour cette convention.")
        return decision

    def apercu_view(self, request, pk, type_document):
        """L'aperçu HTML du document, tel qu'il sera mis en page, avant toute génération."""
        decision = self._decision_et_type(request, pk, type_document)
        try:
            html = documents.html_document(decision, type_document, apercu=True)
            erreur = ""
        except ValidationError as exc:
            html, erreur = "", " ".join(exc.messages)
        versions = DocumentGenere.objects.filter(decision=decision, type=type_document).order_by("-version")
        contexte = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Aperçu : {_minuscule(TypeDocument(type_document).label)} – {decision.convention.reference}",
            "decision": decision,
            "type_document": type_document,
            "html": html,
            "erreur": erreur,
            "versions": versions,
            "peut_generer": request.user.has_perm("conventions.add_documentgenere"),
        }
        return TemplateResponse(request, "admin/conventions/apercu.html", contexte)

    def generer_view(self, request, pk, type_document):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        decision = self._decision_et_type(request, pk, type_document)
        if not request.user.has_perm("conventions.add_documentgenere"):
            raise PermissionDenied
        try:
            document = documents.generer_document(
                decision=decision, type_document=type_document, acteur=request.user
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return redirect("admin:conventions_decision_apercu", pk, type_document)
        self.message_user(
            request,
            f"{document.get_type_display()} générée et figée (version {document.version}, "
            f"SHA-256 {document.empreinte_sha256[:16]}…).",
            messages.SUCCESS,
        )
        return redirect("admin:conventions_convention_change", decision.convention_id)

    def comites_view(self, request):
        """Les comités (décisions d'une même instance à une même date), pour générer leurs documents ensemble."""
        if not request.user.has_perm("conventions.view_documentgenere"):
            raise PermissionDenied
        contexte = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Lettres et conventions par comité",
            "comites": selectors.comites(),
        }
        return TemplateResponse(request, "admin/conventions/comites.html", contexte)

    def comite_view(self, request, instance, date):
        if not request.user.has_perm("conventions.view_documentgenere"):
            raise PermissionDenied
        try:
            jour = datetime.date.fromisoformat(date)
        except ValueError as exc:
            raise Http404("Date invalide.") from exc
        if instance not in Instance.values:
            raise Http404("Instance inconnue.")
        decisions = list(
            Decision.objects.filter(instance=instance, date=jour)
            .select_related("convention__porteur")
            .order_by("convention__reference", "pk")
        )
        if not decisions:
            raise Http404("Aucune décision pour ce comité.")
        for decision in decisions:
            decision.type_convention = documents.type_convention(decision.convention)
        if request.GET.get("telecharger") in ("notification", "convention"):
            nature = request.GET["telecharger"]
            figes, manquants = documents.derniers_documents_comite(
                instance=instance, date=jour, nature=nature
            )
            if manquants:
                self.message_user(
                    request,
                    f"{len(manquants)} décision(s) n'ont pas encore ce document ("
                    + ", ".join(d.convention.reference for d in manquants)
                    + ") : générez-les d'abord.",
                    messages.ERROR,
                )
                return redirect(request.path)
            return _reponse_zip(documents.archive_zip(figes), nature, instance, jour)
        if request.method == "POST":
            if not request.user.has_perm("conventions.add_documentgenere"):
                raise PermissionDenied
            nature = "notification" if request.POST.get("nature") == "notification" else "convention"
            try:
                generes = documents.generer_documents_comite(
                    instance=instance, date=jour, nature=nature, acteur=request.user
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                return _reponse_zip(documents.archive_zip(generes), nature, instance, jour)
        contexte = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{Instance(instance).label} du {jour:%d/%m/%Y} : lettres et conventions",
            "decisions": decisions,
            "total": sum((d.montant for d in decisions), start=decisions[0].montant * 0),
            "peut_generer": request.user.has_perm("conventions.add_documentgenere"),
        }
        return TemplateResponse(request, "admin/conventions/comite.html", contexte)

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
    change_list_template = "admin/conventions/versement/change_list.html"

    def get_urls(self):
        return [
            path(
                "importer/",
                self.admin_site.admin_view(self.importer_view),
                name="conventions_versement_importer",
            ),
            *super().get_urls(),
        ]

    def importer_view(self, request):
        """L'export des mandats des finances : dépôt, aperçu (rien n'est écrit), puis import tout ou rien."""
        if not request.user.has_perm("conventions.add_versement"):
            raise PermissionDenied
        apercu, nom, contenu, erreur_ecriture = None, "", b"", []
        if request.method == "POST":
            if "confirmer" in request.POST:
                nom = request.POST.get("nom", "")[:200]
                try:
                    contenu = base64.b64decode(request.POST.get("contenu", ""), validate=True)
                except binascii.Error:
                    contenu = b""
                try:
                    resultat = mandats.importer(nom, contenu, acteur=request.user)
                except ValidationError as exc:
                    erreur_ecriture = exc.messages
                else:
                    self.message_user(
                        request,
                        f"{len(resultat.a_importer)} versement(s) importé(s) pour {formater_euros(resultat.total)} ; "
                        f"{len(resultat.deja_importes)} mandat(s) déjà enregistré(s), non comptés de nouveau.",
                        messages.SUCCESS,
                    )
                    return redirect("admin:conventions_versement_changelist")
            elif request.FILES.get("fichier"):
                fichier = request.FILES["fichier"]
                nom, contenu = fichier.name, fichier.read(mandats.TAILLE_MAX + 1)
            if contenu or nom:
                apercu = mandats.analyser(nom, contenu)
        contexte = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Importer les mandats payés (export des finances)",
            "apercu": apercu,
            "nom": nom,
            "contenu": base64.b64encode(contenu).decode() if apercu and not apercu.erreurs else "",
            "erreur_ecriture": erreur_ecriture,
            "colonnes": [titre for titre, _ in mandats.COLONNES.values()],
        }
        status = 422 if (apercu and apercu.erreurs) or erreur_ecriture else 200
        return TemplateResponse(request, "admin/conventions/importer_mandats.html", contexte, status=status)


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
        "beneficiaires_femmes",
        "beneficiaires_hommes",
        "resultats",
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


@admin.register(ModeleDocument)
class ModeleDocumentAdmin(BaseAdmin):
    """Les textes des lettres et conventions. Un gabarit saisi est vérifié à l'enregistrement (`noyau.gabarits`) :
    une balise interdite ou une faute de syntaxe est refusée en français, avec sa ligne."""

    list_display = ["type", "titre", "signataire_nom", "modifie_le"]
    fields = ["type", "titre", "corps", "champs_disponibles", "signataire_nom", "signataire_qualite"]
    readonly_fields = ["champs_disponibles"]

    def get_readonly_fields(self, request, obj=None):
        champs = super().get_readonly_fields(request, obj)
        return [*champs, "type"] if obj is not None else champs

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        champ = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "corps":
            champ.widget.attrs.update({"rows": 30, "cols": 110})
        elif db_field.name in ("titre", "signataire_qualite"):
            champ.widget.attrs["class"] = "vLargeTextField"
        return champ

    @admin.display(description="champs à insérer")
    def champs_disponibles(self, obj=None):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li><code>{{{{ {} }}}}</code> : {}</li>", sorted(CHAMPS_DES_DOCUMENTS.items())
            ),
        )

    # Un modèle par type de document, chargé par la migration de données : il se modifie seulement.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DocumentGenere)
class DocumentGenereAdmin(LectureSeuleMixin, BaseAdmin):
    list_display = ["titre", "type", "version", "porteur", "cree_le", "cree_par"]
    list_select_related = ["decision__convention__porteur", "cree_par"]
    list_filter = ["type", "decision__instance", "decision__date"]
    search_fields = ["titre", "decision__convention__reference", "decision__convention__porteur__nom"]
    fields = readonly_fields = ["decision", "type", "version", "titre", "empreinte_sha256", "pdf"]

    @admin.display(description="porteur")
    def porteur(self, obj):
        return obj.decision.convention.porteur

    @admin.display(description="PDF figé")
    def pdf(self, obj):
        return format_html(
            '<a href="{}">Télécharger le PDF</a>',
            reverse("admin:conventions_documentgenere_pdf", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<id:pk>/document.pdf",
                self.admin_site.admin_view(self.pdf_view),
                name="conventions_documentgenere_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        """Le PDF tel qu'il a été figé, vérifié par son empreinte, jamais rendu de nouveau."""
        if not request.user.has_perm("conventions.view_documentgenere"):
            raise PermissionDenied
        document = get_object_or_404(DocumentGenere.objects.select_related("decision__convention"), pk=pk)
        try:
            contenu = documents.pdf_fige(document)
        except FichierAltere as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return redirect("admin:conventions_documentgenere_change", document.pk)
        reponse = HttpResponse(contenu, content_type="application/pdf")
        reponse["Content-Disposition"] = f'attachment; filename="{document.nom_de_fichier}"'
        reponse["X-Content-Type-Options"] = "nosniff"
        return reponse


@admin.register(VersementDeclare)
class VersementDeclareAdmin(BaseAdmin):
    """Ce que les autres financeurs déclarent avoir versé : saisi par le service (`declarer_versement`), jamais
    modifié ensuite ; une erreur se corrige en supprimant la déclaration."""

    list_display = ["date", "porteur", "dossier", "financeur", montant, "source"]
    list_select_related = ["ligne__dossier__porteur", "ligne__dossier__programmation", "ligne__financeur"]
    list_filter = ["ligne__financeur", "ligne__dossier__programmation__annee"]
    search_fields = ["ligne__dossier__numero", "ligne__dossier__porteur__nom", "source"]
    fields = readonly_fields = ["ligne", "date", montant, "source"]

    @admin.display(description="porteur", ordering="ligne__dossier__porteur__nom")
    def porteur(self, obj):
        return obj.ligne.dossier.porteur

    @admin.display(description="dossier")
    def dossier(self, obj):
        return f"{obj.ligne.dossier.numero} ({obj.ligne.dossier.programmation.annee})"

    @admin.display(description="financeur")
    def financeur(self, obj):
        return obj.ligne.financeur

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = VersementDeclareForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                services.declarer_versement(
                    ligne=d["ligne"],
                    date=d["date"],
                    montant=d["montant"],
                    source=d["source"],
                    acteur=request.user,
                )
            except ValidationError as erreur:
                _erreurs_vers_form(form, erreur)
            else:
                self.message_user(request, "Versement déclaré enregistré.", messages.SUCCESS)
                return redirect("admin:conventions_versementdeclare_changelist")
        return _formulaire(
            self,
            request,
            form,
            "Versement déclaré par un autre financeur",
            "Ce que l'État, la Région, le Département ou un autre financeur dit avoir versé sur sa ligne : il "
            "s'affiche, marqué « déclaré », à côté de l'accordé sur la page du porteur.",
        )
