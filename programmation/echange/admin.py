"""Import et export du classeur dans l'administration des dossiers, sur les écrans de django-import-export.

De la bibliothèque on garde les boutons de la liste, les adresses, le formulaire de dépôt et celui de
confirmation, le stockage temporaire du fichier entre l'aperçu et la confirmation, et la reprise des filtres
de la liste à l'export. L'aperçu, la validation et l'écriture sont les nôtres (`importation.py`).
"""

import contextlib
import os
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX
from import_export.tmp_storages import TempFolderStorage

from ..enums import OperationEchange
from .exportation import (
    classeur_modele,
    classeur_par_financeur,
    classeur_programmation,
    colonnes_des_contrats,
    contrat_du_modele,
    journaliser_export,
)
from .format import COLONNES_FINANCEMENTS, FEUILLE_DOSSIERS, FEUILLE_FINANCEMENTS
from .importation import importer_classeur
from .lecture import TAILLE_MAX
from .ressources import DossierResource

PERMISSION_IMPORT = "programmation.importer_programmation"
PERMISSION_EXPORT = "programmation.exporter_programmation"
CLE_SESSION = "imports_en_attente"
TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reponse_classeur(contenu: bytes, nom: str) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type=TYPE_XLSX)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


class EchangeClasseurAdminMixin(ImportExportMixin):
    import_export_change_list_template = "admin/programmation/dossier/change_list_echange.html"
    import_template_name = "admin/programmation/dossier/import_classeur.html"
    resource_classes = [DossierResource]
    tmp_storage_class = TempFolderStorage
    skip_export_form = True  # un seul format, une seule ressource : le bouton télécharge directement

    def get_import_formats(self):
        return [XLSX]

    def get_export_formats(self):
        return [XLSX]

    def has_import_permission(self, request):
        return request.user.has_perm(PERMISSION_IMPORT)

    def has_export_permission(self, request):
        return request.user.has_perm(PERMISSION_EXPORT)

    def has_exporter_permission(self, request):  # pour @admin.action(permissions=["exporter"])
        return self.has_export_permission(request)

    def get_urls(self):
        prefixe = "_".join(self.get_model_info())
        urls = [
            path("modele/", self.admin_site.admin_view(self.modele_view), name=f"{prefixe}_modele"),
            path(
                "export-financeurs/",
                self.admin_site.admin_view(self.export_financeurs_view),
                name=f"{prefixe}_export_financeurs",
            ),
        ]
        return urls + super().get_urls()

    def url_admin(self, vue: str) -> str:
        return reverse(f"admin:{'_'.join(self.get_model_info())}_{vue}", current_app=self.admin_site.name)

    # --- import : dépôt et aperçu, puis confirmation -------------------------------------------------------

    def contexte_import(self, request, form, **extra):
        contexte = self.admin_site.each_context(request)
        contexte.update(
            title="Importer un classeur de programmation",
            form=form,
            opts=self.model._meta,
            media=self.media + form.media,
            fields_list=[
                # Les colonnes du contrat en vigueur (« Orientation », « Axe »…) ; celles des années d'un autre
                # contrat (« Pilier ») sont admises aussi.
                (
                    f"Feuille « {FEUILLE_DOSSIERS} »",
                    [c.titre for c in colonnes_des_contrats([c for c in [contrat_du_modele()] if c])],
                ),
                (f"Feuille « {FEUILLE_FINANCEMENTS} »", [c.titre for c in COLONNES_FINANCEMENTS]),
            ],
            **extra,
        )
        request.current_app = self.admin_site.name
        return contexte

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        extra = {}
        if request.method == "POST" and form.is_valid():
            fichier = form.cleaned_data["import_file"]
            if fichier.size > TAILLE_MAX:
                form.add_error("import_file", "Le fichier dépasse la limite de 20 Mo.")
            else:
                contenu = b"".join(fichier.chunks())
                rapport = importer_classeur(
                    contenu, nom_fichier=fichier.name, utilisateur=request.user, ecrire=False
                )
                extra["rapport"] = rapport
                if rapport.valide:
                    stockage = self.get_tmp_storage_class()(read_mode="rb")
                    stockage.save(contenu)
                    fichier.tmp_storage_name = os.path.basename(stockage.name)  # pas de chemin du serveur
                    confirm_form = self.create_confirm_form(request, import_form=form)
                    # Seul l'agent qui a vu l'aperçu peut confirmer ce dépôt-là.
                    en_attente = request.session.get(CLE_SESSION, [])
                    # On garde les dix derniers dépôts en attente ; les plus anciens, jamais confirmés, sont effacés.
                    for ancien in en_attente[:-9]:
                        self.effacer_depot(ancien)
                    request.session[CLE_SESSION] = [
                        *en_attente[-9:],
                        confirm_form.initial["import_file_name"],
                    ]
                    extra["confirm_form"] = confirm_form
        return TemplateResponse(
            request, [self.import_template_name], self.contexte_import(request, form, **extra)
        )

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        retour = self.url_admin("import")
        nom = confirm_form.cleaned_data["import_file_name"] if confirm_form.is_valid() else None
        en_attente = request.session.get(CLE_SESSION, [])
        if nom is None or nom not in en_attente:
            messages.error(
                request, "Ce dépôt a expiré ou n'est pas le vôtre : déposez à nouveau le classeur."
            )
            return HttpResponseRedirect(retour)
        stockage = self.get_tmp_storage_class()(name=nom, read_mode="rb")
        try:
            contenu = stockage.read()
        except FileNotFoundError:
            messages.error(request, "Ce dépôt a expiré : déposez à nouveau le classeur.")
            return HttpResponseRedirect(retour)
        nom_fichier = confirm_form.cleaned_data["original_file_name"][:255]
        rapport = importer_classeur(
            contenu,
            nom_fichier=nom_fichier,
            utilisateur=request.user,
            ecrire=True,
            formules_confirmees=request.POST.get("confirmer_formules") == "1",
        )
        stockage.remove()
        request.session[CLE_SESSION] = [n for n in en_attente if n != nom]
        if not rapport.ecrit:
            contexte = self.contexte_import(request, self.import_form_vierge(request), rapport=rapport)
            return TemplateResponse(request, [self.import_template_name], contexte)
        messages.success(request, f"Import de « {nom_fichier} » réussi. " + " ; ".join(rapport.bilan()) + ".")
        url = self.url_admin("changelist")
        if len(rapport.annees) == 1:
            url += "?" + urlencode({"programmation__annee": rapport.annees[0]})
        return HttpResponseRedirect(url)

    def effacer_depot(self, nom: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.get_tmp_storage_class()(name=os.path.basename(nom), read_mode="rb").remove()

    def import_form_vierge(self, request):
        """Un formulaire de dépôt vide, pour redéposer un classeur corrigé."""
        formats, ressources = self.get_import_formats(), self.get_import_resource_classes(request)
        return self.get_import_form_class(request)(formats, ressources)

    # --- exports ---------------------------------------------------------------------------------------

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """Le bouton « Exporter » de la bibliothèque, avec les filtres de la liste : notre classeur d'échange."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        contenu, nb = classeur_programmation(queryset)
        journaliser_export(
            OperationEchange.EXPORT,
            utilisateur=request.user,
            nom_fichier=self.get_export_filename(request, queryset, file_format),
            nb_lignes=nb,
        )
        return contenu

    def get_export_filename(self, request, queryset, file_format):
        annee = request.GET.get("programmation__annee") or request.GET.get("programmation__annee__exact")
        suffixe = annee if annee and annee.isdigit() else timezone.localdate().strftime("%Y-%m-%d")
        return f"programmation-{suffixe}.xlsx"

    @admin.action(
        description="Exporter les dossiers sélectionnés (classeur d'échange)", permissions=["exporter"]
    )
    def exporter_selection(self, request, queryset):
        contenu, nb = classeur_programmation(queryset)
        nom = f"programmation-selection-{timezone.localdate():%Y-%m-%d}.xlsx"
        journaliser_export(OperationEchange.EXPORT, utilisateur=request.user, nom_fichier=nom, nb_lignes=nb)
        return reponse_classeur(contenu, nom)

    def export_financeurs_view(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        dossiers = self.get_export_queryset(request)
        contenu, nb = classeur_par_financeur(dossiers)
        nom = self.get_export_filename(request, dossiers, None).replace(
            "programmation-", "financements-par-financeur-"
        )
        journaliser_export(
            OperationEchange.EXPORT_FINANCEURS, utilisateur=request.user, nom_fichier=nom, nb_lignes=nb
        )
        return reponse_classeur(contenu, nom)

    def modele_view(self, request):
        if not (self.has_import_permission(request) or self.has_export_permission(request)):
            raise PermissionDenied
        # Filtrée sur une année, la liste donne le modèle du contrat de cette année (« Pilier » ou « Orientation »).
        annee = request.GET.get("programmation__annee", "")
        contrat = contrat_du_modele(int(annee) if annee.isdigit() and len(annee) == 4 else None)
        return reponse_classeur(classeur_modele(contrat), "modele-programmation.xlsx")

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["has_modele_permission"] = self.has_import_permission(
            request
        ) or self.has_export_permission(request)
        return super().changelist_view(request, extra_context)
