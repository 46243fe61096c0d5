"""Rendu PDF borné, commun au rapport, aux lettres de notification et aux conventions : WeasyPrint dans un
processus enfant tué à sa limite de temps, qui ne lit que nos fichiers statiques.

Le processus enfant (`noyau.moteur_pdf`) part d'un serveur de processus qui a déjà chargé WeasyPrint : le démarrer
coûte quelques millisecondes. S'il dépasse `WEASYPRINT_TIMEOUT`, il est tué — une exception levée dans le fil
du rendu n'interrompt pas le code C de Pango ou de HarfBuzz, un processus tué, si.
"""

import functools
import multiprocessing
import time

from django.conf import settings
from django.contrib.staticfiles import finders

from . import moteur_pdf

# Le serveur de processus précharge WeasyPrint une fois ; chaque rendu en est une copie, sans connexion à la base
# ni fil hérité du worker web.
_contexte_processus = multiprocessing.get_context("forkserver")
_contexte_processus.set_forkserver_preload(["noyau.moteur_pdf"])


class DelaiDepasse(Exception):
    """Le rendu du PDF a dépassé sa limite de temps."""


class RenduImpossible(Exception):
    """WeasyPrint a échoué dans le processus enfant (document invalide, ressource refusée)."""


def limite_affichee() -> str:
    """WEASYPRINT_TIMEOUT à la française, pour les messages : « 60 », « 0,3 »."""
    return f"{settings.WEASYPRINT_TIMEOUT:g}".replace(".", ",")


@functools.cache
def fichiers_statiques() -> dict[str, str]:
    """Chaque fichier statique du projet et de ses applications, par son chemin sous STATIC_URL (premier trouvé)."""
    fichiers: dict[str, str] = {}
    for finder in finders.get_finders():
        for chemin, stockage in finder.list([]):
            fichiers.setdefault(chemin.replace("\\", "/"), stockage.path(chemin))
    return fichiers


def recuperateur() -> moteur_pdf.RecuperateurStatique:
    """Le récupérateur d'URL du rendu, tel que le processus enfant le construit."""
    return moteur_pdf.RecuperateurStatique(fichiers_statiques(), settings.STATIC_URL)


def rendre_pdf(html: str, *, delai: float | None = None) -> bytes:
    """PDF d'un document HTML, rendu dans un processus enfant tué au-delà de `delai` secondes."""
    delai = delai if delai is not None else settings.WEASYPRINT_TIMEOUT
    recepteur, emetteur = _contexte_processus.Pipe(duplex=False)
    enfant = _contexte_processus.Process(
        target=moteur_pdf.executer,
        args=(emetteur, html, fichiers_statiques(), settings.STATIC_URL),
        name="rendu-pdf",
        daemon=True,
    )
    enfant.start()
    emetteur.close()
    echeance = time.monotonic() + delai
    try:
        if not recepteur.poll(max(0.0, echeance - time.monotonic())):
            raise DelaiDepasse(f"Le rendu du PDF a dépassé {delai:g} s.")
        try:
            etat, valeur = recepteur.recv()
        except EOFError as erreur:  # l'enfant est mort sans répondre (mémoire, signal)
            raise RenduImpossible("Le processus de rendu s'est arrêté sans produire de PDF.") from erreur
    finally:
        recepteur.close()
        if enfant.is_alive():
            enfant.kill()
        enfant.join()
        enfant.close()
    if etat != "ok":
        raise RenduImpossible(valeur)
    return valeur
