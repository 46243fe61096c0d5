"""Ouverture prudente d'un classeur déposé : taille, archive zip, XML, feuilles, colonnes et nombre de lignes.

Tout ce qui est vérifiable l'est avant de lire une cellule : la taille, la nature d'archive zip, les tailles
décompressées annoncées par l'archive (que le module zipfile fait respecter à la lecture : une bombe ne peut
pas mentir sur elles), l'absence de DTD au début de chaque partie XML. Les cellules sont ensuite lues en flux
par `xlsx.py` (expat, toute DTD refusée où qu'elle soit), ligne à ligne, et la lecture s'arrête à la
50 001e ligne.
"""

import io
import zipfile
from dataclasses import dataclass, field

from .format import FEUILLES, Colonne, normaliser
from .xlsx import XlsxIllisible, XMLInterdit, chaines_partagees, feuilles_du_classeur, lignes_de_feuille

TAILLE_MAX = 20 * 1024 * 1024
LIGNES_MAX = 50_000
# Un classeur de 50 000 lignes pèse quelques dizaines de Mo une fois décompressé ; au-delà, c'est une bombe.
TAILLE_DECOMPRESSEE_MAX = 250 * 1024 * 1024
TAUX_COMPRESSION_MAX = 200
MEMBRES_MAX = 2_000
MESSAGE_XML_INTERDIT = "Ce classeur contient des déclarations XML interdites (DTD, entités) : il est refusé."
MESSAGE_ABIME = "Ce classeur Excel est abîmé ou illisible : ouvrez-le et enregistrez-le à nouveau."


@dataclass(frozen=True)
class ErreurImport:
    """Une erreur située : feuille, ligne (numéro de la ligne du tableur), colonne ; message en français."""

    feuille: str | None
    ligne: int | None
    colonne: str | None
    message: str

    def __str__(self):
        lieu = [p for p in (self.feuille, f"ligne {self.ligne}" if self.ligne else None, self.colonne) if p]
        return f"{', '.join(lieu)} : {self.message}" if lieu else self.message


class FichierRefuse(Exception):
    """Le fichier lui-même est refusé (pas un xlsx, trop gros, piégé…) : une seule erreur, sans ligne."""

    def __init__(self, message: str):
        super().__init__(message)
        self.erreur = ErreurImport(None, None, None, message)


# Colonnes où une formule ne passe pas inaperçue : les montants et les codes (une formule y donne une valeur
# que personne n'a tapée, et la valeur en cache peut ne plus correspondre au calcul).
COLONNES_A_FORMULE_SIGNALEE = {
    "numero",
    "annee",
    "siret",
    "quartiers",
    "objectifs",
    "thematique",
    "cout_total",
    "montant_sollicite",
    "montant_accorde",
}


@dataclass(frozen=True)
class CelluleFormule:
    """Une cellule formule d'une colonne de montant ou de code : où, quoi, et la valeur en cache qui sera lue."""

    feuille: str
    reference: str
    ligne: int
    colonne: str
    formule: str
    valeur: object

    def __str__(self):
        formule = f"={self.formule}" if self.formule else "formule partagée"
        return f"{self.feuille}, cellule {self.reference} ({self.colonne}) : {formule}, valeur en cache {self.valeur}"


@dataclass
class Feuille:
    nom: str
    colonnes: dict[str, int]  # clé de colonne → index dans la ligne
    lignes: list[tuple[int, dict]] = field(default_factory=list)  # (n° de ligne du tableur, valeurs par clé)
    # L'en-tête tel que le classeur l'écrit (« Orientation », « Pilier »…) : les erreurs nomment la colonne ainsi.
    titres: dict[str, str] = field(default_factory=dict)


@dataclass
class ClasseurLu:
    feuilles: dict[str, Feuille]
    erreurs: list[ErreurImport]
    formules: list[CelluleFormule] = field(default_factory=list)

    @property
    def nb_lignes(self) -> int:
        return sum(len(f.lignes) for f in self.feuilles.values())


