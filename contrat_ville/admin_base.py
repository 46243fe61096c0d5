"""Base commune des pages d'administration : enregistrer en haut, traçabilité créé/modifié par."""

from django.contrib import admin

from .models import Trace


class BaseAdmin(admin.ModelAdmin):
    save_on_top = True
    list_per_page = 50
    show_full_result_count = False

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
