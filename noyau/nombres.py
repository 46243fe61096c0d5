"""Arrondis et mise en forme française des montants et des taux, partagés par les pages et le PDF."""

from decimal import ROUND_HALF_UP, Decimal

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
