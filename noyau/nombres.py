"""Arrondis et mise en forme française des montants et des taux, partagés par les pages et le PDF."""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from num2words import num2words

ESPACE_INSECABLE = "\u00a0"
ESPACE_FINE = "\u202f"


def arrondi(valeur, decimales: int = 2) -> Decimal:
    """Arrondi commercial (au plus proche, la moitié vers le haut), le seul du projet."""
    pas = Decimal(1).scaleb(-decimales)
    return Decimal(valeur).quantize(pas, rounding=ROUND_HALF_UP)


def taux(partie, total, decimales: int = 1) -> Decimal:
    """Part de `partie` dans `total` en pourcentage, arrondie ; zéro quand le total est nul."""
    total = Decimal(total or 0)
    if not total:
        return arrondi(0, decimales)
    return arrondi(Decimal(partie or 0) * 100 / total, decimales)


def grouper(entier: str) -> str:
    signe = "-" if entier.startswith("-") else ""
    chiffres = entier.lstrip("-")
    groupes = []
    while chiffres:
        groupes.insert(0, chiffres[-3:])
        chiffres = chiffres[:-3]
    return signe + ESPACE_INSECABLE.join(groupes or ["0"])


def formater_nombre(valeur, decimales: int = 2) -> str:
    """`4734927` → `4 734 927,00` (espaces insécables)."""
    if valeur is None or valeur == "":
        return ""
    texte = f"{arrondi(valeur, decimales):f}"
    entier, _, fraction = texte.partition(".")
    return grouper(entier) + ("," + fraction if decimales > 0 else "")


def formater_euros(valeur, decimales: int = 2) -> str:
    if valeur is None or valeur == "":
        return ""
    return f"{formater_nombre(valeur, decimales)}{ESPACE_INSECABLE}€"


def formater_pourcent(valeur, decimales: int = 1) -> str:
    if valeur is None or valeur == "":
        return ""
    return f"{formater_nombre(valeur, decimales)}{ESPACE_INSECABLE}%"


def montant_en_lettres(valeur) -> str:
    """Un montant en euros écrit en toutes lettres, comme sur une lettre de notification ou une convention :
    `3500.50` → « trois mille cinq cents euros et cinquante centimes », `1000000` → « un million d'euros ».

    Les cardinaux viennent de num2words (orthographe traditionnelle : « soixante et onze », « quatre-vingts ») ;
    la phrase est la nôtre : « d'euros » après million et milliard, pas de « zéro centime », « euro » au singulier
    sous deux."""
    montant = arrondi(valeur)
    if montant < 0:
        raise ValueError("Un montant en lettres ne peut pas être négatif.")
    euros, centimes = int(montant), int((montant % 1) * 100)
    if euros and centimes:
        return f"{_euros_en_lettres(euros)} et {_centimes_en_lettres(centimes)}"
    if centimes:
        return _centimes_en_lettres(centimes)
    return _euros_en_lettres(euros)


def _euros_en_lettres(euros: int) -> str:
    mots = num2words(euros, lang="fr")
    if euros >= 1_000_000 and euros % 1_000_000 == 0:
        return f"{mots} d'euros"
    return f"{mots} {'euros' if euros >= 2 else 'euro'}"


def _centimes_en_lettres(centimes: int) -> str:
    return f"{num2words(centimes, lang='fr')} {'centimes' if centimes >= 2 else 'centime'}"


# --- Lecture des montants tapés ou lus dans un classeur : une seule analyse pour tout le projet -------------

# Espaces admis entre les milliers : ordinaire, insécable, fine insécable, fine, espace-chiffre, tabulation.
ESPACES_MONTANT = " \t\u00a0\u202f\u2009\u2007"
CENT = Decimal("0.01")
MONTANT_MAX = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)
EXEMPLE = "par exemple « 3 500,50 » ou « 12 000 »"
COMMENT_ECRIRE = (
    "écrivez les chiffres de 0 à 9, des espaces entre les milliers et une virgule avant les centimes, "
    + EXEMPLE
)


