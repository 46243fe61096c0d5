"""Lecture en flux des cellules d'un classeur .xlsx, par expat, sans DTD ni entités.

openpyxl en lecture seule analyse chaque feuille deux fois quand elle n'annonce pas ses dimensions (le cas des
classeurs écrits en flux, dont nos propres exports) et passe par l'ElementTree pur Python de defusedxml :
~1 500 lignes/s sur la machine partagée, trop lent pour 20 000 lignes en 20 s. Ici, expat (en C) appelle
quelques fonctions courtes ; la sûreté est celle de defusedxml, en plus strict : toute déclaration de type
de document (DTD) arrête la lecture, donc aucune entité ne peut être déclarée ni développée, et les entités
externes ne sont jamais résolues.
"""

import posixpath
import re
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SEP = "|"
TAILLE_BLOC = 1 << 16
COLONNE = re.compile(r"[A-Z]+")


class XMLInterdit(Exception):
    """Le XML déclare une DTD ou une entité : refusé."""


class XlsxIllisible(Exception):
    """La structure du classeur est incohérente."""


def parseur(start=None, end=None, texte=None) -> expat.XMLParserType:
    p = expat.ParserCreate(namespace_separator=SEP)

    def interdit(*_args):
        raise XMLInterdit

    p.StartDoctypeDeclHandler = interdit
    p.EntityDeclHandler = interdit
    p.UnparsedEntityDeclHandler = interdit
    p.ExternalEntityRefHandler = interdit
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.buffer_text = True
    if start:
        p.StartElementHandler = start
    if end:
        p.EndElementHandler = end
    if texte:
        p.CharacterDataHandler = texte
    return p


def analyser(p: expat.XMLParserType, flux) -> None:
    try:
        while bloc := flux.read(TAILLE_BLOC):
            p.Parse(bloc, False)
        p.Parse(b"", True)
    except expat.ExpatError as exc:
        raise XlsxIllisible(str(exc)) from exc


def lire_arbre_simple(archive: zipfile.ZipFile, nom: str, balise: str) -> list[dict]:
    """Les attributs de chaque élément `balise` (espace de noms compris) d'une petite partie XML."""
    trouves = []

    def start(name, attrs):
        if name == balise:
            trouves.append(attrs)

    with archive.open(nom) as flux:
        analyser(parseur(start=start), flux)
    return trouves


def feuilles_du_classeur(archive: zipfile.ZipFile) -> dict[str, str]:
    """Nom de chaque feuille → chemin de sa partie XML dans l'archive."""
    feuilles = lire_arbre_simple(archive, "xl/workbook.xml", f"{NS_MAIN}{SEP}sheet")
    relations = {
        r.get("Id"): r.get("Target", "")
        for r in lire_arbre_simple(archive, "xl/_rels/workbook.xml.rels", f"{NS_PKG_REL}{SEP}Relationship")
    }
    chemins = {}
    for feuille in feuilles:
        cible = relations.get(feuille.get(f"{NS_REL}{SEP}id"), "")
        chemin = (
            cible.lstrip("/") if cible.startswith("/") else posixpath.normpath(posixpath.join("xl", cible))
        )
        if feuille.get("name") and chemin in archive.NameToInfo:
            chemins[feuille["name"]] = chemin
    return chemins


def chaines_partagees(archive: zipfile.ZipFile) -> list[str]:
    """La table des chaînes partagées ; le texte phonétique (`rPh`) n'en fait pas partie."""
    if "xl/sharedStrings.xml" not in archive.NameToInfo:
        return []
    chaines: list[str] = []
    morceaux: list[str] = []
    etat = {"t": False, "phonetique": 0}
    si, t, rph = f"{NS_MAIN}{SEP}si", f"{NS_MAIN}{SEP}t", f"{NS_MAIN}{SEP}rPh"

    def start(name, _attrs):
        if name == t:
            etat["t"] = True
        elif name == rph:
            etat["phonetique"] += 1
        elif name == si:
            morceaux.clear()

    def end(name):
        if name == t:
            etat["t"] = False
        elif name == rph:
            etat["phonetique"] -= 1
        elif name == si:
            chaines.append("".join(morceaux))

    def texte(data):
        if etat["t"] and not etat["phonetique"]:
            morceaux.append(data)

    with archive.open("xl/sharedStrings.xml") as flux:
        analyser(parseur(start, end, texte), flux)
    return chaines


