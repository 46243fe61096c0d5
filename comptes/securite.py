"""Journal de sécurité (logger `contrat_ville.securite`) : connexions, échecs, déconnexions, accès refusés.

On y écrit l'identifiant, l'adresse et l'heure, jamais un mot de passe.
"""

import datetime
import logging
import math

from django.conf import settings
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone

from journal.audit import adresse_client

from .models import CompteurConnexion

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


# --- Frein des connexions --------------------------------------------------------------------------------------
#
# Trois compteurs, en base (partagés par les processus web), remis à zéro après `CONNEXION_FENETRE` sans échec :
# - le couple (compte, adresse) : `CONNEXION_ESSAIS_LIBRES` échecs sans frein, puis un délai qui double à chaque
#   échec (`CONNEXION_DELAI_INITIAL`, jusqu'à `CONNEXION_DELAI_MAX`) ; une réussite le remet à zéro. Un inconnu
#   qui essaie des mots de passe depuis son adresse ne freine que lui : le titulaire se connecte depuis la sienne ;
# - l'adresse : au-delà de `CONNEXION_LIMITE_ADRESSE` échecs (tous comptes confondus, l'adresse partagée d'une
#   mairie en a de la marge), elle attend `CONNEXION_DELAI_ADRESSE` ;
# - le compte : jamais verrouillé ; au-delà de `CONNEXION_ALERTE_COMPTE` échecs, toutes adresses confondues, le
#   service est prévenu par courriel (une fois par fenêtre).
# L'adresse est celle du client réel (`journal.audit.adresse_client`, proxy de confiance compris).

Genre = CompteurConnexion.Genre


def _reglage(nom: str, defaut):
    return getattr(settings, nom, defaut)


def _compte(username) -> str:
    return str(username or "").strip().lower()[:150]


def _compteur_libre_dans(genre: str, cle: str, maintenant) -> int:
    libre_le = (
        CompteurConnexion.objects.filter(genre=genre, cle=cle, libre_le__gt=maintenant)
        .values_list("libre_le", flat=True)
        .first()
    )
    return math.ceil((libre_le - maintenant).total_seconds()) if libre_le else 0


def delai_restant(request, username) -> int:
    """Secondes avant qu'une connexion de ce compte depuis cette adresse soit de nouveau examinée (0 : libre)."""
    adresse = _adresse(request)
    maintenant = timezone.now()
    return max(
        _compteur_libre_dans(Genre.PAIRE, f"{_compte(username)}|{adresse}", maintenant),
        _compteur_libre_dans(Genre.ADRESSE, adresse, maintenant),
    )


def _incrementer(genre: str, cle: str, maintenant) -> CompteurConnexion:
    fenetre = _reglage("CONNEXION_FENETRE", datetime.timedelta(hours=1))
    compteur, cree = CompteurConnexion.objects.select_for_update().get_or_create(
        genre=genre, cle=cle, defaults={"premier_echec": maintenant, "dernier_echec": maintenant, "echecs": 1}
    )
    if not cree:
        if compteur.dernier_echec < maintenant - fenetre:
            compteur.echecs, compteur.premier_echec, compteur.libre_le, compteur.alerte_le = (
                0,
                maintenant,
                None,
                None,
            )
        compteur.echecs += 1
        compteur.dernier_echec = maintenant
    return compteur


def delai_apres(echecs: int) -> datetime.timedelta:
    """Le délai imposé au couple (compte, adresse) après `echecs` échecs : nul, puis doublé à chaque échec."""
    libres = _reglage("CONNEXION_ESSAIS_LIBRES", 5)
    if echecs < libres:
        return datetime.timedelta(0)
    initial = _reglage("CONNEXION_DELAI_INITIAL", datetime.timedelta(seconds=30))
    maximum = _reglage("CONNEXION_DELAI_MAX", datetime.timedelta(minutes=15))
    return min(initial * 2 ** min(echecs - libres, 20), maximum)


