"""Journal de sécurité (logger `contrat_ville.securite`) : connexions, échecs, déconnexions, accès refusés.

On y écrit l'identifiant, l'adresse et l'heure, jamais un mot de passe.
"""

import logging

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.shortcuts import render

from journal.audit import adresse_client

journal = logging.getLogger("securite")


def _adresse(request) -> str:
    return (adresse_client(request) if request is not None else None) or "-"


@receiver(user_logged_in, dispatch_uid="securite.connexion")
def connexion(sender, request, user, **kwargs):
    journal.info("connexion réussie utilisateur=%s adresse=%s", user.get_username(), _adresse(request))


@receiver(user_logged_out, dispatch_uid="securite.deconnexion")
def deconnexion(sender, request, user, **kwargs):
    nom = user.get_username() if user is not None else "-"
    journal.info("déconnexion utilisateur=%s adresse=%s", nom, _adresse(request))


@receiver(user_login_failed, dispatch_uid="securite.echec")
def echec(sender, credentials, request=None, **kwargs):
    # `credentials` contient le mot de passe (masqué par Django, mais on n'en garde que l'identifiant).
    nom = credentials.get("username", "-")
    journal.warning("échec de connexion utilisateur=%s adresse=%s", nom, _adresse(request))


class MiddlewareAccesRefuses:
    """Trace les réponses 403 et 404 (accès refusé, objet d'un autre organisme) avec l'utilisateur."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (401, 403, 404):
            user = getattr(request, "user", None)
            nom = user.get_username() if user is not None and user.is_authenticated else "anonyme"
            journal.warning(
                "accès refusé statut=%s utilisateur=%s adresse=%s chemin=%s",
                response.status_code,
                nom,
                _adresse(request),
                request.path,
            )
        return response


class AxesBackend(AxesStandaloneBackend):
    """Le verrou de django-axes pour les connexions par le web. Hors requête (scripts, `client.login` des tests),
    il n'y a ni adresse ni tentative à compter : on laisse la main à ModelBackend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def reponse_verrouillage(request, original_response=None, credentials=None):
    """Réponse 429 en français quand trop d'échecs ont suspendu la connexion (compte ou adresse)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    nom = (credentials or {}).get("username") or request.POST.get("username", "-")
    journal.warning("connexion suspendue utilisateur=%s adresse=%s", nom, _adresse(request))
    return render(
        request,
        "registration/verrouillage.html",
        {"minutes": minutes, "limite": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
