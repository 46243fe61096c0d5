"""Pages des comptes : l'aiguillage de la racine du site selon le rôle."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from . import roles


def page_de_travail(utilisateur) -> str:
    """Où chaque rôle trouve son travail : le directeur le tableau de bord, l'agent la liste des dossiers (qui
    s'ouvre sur l'année en cours), les communes et conseils citoyens le portail, les autres l'accueil de l'admin.

    Les pages sont désignées par leur nom d'URL : `comptes` est sous les applications qui les servent."""
    if not utilisateur.is_staff:
        return reverse("avis:accueil") if hasattr(utilisateur, "contact_portail") else reverse("admin:index")
    groupes = set(utilisateur.groups.values_list("name", flat=True))
    if roles.DIRECTEUR in groupes and utilisateur.has_perm("programmation.view_dossier"):
        return reverse("tableau:tableau_de_bord")
    if roles.AGENT in groupes and utilisateur.has_perm("programmation.change_dossier"):
        return reverse("admin:programmation_dossier_changelist")
    return reverse("admin:index")


def aiguillage(request):
    """La racine du site, où mène la connexion : chacun va à sa page de travail."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return redirect(page_de_travail(request.user))
