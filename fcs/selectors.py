"""Lectures du fonds de cohésion sociale et des fonds de concours, pour le rapport et le tableau de bord."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from noyau.models import ZERO
from noyau.nombres import arrondi

from .models import AxeFCS, EnveloppeFCS, FondsDeConcours, SubventionFCS


@dataclass(frozen=True)
class AxeTableau:
    axe: AxeFCS
    subventions: tuple[SubventionFCS, ...]
    total: Decimal


@dataclass(frozen=True)
class TableauFCS:
    enveloppe: EnveloppeFCS | None
    axes: tuple[AxeTableau, ...]
    total: Decimal
    nb_projets: int

    @property
    def montant_enveloppe(self) -> Decimal:
        return self.enveloppe.montant if self.enveloppe else ZERO

    @property
    def reste(self) -> Decimal:
        return self.montant_enveloppe - self.total


def tableau_fcs(annee: int) -> TableauFCS:
    """Le tableau du FCS par axe avec ses sous-totaux : trois requêtes, quelle que soit sa taille."""
    enveloppe = EnveloppeFCS.objects.filter(annee=annee).first()
    if enveloppe is None:
        return TableauFCS(enveloppe=None, axes=(), total=ZERO, nb_projets=0)
    axes = list(enveloppe.axes.order_by("numero"))
    subventions = list(
        SubventionFCS.objects.filter(axe__enveloppe=enveloppe)
        .select_related("porteur")
        .order_by("axe", "ordre", "pk")
    )
    lignes = []
    for axe in axes:
        propres = tuple(s for s in subventions if s.axe_id == axe.pk)
        lignes.append(AxeTableau(axe=axe, subventions=propres, total=sum((s.montant for s in propres), ZERO)))
    return TableauFCS(
        enveloppe=enveloppe,
        axes=tuple(lignes),
        total=sum((s.montant for s in subventions), ZERO),
        nb_projets=len(subventions),
    )


def montant_attribue_fcs(enveloppe: EnveloppeFCS, exclure_pk=None) -> Decimal:
    qs = SubventionFCS.objects.filter(axe__enveloppe=enveloppe)
    if exclure_pk:
        qs = qs.exclude(pk=exclure_pk)
    # Au centime : SQLite rend les sommes en flottants.
    return arrondi(qs.aggregate(total=Sum("montant"))["total"] or ZERO)


@dataclass(frozen=True)
class FondsDeConcoursAnnee:
    fonds: tuple[FondsDeConcours, ...]
    total: Decimal
    nb_communes: int


def fonds_de_concours(annee: int) -> FondsDeConcoursAnnee:
    fonds = tuple(FondsDeConcours.objects.filter(annee=annee).select_related("commune").order_by("pk"))
    return FondsDeConcoursAnnee(
        fonds=fonds,
        total=sum((f.montant for f in fonds), ZERO),
        nb_communes=len({f.commune_id for f in fonds}),
    )


@dataclass(frozen=True)
class SyntheseFCS:
    annee: int
    enveloppe: Decimal
    attribue: Decimal
    nb_projets: int

    @property
    def reste(self) -> Decimal:
        return self.enveloppe - self.attribue


def synthese_fcs(annees: list[int], contrat=None) -> dict[int, SyntheseFCS]:
    """Enveloppe, montant attribué et reste du FCS des années données : une requête."""
    enveloppes = EnveloppeFCS.objects.filter(annee__in=annees)
    if contrat is not None:
        enveloppes = enveloppes.filter(contrat=contrat)
    lignes = enveloppes.annotate(
        attribue=Coalesce(Sum("axes__subventions__montant"), ZERO),
        nb_projets=Count("axes__subventions"),
    ).values_list("annee", "montant", "attribue", "nb_projets")
    return {
        annee: SyntheseFCS(annee=annee, enveloppe=montant, attribue=attribue, nb_projets=nb)
        for annee, montant, attribue, nb in lignes
    }
