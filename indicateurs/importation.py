"""Import des valeurs annuelles des indicateurs depuis un classeur (.xlsx) : lecture et vérification de toutes les
lignes d'abord (chaque erreur nomme la feuille, la ligne et la colonne), écriture ensuite, tout ou rien.

Format (README, « Import des valeurs des indicateurs ») : une feuille « Valeurs », la première ligne porte les
en-têtes `Code indicateur`, `Quartier` (code QPV, vide pour un indicateur de tout le contrat), `Année`, `Valeur`.
"""

import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from openpyxl import Workbook, load_workbook

from contrat_ville.models import Contrat
from noyau.nombres import formater_nombre

from .forms import ValeurInvalide, accorder, analyser_valeur, formater_valeur
from .models import Indicateur, ValeurIndicateur

FEUILLE = "Valeurs"
TAILLE_MAX = 5 * 1024 * 1024
LIGNES_MAX = 20_000
ANNEE_MIN, ANNEE_MAX = 1990, 2100
# Clé, titre imprimé dans les erreurs, titres admis (comparés sans casse ni accents).
COLONNES = (
    ("code", "Code indicateur", ("code indicateur", "code de l'indicateur", "indicateur", "code")),
    ("quartier", "Quartier", ("quartier", "code qpv", "qpv")),
    ("annee", "Année", ("annee",)),
    ("valeur", "Valeur", ("valeur",)),
)
OBLIGATOIRES = ("code", "annee", "valeur")
TITRES = {cle: titre for cle, titre, _ in COLONNES}


def normaliser(texte) -> str:
    brut = unicodedata.normalize("NFKD", str(texte or "")).encode("ascii", "ignore").decode()
    return " ".join(brut.replace("’", "'").lower().split())


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


@dataclass(frozen=True)
class LigneValeur:
    ligne: int
    indicateur: Indicateur
    annee: int
    valeur: Decimal
    ancienne: Decimal | None  # la valeur en base que l'import remplacera, s'il y en a une

    def __str__(self):
        texte = f"{self.indicateur} : {self.annee} = {formater_valeur(self.valeur)}"
        if self.ancienne is not None:
            texte += f" (au lieu de {formater_valeur(self.ancienne)})"
        return texte


@dataclass
class Lecture:
    contrat: Contrat
    nom_fichier: str
    lignes: list[LigneValeur] = field(default_factory=list)
    erreurs: list[ErreurImport] = field(default_factory=list)

    @property
    def creees(self) -> list[LigneValeur]:
        return [ligne for ligne in self.lignes if ligne.ancienne is None]

    @property
    def modifiees(self) -> list[LigneValeur]:
        return [
            ligne for ligne in self.lignes if ligne.ancienne is not None and ligne.ancienne != ligne.valeur
        ]

    @property
    def inchangees(self) -> list[LigneValeur]:
        return [
            ligne for ligne in self.lignes if ligne.ancienne is not None and ligne.ancienne == ligne.valeur
        ]

    @property
    def bilan(self) -> "Bilan":
        return Bilan(len(self.creees), len(self.modifiees), len(self.inchangees))


class FichierRefuse(Exception):
    pass


def _cellules(contenu: bytes):
    """Les lignes (numéro, valeurs, formats) de la feuille « Valeurs », ou `FichierRefuse`."""
    if not contenu:
        raise FichierRefuse("Le fichier est vide.")
    if len(contenu) > TAILLE_MAX:
        raise FichierRefuse(
            "Le fichier dépasse 5 Mo : un classeur de valeurs d'indicateurs pèse quelques ko."
        )
    if not zipfile.is_zipfile(io.BytesIO(contenu)):
        raise FichierRefuse("Ce fichier n'est pas un classeur Excel (.xlsx).")
    try:
        classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl lève des erreurs de toutes sortes sur un fichier abîmé
        raise FichierRefuse(
            "Ce classeur Excel est abîmé ou illisible : ouvrez-le et enregistrez-le à nouveau."
        ) from exc
    feuilles = {normaliser(nom): nom for nom in classeur.sheetnames}
    nom = feuilles.get(normaliser(FEUILLE))
    if nom is None:
        if len(classeur.sheetnames) != 1:
            classeur.close()
            raise FichierRefuse(f"Le classeur n'a pas de feuille « {FEUILLE} ».")
        nom = classeur.sheetnames[0]
    try:
        for numero, cellules in enumerate(classeur[nom].iter_rows(), start=1):
            if numero > LIGNES_MAX + 1:
                raise FichierRefuse(
                    f"Le classeur dépasse {formater_nombre(LIGNES_MAX, 0)} lignes : découpez-le."
                )
            yield nom, numero, [(c.value, getattr(c, "number_format", "") or "") for c in cellules]
    finally:
        classeur.close()


