"""Double authentification (TOTP, django-otp) : activation par QR code, vérification après la connexion, et
obligation pour la direction et les agents quand le réglage `OTP_OBLIGATOIRE` le dit (l'admin comprise)."""

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles
from .securite import journal

ROLES_OBLIGES = (roles.AGENT, roles.DIRECTEUR)
CHEMINS_LIBRES = (
    "/connexion/",
    "/deconnexion/",
    "/compte/double-facteur/",
    "/static/",
    "/admin/logout/",
    "/admin/login/",
)


def double_facteur_exige(user) -> bool:
    """Un compte qui a activé la double authentification la passe toujours ; la direction, les agents et les
    superutilisateurs y sont obligés quand OTP_OBLIGATOIRE est vrai."""
    if not user.is_authenticated:
        return False
    if user_has_device(user):
        return True
    if not getattr(settings, "OTP_OBLIGATOIRE", False):
        return False
    return user.is_superuser or user.groups.filter(name__in=ROLES_OBLIGES).exists()


def _suite(request) -> str:
    suite = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(suite, allowed_hosts={request.get_host()}):
        return "/"
    return suite


class MiddlewareDoubleFacteur:
    """Après `OTPMiddleware` : un compte soumis à la double authentification et pas encore vérifié dans cette
    session ne voit que les pages de connexion, de vérification et d'activation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(CHEMINS_LIBRES)
            and not user.is_verified()
            and double_facteur_exige(user)
        ):
            cible = "verifier_double_facteur" if user_has_device(user) else "activer_double_facteur"
            return redirect(f"{reverse(cible)}?next={request.get_full_path()}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres de votre application d'authentification",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@login_required
def verifier(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.devices_for_user(request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["code"]):
                otp_login(request, device)
                journal.info(
                    "double authentification réussie utilisateur=%s adresse=%s",
                    request.user.get_username(),
                    request.META.get("REMOTE_ADDR", "-"),
                )
                return redirect(_suite(request))
        journal.warning(
            "double authentification refusée utilisateur=%s adresse=%s",
            request.user.get_username(),
            request.META.get("REMOTE_ADDR", "-"),
        )
        form.add_error(
            "code", "Ce code n'est pas le bon, ou il a expiré. Saisissez le code affiché maintenant."
        )
    return render(request, "compte/double_facteur_verifier.html", {"form": form, "next": _suite(request)})


@login_required
def activer(request):
    """Crée (ou reprend) un appareil non confirmé, montre son QR code, et le confirme par un premier code."""
    if not request.user.is_staff:
        # Le portail n'en a pas l'usage : ses comptes n'entrent pas dans l'administration.
        return redirect("/")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Application d'authentification", confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save()
                TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
            otp_login(request, device)
            journal.info(
                "double authentification activée utilisateur=%s adresse=%s",
                request.user.get_username(),
                request.META.get("REMOTE_ADDR", "-"),
            )
            return redirect(_suite(request))
        form.add_error(
            "code", "Ce code ne correspond pas : vérifiez l'heure de votre téléphone et réessayez."
        )
    qr = segno.make(device.config_url, error="m")
    contexte = {
        "form": form,
        "qr_svg": qr.svg_inline(scale=4, title="QR code à scanner avec votre application d'authentification"),
        "secret": device.config_url.split("secret=")[1].split("&")[0],
        "next": _suite(request),
        "deja_actif": user_has_device(request.user),
    }
    return render(request, "compte/double_facteur_activer.html", contexte)
