"""Lectures des indicateurs, partagées par le rapport annuel, le tableau de bord et la page de mi-parcours.

Chaque chiffre a un seul calcul : la progression vers la cible (`progression`), la trajectoire attendue
(`attendu`) et la position à mi-parcours (`position`) ; le tout se lit en une requête (`suivi_des_indicateurs`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from contrat_ville.models import Contrat
from noyau.nombres import arrondi

from .enums import Position, SensSouhaite
from .models import Indicateur

CENT = Decimal(100)
# Écart toléré autour de la trajectoire linéaire, en points de l'écart référence → cible : sur un taux d'emploi qui
# doit gagner 6 points, 5 % du chemin font 0,3 point, l'ordre de la précision des sources.
TOLERANCE_POINTS = Decimal(5)


@dataclass(frozen=True)
class Point:
    annee: int
    valeur: Decimal


def _progression_brute(indicateur: Indicateur, valeur: Decimal) -> Decimal | None:
    ecart = abs(indicateur.cible - indicateur.valeur_reference)
    if not ecart:
        return None
    gain = valeur - indicateur.valeur_reference
    if indicateur.sens == SensSouhaite.BAISSE:
        gain = -gain
    return gain * CENT / ecart


def progression(indicateur: Indicateur, valeur: Decimal | None, *, bornee: bool = True) -> Decimal | None:
    """Le chemin parcouru de la référence vers la cible, en % de l'écart référence → cible (0 à la référence,
    100 à la cible), dans le sens souhaité : une baisse de 40 à 30 vers une cible de 20 fait 50 %.

    Bornée à [0, 100] par défaut (un recul compte 0, une cible dépassée 100) ; None sans valeur ou sans écart."""
    brute = None if valeur is None else _progression_brute(indicateur, valeur)
    if brute is None:
        return None
    if bornee:
        brute = min(max(brute, Decimal(0)), CENT)
    return arrondi(brute, 1)


def _part_ecoulee(indicateur: Indicateur, annee: int) -> Decimal:
    """La part (0 à 1) de la période référence → cible écoulée en `annee`."""
    duree = indicateur.annee_cible - indicateur.annee_reference
    ecoule = min(max(annee - indicateur.annee_reference, 0), duree)
    return Decimal(ecoule) / Decimal(duree)


def attendu(indicateur: Indicateur, annee: int) -> Decimal:
    """La progression qu'une trajectoire linéaire de la référence à la cible aurait atteinte en `annee` (en %)."""
    return arrondi(_part_ecoulee(indicateur, annee) * CENT, 1)


def valeur_attendue(indicateur: Indicateur, annee: int) -> Decimal:
    """La valeur de la trajectoire linéaire en `annee` (dans l'unité de l'indicateur)."""
    ecart = indicateur.cible - indicateur.valeur_reference
    return arrondi(indicateur.valeur_reference + ecart * _part_ecoulee(indicateur, annee), 2)


def position(indicateur: Indicateur, point: Point | None) -> Position:
    """En avance, dans la trajectoire (à `TOLERANCE_POINTS` près) ou en retard, à l'année de sa valeur."""
    if point is None:
        return Position.SANS_VALEUR
    brute = _progression_brute(indicateur, point.valeur)
    if brute is None:
        return Position.SANS_VALEUR
    ecart = brute - _part_ecoulee(indicateur, point.annee) * CENT
    if ecart > TOLERANCE_POINTS:
        return Position.EN_AVANCE
    if ecart < -TOLERANCE_POINTS:
        return Position.EN_RETARD
    return Position.DANS_LA_TRAJECTOIRE


