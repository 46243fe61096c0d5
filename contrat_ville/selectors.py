"""Lectures du référentiel : le territoire d'un contrat (quartiers par type, communes autour)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch

from noyau.cache import ValeurPartagee

from .enums import TypeQuartier
from .geometrie import limite_exterieure
from .models import (
    Commune,
    Contrat,
    Financeur,
    ObjectifQuartier,
    Pilier,
    ProjetQuartier,
    Quartier,
    Thematique,
)


@dataclass(frozen=True)
class TypeTerritoire:
    type: TypeQuartier
    nombre: int


@dataclass(frozen=True)
class Territoire:
    quartiers: tuple[Quartier, ...]
    par_type: tuple[TypeTerritoire, ...]
    communes: tuple[Commune, ...]
    communes_alentour: tuple[Commune, ...]
    # La limite de l'agglomération (GeoJSON MultiPolygon), tirée des communes du territoire ; None sans elles.
    limite: dict | None = None

    @property
    def nb_quartiers(self) -> int:
        return len(self.quartiers)

    @property
    def nb_qpv(self) -> int:
        return sum(t.nombre for t in self.par_type if t.type == TypeQuartier.QPV)


def _emprise(geometries) -> tuple[float, float, float, float] | None:
    lons, lats = [], []
    for g in geometries:
        polygones = (
            g.get("coordinates", []) if g.get("type") == "MultiPolygon" else [g.get("coordinates", [])]
        )
        for polygone in polygones:
            for anneau in polygone:
                for lon, lat, *_ in anneau:
                    lons.append(lon)
                    lats.append(lat)
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def territoire(contrat: Contrat, *, marge: float = 0.1) -> Territoire:
    """Les quartiers du contrat, leur nombre par type, leurs communes et les communes voisines (fond de carte).

    Trois requêtes : quartiers, leurs communes, puis les communes dont le centre tombe dans l'emprise des
    quartiers et du territoire (sa limite) élargie de `marge` (en part de sa taille) ; une de plus quand les
    limites des territoires ne sont pas en cache.
    """
    rang = {t: i for i, t in enumerate(TypeQuartier)}  # QPV de l'État d'abord, puis communautaires, veille
    quartiers = tuple(
        sorted(
            contrat.quartiers.prefetch_related(
                Prefetch("communes", queryset=Commune.objects.order_by("nom"))
            ),
            key=lambda q: (rang.get(q.type, len(rang)), q.nom),
        )
    )
    par_type = tuple(
        TypeTerritoire(t, sum(1 for q in quartiers if q.type == t))
        for t in TypeQuartier
        if any(q.type == t for q in quartiers)
    )
    communes = {c.pk: c for q in quartiers for c in q.communes.all()}
    limite = limite_du_territoire(contrat.pk)
    # La carte se cadre sur le territoire quand il est connu : le fond couvre alors l'agglomération entière.
    emprise = _emprise([*(q.contour for q in quartiers if q.contour), *([limite] if limite else [])])
    alentour: tuple[Commune, ...] = ()
    if emprise:
        lon_min, lat_min, lon_max, lat_max = emprise
        dx, dy = (lon_max - lon_min) * marge, (lat_max - lat_min) * marge
        alentour = tuple(
            Commune.objects.filter(
                contour__isnull=False,
                longitude__gte=Decimal(str(round(lon_min - dx, 5))),
                longitude__lte=Decimal(str(round(lon_max + dx, 5))),
                latitude__gte=Decimal(str(round(lat_min - dy, 5))),
                latitude__lte=Decimal(str(round(lat_max + dy, 5))),
            ).order_by("nom")
        )
    return Territoire(
        quartiers=quartiers,
        par_type=par_type,
        communes=tuple(sorted(communes.values(), key=lambda c: c.nom)),
        communes_alentour=alentour,
        limite=limite,
    )


# La limite d'un territoire se calcule une fois (une centaine de contours) et se garde en cache avec le
# référentiel : les mêmes écritures l'en retirent (`oublier_referentiel`, communes du contrat comprises).
CLE_CACHE_LIMITES = "contrat_ville:limites:v1"


def lire_limites() -> dict[int, dict]:
    """La limite de chaque contrat qui a des communes, d'après leurs contours : une requête."""
    contours: dict[int, list[dict]] = {}
    for contrat_id, contour in Contrat.communes.through.objects.filter(
        commune__contour__isnull=False
    ).values_list("contrat_id", "commune__contour"):
        contours.setdefault(contrat_id, []).append(contour)
    limites = {contrat_id: limite_exterieure(geometries) for contrat_id, geometries in contours.items()}
    return {contrat_id: limite for contrat_id, limite in limites.items() if limite}