def verifier_archive(contenu: bytes) -> None:
    if len(contenu) == 0:
        raise FichierRefuse("Le fichier est vide.")
    if len(contenu) > TAILLE_MAX:
        raise FichierRefuse(
            f"Le fichier pèse {len(contenu) / 1024 / 1024:.1f} Mo : la limite est de 20 Mo.".replace(
                ".", ",", 1
            )
        )
    if contenu[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FichierRefuse(
            "Ce fichier est au format Excel 97-2003 (.xls) : enregistrez-le au format .xlsx puis recommencez."
        )
    if not zipfile.is_zipfile(io.BytesIO(contenu)):
        raise FichierRefuse("Ce fichier n'est pas un classeur Excel (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            membres = archive.infolist()
            noms = {m.filename for m in membres}
            if "[Content_Types].xml" not in noms or "xl/workbook.xml" not in noms:
                raise FichierRefuse("Ce fichier n'est pas un classeur Excel (.xlsx).")
            if len(membres) > MEMBRES_MAX:
                raise FichierRefuse("Ce classeur contient un nombre anormal de parties : il est refusé.")
            total = sum(m.file_size for m in membres)
            if total > TAILLE_DECOMPRESSEE_MAX or any(
                m.file_size > 1024 * 1024 and m.file_size > TAUX_COMPRESSION_MAX * max(m.compress_size, 1)
                for m in membres
            ):
                raise FichierRefuse(
                    "Ce classeur se décompresse en un volume anormal (archive piégée) : il est refusé."
                )
            for membre in membres:
                if membre.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(membre) as flux:
                        debut = flux.read(4096).upper()
                    if b"<!DOCTYPE" in debut or b"<!ENTITY" in debut:
                        raise FichierRefuse(MESSAGE_XML_INTERDIT)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise FichierRefuse("Ce fichier n'est pas un classeur Excel (.xlsx) lisible.") from exc


def reperer_colonnes(
    nom_feuille: str,
    entetes: tuple,
    attendues: tuple[Colonne, ...],
    erreurs,
    alias: dict[str, list[str]] | None = None,
    titres: dict[str, str] | None = None,
) -> dict[str, int]:
    """L'index de chaque colonne connue. Un en-tête vaut son titre ou l'un de ses alias (ceux du format et ceux que
    les contrats donnent : « Orientation »), ou plusieurs alias d'une même colonne joints par « ou »
    (« Pilier ou orientation », l'export d'années de deux contrats)."""
    par_titre = {}
    for c in attendues:
        for titre in (c.titre, *c.alias, *(alias or {}).get(c.cle, [])):
            par_titre.setdefault(normaliser(titre), c)
    colonnes: dict[str, int] = {}
    for index, entete in enumerate(entetes):
        cle = normaliser(entete)
        colonne = par_titre.get(cle)
        if colonne is None and " ou " in cle:
            parties = {par_titre.get(p.strip()) for p in cle.split(" ou ")}
            colonne = parties.pop() if len(parties) == 1 else None
        if colonne is None:
            continue
        if colonne.cle in colonnes:
            erreurs.append(ErreurImport(nom_feuille, 1, colonne.titre, "colonne en double"))
            continue
        colonnes[colonne.cle] = index
        if titres is not None:
            titres[colonne.cle] = str(entete).strip()
    for colonne in attendues:
        if colonne.obligatoire and colonne.cle not in colonnes:
            erreurs.append(ErreurImport(nom_feuille, 1, colonne.titre, "colonne absente"))
    return colonnes


def non_vide(valeurs: tuple) -> bool:
    return any(v is not None and (not isinstance(v, str) or v.strip()) for v in valeurs)


def lire_classeur(contenu: bytes, alias: dict[str, list[str]] | None = None) -> ClasseurLu:
    """Lit les deux feuilles du format ; lève `FichierRefuse` pour un fichier inutilisable. `alias` : d'autres
    en-têtes admis par colonne (les noms que les contrats donnent à leurs niveaux)."""
    verifier_archive(contenu)
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            return lire_feuilles(archive, alias)
    except XMLInterdit as exc:
        raise FichierRefuse(MESSAGE_XML_INTERDIT) from exc
    except (XlsxIllisible, zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError) as exc:
        raise FichierRefuse(MESSAGE_ABIME) from exc


def lire_feuilles(archive: zipfile.ZipFile, alias: dict[str, list[str]] | None = None) -> ClasseurLu:
    erreurs: list[ErreurImport] = []
    chemins = feuilles_du_classeur(archive)
    par_nom = {normaliser(nom): chemin for nom, chemin in chemins.items()}
    chaines = chaines_partagees(archive)
    feuilles: dict[str, Feuille] = {}
    signalees: list[CelluleFormule] = []
    total = 0
    for nom, attendues in FEUILLES.items():
        chemin = par_nom.get(normaliser(nom))
        if chemin is None:
            erreurs.append(ErreurImport(nom, None, None, f"feuille « {nom} » absente du classeur"))
            continue
        formules: list = []
        lignes = lignes_de_feuille(archive, chemin, chaines, formules)
        premiere = next(lignes, None)
        if premiere is None or premiere[0] != 1 or not non_vide(premiere[1]):
            erreurs.append(
                ErreurImport(nom, 1, None, "la première ligne doit porter les en-têtes de colonnes")
            )
            continue
        titres: dict[str, str] = {}
        colonnes = reperer_colonnes(nom, premiere[1], attendues, erreurs, alias, titres)
        feuille = Feuille(nom=nom, colonnes=colonnes, titres=titres)
        for numero, valeurs in lignes:
            if not non_vide(valeurs):
                continue
            total += 1
            if total > LIGNES_MAX:
                raise FichierRefuse(
                    f"Le classeur dépasse {LIGNES_MAX:,} lignes : découpez-le.".replace(",", "\u00a0")
                )
            feuille.lignes.append(
                (numero, {cle: valeurs[i] if i < len(valeurs) else None for cle, i in colonnes.items()})
            )
        feuilles[nom] = feuille
        signalees += formules_signalees(nom, formules, colonnes, attendues, erreurs)
    if not erreurs and total == 0:
        erreurs.append(ErreurImport(None, None, None, "Le classeur ne contient aucune ligne à importer."))
    return ClasseurLu(feuilles=feuilles, erreurs=erreurs, formules=signalees)


def formules_signalees(nom_feuille, formules, colonnes, attendues, erreurs) -> list[CelluleFormule]:
    """Les formules des colonnes de montant ou de code ; une formule sans valeur en cache est une erreur."""
    titres = {c.cle: c.titre for c in attendues}
    par_index = {index: cle for cle, index in colonnes.items() if cle in COLONNES_A_FORMULE_SIGNALEE}
    signalees = []
    for ligne, index, reference, texte, valeur in formules:
        cle = par_index.get(index)
        if cle is None or ligne == 1:
            continue
        if valeur is None:
            formule = f" (={texte})" if texte else ""
            erreurs.append(
                ErreurImport(
                    nom_feuille,
                    ligne,
                    titres[cle],
                    f"la cellule {reference} contient une formule{formule} sans valeur calculée : ouvrez le "
                    "classeur dans votre tableur, enregistrez-le (ou remplacez la formule par sa valeur), puis "
                    "déposez-le à nouveau",
                )
            )
            continue
        signalees.append(CelluleFormule(nom_feuille, reference, ligne, titres[cle], texte, valeur))
    return signalees
