"""Lectures du référentiel : le territoire d'un contrat (quartiers par type, communes autour)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from .enums import TypeQuartier
from .models import Commune, Contrat, Quartier


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
    quartiers élargie de `marge` (en part de sa taille).
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
    emprise = _emprise(q.contour for q in quartiers if q.contour)
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
    )