def _texte(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    return str(valeur).strip()


def _annee(valeur) -> int:
    texte = _texte(valeur)
    if not texte.isdigit() or not ANNEE_MIN <= int(texte) <= ANNEE_MAX:
        raise ValueError(f"« {texte} » n'est pas une année (quatre chiffres, de {ANNEE_MIN} à {ANNEE_MAX})")
    return int(texte)


def _valeur(valeur, format_nombre: str) -> Decimal:
    if isinstance(valeur, bool):
        raise ValeurInvalide(f"« {valeur} » n'est pas un nombre")
    if isinstance(valeur, int | float | Decimal):
        nombre = Decimal(str(valeur))
        if "%" in format_nombre:
            nombre *= 100  # une cellule « 24,3 % » vaut 0,243 : on garde ce que le tableur montre
        if nombre < 0:
            raise ValeurInvalide(
                f"« {formater_valeur(nombre)} » : une valeur d'indicateur ne peut pas être négative"
            )
        try:
            arrondie = nombre.quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise ValeurInvalide("nombre trop grand") from exc
        if arrondie != nombre:
            raise ValeurInvalide(
                f"« {nombre} » a plus de deux décimales : arrondissez la cellule (au plus deux chiffres après la "
                "virgule)"
            )
        return arrondie
    resultat = analyser_valeur(_texte(valeur))
    if resultat is None:
        raise ValeurInvalide("valeur manquante")
    return resultat


def lire_classeur(contenu: bytes, *, contrat: Contrat, nom_fichier: str = "classeur.xlsx") -> Lecture:
    """Lit et vérifie chaque ligne ; n'écrit rien. `lecture.erreurs` vide : le classeur peut être importé."""
    lecture = Lecture(contrat=contrat, nom_fichier=nom_fichier)
    erreurs = lecture.erreurs
    indicateurs = {
        (ind.code.upper(), ind.quartier.code.upper() if ind.quartier_id else ""): ind
        for ind in Indicateur.objects.filter(contrat=contrat).select_related("quartier")
    }
    existantes = {
        (v.indicateur_id, v.annee): v.valeur
        for v in ValeurIndicateur.objects.filter(indicateur__contrat=contrat)
    }
    colonnes: dict[str, int] = {}
    vues: dict[tuple[int, int], int] = {}
    try:
        for feuille, numero, cellules in _cellules(contenu):
            if numero == 1:
                for index, (titre, _format) in enumerate(cellules):
                    for cle, _imprime, admis in COLONNES:
                        if normaliser(titre) in admis and cle not in colonnes:
                            colonnes[cle] = index
                manquantes = [TITRES[c] for c in OBLIGATOIRES if c not in colonnes]
                for titre in manquantes:
                    erreurs.append(ErreurImport(feuille, 1, titre, "colonne absente"))
                if manquantes:
                    return lecture
                continue
            cases = {cle: cellules[i] if i < len(cellules) else (None, "") for cle, i in colonnes.items()}
            if all(_texte(v) == "" for v, _f in cases.values()):
                continue
            lecture.lignes.extend(_lire_ligne(feuille, numero, cases, indicateurs, existantes, vues, erreurs))
    except FichierRefuse as exc:
        erreurs.append(ErreurImport(None, None, None, str(exc)))
        return lecture
    if not erreurs and not lecture.lignes:
        erreurs.append(ErreurImport(None, None, None, "Le classeur ne contient aucune valeur à importer."))
    return lecture


def _lire_ligne(feuille, numero, cases, indicateurs, existantes, vues, erreurs) -> list[LigneValeur]:
    avant = len(erreurs)

    def erreur(cle, message):
        erreurs.append(ErreurImport(feuille, numero, TITRES[cle], message))

    code = _texte(cases["code"][0]).upper()
    quartier = _texte(cases.get("quartier", (None, ""))[0]).upper()
    indicateur = None
    if not code:
        erreur("code", "code de l'indicateur manquant")
    else:
        indicateur = indicateurs.get((code, quartier))
        if indicateur is None:
            portee = f"le quartier {quartier}" if quartier else "tout le contrat"
            autres = sorted(q for c, q in indicateurs if c == code)
            aide = ""
            if autres:
                aide = " ; ce code existe pour " + ", ".join(
                    q or "tout le contrat (quartier vide)" for q in autres
                )
            erreur(
                "quartier" if quartier and autres else "code",
                f"aucun indicateur « {code} » pour {portee}{aide}",
            )
    try:
        annee = _annee(cases["annee"][0])
    except ValueError as exc:
        erreur("annee", str(exc))
        annee = None
    try:
        valeur = _valeur(*cases["valeur"])
    except ValeurInvalide as exc:
        erreur("valeur", str(exc).rstrip("."))
        valeur = None
    if len(erreurs) > avant:
        return []
    cle = (indicateur.pk, annee)
    if cle in vues:
        erreur("annee", f"l'indicateur « {code} » a déjà une valeur pour {annee} à la ligne {vues[cle]}")
        return []
    vues[cle] = numero
    return [LigneValeur(numero, indicateur, annee, valeur, existantes.get(cle))]


@dataclass(frozen=True)
class Bilan:
    creees: int
    modifiees: int
    inchangees: int

    def phrases(self) -> list[str]:
        return [
            accorder(self.creees, "valeur créée", "valeurs créées"),
            accorder(self.modifiees, "valeur modifiée", "valeurs modifiées"),
            accorder(self.inchangees, "valeur inchangée", "valeurs inchangées"),
        ]

    def __str__(self):
        return ", ".join(self.phrases())


@transaction.atomic
def importer(lecture: Lecture, *, par=None) -> Bilan:
    """Écrit les valeurs lues, tout ou rien ; refuse une lecture qui a des erreurs."""
    if lecture.erreurs:
        raise ValueError("Un classeur qui a des erreurs ne s'importe pas.")
    creees = modifiees = inchangees = 0
    for ligne in lecture.lignes:
        objet, cree = ValeurIndicateur.objects.select_for_update().get_or_create(
            indicateur=ligne.indicateur,
            annee=ligne.annee,
            defaults={"valeur": ligne.valeur, "cree_par": par, "modifie_par": par},
        )
        if cree:
            creees += 1
        elif objet.valeur != ligne.valeur:
            objet.valeur = ligne.valeur
            objet.modifie_par = par
            objet.save(update_fields=["valeur", "modifie_par", "modifie_le"])
            modifiees += 1
        else:
            inchangees += 1
    return Bilan(creees, modifiees, inchangees)


def classeur_modele(contrat: Contrat, annee: int) -> bytes:
    """Un classeur à remplir : la feuille « Valeurs » porte une ligne par indicateur du contrat pour `annee`,
    valeur vide ; la feuille « Indicateurs » rappelle leur libellé, leur unité et leur source."""
    classeur = Workbook()
    valeurs = classeur.active
    valeurs.title = FEUILLE
    valeurs.append([titre for _cle, titre, _admis in COLONNES])
    aide = classeur.create_sheet("Indicateurs")
    aide.append(["Code indicateur", "Quartier", "Libellé", "Unité", "Sens souhaité", "Source"])
    for ind in Indicateur.objects.filter(contrat=contrat).select_related("quartier"):
        quartier = ind.quartier.code if ind.quartier_id else ""
        valeurs.append([ind.code, quartier, annee, None])
        aide.append([ind.code, quartier, ind.libelle, ind.unite, ind.get_sens_display(), ind.source])
    flux = io.BytesIO()
    classeur.save(flux)
    return flux.getvalue()
