"""Comptes d'agents pour les tests de l'administration, avec exactement les permissions voulues."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission


def agent(nom: str, *codenames: str):
    """Un agent (is_staff) qui peut voir les dossiers, plus les permissions de `programmation` données."""
    user = get_user_model().objects.create_user(nom, password="x" * 12, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="programmation", codename__in=["view_dossier", *codenames]
        )
    )
    return user
