"""Pages du rapport annuel (`/rapport-annuel/`) : années et statuts, aperçu, PDF, étapes du cycle."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from avis.models import Consultation
from avis.selectors import etat_consultation
from avis.services import projet_transmis as lire_projet
from noyau.empreintes import FichierAltere
from noyau.pdf import DelaiDepasse, limite_affichee
from programmation.controles import controles_hors_rapport
from programmation.models import Programmation

from .apres_approbation import changements_depuis_approbation, ecarts_depuis_approbation
from .contexte import contexte_du_rapport, controles_du_rapport
from .enums import StatutRapport
from .forms import TransitionRapportForm
from .models import RapportAnnuel
from .rendu import pdf_du_rapport
from .services import PERMISSION_APPROBATION, etape_suivante, faire_avancer_rapport, obtenir_rapport

PERMISSION_CONSULTATION = "rapport.view_rapportannuel"


def acces_rapport(vue):
    """Agents et directeur seulement : compte interne (`is_staff`) et droit de voir les rapports."""

    @wraps(vue)
    def controle(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_staff and request.user.has_perm(PERMISSION_CONSULTATION)):
            raise PermissionDenied("Le rapport annuel est réservé aux agents et au directeur.")
        return vue(request, *args, **kwargs)

    return controle


def rapport_de(annee: int) -> RapportAnnuel:
    """Le rapport enregistré de l'année, ou un projet non enregistré tant qu'aucune étape n'a eu lieu."""
    programmation = Programmation.objects.select_related("contrat", "rapport").filter(annee=annee).first()
    if programmation is None:
        raise Http404("Aucune programmation pour cette année.")
    try:
        return programmation.rapport
    except RapportAnnuel.DoesNotExist:
        return RapportAnnuel(programmation=programmation)


@acces_rapport
def liste(request):
    programmations = Programmation.objects.select_related("rapport", "contrat").order_by("-annee")
    annees = []
    for p in programmations:
        rapport = getattr(p, "rapport", None)
        annees.append({"programmation": p, "rapport": rapport})
    return render(request, "rapport/liste.html", {"annees": annees})


def _contexte_fiche(rapport: RapportAnnuel, annee: int, utilisateur) -> dict:
    """Ce que la fiche d'une année montre : étape, chiffres clés, contrôles, consultation, historique."""
    contexte = {"rapport": rapport, "annee": str(annee), "etape": etape_suivante(rapport)}
    if rapport.statut != StatutRapport.DEFINITIF:
        contenu = contexte_du_rapport(rapport)
        contexte["chiffres"] = contenu["chiffres"]
        contexte["repartition"] = contenu["repartition"]
        contexte["contrat"] = contenu["contrat"]
        # S'y ajoutent le SIRET (open data) et les blocs à rédiger, montrés sans entrer dans la confirmation « en
        # connaissance de cause » de l'approbation, qui porte sur ce que le rapport imprime de la programmation.
        contexte["anomalies"] = controles_du_rapport(contenu)
        contexte["autres_controles"] = controles_hors_rapport(rapport.programmation)
    # Une consultation n'existe qu'à partir de l'étape « en consultation » (c'est elle qui la lance).
    if rapport.statut in (StatutRapport.EN_CONSULTATION, StatutRapport.DEFINITIF):
        contexte["consultation"] = etat_consultation(rapport.programmation)
    if rapport.statut == StatutRapport.DEFINITIF:
        # Les données ont pu changer depuis l'approbation : la fiche le montre (le PDF figé, lui, ne change pas).
        contexte["ecarts"] = ecarts_depuis_approbation(rapport)
        contexte["ecarts_changes"] = [e for e in contexte["ecarts"] if e.change]
        contexte["changements"], contexte["nb_changements"] = changements_depuis_approbation(rapport)
    contexte["transitions"] = rapport.transitions.select_related("par").order_by("le") if rapport.pk else []
    contexte["peut_avancer"] = contexte["etape"] is not None and utilisateur.has_perm(PERMISSION_APPROBATION)
    return contexte


@acces_rapport
def fiche(request, annee: int):
    return render(request, "rapport/fiche.html", _contexte_fiche(rapport_de(annee), annee, request.user))


@acces_rapport
def apercu(request, annee: int):
    rapport = rapport_de(annee)
    if rapport.statut == StatutRapport.DEFINITIF:
        # La version définitive fait foi telle qu'elle a été approuvée : on ne la recalcule pas.
        messages.info(request, "Ce rapport est définitif : voici le PDF approuvé, tel qu'il a été stocké.")
        return redirect("rapport:pdf", annee=annee)
    return render(request, "rapport/apercu.html", contexte_du_rapport(rapport))


