"""Les courriels de la consultation : invitation, relance, accusé de réception ; rendus par gabarits."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def lien_invitation(utilisateur) -> str:
    """Lien personnel pour choisir son mot de passe : jeton de Django, valable PASSWORD_RESET_TIMEOUT secondes,
    invalidé dès que le mot de passe change ou que le compte se connecte."""
    uid = urlsafe_base64_encode(force_bytes(utilisateur.pk))
    jeton = default_token_generator.make_token(utilisateur)
    return settings.SITE_URL + reverse("avis:invitation", kwargs={"uidb64": uid, "token": jeton})


def envoyer(gabarit: str, destinataire: str, contexte: dict) -> None:
    contexte = {**contexte, "site_url": settings.SITE_URL}
    sujet = render_to_string(f"avis/courriels/{gabarit}_sujet.txt", contexte).strip()
    corps = render_to_string(f"avis/courriels/{gabarit}.txt", contexte)
    EmailMessage(subject=sujet, body=corps, to=[destinataire]).send()
