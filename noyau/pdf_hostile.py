"""Tout PDF déposé est hostile : analysé dans un processus enfant borné, refusé au-delà des limites, assaini.

Délibérations des communes et conseils citoyens (portail et « avis par courrier »), et demain bilans, logos et
scans : tout dépôt passe par `assainir_fichier` (ou `assainir_pdf` pour des octets) avant d'être enregistré.

1. L'analyse se fait dans un processus enfant (`forkserver`) limité en mémoire et en temps de calcul, tué au-delà
   de `DELAI_ANALYSE` secondes : un fichier piégé pour faire tourner ou gonfler le lecteur ne bloque ni le
   serveur ni sa mémoire.
2. Limites, vérifiées avant de lire les pages par la bibliothèque : taille, nombre d'objets, profondeur
   d'imbrication, nombre de pages (déclaré par `/Count` et compté en parcourant l'arbre des pages, où un même
   nœud ne peut apparaître deux fois — c'est ainsi qu'une « bombe » de 1 ko déclare 83 521 pages). Les fichiers
   chiffrés sont refusés : on ne peut ni les lire ni les assainir.
3. La copie assainie est un PDF neuf écrit par qpdf (pikepdf) qui ne reprend que les pages : ni catalogue
   d'origine (`/OpenAction`, `/Names` avec `/JavaScript` et `/EmbeddedFiles`, `/AcroForm` et XFA, `/AA`), ni
   action autre qu'un renvoi interne (`/GoTo`), une action nommée ou un lien `http(s)`, ni annotation de
   fichier joint, multimédia ou 3D, ni fichier incorporé. L'original est gardé à part, privé, pour mémoire.
"""

import io
import multiprocessing
import resource
import time
from dataclasses import dataclass
from decimal import Decimal

import pikepdf
from django.core.exceptions import ValidationError

from noyau.nombres import formater_nombre

SIGNATURE_PDF = b"%PDF-"
TAILLE_MAX = 10 * 1024 * 1024
# Une délibération (extrait du registre signé) fait 1 à 4 pages, 10 à 15 avec une annexe numérisée. 30 laisse une
# marge du double au moins, et borne le rapport définitif : 40 organismes consultés × 30 pages au pire.
LIMITE_PAGES = 30
# Un scan de 30 pages fait quelques centaines d'objets, un PDF bureautique de 30 pages quelques milliers.
LIMITE_OBJETS = 50_000
# Dictionnaires et tableaux imbriqués les uns dans les autres ; les PDF ordinaires restent sous 10.
LIMITE_IMBRICATION = 40
# Éléments parcourus en tout (clés, éléments de tableau) : la borne du temps passé par l'analyse en Python.
LIMITE_ELEMENTS = 2_000_000
# Secondes d'horloge et de calcul, et mémoire, accordées au processus enfant.
DELAI_ANALYSE = 15.0
MEMOIRE_ENFANT = 1024 * 1024 * 1024

# Ce qu'une action a le droit de faire dans la copie assainie ; toute autre action est retirée.
ACTIONS_PERMISES = {"/GoTo", "/URI", "/Named"}
SCHEMAS_PERMIS = ("http://", "https://")
# Annotations retirées des pages : fichier joint, multimédia, 3D.
ANNOTATIONS_RETIREES = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
# Clés supprimées partout où elles apparaissent.
CLES_RETIREES = {
    "/JS",
    "/JavaScript",
    "/AA",
    "/OpenAction",
    "/EF",
    "/EmbeddedFiles",
    "/EmbeddedFile",
    "/RichMediaContent",
    "/RichMediaSettings",
    "/XFA",
    "/AcroForm",
}
# Clés dont la valeur est une action (ou une liste d'actions pour /Next).
CLES_ACTION = ("/A", "/Next", "/PA")

_contexte = multiprocessing.get_context("forkserver")


@dataclass(frozen=True)
class PdfAssaini:
    contenu: bytes
    pages: int
    retraits: tuple[str, ...]


