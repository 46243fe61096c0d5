"""Base commune des pages d'administration : enregistrer en haut, traçabilité créé/modifié par."""

from django.contrib import admin
from django.contrib.admin.utils import unquote

from noyau.admin import RechercheSansAccentsMixin
from noyau.models import Trace

from . import audit
from .concurrence import CHAMP_JETON, formulaire_verrouille, version_de
from .selectors import entrees_de, rendre_lisibles

LIMITE_HISTORIQUE = 500


class BaseAdmin(RechercheSansAccentsMixin, admin.ModelAdmin):
    save_on_top = True
    list_per_page = 50
    show_full_result_count = False

    def get_form(self, request, obj=None, change=False, **kwargs):
        Form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and audit.est_audite(self.model):
            Form = formulaire_verrouille(Form, self.model)
        return Form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Le formulaire d'un objet audité porte sa version (verrou optimiste, voir `concurrence.py`)."""
        if audit.est_audite(self.model):
            if request.method == "POST":
                # Réaffiché après un conflit, le formulaire garde la version qu'il avait : il faut repartir de la
                # version enregistrée pour ne pas écraser les changements de l'autre.
                version = request.POST.get(CHAMP_JETON, "")
            else:
                obj = self.get_object(request, unquote(object_id))
                # En texte : un entier passerait par la mise en forme française (« 1 234 »).
                version = str(version_de(obj)) if obj is not None else ""
            extra_context = {**(extra_context or {}), "champ_version": CHAMP_JETON, "version_objet": version}
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        """L'historique d'un objet audité est son journal d'audit : qui, quand (heure de Paris), d'où, avant → après,
        les objets liés nommés (une requête par modèle lié, quel que soit le nombre d'entrées)."""
        if not audit.est_audite(self.model):
            return super().history_view(request, object_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        contexte = {}
        if obj is not None:
            entrees = rendre_lisibles(entrees_de(obj)[: LIMITE_HISTORIQUE + 1])
            contexte = {
                "journal": entrees[:LIMITE_HISTORIQUE],
                "journal_tronque": len(entrees) > LIMITE_HISTORIQUE,
                "avec_enfants": any(e.parent for e in entrees),
            }
        self.object_history_template = "admin/historique_audite.html"
        return super().history_view(request, object_id, {**contexte, **(extra_context or {})})

    def get_readonly_fields(self, request, obj=None):
        champs = list(super().get_readonly_fields(request, obj))
        if issubclass(self.model, Trace):
            champs += [c for c in ("cree_le", "cree_par", "modifie_le", "modifie_par") if c not in champs]
        return champs

    def save_model(self, request, obj, form, change):
        if isinstance(obj, Trace):
            if not change:
                obj.cree_par = request.user
            obj.modifie_par = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Trace):
                if instance._state.adding:
                    instance.cree_par = request.user
                instance.modifie_par = request.user
            instance.save()
        for supprime in formset.deleted_objects:
            supprime.delete()
        formset.save_m2m()


class TraceFieldsetMixin:
    """Ajoute un bloc « Traçabilité » replié en fin de formulaire."""

    fieldset_trace = (
        "Traçabilité",
        {"classes": ["collapse"], "fields": ["cree_le", "cree_par", "modifie_le", "modifie_par"]},
    )
