"""Administration des indicateurs de suivi : définition, référence et cible, valeurs annuelles saisies en ligne ;
import des valeurs depuis un classeur (aperçu, puis écriture tout ou rien)."""

import base64

from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from contrat_ville.models import Contrat
from journal.admin_base import BaseAdmin, TraceFieldsetMixin
from journal.audit import acteur

from . import importation
from .forms import ChampValeur, FormulaireImport
from .models import Indicateur, ValeurIndicateur

SEL_IMPORT = "indicateurs.import"
CHAMPS_VALEUR = {models.DecimalField: {"form_class": ChampValeur}}


class ValeurIndicateurInline(admin.TabularInline):
    model = ValeurIndicateur
    extra = 1
    fields = ["annee", "valeur", "commentaire"]
    formfield_overrides = CHAMPS_VALEUR


@admin.display(description="portée", ordering="quartier__nom")
def portee(obj):
    return obj.quartier.nom if obj.quartier_id else "Tout le contrat"


@admin.register(Indicateur)
class IndicateurAdmin(TraceFieldsetMixin, BaseAdmin):
    list_display = ["code", "libelle", portee, "unite", "sens", "contrat"]
    list_display_links = ["code", "libelle"]
    list_filter = ["contrat", "sens", ("quartier", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["contrat", "quartier"]
    search_fields = ["code", "libelle", "definition"]
    autocomplete_fields = ["quartier"]
    formfield_overrides = CHAMPS_VALEUR
    inlines = [ValeurIndicateurInline]
    change_list_template = "admin/indicateurs/indicateur/change_list.html"

    def get_fieldsets(self, request, obj=None):
        return [
            (
                None,
                {
                    "fields": [
                        "contrat",
                        "quartier",
                        "code",
                        "libelle",
                        "definition",
                        "unite",
                        "source",
                        "ordre",
                    ]
                },
            ),
            (
                "Référence et cible",
                {"fields": ["sens", ("valeur_reference", "annee_reference"), ("cible", "annee_cible")]},
            ),
            self.fieldset_trace,
        ]

    def get_urls(self):
        return [
            path(
                "importer/",
                self.admin_site.admin_view(self.importer_view),
                name="indicateurs_indicateur_importer",
            ),
            path(
                "modele/", self.admin_site.admin_view(self.modele_view), name="indicateurs_indicateur_modele"
            ),
            *super().get_urls(),
        ]

    def peut_importer(self, request) -> bool:
        return request.user.has_perm("indicateurs.add_valeurindicateur") and request.user.has_perm(
            "indicateurs.change_valeurindicateur"
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "peut_importer": self.peut_importer(request)}
        return super().changelist_view(request, extra_context)

    def importer_view(self, request):
        """Dépôt du classeur → aperçu (ou erreurs) → confirmation, qui relit le même classeur et l'écrit."""
        if not self.peut_importer(request):
            raise PermissionDenied
        contrats = Contrat.objects.order_by("-date_signature")
        contexte = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Importer les valeurs des indicateurs",
        }
        if request.method == "POST" and "confirmer" in request.POST:
            try:
                charge = signing.loads(request.POST.get("depot", ""), salt=SEL_IMPORT, max_age=3600)
                contrat = contrats.get(pk=charge["contrat"])
            except (signing.BadSignature, Contrat.DoesNotExist, KeyError):
                messages.error(request, "Ce dépôt a expiré ou a été altéré : déposez le classeur à nouveau.")
                return redirect("admin:indicateurs_indicateur_importer")
            lecture = importation.lire_classeur(
                base64.b64decode(charge["contenu"]), contrat=contrat, nom_fichier=charge["nom"]
            )
            if not lecture.erreurs:
                with acteur(request.user, source="import"):
                    bilan = importation.importer(lecture, par=request.user)
                messages.success(request, f"Classeur « {lecture.nom_fichier} » importé : {bilan}.")
                return redirect("admin:indicateurs_indicateur_changelist")
            form = FormulaireImport(contrats=contrats, initial={"contrat": contrat})
            return TemplateResponse(
                request,
                "admin/indicateurs/indicateur/importer.html",
                {**contexte, "form": form, "lecture": lecture},
            )
        if request.method == "POST":
            form = FormulaireImport(request.POST, request.FILES, contrats=contrats)
            if form.is_valid():
                fichier = form.cleaned_data["classeur"]
                contenu = fichier.read(importation.TAILLE_MAX + 1)
                lecture = importation.lire_classeur(
                    contenu, contrat=form.cleaned_data["contrat"], nom_fichier=fichier.name
                )
                depot = None
                if not lecture.erreurs:
                    depot = signing.dumps(
                        {
                            "contrat": form.cleaned_data["contrat"].pk,
                            "nom": fichier.name,
                            "contenu": base64.b64encode(contenu).decode(),
                        },
                        salt=SEL_IMPORT,
                        compress=True,
                    )
                return TemplateResponse(
                    request,
                    "admin/indicateurs/indicateur/importer.html",
                    {**contexte, "form": form, "lecture": lecture, "depot": depot},
                )
        else:
            form = FormulaireImport(contrats=contrats, initial={"contrat": contrats.first()})
        return TemplateResponse(
            request, "admin/indicateurs/indicateur/importer.html", {**contexte, "form": form}
        )

    def modele_view(self, request):
        """Le classeur à remplir pour le contrat choisi (le plus récent par défaut) et l'année passée."""
        if not self.peut_importer(request):
            raise PermissionDenied
        contrats = Contrat.objects.order_by("-date_signature")
        contrat = contrats.filter(pk=request.GET.get("contrat") or 0).first() or contrats.first()
        if contrat is None:
            raise Http404("Aucun contrat n'est saisi.")
        annee = timezone.localdate().year - 1
        reponse = HttpResponse(
            importation.classeur_modele(contrat, annee),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        reponse["Content-Disposition"] = f'attachment; filename="valeurs-indicateurs-{annee}.xlsx"'
        return reponse