@transaction.atomic
def enregistrer_echec(request, username, *, freine: bool) -> None:
    """Compte un échec. Une tentative déjà freinée ne rallonge pas le frein, mais compte pour l'alerte du compte."""
    maintenant = timezone.now()
    compte = _compte(username)
    adresse = _adresse(request)
    if not freine:
        paire = _incrementer(Genre.PAIRE, f"{compte}|{adresse}", maintenant)
        delai = delai_apres(paire.echecs)
        paire.libre_le = maintenant + delai if delai else None
        paire.save()
        par_adresse = _incrementer(Genre.ADRESSE, adresse, maintenant)
        if par_adresse.echecs >= _reglage("CONNEXION_LIMITE_ADRESSE", 50):
            par_adresse.libre_le = maintenant + _reglage(
                "CONNEXION_DELAI_ADRESSE", datetime.timedelta(minutes=15)
            )
            journal.warning("adresse freinée adresse=%s échecs=%s", adresse, par_adresse.echecs)
        par_adresse.save()
    if not compte:
        return
    par_compte = _incrementer(Genre.COMPTE, compte, maintenant)
    if par_compte.echecs >= _reglage("CONNEXION_ALERTE_COMPTE", 20) and par_compte.alerte_le is None:
        par_compte.alerte_le = maintenant
        transaction.on_commit(lambda: _alerter(compte, par_compte.echecs, adresse))
    par_compte.save()


def _alerter(compte: str, echecs: int, adresse: str) -> None:
    journal.warning("alerte au service : échecs répétés utilisateur=%s échecs=%s", compte, echecs)
    destinataire = _reglage("COURRIEL_ALERTES_SECURITE", "") or settings.DEFAULT_FROM_EMAIL
    message = EmailMessage(
        subject=f"Connexions refusées en série pour le compte {compte}",
        body=(
            f"Bonjour,\n\n{echecs} tentatives de connexion ont échoué pour le compte « {compte} » "
            f"depuis moins d'une heure (dernière adresse : {adresse}).\n\n"
            "Le compte n'est pas verrouillé : chaque adresse qui se trompe est freinée, le titulaire peut toujours "
            "se connecter depuis la sienne. Si ces tentatives ne viennent pas de lui, prévenez-le et, au besoin, "
            "changez son mot de passe.\n\nLe service Politique de la Ville"
        ),
        to=[destinataire],
    )
    try:
        message.send()
    except OSError:  # serveur de courriel injoignable : l'alerte reste au journal de sécurité
        journal.exception("alerte au service non envoyée utilisateur=%s", compte)


def reussite(request, username) -> None:
    CompteurConnexion.objects.filter(
        genre=Genre.PAIRE, cle=f"{_compte(username)}|{_adresse(request)}"
    ).delete()


class FreinConnexionBackend(BaseBackend):
    """Premier des backends : refuse sans examiner le mot de passe une tentative freinée. Hors requête (scripts,
    `client.login` des tests), il n'y a ni adresse ni tentative à compter : il laisse la main à ModelBackend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or username is None:
            return None
        secondes = delai_restant(request, username)
        if secondes:
            request.connexion_freinee = secondes
            raise PermissionDenied  # authenticate() s'arrête là et signale un échec
        return None

    def get_user(self, user_id):
        # `force_login` (tests, scripts) retient le premier backend : la session doit retrouver son utilisateur.
        return ModelBackend().get_user(user_id)


@receiver(user_login_failed, dispatch_uid="securite.frein")
def compter_echec(sender, credentials, request=None, **kwargs):
    if request is not None:
        enregistrer_echec(
            request, credentials.get("username"), freine=bool(getattr(request, "connexion_freinee", 0))
        )


@receiver(user_logged_in, dispatch_uid="securite.frein_reussite")
def remettre_a_zero(sender, request, user, **kwargs):
    if request is not None:
        reussite(request, user.get_username())


def _duree(secondes: int) -> str:
    if secondes < 60:
        return f"{secondes} seconde{'s' if secondes > 1 else ''}"
    minutes = math.ceil(secondes / 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


class MiddlewareFreinConnexion:
    """Une tentative freinée reçoit une réponse 429 en français, avec `Retry-After`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        secondes = getattr(request, "connexion_freinee", 0)
        if not secondes:
            return response
        journal.warning(
            "connexion freinée utilisateur=%s adresse=%s secondes=%s",
            _compte(request.POST.get("username")) or "-",
            _adresse(request),
            secondes,
        )
        reponse = render(request, "registration/verrouillage.html", {"duree": _duree(secondes)}, status=429)
        reponse["Retry-After"] = str(secondes)
        return reponse