def rendu_trop_long(request, gabarit: str, annee: int) -> HttpResponse:
    """Le rendu a dépassé WEASYPRINT_TIMEOUT : une page qui le dit, en 503 avec un délai de nouvel essai."""
    reponse = render(request, gabarit, {"annee": str(annee), "delai": limite_affichee()}, status=503)
    reponse["Retry-After"] = "120"
    return reponse


@acces_rapport
def pdf(request, annee: int):
    rapport = rapport_de(annee)
    try:
        contenu = pdf_du_rapport(rapport)
    except FichierAltere as erreur:
        return render(request, "rapport/altere.html", {"erreur": erreur, "annee": annee}, status=500)
    except DelaiDepasse:
        return rendu_trop_long(request, "rapport/delai.html", annee)
    version = "definitif" if rapport.statut == StatutRapport.DEFINITIF else "projet"
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="rapport-politique-ville-{annee}-{version}.pdf"'
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse


@acces_rapport
def projet_transmis(request, annee: int, pk: int):
    """Le projet de rapport tel qu'il a été figé et transmis au lancement d'une consultation."""
    consultation = Consultation.objects.filter(pk=pk, programmation__annee=annee).first()
    if consultation is None or not consultation.projet_pdf:
        raise Http404("Aucun projet transmis pour cette consultation.")
    try:
        contenu = lire_projet(consultation)
    except FichierAltere as erreur:
        return render(
            request,
            "rapport/altere.html",
            {"erreur": erreur, "annee": str(annee), "titre": "Le projet transmis ne peut pas être servi"},
            status=500,
        )
    reponse = HttpResponse(contenu, content_type="application/pdf")
    date = consultation.lancee_le.date().isoformat() if consultation.lancee_le else "transmis"
    reponse["Content-Disposition"] = (
        f'attachment; filename="projet-rapport-politique-ville-{annee}-transmis-{date}.pdf"'
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse


@require_http_methods(["GET", "POST"])
@acces_rapport
def avancer(request, annee: int):
    """La page de confirmation de l'étape suivante : ce qu'elle fera, ce qui l'empêche encore, puis l'étape."""
    if not request.user.has_perm(PERMISSION_APPROBATION):
        raise PermissionDenied("Vous n'avez pas la permission de faire avancer le rapport annuel.")
    rapport = rapport_de(annee)
    etape = etape_suivante(rapport)
    if etape is None:
        messages.error(request, "Le rapport est définitif : il ne change plus.")
        return redirect("rapport:fiche", annee=annee)
    if request.method == "GET":
        form = TransitionRapportForm(vers=etape.vers)
        return render(request, "rapport/confirmer.html", _contexte_confirmation(rapport, annee, etape, form))
    form = TransitionRapportForm(request.POST, vers=etape.vers)
    if form.is_valid():
        if form.cleaned_data["vers"] != etape.vers:
            messages.error(
                request,
                f"Le rapport a changé d'étape entre-temps : il est maintenant « {rapport.get_statut_display()} ».",
            )
            return redirect("rapport:fiche", annee=annee)
        try:
            rapport = faire_avancer_rapport(
                rapport=rapport if rapport.pk else obtenir_rapport(annee=annee),
                vers=etape.vers,
                par=request.user,
                date=form.cleaned_data.get("date"),
                date_limite=form.cleaned_data.get("date_limite"),
                commentaire=form.cleaned_data.get("commentaire", ""),
                en_connaissance_de_cause=form.cleaned_data.get("en_connaissance_de_cause", False),
            )
        except ValidationError as erreur:
            for champ, erreurs in (
                erreur.message_dict if hasattr(erreur, "error_dict") else {None: erreur.messages}
            ).items():
                for message in erreurs:
                    form.add_error(champ if champ in form.fields else None, message)
        else:
            messages.success(
                request, f"Le rapport {annee} est maintenant « {rapport.get_statut_display()} »."
            )
            return redirect("rapport:fiche", annee=annee)
    return render(
        request, "rapport/confirmer.html", _contexte_confirmation(rapport, annee, etape, form), status=400
    )


def _contexte_confirmation(rapport, annee, etape, form) -> dict:
    contexte = {"rapport": rapport, "annee": str(annee), "etape": etape, "vers": etape.vers, "form": form}
    if etape.vers == StatutRapport.DEFINITIF:
        contexte["anomalies"] = controles_du_rapport(contexte_du_rapport(rapport))
    return contexte
