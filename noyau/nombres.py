"""Arrondis et mise en forme française des montants et des taux, partagés par les pages et le PDF."""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

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
