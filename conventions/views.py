"""Pages du personnel pour l'après-vote : la fiche d'un porteur d'année en année, l'export open data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from contrat_ville.models import Porteur

from . import selectors
from .scdl import ExportRefuse, exporter_scdl


def _personnel(request):
    # Les comptes du portail ne sont jamais membres du personnel : ils n'ont rien à voir ici.
    if not request.user.is_staff:
        raise PermissionDenied("Page réservée au service.")


@require_GET
@login_required
@permission_required("conventions.view_convention", raise_exception=True)
def fiche_porteur(request, pk):
    _personnel(request)
    porteur = get_object_or_404(Porteur, pk=pk)
    return render(request, "conventions/fiche_porteur.html", {"fiche": selectors.fiche_porteur(porteur)})


@require_GET
@login_required
@permission_required("conventions.exporter_open_data", raise_exception=True)
def open_data(request, annee):
    _personnel(request)
    try:
        export = exporter_scdl(annee)
    except ExportRefuse as refus:
        messages.error(request, str(refus))
        return redirect(f"{reverse('tableau:tableau_de_bord')}?annee={annee}")
    reponse = HttpResponse(export.contenu, content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="subventions-{annee}-scdl.csv"'
    return reponse
