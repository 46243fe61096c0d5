"""Pages d'erreur en français, à l'allure du produit, avec le contact du service là où il aide."""

import pytest
from django.test import Client

from noyau.erreurs import page_erreur
from tests.comptes import utilisateur

pytestmark = pytest.mark.django_db

ANGLAIS = ("Not Found", "Server Error", "Bad Request", "Forbidden", "CSRF verification failed")


def _francaise(reponse, titre):
    page = reponse.content.decode()
    assert f"<h1>{titre}</h1>" in page
    assert '<html lang="fr"' in page or 'lang="fr-fr"' in page or 'lang="fr"' in page
    for mot in ANGLAIS:
        assert mot not in page
    return page


def test_404_du_portail_et_du_site(client):
    reponse = client.get("/portail/consultations/99999999999999999999/")
    assert reponse.status_code == 404
    page = _francaise(reponse, "Page introuvable")
    assert "css/site.css" in page and 'href="/portail/"' in page


def test_404_des_pages_du_personnel_a_l_allure_de_l_administration(admin_client):
    reponse = admin_client.get("/admin/programmation/nexiste-pas/")
    assert reponse.status_code == 404
    page = _francaise(reponse, "Page introuvable")
    assert "Politique de la Ville – Contrat de ville" in page  # l'en-tête de l'administration
    assert "admin/css/base.css" in page


def test_500_en_francais_avec_le_contact_du_service(settings):
    settings.ROOT_URLCONF = "tests.noyau.urls_panne"
    client = Client(raise_request_exception=False)
    for url, feuille in (("/panne/", "css/site.css"), ("/portail/panne/", "css/site.css")):
        reponse = client.get(url)
        assert reponse.status_code == 500
        page = _francaise(reponse, "Erreur du serveur")
        assert settings.CONTACT_SERVICE in page
        assert feuille in page


def test_400_hote_inconnu(client):
    reponse = client.get("/connexion/", HTTP_HOST="mechant.example")
    assert reponse.status_code == 400
    _francaise(reponse, "Requête invalide")


def test_403_formulaire_expire():
    reponse = Client(enforce_csrf_checks=True).post("/connexion/", {"username": "x", "password": "y"})
    assert reponse.status_code == 403
    page = _francaise(reponse, "Accès refusé")
    assert "Le formulaire a expiré" in page


def test_403_d_une_page_refusee(client):
    client.force_login(utilisateur("e.sans.role", staff=False))
    reponse = client.get("/rapport-annuel/")
    assert reponse.status_code == 403
    _francaise(reponse, "Accès refusé")


@pytest.mark.parametrize(
    ("statut", "titre"), [(429, "Trop de demandes"), (503, "Service momentanément indisponible")]
)
def test_429_et_503(rf, settings, statut, titre):
    reponse = page_erreur(rf.get("/portail/"), statut, avec_requete=False)
    assert reponse.status_code == statut
    page = _francaise(reponse, titre)
    assert settings.CONTACT_SERVICE in page