class _Refus(Exception):
    """Levée dans l'enfant : (code, message sans le nom du fichier)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _nombre(n: int) -> str:
    return formater_nombre(Decimal(n), decimales=0)


# --- Dans le processus enfant ---------------------------------------------------------------------------------


def _limiter_processus() -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMOIRE_ENFANT, MEMOIRE_ENFANT))
        secondes = int(DELAI_ANALYSE) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (secondes, secondes + 1))
    except (ValueError, OSError):  # limites déjà plus basses : on garde celles du système
        pass


def _verifier_imbrication(pdf, pikepdf) -> None:
    """Profondeur des objets directs imbriqués, sans suivre les références (chaque objet indirect est visité)."""
    elements = 0
    for objet in pdf.objects:
        pile = [(objet, 0)]
        while pile:
            courant, profondeur = pile.pop()
            if profondeur > LIMITE_IMBRICATION:
                raise _Refus(
                    "imbrication",
                    f"imbrique ses objets sur plus de {LIMITE_IMBRICATION} niveaux : il est refusé.",
                )
            if isinstance(courant, pikepdf.Stream):
                enfants = courant.stream_dict.values()
            elif isinstance(courant, pikepdf.Dictionary):
                enfants = courant.values()
            elif isinstance(courant, pikepdf.Array):
                enfants = list(courant)
            else:
                continue
            for enfant in enfants:
                elements += 1
                if elements > LIMITE_ELEMENTS:
                    raise _Refus("complexite", "est trop complexe pour être analysé : il est refusé.")
                if isinstance(enfant, pikepdf.Dictionary | pikepdf.Array) and not enfant.is_indirect:
                    pile.append((enfant, profondeur + 1))


def _compter_pages(pdf, pikepdf) -> int:
    """Les pages de l'arbre, comptées sans le développer : un nœud présent deux fois (bombe) est refusé."""
    racine = pdf.Root.get("/Pages")
    if not isinstance(racine, pikepdf.Dictionary):
        raise _Refus("sans_page", "ne contient aucune page.")
    declare = racine.get("/Count")
    if isinstance(declare, int | pikepdf.Object) and _entier(declare) > LIMITE_PAGES:
        raise _Refus(
            "trop_de_pages",
            f"déclare {_nombre(_entier(declare))} pages : {LIMITE_PAGES} au plus.",
        )
    vus: set[tuple[int, int]] = set()
    pages = 0
    pile = [(racine, 0)]
    while pile:
        noeud, profondeur = pile.pop()
        if profondeur > LIMITE_IMBRICATION or not isinstance(noeud, pikepdf.Dictionary):
            raise _Refus("arbre_pages", "a un arbre de pages invalide : il est refusé.")
        if noeud.is_indirect:
            if noeud.objgen in vus:
                raise _Refus(
                    "arbre_pages",
                    "a un arbre de pages invalide (une même page ou un même nœud y revient plusieurs fois) : "
                    "il est refusé.",
                )
            vus.add(noeud.objgen)
        enfants = noeud.get("/Kids")
        if enfants is not None and noeud.get("/Type") != pikepdf.Name.Page:
            if not isinstance(enfants, pikepdf.Array):
                raise _Refus("arbre_pages", "a un arbre de pages invalide : il est refusé.")
            pile.extend((enfant, profondeur + 1) for enfant in enfants)
        else:
            pages += 1
            if pages > LIMITE_PAGES:
                raise _Refus("trop_de_pages", f"a plus de {LIMITE_PAGES} pages : {LIMITE_PAGES} au plus.")
    if pages < 1:
        raise _Refus("sans_page", "ne contient aucune page.")
    return pages


def _entier(valeur) -> int:
    try:
        return int(valeur)
    except (TypeError, ValueError):
        return 0


def _action_interdite(action, pikepdf) -> bool:
    if not isinstance(action, pikepdf.Dictionary):
        return False
    genre = action.get("/S")
    if genre is None:
        return False
    if str(genre) not in ACTIONS_PERMISES:
        return True
    if str(genre) == "/URI":
        adresse = action.get("/URI")
        try:
            texte = bytes(adresse).decode("latin-1") if adresse is not None else ""
        except (TypeError, ValueError):
            return True
        return not texte.strip().lower().startswith(SCHEMAS_PERMIS)
    return False


