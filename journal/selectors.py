"""Lectures du journal d'audit."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .models import EntreeJournal


def entrees_de(obj):
    """Le journal d'un objet et des objets qui le désignent comme parent (les lignes d'un dossier)."""
    type_objet = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    parent = f"{obj._meta.label_lower}:{obj.pk}"
    return (
        EntreeJournal.objects.filter(Q(type_objet=type_objet, objet_id=str(obj.pk)) | Q(parent=parent))
        .select_related("type_objet")
        .order_by("-horodatage", "-id")
    )
