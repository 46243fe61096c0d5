"""Les sélections de base : dossiers et lignes retenus d'une année, programmations, numéros libres."""

from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from contrat_ville.models import Contrat, Pilier
from noyau.models import ZERO
from noyau.nombres import arrondi

from ..enums import StatutDossier
from ..models import Dossier, LigneFinancement, Programmation

# L'élément de premier niveau du cadre d'un dossier : son élément, ou le parent de son sous-niveau.
PREMIER_NIVEAU = Coalesce("pilier__parent_id", "pilier_id")
PREMIER_NIVEAU_LIGNE = Coalesce("dossier__pilier__parent_id", "dossier__pilier_id")


def somme(champ: str, **filtre) -> Coalesce:
    return Coalesce(Sum(champ, filter=Q(**filtre) if filtre else None), ZERO)


def au_centime(rang: dict) -> dict:
    """Les sommes d'un agrégat, au centime : SQLite les rend en flottants (`6931463.00000000`), pas PostgreSQL."""
    return {cle: arrondi(v) if isinstance(v, Decimal) else v for cle, v in rang.items()}


def dossiers_de_l_annee(annee: int) -> QuerySet[Dossier]:
    return Dossier.objects.filter(programmation__annee=annee)


def dossiers_retenus(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return dossiers.filter(statut=StatutDossier.RETENU)


def lignes_retenues(dossiers: QuerySet[Dossier], financeur=None) -> QuerySet[LigneFinancement]:
    """Lignes des dossiers retenus ; passer par `dossier__in` évite les doublons des jointures de filtres.

    Avec un `financeur` (filtre du tableau de bord), seuls ses montants comptent.
    """
    lignes = LigneFinancement.objects.filter(
        dossier__in=dossiers.values("pk"), dossier__statut=StatutDossier.RETENU
    )
    return lignes.filter(financeur=financeur) if financeur is not None else lignes


def piliers_du_contrat(annee: int) -> QuerySet[Pilier]:
    programmation = Programmation.objects.filter(annee=annee).select_related("contrat").first()
    if programmation is None:
        return Pilier.objects.none()
    return Pilier.objects.filter(contrat=programmation.contrat_id).order_by("ordre", "code")


def annees_du_contrat(contrat: Contrat | None) -> list[int]:
    """Les années programmées du contrat, dans les limites de sa durée (prorogation comprise)."""
    if contrat is None:
        return []
    return [
        a
        for a in Programmation.objects.filter(contrat=contrat)
        .order_by("annee")
        .values_list("annee", flat=True)
        if contrat.couvre(a)
    ]


def annee_courante() -> int | None:
    """L'année de programmation sur laquelle s'ouvrent les pages de travail : la dernière programmée."""
    return Programmation.objects.order_by("-annee").values_list("annee", flat=True).first()


def prochains_numeros(annees: list[int] | None = None) -> dict[int, str]:
    """Le prochain numéro libre de chaque année (format « AAAA-NNN », trois chiffres au moins) : une requête."""
    numeros = Dossier.objects.values_list("programmation__annee", "numero")
    if annees is not None:
        numeros = numeros.filter(programmation__annee__in=annees)
    plus_grands = dict.fromkeys(annees or [], 0)
    for annee, numero in numeros:
        prefixe, _, rang = numero.partition("-")
        plus_grand = plus_grands.setdefault(annee, 0)
        if prefixe == str(annee) and rang.isdigit() and rang.isascii():
            plus_grands[annee] = max(plus_grand, int(rang))
    return {annee: f"{annee}-{rang + 1:03d}" for annee, rang in plus_grands.items()}


# La liste des programmations (une par année) change une fois par an : les filtres du tableau de bord la lisent
# du cache, comme le référentiel, oubliée à chaque écriture d'une programmation (signaux de `apps.py`).
CLE_CACHE_PROGRAMMATIONS = "programmation:programmations:v1"


def toutes_les_programmations() -> tuple[Programmation, ...]:
    """Toutes les programmations, de la plus récente à la plus ancienne ; du cache s'il y est (aucune requête)."""
    valeur = cache.get(CLE_CACHE_PROGRAMMATIONS)
    if valeur is None:
        valeur = tuple(Programmation.objects.order_by("-annee"))
        cache.set(CLE_CACHE_PROGRAMMATIONS, valeur, settings.CACHE_REFERENTIEL_SECONDES)
    return valeur


def oublier_programmations(**kwargs) -> None:
    """Après l'écriture d'une programmation : tout de suite, et de nouveau à la validation de la transaction."""
    cache.delete(CLE_CACHE_PROGRAMMATIONS)
    transaction.on_commit(lambda: cache.delete(CLE_CACHE_PROGRAMMATIONS))