def index_colonne(reference: str) -> int:
    lettres = COLONNE.match(reference)
    if lettres is None:
        raise XlsxIllisible(f"référence de cellule invalide : {reference}")
    index = 0
    for lettre in lettres.group():
        index = index * 26 + ord(lettre) - 64
    return index - 1


def lettres_colonne(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    lettres = ""
    index += 1
    while index:
        index, reste = divmod(index - 1, 26)
        lettres = chr(65 + reste) + lettres
    return lettres


def convertir(type_cellule: str, valeur: str, chaines: list[str]):
    if type_cellule == "s":
        try:
            return chaines[int(valeur)]
        except (ValueError, IndexError) as exc:
            raise XlsxIllisible("chaîne partagée introuvable") from exc
    if type_cellule in ("str", "inlineStr", "e", "d"):
        return valeur
    if type_cellule == "b":
        return valeur.strip() in ("1", "true")
    valeur = valeur.strip()
    if not valeur:
        return None
    try:
        return int(valeur) if valeur.lstrip("-").isdigit() else float(valeur)
    except ValueError as exc:
        raise XlsxIllisible(f"nombre illisible : {valeur}") from exc


def lignes_de_feuille(
    archive: zipfile.ZipFile, chemin: str, chaines: list[str], formules: list | None = None
) -> Iterator[tuple[int, tuple]]:
    """(numéro de ligne du tableur, valeurs des cellules) pour chaque ligne écrite, dans l'ordre du fichier.

    Une cellule formule donne sa valeur en cache (celle que le tableur a calculée à l'enregistrement) ; si
    `formules` est une liste, chaque formule y est ajoutée : (ligne, index de colonne, référence, texte de la
    formule, valeur en cache ou None s'il n'y en a pas)."""
    row, c, v, is_, t, f = (f"{NS_MAIN}{SEP}{b}" for b in ("row", "c", "v", "is", "t", "f"))
    pretes: list[tuple[int, tuple]] = []
    cellules: dict[int, object] = {}
    etat = {
        "ligne": 0,
        "colonne": -1,
        "type": "n",
        "texte": None,
        "dans_is": False,
        "formule": None,
        "ref": "",
    }
    morceaux: list[str] = []
    texte_formule: list[str] = []

    def start(name, attrs):
        if name == c:
            reference = attrs.get("r")
            etat["colonne"] = index_colonne(reference) if reference else etat["colonne"] + 1
            etat["type"] = attrs.get("t", "n")
            etat["texte"] = None
            etat["formule"] = None
            etat["ref"] = reference or ""
            morceaux.clear()
            texte_formule.clear()
        elif name == f:
            etat["formule"] = "dans"
        elif name == v or (name == t and etat["dans_is"]):
            etat["texte"] = True
        elif name == is_:
            etat["dans_is"] = True
        elif name == row:
            numero = attrs.get("r")
            etat["ligne"] = int(numero) if numero else etat["ligne"] + 1
            etat["colonne"] = -1
            cellules.clear()

    def end(name):
        if name == c:
            valeur = convertir(etat["type"], "".join(morceaux), chaines) if morceaux else None
            if morceaux:
                cellules[etat["colonne"]] = valeur
            if etat["formule"] is not None and formules is not None:
                reference = etat["ref"] or f"{lettres_colonne(etat['colonne'])}{etat['ligne']}"
                formules.append((etat["ligne"], etat["colonne"], reference, "".join(texte_formule), valeur))
        elif name == f:
            etat["formule"] = "vue"
        elif name in (v, t):
            etat["texte"] = None
        elif name == is_:
            etat["dans_is"] = False
        elif name == row and cellules:
            largeur = max(cellules) + 1
            pretes.append((etat["ligne"], tuple(cellules.get(i) for i in range(largeur))))

    def texte(data):
        if etat["texte"]:
            morceaux.append(data)
        elif etat["formule"] == "dans":
            texte_formule.append(data)

    p = parseur(start, end, texte)
    with archive.open(chemin) as flux:
        try:
            while bloc := flux.read(TAILLE_BLOC):
                p.Parse(bloc, False)
                yield from pretes
                pretes.clear()
            p.Parse(b"", True)
        except expat.ExpatError as exc:
            raise XlsxIllisible(str(exc)) from exc
        yield from pretes
