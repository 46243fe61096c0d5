"""Rendu du rapport : HTML par les gabarits Django, PDF par WeasyPrint avec un récupérateur d'URL fermé.

WeasyPrint lit par défaut `file://` et le réseau, et joint au PDF tout `<link rel="attachment">`. Ici il
ne reçoit que nos fichiers statiques ; toute autre adresse est refusée, les pièces jointes sont retirées du
document avant l'écriture, et le rendu est borné dans le temps.
"""

import ctypes
import hashlib
import logging
import mimetypes
import signal
import sys
import threading
import time
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from programmation.enums import StatutRapport
from programmation.models import RapportAnnuel

from .contexte import contexte_du_rapport

journal = logging.getLogger("contrat_ville.securite")

# Adresse fictive servant de base aux URL relatives du document : elle ne se résout jamais sur le réseau,
# seul notre récupérateur la comprend.
BASE_URL = "https://rapport.invalid/"
GABARIT_PDF = "rapport/document.html"


class RapportAltere(Exception):
    """Le PDF définitif stocké ne correspond plus à son empreinte SHA-256."""


class DelaiDepasse(Exception):
    """Le rendu du PDF a dépassé sa limite de temps."""


def limite_affichee() -> str:
    """WEASYPRINT_TIMEOUT à la française, pour les messages : « 60 », « 0,3 »."""
    return f"{settings.WEASYPRINT_TIMEOUT:g}".replace(".", ",")


class RecuperateurStatique(URLFetcher):
    """Ne sert que les fichiers statiques du projet (trouvés par `staticfiles`), avant une échéance."""

    def __init__(self, echeance: float | None = None):
        super().__init__(timeout=1, allowed_protocols=())
        self.echeance = echeance

    def fetch(self, url, headers=None):
        if self.echeance is not None and time.monotonic() > self.echeance:
            raise DelaiDepasse(f"Délai de rendu dépassé en récupérant {url}")
        morceaux = urlsplit(url)
        prefixe = urlsplit(BASE_URL + settings.STATIC_URL.lstrip("/")).path
        if (
            f"{morceaux.scheme}://{morceaux.netloc}/" != BASE_URL
            or not morceaux.path.startswith(prefixe)
            or morceaux.query
        ):
            journal.warning("Rendu PDF : adresse refusée %s", url[:200])
            raise ValueError(f"Adresse refusée par le rendu du rapport : {url[:200]}")
        relatif = unquote(morceaux.path[len(prefixe) :])
        if not relatif or ".." in relatif.split("/") or relatif.startswith("/"):
            raise ValueError(f"Adresse refusée par le rendu du rapport : {url[:200]}")
        chemin = finders.find(relatif)
        if not chemin:
            raise ValueError(f"Fichier statique introuvable : {relatif}")
        with open(chemin, "rb") as fichier:
            contenu = fichier.read()
        type_mime = mimetypes.guess_type(chemin)[0] or "application/octet-stream"
        return URLFetcherResponse(url, contenu, {"Content-Type": type_mime})


def _dans_un_destructeur(frame) -> bool:
    """Une exception levée dans `__del__` est avalée par Python : on attend alors le tic suivant."""
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


@contextmanager
def limite_de_temps(secondes: float):
    """Interrompt le rendu au-delà de `secondes`, dans le fil qui rend.

    Fil principal (commandes, workers gunicorn « sync ») : SIGALRM. Autres fils (workers gunicorn « gthread »,
    serveur de développement) : un minuteur lève l'exception dans le fil du rendu par
    `PyThreadState_SetAsyncExc`, l'API de CPython prévue pour cela. Dans les deux cas, une fois l'échéance
    passée, l'interruption se répète toutes les 50 ms et n'est jamais levée dans un destructeur (où Python
    l'avalerait) ; le code en C (Pango, HarfBuzz) n'est interrompu qu'à son retour en Python.
    """
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _limite_par_signal(secondes):
            yield
    else:
        with _limite_par_minuteur(secondes):
            yield