class MontantInvalide(ValueError):
    """Un montant illisible ; son message, en français, dit ce qui ne va pas et comment l'écrire.

    `code` distingue le montant négatif (`"negatif"`), que le formulaire signale en nommant son champ.
    """

    def __init__(self, message: str, code: str = "invalide"):
        super().__init__(message)
        self.code = code


def analyser_montant(texte: str | None) -> Decimal | None:
    """`« 3 500,50 € »` → `Decimal("3500.50")` ; `None` pour un texte vide.

    Acceptés : espaces (ordinaires, insécables, fines) entre les groupes de trois chiffres, une virgule ou un
    point avant au plus deux décimales, le symbole « € » ou « EUR » à la fin. Refusé tout ce qu'il faudrait
    deviner : « 3.500,50 » (le point est-il un séparateur de milliers ?), « 12,500 » (trois décimales ou douze
    mille cinq cents ?), « 1e5 », un signe, des chiffres autres que 0 à 9 (« ١٢٣ »), des groupes mal formés.
    Jamais d'arrondi : un montant est lu exactement au centime ou refusé.
    """
    if texte is None:
        return None
    brut = str(texte).strip(ESPACES_MONTANT)
    if not brut:
        return None
    cite = f"« {brut} »"
    compact = brut
    for suffixe in ("€", "EUR", "eur", "Eur"):
        if compact.endswith(suffixe):
            compact = compact[: -len(suffixe)].rstrip(ESPACES_MONTANT)
            break
    if compact[:1] in ("-", "−", "–", "—") or compact[-1:] in ("-", "−"):
        raise MontantInvalide(f"{cite} : un montant ne peut pas être négatif ; {COMMENT_ECRIRE}.", "negatif")
    if any(c.isdigit() and c not in "0123456789" for c in compact):
        raise MontantInvalide(
            f"{cite} contient des chiffres autres que 0 à 9 : tapez le montant avec les chiffres 0 à 9, {EXEMPLE}."
        )
    if not compact or any(c not in "0123456789,." and c not in ESPACES_MONTANT for c in compact):
        raise MontantInvalide(f"{cite} n'est pas un montant : {COMMENT_ECRIRE}.")
    separateurs = [c for c in compact if c in ",."]
    if len(separateurs) > 1:
        raise MontantInvalide(
            f"{cite} est ambigu : ne séparez pas les milliers par un point ou une virgule, mais par des espaces, "
            f"et mettez une seule virgule avant les centimes, {EXEMPLE}."
        )
    entier, separateur, decimales = compact.replace(".", ",").partition(",")
    if separateur and len(decimales) > 2 and all(c in "0123456789" for c in decimales):
        raise MontantInvalide(
            f"{cite} a plus de deux décimales : un montant s'écrit au centime près, avec au plus deux chiffres "
            f"après la virgule ; pour les milliers, mettez des espaces, {EXEMPLE}."
        )
    groupes = _decouper(entier)
    if (
        (separateur and not decimales)
        or any(c not in "0123456789" for c in decimales)
        or not groupes
        or (len(groupes) > 1 and not 1 <= len(groupes[0]) <= 3)
        or any(len(g) != 3 for g in groupes[1:])
    ):
        raise MontantInvalide(f"{cite} n'est pas un montant : {COMMENT_ECRIRE}.")
    montant = Decimal(f"{''.join(groupes)}.{decimales or '0'}").quantize(CENT)
    if montant > MONTANT_MAX:
        raise MontantInvalide(
            f"{cite} dépasse le plus grand montant accepté ({formater_euros(MONTANT_MAX)})."
        )
    return montant


def _decouper(entier: str) -> list[str]:
    """Les groupes de chiffres séparés par des espaces (« 1 234 567 » → 1, 234, 567)."""
    groupes, courant = [], ""
    for c in entier:
        if c in ESPACES_MONTANT:
            if not courant:  # deux espaces de suite, ou une espace avant la virgule
                return []
            groupes.append(courant)
            courant = ""
        else:
            courant += c
    if not courant and groupes:
        return []
    if courant:
        groupes.append(courant)
    return groupes


