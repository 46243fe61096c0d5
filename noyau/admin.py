"""Morceaux d'administration communs à toutes les applications."""

from django.contrib.admin.utils import get_fields_from_path, lookup_spawns_duplicates
from django.db import models
from django.db.models import Q

from .recherche import mots_recherches


class LectureSeuleMixin:
    """Une page d'administration qui se consulte et ne se modifie jamais (journaux, documents figés)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RechercheSansAccentsMixin:
    """La recherche de l'administration ignore accents, casse, tirets et apostrophes (noyau/recherche.py).

    Chaque mot tapé doit se trouver dans l'un des `search_fields`, comme la recherche de Django ; les champs non
    textuels (nombres) gardent la comparaison ordinaire. Sert aussi aux listes d'autocomplétion.
    """

    def get_search_results(self, request, queryset, search_term):
        champs = [c.lstrip("^=@") for c in self.get_search_fields(request)]
        if not champs or not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        textuels, autres = [], []
        for chemin in champs:
            champ = get_fields_from_path(self.model, chemin)[-1]
            (textuels if isinstance(champ, models.CharField | models.TextField) else autres).append(chemin)
        for mot in mots_recherches(search_term):
            condition = Q()
            for chemin in textuels:
                condition |= Q(**{f"{chemin}__sansaccents__icontains": mot})
            for chemin in autres:
                condition |= Q(**{f"{chemin}__icontains": mot})
            queryset = queryset.filter(condition)
        doublons = any(lookup_spawns_duplicates(self.opts, chemin) for chemin in champs)
        return queryset, doublons
