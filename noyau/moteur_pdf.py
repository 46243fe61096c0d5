"""Le moteur du rendu PDF (rapport, lettres, conventions), exécuté dans un processus enfant : WeasyPrint et un
récupérateur d'URL fermé.

Ce module n'importe pas Django : le processus enfant ne reçoit que le HTML et la liste des fichiers statiques
qu'il a le droit de lire, et rend les octets du PDF. Le parent le tue s'il dépasse sa limite de temps — y
compris au milieu du code C de Pango ou de HarfBuzz, qu'aucune exception ne peut interrompre.

WeasyPrint lit par défaut `file://` et le réseau, et joint au PDF tout `<link rel="attachment">`. Ici il ne
reçoit que nos fichiers statiques ; toute autre adresse est refusée et les pièces jointes sont retirées.
"""

import base64
import binascii
import logging
import mimetypes
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

journal = logging.getLogger("securite")

# Adresse fictive servant de base aux URL relatives du document : elle ne se résout jamais sur le réseau,
# seul notre récupérateur la comprend.
BASE_URL = "https://rapport.invalid/"


class RecuperateurStatique(URLFetcher):
    """Ne sert que les fichiers statiques listés : {chemin relatif sous STATIC_URL: chemin sur le disque}."""

    def __init__(self, fichiers: dict[str, str], static_url: str = "/static/"):
        super().__init__(timeout=1, allowed_protocols=())
        self.fichiers = fichiers
        self.prefixe = urlsplit(BASE_URL + static_url.lstrip("/")).path

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return self.image_en_ligne(url)
        morceaux = urlsplit(url)
        if (
            f"{morceaux.scheme}://{morceaux.netloc}/" != BASE_URL
            or not morceaux.path.startswith(self.prefixe)
            or morceaux.query
        ):
            journal.warning("Rendu PDF : adresse refusée %s", url[:200])
            raise ValueError(f"Adresse refusée par le rendu PDF : {url[:200]}")
        relatif = unquote(morceaux.path[len(self.prefixe) :])
        if not relatif or ".." in relatif.split("/") or relatif.startswith("/"):
            raise ValueError(f"Adresse refusée par le rendu PDF : {url[:200]}")
        chemin = self.fichiers.get(relatif)
        if not chemin:
            raise ValueError(f"Fichier statique introuvable : {relatif}")
        with open(chemin, "rb") as fichier:
            contenu = fichier.read()
        type_mime = mimetypes.guess_type(chemin)[0] or "application/octet-stream"
        return URLFetcherResponse(url, contenu, {"Content-Type": type_mime})

    def image_en_ligne(self, url):
        contenu, type_mime = _image_en_ligne(url)
        return URLFetcherResponse(url[:40], contenu, {"Content-Type": type_mime})


# Les seules adresses `data:` servies : les logos de la couverture du rapport, PNG ou JPEG vérifiés au dépôt puis
# par leur signature ici, de 2 Mo au plus.
IMAGES_EN_LIGNE = {
    "data:image/png;base64,": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "data:image/jpeg;base64,": (b"\xff\xd8\xff", "image/jpeg"),
}
TAILLE_MAX_IMAGE = 2 * 1024 * 1024


def _image_en_ligne(url: str) -> tuple[bytes, str]:
    for prefixe, (signature, type_mime) in IMAGES_EN_LIGNE.items():
        if url.startswith(prefixe) and len(url) <= len(prefixe) + TAILLE_MAX_IMAGE * 4 // 3 + 4:
            try:
                contenu = base64.b64decode(url[len(prefixe) :], validate=True)
            except binascii.Error:
                break
            if contenu.startswith(signature):
                return contenu, type_mime
            break
    journal.warning("Rendu PDF : adresse refusée %s", url[:60])
    raise ValueError(f"Adresse refusée par le rendu PDF : {url[:60]}")


def rendre(html: str, fichiers: dict[str, str], static_url: str) -> bytes:
    """Le PDF d'un document HTML, sans rien lire hors des fichiers listés et sans pièce jointe."""
    recuperateur = RecuperateurStatique(fichiers, static_url)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=recuperateur).render()
    # Les pièces jointes (`<link rel="attachment">`, `<a rel="attachment">`) ne vont jamais au PDF.
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [lien for lien in page.links if lien[0] != "attachment"]
    # PDF/UA-1 : structure balisée (titres, tableaux, figures et leur texte alternatif), titre, langue.
    return document.write_pdf(attachments=[], pdf_variant="pdf/ua-1")


def executer(connexion, html: str, fichiers: dict[str, str], static_url: str) -> None:
    """Point d'entrée du processus enfant : rend le PDF et renvoie (« ok », octets) ou (« erreur », message)."""
    try:
        connexion.send(("ok", rendre(html, fichiers, static_url)))
    except Exception as erreur:  # noqa: BLE001 - l'erreur est rapportée au parent, qui la relève
        connexion.send(("erreur", f"{type(erreur).__name__} : {erreur}"))
    finally:
        connexion.close()
