"""Pages du portail : minces ; un formulaire valide, un service écrit, les sélecteurs bornent à l'organisme."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from noyau.empreintes import FichierAltere

from . import selectors, services
from .forms import AvisForm, MotDePasseForm
from .models import Avis


def _piece_jointe(reponse: HttpResponse, nom: str) -> HttpResponse:
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@require_GET
@login_required
def accueil(request):
    contact = selectors.contact_du_portail(request.user)
    if contact.organisme.est_porteur:
        return redirect("avis:porteur_conventions")
    destinataires = list(selectors.destinataires_du_contact(contact))
    avis = {
        a.consultation_id: a
        for a in Avis.objects.filter(
            organisme_id=contact.organisme_id, consultation_id__in=[d.consultation_id for d in destinataires]
        )
    }
    # (organisme consulté, avis déposé, l'avis peut-il encore être déposé) : après la date limite sans réponse, la
    # page dit « réputé favorable », pas « à déposer ».
    lignes = [
        (d, avis.get(d.consultation_id), selectors.peut_deposer(d, avis_depose=d.consultation_id in avis))
        for d in destinataires
    ]
    return render(
        request,
        "avis/accueil.html",
        {
            "contact": contact,
            "lignes": lignes,
            "service": selectors.contact_du_service(destinataires[0].consultation if destinataires else None),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def consultation(request, pk):
    contact = selectors.contact_du_portail(request.user)
    destinataire = selectors.access_destinataire_by_id(contact, pk)
    avis = Avis.objects.filter(consultation_id=pk, organisme_id=contact.organisme_id).first()
    modifiable = selectors.peut_deposer(destinataire, avis_depose=avis is not None)
    form = AvisForm(request.POST or None, request.FILES or None) if modifiable else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            avis = services.deposer_avis(destinataire=destinataire, par=request.user, **form.cleaned_data)
        except ValidationError as erreur:
            if hasattr(erreur, "error_dict"):
                for champ, liste in erreur.error_dict.items():
                    form.add_error(champ if champ in form.fields else None, liste)
            else:
                form.add_error(None, erreur)
        else:
            messages.success(request, "Votre avis est enregistré. Un accusé de réception vous a été envoyé.")
            return redirect("avis:recu", avis.pk)
    elif request.method == "POST" and form is None:
        messages.error(
            request, "L'avis ne peut plus être modifié : le délai est passé ou l'avis est déjà déposé."
        )
    if destinataire.ouvert_le is None and destinataire.invite_le is not None:
        services.marquer_invitation_ouverte(utilisateur=request.user)
    statut = 422 if request.method == "POST" and form is not None and form.errors else 200
    return render(
        request,
        "avis/consultation.html",
        {
            "contact": contact,
            "destinataire": destinataire,
            "consultation": destinataire.consultation,
            "avis": avis,
            "form": form,
            "modifiable": modifiable,
            "service": selectors.contact_du_service(destinataire.consultation),
        },
        status=statut,
    )


@require_GET
@login_required
def projet_de_rapport(request, pk):
    """Le projet de rapport figé au lancement de la consultation : celui sur lequel l'avis est rendu."""
    contact = selectors.contact_du_portail(request.user)
    destinataire = selectors.access_destinataire_by_id(contact, pk)
    consultation = destinataire.consultation
    annee = consultation.programmation.annee
    if not consultation.projet_pdf:
        raise Http404("Le projet transmis n'est pas disponible pour cette consultation.")
    try:
        contenu = services.projet_transmis(consultation)
    except FichierAltere:
        return render(request, "avis/projet_altere.html", {"annee": str(annee)}, status=500)
    nom = f"projet-rapport-politique-de-la-ville-{annee}.pdf"
    return _piece_jointe(HttpResponse(contenu, content_type="application/pdf"), nom)


@require_GET
@login_required
def recu(request, pk):
    contact = selectors.contact_du_portail(request.user)
    avis = selectors.access_avis_by_id(request.user, pk)
    return render(
        request,
        "avis/recu.html",
        {"contact": contact, "avis": avis, "service": selectors.contact_du_service(avis.consultation)},
    )


@require_GET
@login_required
def deliberation(request, pk):
    avis = selectors.access_avis_by_id(request.user, pk)
    if not avis.deliberation:
        raise Http404("Aucune délibération jointe à cet avis.")
    nom = f"deliberation-{slugify(str(avis.organisme))}-{avis.consultation.programmation.annee}.pdf"
    reponse = FileResponse(avis.deliberation.open("rb"), content_type="application/pdf")
    return _piece_jointe(reponse, nom)


class Invitation(PasswordResetConfirmView):
    """Le lien du courriel d'invitation : le contact choisit son mot de passe (jeton de Django, expirant)."""

    template_name = "avis/invitation.html"
    form_class = MotDePasseForm
    success_url = reverse_lazy("avis:invitation_terminee")
    reset_url_token = "choisir-mot-de-passe"  # noqa: S105 - segment d'URL, pas un secret

    def get(self, request, *args, **kwargs):
        reponse = super().get(request, *args, **kwargs)
        if self.validlink:
            services.marquer_invitation_ouverte(utilisateur=self.user)
        return reponse


@require_GET
def invitation_terminee(request):
    messages.success(request, "Votre mot de passe est enregistré. Connectez-vous pour accéder au portail.")
    return redirect(f"{reverse('login')}?next={reverse('avis:accueil')}")
