"""En-têtes de sécurité lus sur de vraies réponses, et `check --deploy` du mode production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

RACINE = Path(__file__).resolve().parents[2]
DIRECTIVES_EXIGEES = {"object-src": "'none'", "base-uri": "'none'", "frame-ancestors": "'none'"}


def directives(entete: str) -> dict[str, str]:
    return {
        morceau.split()[0]: " ".join(morceau.split()[1:])
        for morceau in (m.strip() for m in entete.split(";"))
        if morceau
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url,statut",
    [
        ("/connexion/", 200),
        ("/admin/login/", 200),
        ("/admin/", 200),
        ("/admin/programmation/dossier/", 200),
        ("/admin/programmation/dossier/add/", 200),
        ("/page-qui-n-existe-pas/", 404),
    ],
)
def test_csp_appliquee_sur_chaque_page_admin_comprise(client, url, statut):
    if url.startswith("/admin/") and url != "/admin/login/":
        client.force_login(get_user_model().objects.create_superuser("super", password="x-solide-9876543"))
    reponse = client.get(url)
    assert reponse.status_code == statut
    assert "Content-Security-Policy-Report-Only" not in reponse.headers
    csp = directives(reponse.headers["Content-Security-Policy"])
    for directive, valeur in DIRECTIVES_EXIGEES.items():
        assert csp[directive] == valeur, (url, csp)
    assert "'unsafe-inline'" not in reponse.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in reponse.headers["Content-Security-Policy"]
    assert reponse.headers["X-Frame-Options"] == "DENY"
    assert reponse.headers["X-Content-Type-Options"] == "nosniff"
    assert reponse.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_cookies_de_session_et_csrf_httponly(client, django_user_model):
    django_user_model.objects.create_user("agent.cookies", password="Un-mot-de-passe-solide-42")
    client.get("/connexion/")
    reponse = client.post(
        "/connexion/", {"username": "agent.cookies", "password": "Un-mot-de-passe-solide-42"}
    )
    assert reponse.status_code == 302
    session = reponse.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert client.cookies["csrftoken"]["httponly"]


def _production(*args, **env):
    environnement = {
        **os.environ,
        "PRODUCTION": "1",
        "SECRET_KEY": "cle-de-production-longue-et-aleatoire-" + "k8Zq2!vR7#pL" * 4,
        "ALLOWED_HOSTS": "politique-ville.agglo.example",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=RACINE, env=environnement, capture_output=True, text=True
    )


def test_check_deploy_passe_en_production():
    resultat = _production("check", "--deploy", "--fail-level", "WARNING")
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr


def test_production_refuse_une_cle_absente():
    resultat = _production("check", SECRET_KEY="")
    assert resultat.returncode != 0
    assert "SECRET_KEY doit être défini en production" in resultat.stderr


def test_en_tetes_https_en_production(tmp_path):
    """HSTS et cookies « Secure » sur une vraie réponse du mode production (processus séparé, fichiers statiques
    collectés comme en production)."""
    collecte = _production("collectstatic", "--noinput", "-v0", STATIC_ROOT=str(tmp_path))
    assert collecte.returncode == 0, collecte.stderr
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/connexion/', secure=True, headers={'host': 'politique-ville.agglo.example'})\n"
        "print(r.status_code); print(r.headers.get('Strict-Transport-Security'))\n"
        "print(r.cookies['csrftoken']['secure'])\n"
        "r2 = Client().get('/connexion/', headers={'host': 'politique-ville.agglo.example'})\n"
        "print(r2.status_code, r2.headers.get('Location'))\n"
    )
    environnement = {
        **os.environ,
        "PRODUCTION": "1",
        "SECRET_KEY": "cle-de-production-longue-et-aleatoire-" + "k8Zq2!vR7#pL" * 4,
        "ALLOWED_HOSTS": "politique-ville.agglo.example",
        "DJANGO_SETTINGS_MODULE": "contrat_ville.settings",
        "STATIC_ROOT": str(tmp_path),
    }
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=RACINE, env=environnement, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    statut, hsts, cookie_secure, redirection = r.stdout.strip().splitlines()
    assert statut == "200"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert cookie_secure == "True"
    assert redirection == "301 https://politique-ville.agglo.example/connexion/"