@dataclass(frozen=True)
class SuiviIndicateur:
    """Un indicateur et ses valeurs connues jusqu'à l'année regardée, avec ce que le rapport et les pages en disent."""

    indicateur: Indicateur
    points: tuple[Point, ...]
    annee: int

    @property
    def derniere(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def progression(self) -> Decimal | None:
        return progression(self.indicateur, self.derniere.valeur) if self.derniere else None

    @property
    def attendu(self) -> Decimal | None:
        return attendu(self.indicateur, self.derniere.annee) if self.derniere else None

    @property
    def valeur_attendue(self) -> Decimal | None:
        return valeur_attendue(self.indicateur, self.derniere.annee) if self.derniere else None

    @property
    def position(self) -> Position:
        return position(self.indicateur, self.derniere)


@dataclass(frozen=True)
class SuiviDuContrat:
    contrat: Contrat | None
    annee: int
    lignes: tuple[SuiviIndicateur, ...]

    @property
    def annee_texte(self) -> str:
        return str(self.annee)  # un entier passerait par le séparateur de milliers (« 2 025 »)

    @property
    def du_contrat(self) -> tuple[SuiviIndicateur, ...]:
        return tuple(s for s in self.lignes if s.indicateur.quartier_id is None)

    @property
    def des_quartiers(self) -> tuple[SuiviIndicateur, ...]:
        return tuple(s for s in self.lignes if s.indicateur.quartier_id is not None)

    def par_position(self) -> list[tuple[Position, int]]:
        comptes = dict.fromkeys(Position, 0)
        for s in self.lignes:
            comptes[s.position] += 1
        return list(comptes.items())


# Les indicateurs et leurs valeurs changent quelques fois par an : le tableau de bord et le rapport les lisent du
# cache, comme le référentiel, oubliés à chaque écriture d'un indicateur, d'une valeur, d'un contrat ou d'un
# quartier (signaux de `apps.py`). Le tableau de bord garde ainsi ses 12 requêtes (issue 11).
CLE_CACHE_INDICATEURS = "indicateurs:tous:v1"


def _tous_les_indicateurs() -> dict[int, tuple[tuple[Indicateur, tuple[Point, ...]], ...]]:
    """Chaque contrat : ses indicateurs (contrat d'abord, puis chaque quartier) et toutes leurs valeurs par année.
    Du cache s'il y est (aucune requête), sinon une requête : la jointure gauche garde les indicateurs sans valeur."""
    valeur = cache.get(CLE_CACHE_INDICATEURS)
    if valeur is not None:
        return valeur
    lignes = (
        Indicateur.objects.select_related("quartier", "contrat")
        .annotate(point_annee=F("valeurs__annee"), point_valeur=F("valeurs__valeur"))
        .order_by("contrat", F("quartier__nom").asc(nulls_first=True), "ordre", "code", "pk", "point_annee")
    )
    indicateurs: dict[int, Indicateur] = {}
    points: dict[int, list[Point]] = {}
    for ligne in lignes:
        indicateurs.setdefault(ligne.pk, ligne)
        points.setdefault(ligne.pk, [])
        if ligne.point_annee is not None:
            points[ligne.pk].append(Point(ligne.point_annee, ligne.point_valeur))
    par_contrat: dict[int, list] = {}
    for pk, indicateur in indicateurs.items():
        par_contrat.setdefault(indicateur.contrat_id, []).append((indicateur, tuple(points[pk])))
    valeur = {contrat_id: tuple(liste) for contrat_id, liste in par_contrat.items()}
    cache.set(CLE_CACHE_INDICATEURS, valeur, settings.CACHE_REFERENTIEL_SECONDES)
    return valeur


def oublier_indicateurs(**kwargs) -> None:
    """Après une écriture : tout de suite, et de nouveau à la validation de la transaction."""
    cache.delete(CLE_CACHE_INDICATEURS)
    transaction.on_commit(lambda: cache.delete(CLE_CACHE_INDICATEURS))


def suivi_des_indicateurs(contrat: Contrat | int | None, annee: int, *, quartier=None) -> SuiviDuContrat:
    """Les indicateurs du contrat et leurs valeurs des années jusqu'à `annee` comprise ; avec `quartier`, ceux de
    tout le contrat et de ce quartier seulement (le tableau de bord filtré sur un quartier). Lus du cache : aucune
    requête, une quand il est à refaire."""
    contrat_id = getattr(contrat, "pk", contrat)
    if contrat_id is None:
        return SuiviDuContrat(contrat=None, annee=annee, lignes=())
    quartier_id = getattr(quartier, "pk", quartier)
    suivis = tuple(
        SuiviIndicateur(indicateur, tuple(p for p in points if p.annee <= annee), annee)
        for indicateur, points in _tous_les_indicateurs().get(contrat_id, ())
        if quartier_id is None or indicateur.quartier_id in (None, quartier_id)
    )
    if not isinstance(contrat, Contrat):
        contrat = suivis[0].indicateur.contrat if suivis else None
    return SuiviDuContrat(contrat=contrat, annee=annee, lignes=suivis)


def contrat_de_l_annee(annee: int) -> Contrat | None:
    """Le contrat qui couvre `annee` (prorogation comprise) : une année n'appartient qu'à un contrat."""
    for contrat in Contrat.objects.filter(date_signature__year__lte=annee).order_by("-date_signature"):
        if contrat.couvre(annee):
            return contrat
    return None


def vue_mi_parcours(contrat: Contrat) -> SuiviDuContrat:
    """Où en est chaque indicateur à l'année de mi-parcours du contrat (ou à sa dernière valeur connue avant)."""
    annee = contrat.annee_mi_parcours or contrat.annees[len(contrat.annees) // 2]
    return suivi_des_indicateurs(contrat, annee)
