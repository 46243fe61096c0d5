"""Le format du classeur d'échange (DOMAIN.md, « Spreadsheet exchange format ») et la lecture de ses cellules.

Les en-têtes et les valeurs énumérées se comparent sans tenir compte de la casse ni des accents ; les montants
se lisent exactement en `Decimal`, depuis une cellule numérique ou un texte à la française (`12 500,50 €`).
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from noyau.nombres import CENT, MONTANT_MAX, MontantInvalide, analyser_montant

FEUILLE_DOSSIERS = "Dossiers"
FEUILLE_FINANCEMENTS = "Financements"


@dataclass(frozen=True)
class Colonne:
    cle: str
    titre: str
    obligatoire: bool = True
    # Autres en-têtes admis : le premier niveau se nomme comme le contrat le nomme (« Pilier », « Orientation »…).
    alias: tuple[str, ...] = ()


# Le format de 2015 : celui qu'écrivent l'export et le classeur modèle d'un contrat à piliers sans sous-niveaux ni
# projets de quartier. Le titre de la colonne du premier niveau suit le contrat (`titre_niveau`).
COLONNES_DOSSIERS = (
    Colonne("numero", "N° dossier"),
    Colonne("annee", "Année"),
    Colonne("intitule", "Intitulé"),
    Colonne("porteur", "Porteur"),
    Colonne("siret", "SIRET", obligatoire=False),
    Colonne("type_porteur", "Type de porteur"),
    Colonne("pilier", "Pilier", alias=("Orientation", "Élément du cadre")),
    Colonne("thematique", "Thématique", obligatoire=False),
    Colonne("quartiers", "Quartiers", obligatoire=False),
    Colonne("statut", "Statut"),
    Colonne("cout_total", "Coût total", obligatoire=False),
    # La reconduction : le n° du dossier de la même action l'année précédente (suivre une action d'année en année).
    Colonne("dossier_precedent", "Dossier précédent", obligatoire=False),
)

COLONNES_FINANCEMENTS = (
    Colonne("numero", "N° dossier"),
    Colonne("annee", "Année"),
    Colonne("financeur", "Financeur"),
    Colonne("nature", "Nature", obligatoire=False),
    Colonne("montant_sollicite", "Montant sollicité"),
    Colonne("montant_accorde", "Montant accordé"),
)

# Colonnes facultatives des contrats qui en ont l'usage (Engagements Quartiers 2030) : l'élément du second niveau
# (un axe d'une orientation) et les objectifs des projets de quartier que l'action vise.
COLONNE_SOUS_NIVEAU = Colonne("sous_niveau", "Sous-niveau", obligatoire=False, alias=("Axe",))
COLONNE_OBJECTIFS = Colonne(
    "objectifs",
    "Objectifs de quartier",
    obligatoire=False,
    alias=("Objectifs", "Objectifs des projets de quartier"),
)
COLONNES_DOSSIERS_LUES = (*COLONNES_DOSSIERS, COLONNE_SOUS_NIVEAU, COLONNE_OBJECTIFS)

FEUILLES = {FEUILLE_DOSSIERS: COLONNES_DOSSIERS_LUES, FEUILLE_FINANCEMENTS: COLONNES_FINANCEMENTS}


def capitaliser(texte: str) -> str:
    return texte[:1].upper() + texte[1:]


def titre_commun(libelles) -> str:
    """« Pilier » pour un contrat ; « Pilier ou orientation » quand le classeur couvre deux contrats."""
    distincts = []
    for libelle in libelles:
        if libelle and normaliser(libelle) not in {normaliser(d) for d in distincts}:
            distincts.append(libelle)
    return capitaliser(" ou ".join(distincts))


def colonnes_dossiers(*, niveau: str = "Pilier", sous_niveau: str | None = None, objectifs: bool = False):
    """Les colonnes de la feuille Dossiers telles que l'export et le classeur modèle les écrivent : le premier
    niveau nommé comme le contrat le nomme ; le second niveau et les objectifs seulement si le contrat en a."""
    colonnes = []
    for colonne in COLONNES_DOSSIERS:
        if colonne.cle == "pilier":
            colonne = Colonne("pilier", niveau, alias=colonne.alias)
        colonnes.append(colonne)
        if colonne.cle == "pilier" and sous_niveau:
            colonnes.append(Colonne("sous_niveau", sous_niveau, obligatoire=False))
        if colonne.cle == "quartiers" and objectifs:
            colonnes.append(COLONNE_OBJECTIFS)
    return tuple(colonnes)


class ValeurInvalide(ValueError):
    """Une cellule illisible ; son message, en français, finit dans le rapport d'import."""