def _duree_du_referentiel() -> int:
    return settings.CACHE_REFERENTIEL_SECONDES


LIMITES = ValeurPartagee(CLE_CACHE_LIMITES, lire_limites, _duree_du_referentiel)


def limite_du_territoire(contrat_id: int | None) -> dict | None:
    """La limite de l'agglomération du contrat (GeoJSON MultiPolygon), du cache s'il y est ; None sans communes."""
    if contrat_id is None:
        return None
    return LIMITES.lire().get(contrat_id)


# Le référentiel entier tient en mémoire (une vingtaine de quartiers, leurs communes, quelques piliers et
# financeurs) et change quelques fois par an : les pages qui le lisent à chaque requête (filtres et carte du
# tableau de bord) le prennent dans le cache, rechargé après toute écriture (signaux de `apps.py`) et au plus
# tard après CACHE_REFERENTIEL_SECONDES, pour les écritures en masse qui ne passent pas par les signaux.
CLE_CACHE_REFERENTIEL = "contrat_ville:referentiel:v2"


@dataclass(frozen=True)
class Referentiel:
    """Contrats et leur cadre (éléments, projets de quartier et leurs objectifs), thématiques, financeurs,
    quartiers (avec contours) et leurs communes (avec contours)."""

    contrats: tuple[Contrat, ...]
    piliers: tuple[Pilier, ...]
    thematiques: tuple[Thematique, ...]
    financeurs: tuple[Financeur, ...]
    quartiers: tuple[Quartier, ...]
    communes: tuple[Commune, ...]
    quartiers_par_contrat: dict[int, tuple[int, ...]]
    communes_par_quartier: dict[int, tuple[int, ...]]
    projets: tuple[ProjetQuartier, ...] = ()
    objectifs: tuple[ObjectifQuartier, ...] = ()

    def contrat(self, pk: int) -> Contrat | None:
        return next((c for c in self.contrats if c.pk == pk), None)

    def piliers_du_contrat(self, contrat_id: int) -> tuple[Pilier, ...]:
        return tuple(p for p in self.piliers if p.contrat_id == contrat_id)

    def premier_niveau_du_contrat(self, contrat_id: int) -> tuple[Pilier, ...]:
        """Les éléments du premier niveau du cadre (piliers, orientations), dans l'ordre du rapport."""
        return tuple(p for p in self.piliers if p.contrat_id == contrat_id and p.parent_id is None)

    def projets_du_contrat(self, contrat_id: int) -> tuple[ProjetQuartier, ...]:
        return tuple(p for p in self.projets if p.contrat_id == contrat_id)

    def objectifs_du_contrat(self, contrat_id: int) -> tuple[ObjectifQuartier, ...]:
        ids = {p.pk for p in self.projets if p.contrat_id == contrat_id}
        return tuple(o for o in self.objectifs if o.projet_id in ids)

    def quartiers_du_contrat(self, contrat_id: int) -> tuple[Quartier, ...]:
        """Par nom, comme sur la carte et dans les répartitions."""
        ids = set(self.quartiers_par_contrat.get(contrat_id, ()))
        return tuple(sorted((q for q in self.quartiers if q.pk in ids), key=lambda q: q.nom))

    def communes_du_contrat(self, contrat_id: int) -> tuple[Commune, ...]:
        ids = {
            c for q in self.quartiers_par_contrat.get(contrat_id, ()) for c in self.communes_par_quartier[q]
        }
        return tuple(c for c in self.communes if c.pk in ids)


