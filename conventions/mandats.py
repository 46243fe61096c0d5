"""Import des mandats payés, depuis l'export de la direction des finances (CSV ou XLSX) : lecture, aperçu, écriture.

Une ligne par mandat : n° de mandat, date du mandat, montant, référence de la convention (ou n° du dossier),
SIRET du bénéficiaire. L'aperçu dit ce qui sera enregistré, ce qui l'est déjà (un mandat déjà importé n'est pas
compté deux fois) et chaque erreur, nommant la ligne et la colonne. L'écriture passe par `enregistrer_versement`
(verrou de la tranche, reste à payer, solde après le bilan), toutes les lignes dans une transaction : tout ou rien.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from noyau.models import ZERO
from noyau.nombres import formater_euros
from programmation.echange.format import ValeurInvalide, lire_montant, lire_texte, normaliser
from programmation.echange.lecture import ErreurImport, FichierRefuse, non_vide, verifier_archive
from programmation.echange.xlsx import (
    XlsxIllisible,
    XMLInterdit,
    chaines_partagees,
    feuilles_du_classeur,
    lignes_de_feuille,
)

from .enums import TypeEcheance
from .models import Convention, Tranche, Versement
from .services import bilans_acceptes, enregistrer_versement

TAILLE_MAX = 5 * 1024 * 1024
LIGNES_MAX = 10_000
# Colonne → intitulés acceptés (comparés sans accents ni casse ni ponctuation).
COLONNES = {
    "mandat": ("N° de mandat", {"n de mandat", "numero de mandat", "mandat", "n mandat", "numero mandat"}),
    "date": ("Date du mandat", {"date du mandat", "date mandat", "date"}),
    "montant": ("Montant", {"montant", "montant paye", "montant du mandat", "montant ttc"}),
    "reference": (
        "Référence",
        {
            "reference",
            "reference de la convention",
            "convention",
            "n de convention",
            "dossier",
            "n de dossier",
        },
    ),
    "siret": ("SIRET", {"siret", "siret du beneficiaire", "siret beneficiaire"}),
}
OBLIGATOIRES = ("mandat", "date", "montant", "reference")
EXCEL_EPOQUE = datetime.date(1899, 12, 30)


@dataclass
class LigneMandat:
    ligne: int
    mandat: str
    date: datetime.date
    montant: Decimal
    tranche: Tranche
    echeance_id: int


@dataclass
class Apercu:
    a_importer: list[LigneMandat] = field(default_factory=list)
    deja_importes: list[tuple[int, str]] = field(default_factory=list)  # (ligne, n° de mandat)
    erreurs: list[ErreurImport] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((ligne.montant for ligne in self.a_importer), ZERO)


def lire_fichier(nom: str, contenu: bytes) -> list[tuple[int, tuple]]:
    """Les lignes (numéro, valeurs) du fichier, en-tête compris ; FichierRefuse si le fichier est inutilisable."""
    if not contenu:
        raise FichierRefuse("Le fichier est vide.")
    if len(contenu) > TAILLE_MAX:
        raise FichierRefuse("Le fichier dépasse 5 Mo : ce n'est pas un export de mandats.")
    if nom.lower().endswith(".xlsx") or contenu[:4] == b"PK\x03\x04":
        return _lire_xlsx(contenu)
    if nom.lower().endswith((".csv", ".txt")):
        return _lire_csv(contenu)
    raise FichierRefuse("Déposez un fichier CSV ou XLSX (l'export des mandats de la direction des finances).")


def _lire_xlsx(contenu: bytes) -> list[tuple[int, tuple]]:
    verifier_archive(contenu)
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            chemins = list(feuilles_du_classeur(archive).values())
            if not chemins:
                raise FichierRefuse("Le classeur n'a aucune feuille.")
            lignes = []
            for numero, valeurs in lignes_de_feuille(archive, chemins[0], chaines_partagees(archive)):
                lignes.append((numero, valeurs))
                if len(lignes) > LIGNES_MAX + 1:
                    raise FichierRefuse(f"Le fichier dépasse {LIGNES_MAX} lignes.")
            return lignes
    except XMLInterdit as exc:
        raise FichierRefuse("Ce classeur contient des déclarations XML interdites (DTD, entités).") from exc
    except (XlsxIllisible, zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError) as exc:
        raise FichierRefuse("Ce classeur est abîmé ou illisible : enregistrez-le de nouveau.") from exc


def _lire_csv(contenu: bytes) -> list[tuple[int, tuple]]:
    for encodage in ("utf-8-sig", "cp1252"):
        try:
            texte = contenu.decode(encodage)
            break
        except UnicodeDecodeError:
            continue
    premiere = texte.split("\n", 1)[0]
    separateur = max(";,\t", key=premiere.count)
    lignes = []
    for numero, valeurs in enumerate(csv.reader(io.StringIO(texte), delimiter=separateur), start=1):
        lignes.append((numero, tuple(valeurs)))
        if len(lignes) > LIGNES_MAX + 1:
            raise FichierRefuse(f"Le fichier dépasse {LIGNES_MAX} lignes.")
    return lignes


def _lire_date(valeur) -> datetime.date:
    if isinstance(valeur, datetime.datetime):
        return valeur.date()
    if isinstance(valeur, datetime.date):
        return valeur
    if isinstance(valeur, int | float) and not isinstance(valeur, bool) and 1 <= valeur < 100_000:
        return EXCEL_EPOQUE + datetime.timedelta(days=int(valeur))
    texte = lire_texte(valeur)
    for format_date in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y"):
        try:
            return datetime.datetime.strptime(texte, format_date).date()
        except ValueError:
            continue
    raise ValeurInvalide(f"« {texte} » n'est pas une date (JJ/MM/AAAA)")


def analyser(nom: str, contenu: bytes) -> Apercu:
    """L'aperçu de l'import : rien n'est écrit."""
    apercu = Apercu()
    try:
        lignes = lire_fichier(nom, contenu)
    except FichierRefuse as exc:
        apercu.erreurs.append(exc.erreur)
        return apercu
    if not lignes or not non_vide(lignes[0][1]):
        apercu.erreurs.append(
            ErreurImport(None, 1, None, "la première ligne doit porter les en-têtes de colonnes")
        )
        return apercu
    colonnes = _colonnes(lignes[0][1], apercu.erreurs)
    if apercu.erreurs:
        return apercu
    brutes = []
    for numero, valeurs in lignes[1:]:
        if not non_vide(valeurs):
            continue
        brutes.append(
            (numero, {cle: valeurs[i] if i < len(valeurs) else None for cle, i in colonnes.items()})
        )
    references = {lire_texte(v["reference"]) for _, v in brutes}
    conventions = _conventions_par_reference(references)
    deja = dict(
        Versement.objects.filter(
            reference_mandat__in={lire_texte(v["mandat"]) for _, v in brutes}
        ).values_list("reference_mandat", "montant")
    )
    vus: dict[str, int] = {}
    reste_par_tranche: dict[int, Decimal] = {}
    for numero, valeurs in brutes:
        _analyser_ligne(numero, valeurs, conventions, deja, vus, reste_par_tranche, apercu)
    return apercu