def normaliser(texte) -> str:
    """Clé de comparaison : sans accents, sans casse, ponctuation et espaces réduits (`N° dossier` → `n dossier`)."""
    if texte is None:
        return ""
    return _normaliser(str(texte))


@functools.lru_cache(maxsize=8192)  # les mêmes financeurs, statuts et natures reviennent à chaque ligne
def _normaliser(texte: str) -> str:
    decompose = unicodedata.normalize("NFKD", str(texte))
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", sans_accents.casefold()).split())


def lire_texte(valeur) -> str:
    """Le texte d'une cellule ; un nombre entier saisi dans une colonne de texte (n° de dossier) reste entier."""
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    return str(valeur).strip()


def lire_annee(valeur) -> int:
    texte = lire_texte(valeur)
    if not re.fullmatch(r"\d{4}", texte):
        raise ValeurInvalide(f"« {texte} » n'est pas une année")
    return int(texte)


# Espaces qu'on rencontre entre les milliers : ordinaire, insécable, fine insécable, fine, tabulation.
ESPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
# Un nombre lu depuis le XML d'Excel est un flottant ; 1234.5600000000001 n'est que le bruit binaire de 1234.56,
# alors que 12.345 est une vraie troisième décimale.
BRUIT_BINAIRE = Decimal("0.000001")


def lire_montant(valeur) -> Decimal | None:
    """Lit un montant exact au centime ; `None` pour une cellule vide. Jamais d'arrondi silencieux."""
    if valeur is None or (isinstance(valeur, str) and not ESPACES.sub("", valeur)):
        return None
    if isinstance(valeur, bool):
        raise ValeurInvalide("n'est pas un montant")
    if isinstance(valeur, int):
        montant = Decimal(valeur)
    elif isinstance(valeur, float):
        if valeur != valeur or valeur in (float("inf"), float("-inf")):
            raise ValeurInvalide("n'est pas un montant")
        exact = Decimal(repr(valeur))
        montant = exact.quantize(CENT) if abs(exact - exact.quantize(CENT)) < BRUIT_BINAIRE else exact
    elif isinstance(valeur, Decimal):
        montant = valeur
    elif isinstance(valeur, str):
        montant = lire_montant_texte(valeur)
    else:
        raise ValeurInvalide("n'est pas un montant")
    if montant < 0:
        raise ValeurInvalide("montant négatif")
    if montant.as_tuple().exponent < -2 and montant != montant.quantize(CENT):
        raise ValeurInvalide("plus de deux décimales")
    if montant > MONTANT_MAX:
        raise ValeurInvalide("montant trop grand")
    return montant.quantize(CENT)


def lire_montant_texte(texte: str) -> Decimal:
    """Un montant écrit en texte dans une cellule : la même analyse que les formulaires (`noyau.nombres`)."""
    try:
        return analyser_montant(texte)
    except MontantInvalide as exc:
        raise ValeurInvalide(str(exc)) from exc


def lire_codes(valeur, separateurs: str = ";\n") -> list[str]:
    """`QN06208M; QN06209M` → les codes, en majuscules, sans doublon, dans l'ordre."""
    codes = []
    for morceau in re.split(f"[{separateurs}]", lire_texte(valeur)):
        code = morceau.strip().upper()
        if code and code not in codes:
            codes.append(code)
    return codes


# Un texte qui commence par l'un de ces caractères serait pris pour une formule par un tableur (injection de
# formules) : l'export l'écrit en cellule texte marquée « préfixe apostrophe », sans altérer la valeur.
DEBUTS_DANGEREUX = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def est_dangereux(texte) -> bool:
    return isinstance(texte, str) and texte.startswith(DEBUTS_DANGEREUX)
