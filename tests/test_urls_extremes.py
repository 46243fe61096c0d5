"""Aucune URL ne répond 500 à un paramètre de chemin extrême : chaque route du résolveur, chaque paramètre remplacé
par un identifiant de 20 chiffres (qui déborde un bigint), un nombre négatif ou du texte, pour chaque rôle.

Lancé sur SQLite par défaut et sur PostgreSQL avec DATABASE_URL (CI) : les deux bases débordent différemment.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.test_matrice_droits import ROLES, client_de, monde, routes_du_produit  # noqa: F401 - fixture

VALEURS_EXTREMES = ["99999999999999999999", "123456789", "-1", "9" * 300]


def urls_extremes():
    urls = set()
    for route, _nom in routes_du_produit():
        if "<" not in route and "(?P<" not in route:
            continue
        for valeur in VALEURS_EXTREMES:
            url = re.sub(r"<(?:\w+:)?\w+>", valeur, route)
            url = re.sub(r"\(\?P<\w+>[^)]*\)", valeur, url)
            url = url.lstrip("^").rstrip("$").replace("\\", "")
            if re.search(r"[()\[\]*+?|]", url):
                continue  # motif régulier qu'on ne sait pas remplir : compté plus bas
            urls.add("/" + url)
    return sorted(urls)


def test_le_balayage_couvre_les_routes_a_identifiant():
    urls = urls_extremes()
    assert "/portail/consultations/99999999999999999999/" in urls
    assert "/portail/consultations/99999999999999999999/projet-de-rapport.pdf" in urls
    assert "/rapport-annuel/99999999999999999999/" in urls
    assert any(u.startswith("/admin/programmation/dossier/99999999999999999999/") for u in urls)
    assert len(urls) > 100


@pytest.mark.django_db
def test_aucune_url_ne_repond_500_a_un_identifiant_extreme(monde):  # noqa: F811
    superutilisateur = get_user_model().objects.create_superuser("m.super", "super@agglo.example")
    clients = {role: client_de(role, monde) for role in ROLES}
    clients["superutilisateur"] = Client()
    clients["superutilisateur"].force_login(superutilisateur)
    erreurs = []
    for url in urls_extremes():
        for role, client in clients.items():
            client.raise_request_exception = False
            reponse = client.get(url)
            if reponse.streaming:
                b"".join(reponse.streaming_content)
            if reponse.status_code >= 500:
                erreurs.append(f"{role} {url} → {reponse.status_code}")
    assert erreurs == [], "\n".join(erreurs)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/portail/consultations/99999999999999999999/",
        "/portail/consultations/99999999999999999999/projet-de-rapport.pdf",
        "/portail/avis/99999999999999999999/deliberation.pdf",
        "/rapport-annuel/99999999999999999999/",
    ],
)
def test_identifiant_de_20_chiffres_404(monde, url):  # noqa: F811
    for role in ("commune", "directeur"):
        assert client_de(role, monde).get(url).status_code == 404


def test_les_convertisseurs_bornent_les_identifiants():
    assert (
        reverse("avis:consultation", args=[123456789012345678])
        == "/portail/consultations/123456789012345678/"
    )
    with pytest.raises(Exception, match="NoReverseMatch|Reverse"):
        reverse("avis:consultation", args=["1234567890123456789"])