def _colonnes(entetes: tuple, erreurs: list) -> dict[str, int]:
    colonnes: dict[str, int] = {}
    for index, entete in enumerate(entetes):
        cle = next((c for c, (_, noms) in COLONNES.items() if normaliser(entete) in noms), None)
        if cle and cle not in colonnes:
            colonnes[cle] = index
    for cle in OBLIGATOIRES:
        if cle not in colonnes:
            erreurs.append(ErreurImport(None, 1, COLONNES[cle][0], "colonne absente"))
    return colonnes


def _conventions_par_reference(references: set[str]) -> dict[str, list[Tranche]]:
    """Pour chaque référence (de convention, ou n° de dossier), ses tranches, avec échéances et paiements :
    trois requêtes quel que soit le nombre de lignes."""
    par_reference: dict[str, list[Tranche]] = {}
    for tranche in (
        Tranche.objects.filter(
            Q(convention__reference__in=references) | Q(ligne__dossier__numero__in=references)
        )
        .distinct()
        .select_related("convention__porteur", "ligne__dossier")
        .prefetch_related("echeances__versements", "bilans")
        .order_by("annee")
    ):
        cles = {tranche.convention.reference}
        if tranche.ligne_id:
            cles.add(tranche.ligne.dossier.numero)
        for cle in cles & references:
            par_reference.setdefault(cle, []).append(tranche)
    return par_reference


