"""Pages des comptes : l'aiguillage de la racine du site selon le rôle."""

from django.shortcuts import redirect


def aiguillage(request):
    """La racine du site : les contacts des communes et conseils citoyens vont au portail, les autres à l'admin."""
    if (
        request.user.is_authenticated
        and not request.user.is_staff
        and hasattr(request.user, "contact_portail")
    ):
        return redirect("avis:accueil")
    return redirect("/admin/")
