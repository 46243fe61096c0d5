"""Lectures de la programmation : les chiffres du rapport annuel et du tableau de bord.

Chaque sélecteur prend un queryset de dossiers (une année, éventuellement filtrée) et rend des
dataclasses figées ; chaque tableau est calculé par un seul agrégat, quel que soit le nombre de dossiers.
Définitions (voir DOMAIN.md) :
- le total programmé est la somme des montants accordés sur les dossiers retenus ;
- une « action soutenue au titre des crédits ANCT » est un dossier retenu qui a une ligne ETAT-ANCT
  accordée au-dessus de zéro ;
- un opérateur associatif est un dossier retenu dont le porteur est une association.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from contrat_ville.enums import CodeFinanceur, NatureCredits, TypePorteur
from contrat_ville.models import Pilier
from contrat_ville.nombres import taux

from .enums import StatutDossier
from .models import Dossier, LigneFinancement, Programmation

ZERO = Decimal("0.00")


def somme(champ: str, **filtre) -> Coalesce:
    return Coalesce(Sum(champ, filter=Q(**filtre) if filtre else None), ZERO)


def dossiers_de_l_annee(annee: int) -> QuerySet[Dossier]:
    return Dossier.objects.filter(programmation__annee=annee)


def dossiers_retenus(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return dossiers.filter(statut=StatutDossier.RETENU)


def lignes_retenues(dossiers: QuerySet[Dossier]) -> QuerySet[LigneFinancement]:
    """Lignes des dossiers retenus ; passer par `dossier__in` évite les doublons des jointures de filtres."""
    return LigneFinancement.objects.filter(
        dossier__in=dossiers.values("pk"), dossier__statut=StatutDossier.RETENU
    )


def piliers_du_contrat(annee: int) -> QuerySet[Pilier]:
    programmation = Programmation.objects.filter(annee=annee).select_related("contrat").first()
    if programmation is None:
        return Pilier.objects.none()
    return Pilier.objects.filter(contrat=programmation.contrat_id).order_by("ordre", "code")


@dataclass(frozen=True)
class LignePilier:
    pilier: Pilier
    montant: Decimal
    taux: Decimal
    droit_commun: Decimal
    specifiques: Decimal
    montant_etat: Decimal
    taux_etat: Decimal


@dataclass(frozen=True)
class RepartitionPiliers:
    lignes: tuple[LignePilier, ...]
    total: Decimal
    droit_commun: Decimal
    specifiques: Decimal
    sans_nature: Decimal
    taux_specifiques: Decimal
    total_etat: Decimal

    @property
    def taux_total(self) -> Decimal:
        return taux(self.total, self.total) if self.total else Decimal("0.0")


def repartition_par_pilier(dossiers: QuerySet[Dossier], piliers: QuerySet[Pilier]) -> RepartitionPiliers:
    """Montants accordés par pilier, leur part, droit commun / spécifiques et crédits de l'État."""
    par_pilier = {
        row["dossier__pilier"]: row
        for row in lignes_retenues(dossiers)
        .values("dossier__pilier")
        .annotate(
            montant=somme("montant_accorde"),
            droit_commun=somme("montant_accorde", nature=NatureCredits.DROIT_COMMUN),
            specifiques=somme("montant_accorde", nature=NatureCredits.SPECIFIQUE),
            etat=somme("montant_accorde", financeur__code=CodeFinanceur.ETAT_ANCT),
        )
        .order_by()
    }
    total = sum((row["montant"] for row in par_pilier.values()), ZERO)
    total_etat = sum((row["etat"] for row in par_pilier.values()), ZERO)
    lignes = []
    for pilier in piliers:
        row = par_pilier.get(pilier.pk, {})
        montant = row.get("montant", ZERO)
        etat = row.get("etat", ZERO)
        lignes.append(
            LignePilier(
                pilier=pilier,
                montant=montant,
                taux=taux(montant, total),
                droit_commun=row.get("droit_commun", ZERO),
                specifiques=row.get("specifiques", ZERO),
                montant_etat=etat,
                taux_etat=taux(etat, total_etat, 0),
            )
        )
    droit_commun = sum((ligne.droit_commun for ligne in lignes), ZERO)
    specifiques = sum((ligne.specifiques for ligne in lignes), ZERO)
    return RepartitionPiliers(
        lignes=tuple(lignes),
        total=total,
        droit_commun=droit_commun,
        specifiques=specifiques,
        sans_nature=total - droit_commun - specifiques,
        taux_specifiques=taux(specifiques, total),
        total_etat=total_etat,
    )


@dataclass(frozen=True)
class ChiffresProgrammation:
    total: Decimal
    nb_deposes: int
    nb_en_instruction: int
    nb_retenus: int
    nb_refuses: int
    nb_abandonnes: int
    nb_soutenus_anct: int
    montant_thematiques_principales: Decimal
    taux_thematiques_principales: Decimal


def chiffres_programmation(dossiers: QuerySet[Dossier]) -> ChiffresProgrammation:
    """Chiffres clés : total programmé, dossiers par statut, actions ANCT, thématiques principales."""
    ligne_anct = LigneFinancement.objects.filter(
        dossier=OuterRef("pk"), financeur__code=CodeFinanceur.ETAT_ANCT, montant_accorde__gt=0
    )
    comptes = dossiers.order_by().aggregate(
        nb_deposes=Count("pk"),
        nb_en_instruction=Count("pk", filter=Q(statut=StatutDossier.EN_INSTRUCTION)),
        nb_retenus=Count("pk", filter=Q(statut=StatutDossier.RETENU)),
        nb_refuses=Count("pk", filter=Q(statut=StatutDossier.REFUSE)),
        nb_abandonnes=Count("pk", filter=Q(statut=StatutDossier.ABANDONNE)),
        nb_soutenus_anct=Count("pk", filter=Q(Exists(ligne_anct), statut=StatutDossier.RETENU)),
    )
    montants = lignes_retenues(dossiers).aggregate(
        total=somme("montant_accorde"),
        principales=somme("montant_accorde", dossier__thematique__principale=True),
    )
    return ChiffresProgrammation(
        total=montants["total"],
        montant_thematiques_principales=montants["principales"],
        taux_thematiques_principales=taux(montants["principales"], montants["total"], 0),
        **comptes,
    )


@dataclass(frozen=True)
class LigneAssociative:
    pilier: Pilier
    nombre: int
    taux: Decimal


@dataclass(frozen=True)
class OperateursAssociatifs:
    lignes: tuple[LigneAssociative, ...]
    total: int


def operateurs_associatifs(dossiers: QuerySet[Dossier], piliers: QuerySet[Pilier]) -> OperateursAssociatifs:
    """Dossiers retenus portés par une association, par pilier, et leur part du total associatif."""
    par_pilier = dict(
        dossiers_retenus(dossiers)
        .filter(porteur__type=TypePorteur.ASSOCIATION)
        .values("pilier")
        .annotate(nombre=Count("pk", distinct=True))
        .order_by()
        .values_list("pilier", "nombre")
    )
    total = sum(par_pilier.values())
    return OperateursAssociatifs(
        lignes=tuple(
            LigneAssociative(
                pilier=p, nombre=par_pilier.get(p.pk, 0), taux=taux(par_pilier.get(p.pk, 0), total)
            )
            for p in piliers
        ),
        total=total,
    )
