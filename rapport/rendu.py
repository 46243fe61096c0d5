"""Rendu du rapport : HTML par les gabarits Django, PDF par WeasyPrint dans un processus enfant borné dans le temps.

Le processus enfant (`moteur_pdf`) part d'un serveur de processus qui a déjà chargé WeasyPrint : le démarrer
coûte quelques millisecondes. S'il dépasse `WEASYPRINT_TIMEOUT`, il est tué — une exception levée dans le fil
du rendu n'interrompt pas le code C de Pango ou de HarfBuzz, un processus tué, si.
"""

import functools
import multiprocessing
import time

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from noyau.empreintes import fichier_verifie

from . import moteur_pdf
from .contexte import contexte_du_rapport
from .enums import StatutRapport
from .models import RapportAnnuel

GABARIT_PDF = "rapport/document.html"
# Le serveur de processus précharge WeasyPrint une fois ; chaque rendu en est une copie, sans connexion à la base
# ni fil hérité du worker web.
_contexte_processus = multiprocessing.get_context("forkserver")
_contexte_processus.set_forkserver_preload(["rapport.moteur_pdf"])


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
            raise DelaiDepasse(f"Le rendu du rapport a dépassé {delai:g} s.")
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


def pdf_a_enregistrer(contexte: dict, *, document: str, sinon: str) -> bytes:
    """Le PDF du rapport pour un contexte donné, à stocker par une écriture atomique : un rendu trop long devient
    une ValidationError en français (« `document` n'a pas pu être produit … `sinon` ; réessayez … »)."""
    try:
        return rendre_pdf(render_to_string(GABARIT_PDF, contexte))
    except DelaiDepasse as erreur:
        raise ValidationError(
            f"{document} n'a pas pu être produit : sa mise en page a dépassé la limite de {limite_affichee()} s. "
            f"{sinon} ; réessayez, et prévenez l'administrateur si cela se répète."
        ) from erreur


def html_du_rapport(rapport: RapportAnnuel) -> str:
    return render_to_string(GABARIT_PDF, contexte_du_rapport(rapport, pour_pdf=True))


def pdf_stocke(rapport: RapportAnnuel) -> bytes:
    return fichier_verifie(
        rapport.pdf_definitif,
        rapport.empreinte_sha256,
        f"Le PDF définitif du rapport {rapport.programmation.annee}",
    )


def pdf_du_rapport(rapport: RapportAnnuel) -> bytes:
    """Le PDF définitif tel qu'approuvé (empreinte vérifiée), sinon un projet rendu à partir des données."""
    if rapport.statut == StatutRapport.DEFINITIF and rapport.pdf_definitif:
        return pdf_stocke(rapport)
    return rendre_pdf(html_du_rapport(rapport))