def _projets_et_objectifs(contrats: dict, quartiers: dict) -> tuple[tuple, tuple]:
    """Les projets de quartier et leurs objectifs, en une requête (jointure externe : un projet sans objectif
    compte) ; `projet.contrat`, `projet.quartier` et `objectif.projet` ne font pas de requête."""
    projets: dict[int, ProjetQuartier] = {}
    objectifs = []
    for rang in ProjetQuartier.objects.values(
        "pk",
        "contrat_id",
        "quartier_id",
        "intitule",
        "presentation",
        "objectifs__pk",
        "objectifs__code",
        "objectifs__libelle",
        "objectifs__ordre",
    ).order_by("pk"):
        projet = projets.get(rang["pk"])
        if projet is None:
            projet = projets[rang["pk"]] = ProjetQuartier(
                pk=rang["pk"],
                contrat_id=rang["contrat_id"],
                quartier_id=rang["quartier_id"],
                intitule=rang["intitule"],
                presentation=rang["presentation"],
            )
            projet.contrat = contrats[projet.contrat_id]
            projet.quartier = quartiers[projet.quartier_id]
        if rang["objectifs__pk"] is not None:
            objectif = ObjectifQuartier(
                pk=rang["objectifs__pk"],
                projet_id=projet.pk,
                code=rang["objectifs__code"],
                libelle=rang["objectifs__libelle"],
                ordre=rang["objectifs__ordre"],
            )
            objectif.projet = projet
            objectifs.append(objectif)
    return (
        tuple(sorted(projets.values(), key=lambda p: (p.contrat_id, p.quartier.nom, p.pk))),
        tuple(sorted(objectifs, key=lambda o: (o.projet_id, o.ordre, o.code))),
    )


def lire_referentiel() -> Referentiel:
    """Huit requêtes, quelle que soit la programmation."""
    contrats = tuple(Contrat.objects.order_by("-date_signature", "pk"))
    par_pk = {c.pk: c for c in contrats}
    piliers = tuple(Pilier.objects.order_by("contrat", "ordre", "code"))
    for pilier in piliers:
        pilier.contrat = par_pk[pilier.contrat_id]  # pas de requête pour `pilier.contrat`
    piliers_par_pk = {p.pk: p for p in piliers}
    for pilier in piliers:
        pilier.parent = piliers_par_pk.get(pilier.parent_id)
    thematiques = tuple(Thematique.objects.order_by("code"))
    quartiers = tuple(Quartier.objects.order_by("nom"))
    quartiers_par_pk = {q.pk: q for q in quartiers}
    quartiers_par_contrat: dict[int, list[int]] = {c.pk: [] for c in contrats}
    for contrat_id, quartier_id in Contrat.quartiers.through.objects.values_list("contrat_id", "quartier_id"):
        quartiers_par_contrat[contrat_id].append(quartier_id)
    # Les liens quartier-commune et les communes qu'ils nomment, en une requête.
    communes_par_quartier: dict[int, list[int]] = {q.pk: [] for q in quartiers}
    communes: dict[int, Commune] = {}
    for lien in Quartier.communes.through.objects.select_related("commune").order_by("commune__nom", "pk"):
        communes_par_quartier[lien.quartier_id].append(lien.commune_id)
        communes.setdefault(lien.commune_id, lien.commune)
    projets, objectifs = _projets_et_objectifs(par_pk, quartiers_par_pk)
    return Referentiel(
        contrats=contrats,
        piliers=piliers,
        thematiques=thematiques,
        financeurs=tuple(Financeur.objects.order_by("nom")),
        quartiers=quartiers,
        communes=tuple(communes.values()),  # par nom, dans l'ordre de la base
        quartiers_par_contrat={k: tuple(v) for k, v in quartiers_par_contrat.items()},
        communes_par_quartier={k: tuple(v) for k, v in communes_par_quartier.items()},
        projets=projets,
        objectifs=objectifs,
    )


REFERENTIEL = ValeurPartagee(CLE_CACHE_REFERENTIEL, lire_referentiel, _duree_du_referentiel)


def referentiel() -> Referentiel:
    """Le référentiel, de la mémoire du processus ou du cache s'il y est : aucune requête."""
    return REFERENTIEL.lire()


def oublier_referentiel(**kwargs) -> None:
    """Après une écriture du référentiel : la prochaine lecture le recharge.

    Retiré tout de suite (la suite de la même transaction lit ce qu'elle vient d'écrire) et de nouveau à la
    validation (une autre requête a pu remettre en cache, entre-temps, l'état d'avant la transaction).
    """
    cles = [*REFERENTIEL.cles(), *LIMITES.cles()]
    cache.delete_many(cles)
    transaction.on_commit(lambda: cache.delete_many(cles))