def _nettoyer_dictionnaire(dico, pikepdf, retraits: set[str]) -> None:
    for cle in list(dico.keys()):
        if cle in CLES_RETIREES:
            del dico[cle]
            retraits.add(cle)
    for cle in CLES_ACTION:
        valeur = dico.get(cle)
        if valeur is None:
            continue
        if isinstance(valeur, pikepdf.Array):
            gardees = [a for a in valeur if not _action_interdite(a, pikepdf)]
            if len(gardees) != len(valeur):
                dico[cle] = pikepdf.Array(gardees)
                retraits.add("action")
        elif _action_interdite(valeur, pikepdf):
            retraits.add(f"action {valeur.get('/S')}")
            del dico[cle]
    if dico.get("/Type") == pikepdf.Name.Filespec and "/EF" in dico:
        del dico["/EF"]
        retraits.add("/EF")


def _nettoyer_arbre(objet, pikepdf, retraits: set[str]) -> None:
    pile = [(objet, 0)]
    while pile:
        courant, profondeur = pile.pop()
        if isinstance(courant, pikepdf.Stream):
            dico = courant.stream_dict
        elif isinstance(courant, pikepdf.Dictionary | pikepdf.Array):
            dico = courant
        else:
            continue
        if isinstance(dico, pikepdf.Dictionary):
            _nettoyer_dictionnaire(dico, pikepdf, retraits)
            valeurs = list(dico.values())
        else:
            valeurs = list(dico)
        for valeur in valeurs:
            if isinstance(valeur, pikepdf.Dictionary | pikepdf.Array) and not valeur.is_indirect:
                pile.append((valeur, profondeur + 1))


