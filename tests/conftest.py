"""Fixtures partagées des tests.

La suite tourne sur chaque cœur avec pytest-xdist (`make test`) : chaque worker est une session à part, avec sa
base de test (pytest-django suffixe son nom, `_gw0`, `_gw1`…), son référentiel chargé une fois et son dossier
VAR_DIR temporaire ; rien n'est écrit dans un chemin partagé.
"""

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.fixture(scope="session", autouse=True)
def dossier_var(tmp_path_factory):
    """VAR_DIR (fichiers déposés, sauvegardes, fichiers statiques collectés) dans un dossier temporaire propre à
    la session, donc à chaque worker : aucun test n'écrit dans var/ du dépôt ni dans le dossier d'un autre
    worker. Les commandes lancées en sous-processus le reçoivent par la variable d'environnement VAR_DIR."""
    var = tmp_path_factory.mktemp("var")
    dossiers = override_settings(
        VAR_DIR=var,
        MEDIA_ROOT=var / "media",
        STATIC_ROOT=var / "staticfiles",
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": var / "cache",
            }
        },
    )
    with pytest.MonkeyPatch.context() as mp, dossiers:
        mp.setenv("VAR_DIR", str(var))
        yield var


@pytest.fixture(autouse=True)
def cache_vide():
    """Chaque test part d'un cache vide : un test annulé (rollback) n'a pas prévenu le cache de ce qu'il
    défaisait, et le référentiel qu'il y a laissé ne serait plus celui de la base."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def session_prolongee_une_fois(settings):
    """La session n'est prolongée (réécrite) qu'à la première requête d'un test : un test qui compte les requêtes
    d'une page ne dépend pas de la minute où il tombe. tests/comptes/test_comptes.py remet la minute."""
    settings.RENOUVELLEMENT_SESSION = 24 * 3600


@pytest.fixture(scope="session", autouse=True)
def hachage_rapide():
    """Les mots de passe des comptes de test hachés en MD5 : le PBKDF2 de production coûte ~0,5 s par hachage et
    par connexion (une minute de la suite), et aucun test ne vérifie l'algorithme de hachage."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Le référentiel (communes, quartiers, piliers, financeurs) est chargé une fois par session (par worker)."""
    with django_db_blocker.unblock():
        call_command("charger_referentiel", verbosity=0)


@pytest.fixture(scope="session")
def pdf_deja_rendus():
    """Les PDF rendus par WeasyPrint pendant la session, par HTML et délai de rendu."""
    return {}


@pytest.fixture(autouse=True)
def rendu_pdf_partage(pdf_deja_rendus, monkeypatch, settings):
    """Un HTML déjà mis en page dans la session n'est pas rendu de nouveau : ses octets sont repris.

    Des dizaines de tests figent le même projet de rapport (la fixture `consultation` lance une consultation,
    et le lancement rend le projet en PDF, ~2 s à chaque fois). WeasyPrint rend un même HTML en les mêmes octets :
    ce qu'ils vérifient ne change pas. Tout le reste du chemin (contexte, gabarit, stockage, empreinte) s'exécute ;
    un rendu qui échoue (délai dépassé) n'est jamais gardé, et le délai fait partie de la clé."""
    from noyau import pdf

    rendre = pdf.rendre_pdf

    def rendre_une_fois(html: str, *, delai: float | None = None) -> bytes:
        cle = (html, delai if delai is not None else settings.WEASYPRINT_TIMEOUT)
        if cle not in pdf_deja_rendus:
            pdf_deja_rendus[cle] = rendre(html, delai=delai)
        return pdf_deja_rendus[cle]

    monkeypatch.setattr(pdf, "rendre_pdf", rendre_une_fois)


@pytest.fixture
def donnees_demo(db):
    """Les années 2020 et 2021 de démonstration, le FCS et les fonds de concours (sans les comptes)."""
    from fcs import demo as demo_fcs
    from programmation import demo as demo_programmation

    demo_programmation.charger()
    demo_fcs.charger()