def _analyser_ligne(numero, valeurs, conventions, deja, vus, reste_par_tranche, apercu) -> None:
    def erreur(cle: str, message: str) -> None:
        apercu.erreurs.append(ErreurImport(None, numero, COLONNES[cle][0], message))

    mandat = lire_texte(valeurs["mandat"])
    if not mandat:
        return erreur("mandat", "n° de mandat manquant")
    if len(mandat) > 60:
        return erreur("mandat", "n° de mandat trop long (60 caractères au plus)")
    if mandat in vus:
        return erreur("mandat", f"le mandat {mandat} figure déjà ligne {vus[mandat]}")
    vus[mandat] = numero
    try:
        montant = lire_montant(valeurs["montant"])
    except ValeurInvalide as exc:
        return erreur("montant", str(exc))
    if not montant:
        return erreur("montant", "montant manquant ou nul")
    try:
        date = _lire_date(valeurs["date"])
    except ValeurInvalide as exc:
        return erreur("date", str(exc))
    if mandat in deja:
        if deja[mandat] != montant:
            return erreur(
                "mandat",
                f"le mandat {mandat} est déjà enregistré pour {formater_euros(deja[mandat])}, "
                f"pas {formater_euros(montant)}",
            )
        apercu.deja_importes.append((numero, mandat))
        return None
    reference = lire_texte(valeurs["reference"])
    tranches = conventions.get(reference)
    if not reference:
        return erreur("reference", "référence de la convention ou n° de dossier manquant")
    if not tranches:
        return erreur("reference", f"aucune convention ni dossier conventionné « {reference} »")
    if len({t.convention_id for t in tranches}) > 1:
        return erreur(
            "reference",
            f"« {reference} » désigne plusieurs conventions : donnez la référence de la convention",
        )
    tranche = next((t for t in tranches if t.annee == date.year), None) or _premiere_a_payer(
        tranches, reste_par_tranche
    )
    convention: Convention = tranche.convention
    siret = "".join(lire_texte(valeurs.get("siret")).split())
    if siret and convention.porteur.siret and siret != convention.porteur.siret:
        return erreur(
            "siret",
            f"le SIRET {siret} n'est pas celui de {convention.porteur} ({convention.porteur.siret}), "
            f"titulaire de la convention {convention.reference}",
        )
    if tranche.pk not in reste_par_tranche:
        paye = sum((v.montant for e in tranche.echeances.all() for v in e.versements.all()), ZERO)
        reste_par_tranche[tranche.pk] = tranche.montant - paye
    reste = reste_par_tranche[tranche.pk]
    if montant > reste:
        return erreur(
            "montant",
            f"ce versement ({formater_euros(montant)}) dépasse le reste à payer de la tranche {tranche.annee} de la "
            f"convention {convention.reference} : {formater_euros(reste)}",
        )
    echeance = _echeance(tranche, tranche.montant - reste)
    if echeance.type == TypeEcheance.SOLDE and not bilans_acceptes(tranche):
        return erreur(
            "montant",
            f"ce versement entame le solde de la tranche {tranche.annee} de la convention {convention.reference}, "
            "qui ne peut pas être versé avant l'acceptation du compte rendu financier et du bilan qualitatif",
        )
    reste_par_tranche[tranche.pk] = reste - montant
    apercu.a_importer.append(LigneMandat(numero, mandat, date, montant, tranche, echeance.pk))
    return None


def _premiere_a_payer(tranches: list[Tranche], reste_par_tranche: dict) -> Tranche:
    for tranche in tranches:
        paye = sum((v.montant for e in tranche.echeances.all() for v in e.versements.all()), ZERO)
        if reste_par_tranche.get(tranche.pk, tranche.montant - paye) > 0:
            return tranche
    return tranches[-1]


def _echeance(tranche: Tranche, deja_paye: Decimal):
    """L'échéance que le versement entame : la première (par date) que ce qui est déjà payé ne couvre pas."""
    cumul = ZERO
    echeances = sorted(tranche.echeances.all(), key=lambda e: (e.date_prevue, e.pk))
    for echeance in echeances:
        cumul += echeance.montant
        if deja_paye < cumul:
            return echeance
    return echeances[-1]


@transaction.atomic
def importer(nom: str, contenu: bytes, *, acteur=None) -> Apercu:
    """Relit le fichier et enregistre chaque versement, tout ou rien : la moindre erreur n'écrit rien."""
    apercu = analyser(nom, contenu)
    if apercu.erreurs:
        raise ValidationError([str(e) for e in apercu.erreurs])
    for ligne in apercu.a_importer:
        try:
            enregistrer_versement(
                echeance=next(e for e in ligne.tranche.echeances.all() if e.pk == ligne.echeance_id),
                date=ligne.date,
                montant=ligne.montant,
                reference_mandat=ligne.mandat,
                acteur=acteur,
            )
        except ValidationError as exc:
            # Le service revérifie sous le verrou de la tranche (un versement saisi entre l'aperçu et l'import).
            raise ValidationError(f"ligne {ligne.ligne} : {' '.join(exc.messages)}") from exc
    return apercu