@contextmanager
def _limite_par_signal(secondes: float):
    def alarme(signum, frame):
        if not _dans_un_destructeur(frame):
            raise DelaiDepasse(f"Le rendu du rapport a dépassé {secondes:g} s.")

    precedent = signal.signal(signal.SIGALRM, alarme)
    signal.setitimer(signal.ITIMER_REAL, secondes, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, precedent)


class _DelaiDuFil(DelaiDepasse):
    """Levée dans le fil du rendu par le minuteur (une classe sans argument : c'est ce que l'API accepte)."""

    def __init__(self, *args):
        super().__init__(*(args or ("Le rendu du rapport a dépassé sa limite de temps.",)))


def _lever_dans_le_fil(ident: int, exception: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(ident), ctypes.py_object(exception) if exception else ctypes.c_void_p(0)
    )


@contextmanager
def _limite_par_minuteur(secondes: float):
    ident = threading.get_ident()
    verrou = threading.Lock()
    fini = threading.Event()

    def surveiller():
        if fini.wait(secondes):
            return
        while True:
            with verrou:
                if fini.is_set():
                    return
                cadre = sys._current_frames().get(ident)
                if cadre is not None and not _dans_un_destructeur(cadre):
                    _lever_dans_le_fil(ident, _DelaiDuFil)
            if fini.wait(0.05):
                return

    minuteur = threading.Thread(target=surveiller, name="limite-rendu-pdf", daemon=True)
    minuteur.start()
    try:
        yield
    finally:
        # L'interruption peut tomber pendant ce nettoyage même : on le reprend jusqu'au bout, puis on efface
        # toute interruption encore en attente pour qu'elle ne frappe pas le code qui suit.
        while True:
            try:
                with verrou:
                    fini.set()
                    _lever_dans_le_fil(ident, None)
                break
            except _DelaiDuFil:
                continue
        minuteur.join()


def rendre_pdf(html: str, *, delai: float | None = None) -> bytes:
    """PDF d'un document HTML, sans rien lire hors de nos fichiers statiques et sans pièce jointe."""
    delai = delai if delai is not None else settings.WEASYPRINT_TIMEOUT
    with limite_de_temps(delai):
        recuperateur = RecuperateurStatique(echeance=time.monotonic() + delai)
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=recuperateur).render()
        # Les pièces jointes (`<link rel="attachment">`, `<a rel="attachment">`) ne vont jamais au PDF.
        document.metadata.attachments = []
        for page in document.pages:
            page.links = [lien for lien in page.links if lien[0] != "attachment"]
        return document.write_pdf(attachments=[])


def pdf_a_enregistrer(contexte: dict, *, document: str, sinon: str) -> bytes:
    """Le PDF du rapport pour un contexte donné, à stocker par une écriture atomique : un rendu trop long devient
    une ValidationError en français (« `document` n'a pas pu être produit … `sinon` ; réessayez … »)."""
    from django.core.exceptions import ValidationError

    try:
        return rendre_pdf(render_to_string(GABARIT_PDF, contexte))
    except DelaiDepasse as erreur:
        raise ValidationError(
            f"{document} n'a pas pu être produit : sa mise en page a dépassé la limite de {limite_affichee()} s. "
            f"{sinon} ; réessayez, et prévenez l'administrateur si cela se répète."
        ) from erreur


def html_du_rapport(rapport: RapportAnnuel) -> str:
    return render_to_string(GABARIT_PDF, contexte_du_rapport(rapport, pour_pdf=True))


def empreinte(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


def fichier_verifie(champ, attendue: str, description: str) -> bytes:
    """Le contenu d'un PDF stocké, s'il a encore l'empreinte SHA-256 enregistrée avec lui ; sinon RapportAltere."""
    with champ.open("rb") as fichier:
        contenu = fichier.read()
    if empreinte(contenu) != attendue:
        journal.error("%s : le fichier %s ne correspond plus à son empreinte", description, champ.name)
        raise RapportAltere(
            f"{description} ne correspond plus à son empreinte SHA-256 : il a été modifié hors de l'application."
        )
    return contenu


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