def repartir(valeurs, decimales: int = 0, total=None) -> list[Decimal]:
    """Arrondit chaque valeur à `decimales` pour que les arrondis fassent exactement `total` arrondi (par défaut
    la somme des valeurs, arrondie) : méthode du plus fort reste, le seul arrondi des tableaux imprimés.

    Chaque valeur est d'abord tronquée au pas ; les pas qui manquent au total vont aux plus forts restes (à reste
    égal, à la plus grande valeur, puis à la première ligne). Un tableau imprimé s'additionne ainsi tel
    qu'imprimé : 0,4 + 0,4 + 0,2 donne 0 + 1 + 0 = 1 et non 0 + 0 + 0 à côté d'un total de 1.
    """
    valeurs = [Decimal(v or 0) for v in valeurs]
    pas = Decimal(1).scaleb(-decimales)
    cible = arrondi(sum(valeurs, Decimal(0)) if total is None else total, decimales)
    signe = Decimal(-1) if cible < 0 else Decimal(1)
    valeurs = [v * signe for v in valeurs]
    bases = [(v / pas).to_integral_value(rounding=ROUND_FLOOR) * pas for v in valeurs]
    manque = int(((cible * signe) - sum(bases, Decimal(0))) / pas)
    ordre = sorted(range(len(valeurs)), key=lambda i: (-(valeurs[i] - bases[i]), -valeurs[i], i))
    resultat = list(bases)
    if ordre:
        for k in range(abs(manque)):
            i = ordre[k % len(ordre)] if manque > 0 else ordre[::-1][k % len(ordre)]
            resultat[i] += pas if manque > 0 else -pas
    return [(r * signe).quantize(pas) + 0 for r in resultat]


def parts(valeurs, decimales: int = 1) -> list[Decimal]:
    """La part de chaque valeur dans leur somme, en pourcentage à `decimales`, qui fait exactement 100 (plus fort
    reste) ; des zéros quand la somme est nulle."""
    valeurs = [Decimal(v or 0) for v in valeurs]
    somme = sum(valeurs, Decimal(0))
    if not somme:
        return [arrondi(0, decimales) for _ in valeurs]
    return repartir([v * 100 / somme for v in valeurs], decimales, total=100)


@dataclass(frozen=True)
class TableauArrondi:
    """Un tableau de montants arrondis qui s'additionne tel qu'imprimé : `cellules[i][j]`, `lignes[i]` (total de
    la ligne i), `colonnes[j]` (total de la colonne j) et `total`."""

    cellules: tuple[tuple[Decimal, ...], ...]
    lignes: tuple[Decimal, ...]
    colonnes: tuple[Decimal, ...]
    total: Decimal


def tableau_arrondi(cellules, decimales: int = 0) -> TableauArrondi:
    """Arrondit un tableau (lignes × colonnes) : le total général est l'arrondi du vrai total, réparti entre les
    colonnes, puis chaque colonne entre ses lignes, au plus fort reste ; le total d'une ligne est la somme de ses
    cellules arrondies. Lignes, colonnes et total s'additionnent donc exactement tels qu'imprimés."""
    cellules = [[Decimal(v or 0) for v in ligne] for ligne in cellules]
    nb_colonnes = len(cellules[0]) if cellules else 0
    vraies_colonnes = [sum((ligne[j] for ligne in cellules), Decimal(0)) for j in range(nb_colonnes)]
    total = arrondi(sum(vraies_colonnes, Decimal(0)), decimales)
    colonnes = repartir(vraies_colonnes, decimales, total=total)
    par_colonne = [
        repartir([ligne[j] for ligne in cellules], decimales, total=colonnes[j]) for j in range(nb_colonnes)
    ]
    arrondies = tuple(tuple(par_colonne[j][i] for j in range(nb_colonnes)) for i in range(len(cellules)))
    return TableauArrondi(
        cellules=arrondies,
        lignes=tuple(sum(ligne, arrondi(0, decimales)) for ligne in arrondies),
        colonnes=tuple(colonnes),
        total=total,
    )
