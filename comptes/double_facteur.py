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
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from journal.audit import adresse_client

from . import roles
from .securite import journal

ROLES_OBLIGES = (roles.AGENT, roles.DIRECTEUR)
NB_CODES_DE_SECOURS = 10
CHEMINS_LIBRES = (
    "/connexion/",
    "/deconnexion/",
    "/compte/double-facteur/",
    "/static/",
    "/admin/logout/",
    "/admin/login/",
)


def a_un_telephone(user) -> bool:
    """Un appareil TOTP confirmé. Les codes de secours n'en tiennent pas lieu : ils ne servent qu'à défaut du
    téléphone à la vérification, et un compte dont l'appareil a été retiré en enregistre un nouveau."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def double_facteur_exige(user) -> bool:
    """Un compte qui a activé la double authentification la passe toujours ; la direction, les agents et les
    superutilisateurs y sont obligés quand OTP_OBLIGATOIRE est vrai."""
    if not user.is_authenticated:
        return False
    if a_un_telephone(user):
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
            cible = "verifier_double_facteur" if a_un_telephone(user) else "activer_double_facteur"
            return redirect(f"{reverse(cible)}?next={request.get_full_path()}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres de votre application d'authentification",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CodeOuSecoursForm(CodeForm):
    """À la connexion : le code de l'application, ou l'un des codes de secours (8 caractères, une fois chacun)."""

    code = forms.CharField(
        label="Code à 6 chiffres de votre application, ou l'un de vos codes de secours",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )


def nouveaux_codes_de_secours(user) -> list[str]:
    """Remplace les codes de secours du compte par NB_CODES_DE_SECOURS codes neufs, utilisables une fois chacun."""
    StaticDevice.objects.filter(user=user).delete()
    appareil = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(NB_CODES_DE_SECOURS)]
    StaticToken.objects.bulk_create([StaticToken(device=appareil, token=c) for c in codes])
    return codes


@login_required
def verifier(request):
    form = CodeOuSecoursForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Le code de l'application, ou un code de secours (consommé par sa vérification).
        device = match_token(request.user, form.cleaned_data["code"].strip().lower())
        if device is not None:
            otp_login(request, device)
            journal.info(
                "double authentification réussie utilisateur=%s adresse=%s%s",
                request.user.get_username(),
                adresse_client(request) or "-",
                " (code de secours)" if isinstance(device, StaticDevice) else "",
            )
            return redirect(_suite(request))
        journal.warning(
            "double authentification refusée utilisateur=%s adresse=%s",
            request.user.get_username(),
            adresse_client(request) or "-",
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
                codes = nouveaux_codes_de_secours(request.user)
            otp_login(request, device)
            journal.info(
                "double authentification activée utilisateur=%s adresse=%s",
                request.user.get_username(),
                adresse_client(request) or "-",
            )
            # Les codes de secours ne se montrent qu'une fois, ici.
            return render(
                request, "compte/double_facteur_codes.html", {"codes": codes, "suite": _suite(request)}
            )
        form.add_error(
            "code", "Ce code ne correspond pas : vérifiez l'heure de votre téléphone et réessayez."
        )
    qr = segno.make(device.config_url, error="m")
    contexte = {
        "form": form,
        "qr_svg": qr.svg_inline(scale=4, title="QR code à scanner avec votre application d'authentification"),
        "secret": device.config_url.split("secret=")[1].split("&")[0],
        "next": _suite(request),
        "deja_actif": a_un_telephone(request.user),
    }
    return render(request, "compte/double_facteur_activer.html", contexte)