def _assainir(contenu: bytes) -> PdfAssaini:
    try:
        pdf = pikepdf.open(io.BytesIO(contenu))
    except pikepdf.PasswordError as erreur:
        raise _Refus("chiffre", "est protégé par un mot de passe (chiffré) : il est refusé.") from erreur
    except (pikepdf.PdfError, ValueError, RuntimeError) as erreur:
        if "/Pages" in str(erreur):  # qpdf refuse lui-même un arbre de pages qui boucle ou se répète
            raise _Refus(
                "arbre_pages",
                "a un arbre de pages invalide (une même page ou un même nœud y revient plusieurs fois) : "
                "il est refusé.",
            ) from erreur
        raise _Refus("illisible", "est un PDF illisible ou abîmé.") from erreur
    with pdf:
        if pdf.is_encrypted:
            raise _Refus(
                "chiffre", "est chiffré (protégé contre la copie ou la modification) : il est refusé."
            )
        if len(pdf.objects) > LIMITE_OBJETS:
            raise _Refus(
                "trop_d_objets",
                f"compte {_nombre(len(pdf.objects))} objets : {_nombre(LIMITE_OBJETS)} au plus.",
            )
        _verifier_imbrication(pdf, pikepdf)
        pages = _compter_pages(pdf, pikepdf)
        retraits: set[str] = set()
        racine = pdf.Root
        retraits.update(str(cle) for cle in racine if cle in {"/OpenAction", "/Names", "/AcroForm", "/AA"})
        neuf = pikepdf.new()
        with neuf:
            neuf.pages.extend(pdf.pages)
            for page in neuf.pages:
                annotations = page.obj.get("/Annots")
                if isinstance(annotations, pikepdf.Array):
                    gardees = [
                        a
                        for a in annotations
                        if not (
                            isinstance(a, pikepdf.Dictionary) and a.get("/Subtype") in ANNOTATIONS_RETIREES
                        )
                    ]
                    if len(gardees) != len(annotations):
                        retraits.add("annotations multimédia ou fichiers joints")
                        page.obj["/Annots"] = pikepdf.Array(gardees)
            for objet in neuf.objects:
                _nettoyer_arbre(objet, pikepdf, retraits)
            sortie = io.BytesIO()
            neuf.save(sortie, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return PdfAssaini(contenu=sortie.getvalue(), pages=pages, retraits=tuple(sorted(retraits)))


def _executer(emetteur, contenu: bytes) -> None:
    _limiter_processus()
    try:
        emetteur.send(("ok", _assainir(contenu)))
    except _Refus as refus:
        emetteur.send(("refus", (refus.code, refus.message)))
    except MemoryError:
        emetteur.send(("refus", ("complexite", "demande trop de mémoire pour être analysé : il est refusé.")))
    except Exception:  # noqa: BLE001 — tout échec de lecture d'un fichier hostile est un refus
        emetteur.send(("refus", ("illisible", "est un PDF illisible ou abîmé.")))
    finally:
        emetteur.close()


# --- Dans le processus web ------------------------------------------------------------------------------------


def _refus(nom: str, code: str, message: str) -> ValidationError:
    return ValidationError(f"Le fichier « {nom} » {message}", code=code)


def assainir_pdf(contenu: bytes, *, nom: str = "fichier") -> PdfAssaini:
    """La copie assainie d'un PDF, ou une ValidationError en français qui nomme le fichier."""
    if not contenu:
        raise ValidationError(f"Le fichier « {nom} » est vide.", code="vide")
    if len(contenu) > TAILLE_MAX:
        mega = formater_nombre(Decimal(len(contenu)) / (1024 * 1024), decimales=1)
        raise ValidationError(
            f"Le fichier « {nom} » pèse {mega} Mo : {TAILLE_MAX // (1024 * 1024)} Mo au plus.",
            code="trop_gros",
        )
    # Certains logiciels de numérisation placent quelques octets avant l'en-tête : la norme tolère 1 024.
    if SIGNATURE_PDF not in contenu[:1024]:
        raise ValidationError(
            f"Le fichier « {nom} » n'est pas un PDF (quel que soit son nom).", code="pas_pdf"
        )
    recepteur, emetteur = _contexte.Pipe(duplex=False)
    enfant = _contexte.Process(target=_executer, args=(emetteur, contenu), name="analyse-pdf", daemon=True)
    enfant.start()
    emetteur.close()
    echeance = time.monotonic() + DELAI_ANALYSE
    try:
        if not recepteur.poll(max(0.0, echeance - time.monotonic())):
            raise _refus(nom, "delai", f"demande plus de {DELAI_ANALYSE:g} s d'analyse : il est refusé.")
        try:
            etat, valeur = recepteur.recv()
        except EOFError as erreur:  # l'enfant est mort (mémoire, temps de calcul)
            raise _refus(
                nom, "complexite", "est trop complexe pour être analysé : il est refusé."
            ) from erreur
    finally:
        recepteur.close()
        if enfant.is_alive():
            enfant.kill()
        enfant.join()
        enfant.close()
    if etat != "ok":
        code, message = valeur
        raise _refus(nom, code, message)
    return valeur


def assainir_fichier(fichier) -> PdfAssaini:
    """`assainir_pdf` pour un fichier déposé ; le résultat est gardé sur l'objet fichier (formulaire puis service
    ne lancent qu'une analyse). Ne lit jamais plus que la taille permise."""
    deja = getattr(fichier, "_pdf_assaini", None)
    if deja is not None:
        return deja
    nom = getattr(fichier, "name", "") or "fichier"
    nom = nom.rsplit("/", 1)[-1][:120]
    taille = getattr(fichier, "size", None)
    if taille is not None and taille > TAILLE_MAX:
        mega = formater_nombre(Decimal(taille) / (1024 * 1024), decimales=1)
        raise ValidationError(
            f"Le fichier « {nom} » pèse {mega} Mo : {TAILLE_MAX // (1024 * 1024)} Mo au plus.",
            code="trop_gros",
        )
    fichier.seek(0)
    contenu = fichier.read(TAILLE_MAX + 1)
    fichier.seek(0)
    resultat = assainir_pdf(contenu, nom=nom)
    fichier._pdf_assaini = resultat
    return resultat


def valider_pdf_hostile(fichier) -> None:
    """Validateur de champ de formulaire : refuse ce que `assainir_fichier` refuse."""
    assainir_fichier(fichier)
