"""Pages du portail des porteurs de projet : leurs conventions et le dépôt de leurs bilans. Chaque lecture est
bornée au porteur du contact ; un bilan d'un autre porteur est introuvable (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from conventions import selectors as selectors_conventions
from conventions import services as services_conventions
from conventions.services import STATUTS_DEPOSABLES
from journal.audit import acteur, adresse_client

from . import selectors
from .forms import BilanForm


def _porteur_du_contact(request):
    contact = selectors.contact_du_portail(request.user)
    if not contact.organisme.est_porteur:
        raise PermissionDenied("Cette page est réservée aux porteurs de projet.")
    return contact


@require_GET
@login_required
def conventions(request):
    contact = _porteur_du_contact(request)
    porteur_id = contact.organisme.porteur_id
    suivi = selectors_conventions.suivi_financier(selectors_conventions.tranches_du_porteur(porteur_id))
    bilans = {}
    for bilan in selectors_conventions.bilans_du_porteur(porteur_id):
        bilans.setdefault(bilan.tranche_id, []).append(bilan)
    lignes = [(ligne, bilans.get(ligne.tranche.pk, [])) for ligne in suivi.lignes]
    return render(
        request, "avis/porteur_conventions.html", {"contact": contact, "suivi": suivi, "lignes": lignes}
    )


@require_http_methods(["GET", "POST"])
@login_required
def bilan(request, pk):
    contact = _porteur_du_contact(request)
    bilan = selectors_conventions.access_bilan_du_porteur(contact.organisme.porteur_id, pk)
    modifiable = bilan.statut in STATUTS_DEPOSABLES
    form = BilanForm(request.POST or None, request.FILES or None) if modifiable else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            with acteur(request.user, source="portail", adresse_ip=adresse_client(request)):
                services_conventions.deposer_bilan(
                    bilan=bilan,
                    fichier=form.cleaned_data["fichier"],
                    par=request.user,
                    beneficiaires_femmes=form.cleaned_data["beneficiaires_femmes"],
                    beneficiaires_hommes=form.cleaned_data["beneficiaires_hommes"],
                    resultats=form.cleaned_data["resultats"],
                )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            messages.success(
                request, "Votre bilan est déposé : le service Politique de la Ville va l'examiner."
            )
            return redirect("avis:porteur_conventions")
    elif request.method == "POST" and form is None:
        messages.error(request, "Ce bilan ne peut plus être déposé de nouveau.")
    statut = 422 if request.method == "POST" and form is not None and form.errors else 200
    return render(
        request,
        "avis/porteur_bilan.html",
        {"contact": contact, "bilan": bilan, "form": form, "modifiable": modifiable},
        status=statut,
    )


@require_GET
@login_required
def bilan_fichier(request, pk):
    contact = _porteur_du_contact(request)
    bilan = selectors_conventions.access_bilan_du_porteur(contact.organisme.porteur_id, pk)
    if not bilan.fichier:
        raise Http404("Aucun fichier déposé pour ce bilan.")
    reponse = FileResponse(
        bilan.fichier.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"bilan-{bilan.pk}.pdf",
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Cache-Control"] = "private, no-store"
    return reponse
