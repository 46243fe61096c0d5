"""Pages d'erreur en français (400, 403, 404, 429, 500, 503), à l'allure du produit : celle de l'administration
pour les pages du personnel (`/admin/`), celle du site pour le portail et les pages du directeur.

Branchées dans `contrat_ville/urls.py` (handler400, handler403, handler404, handler500) et `CSRF_FAILURE_VIEW` ;
`page_erreur` sert aux autres réponses (429 du frein des connexions, 503). Les pages 500 et 503 sont rendues sans
la requête : ni session ni base, qui peuvent être la cause de la panne.
"""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

PAGES = {
    400: (
        "Requête invalide",
        "La demande reçue n'a pas pu être comprise (adresse ou formulaire mal formé). "
        "Revenez à la page précédente et réessayez.",
        False,
    ),
    403: (
        "Accès refusé",
        "Votre compte ne donne pas accès à cette page, ou le formulaire a expiré. "
        "Si vous pensez que c'est une erreur, écrivez au service.",
        True,
    ),
    404: (
        "Page introuvable",
        "Cette page n'existe pas, n'est plus disponible ou ne vous est pas ouverte. "
        "Vérifiez l'adresse, ou repartez de l'accueil.",
        False,
    ),
    429: (
        "Trop de demandes",
        "Trop de demandes sont arrivées depuis votre adresse en peu de temps. Patientez quelques minutes avant de "
        "réessayer.",
        True,
    ),
    500: (
        "Erreur du serveur",
        "Une erreur inattendue empêche d'afficher cette page. Elle a été enregistrée ; réessayez dans quelques "
        "minutes. Si elle se répète, écrivez au service en indiquant l'adresse de la page et l'heure.",
        True,
    ),
    503: (
        "Service momentanément indisponible",
        "Le service est en maintenance ou trop sollicité. Réessayez dans quelques minutes.",
        True,
    ),
}


def _contexte(chemin: str, statut: int, message: str | None = None) -> tuple[str, dict]:
    titre, texte, avec_contact = PAGES[statut]
    personnel = chemin.startswith("/admin/")
    contexte = {
        "statut": statut,
        "titre": titre,
        "message": message or texte,
        "contact": settings.CONTACT_SERVICE if avec_contact else "",
        "accueil": "/admin/" if personnel else ("/portail/" if chemin.startswith("/portail/") else "/"),
        # Ce qu'attend le gabarit de l'administration (en-tête, titre de l'onglet) ; pas de menu de l'utilisateur.
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
        "title": titre,
        "has_permission": False,
        "is_popup": False,
    }
    return ("erreurs/admin.html" if personnel else "erreurs/site.html"), contexte


def page_erreur(
    request, statut: int, message: str | None = None, *, avec_requete: bool = True
) -> HttpResponse:
    gabarit, contexte = _contexte(request.path if request is not None else "/", statut, message)
    if avec_requete and request is not None:
        return render(request, gabarit, contexte, status=statut)
    return HttpResponse(render_to_string(gabarit, contexte), status=statut)


def requete_invalide(request, exception=None):
    return page_erreur(request, 400)


def acces_refuse(request, exception=None):
    return page_erreur(request, 403)


def introuvable(request, exception=None):
    return page_erreur(request, 404)


def erreur_serveur(request):
    return page_erreur(request, 500, avec_requete=False)


def echec_csrf(request, reason=""):
    return page_erreur(
        request,
        403,
        "Le formulaire a expiré ou a été envoyé depuis une autre page. Rechargez la page puis recommencez ; "
        "si vous utilisez plusieurs onglets, fermez les autres.",
    )
