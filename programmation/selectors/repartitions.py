"""Les répartitions imprimées et affichées : par pilier, financeur, quartier, opérateur associatif, sexe."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from contrat_ville.enums import CodeFinanceur, NatureCredits, TypePorteur
from contrat_ville.models import Financeur, Pilier, Quartier
from noyau.models import ZERO
from noyau.nombres import arrondi, parts, taux

from ..models import Dossier
from .selections import au_centime, dossiers_retenus, lignes_retenues, somme


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


def repartition_par_pilier(
    dossiers: QuerySet[Dossier], piliers: QuerySet[Pilier], financeur=None
) -> RepartitionPiliers:
    """Montants accordés par pilier, leur part, droit commun / spécifiques et crédits de l'État."""
    par_pilier = {
        row["dossier__pilier"]: au_centime(row)
        for row in lignes_retenues(dossiers, financeur)
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
    piliers = list(piliers)
    # Les parts imprimées font 100,0 (plus fort reste), celles de l'État font 100 (entiers).
    parts_piliers = parts([par_pilier.get(p.pk, {}).get("montant", ZERO) for p in piliers])
    parts_etat = parts([par_pilier.get(p.pk, {}).get("etat", ZERO) for p in piliers], 0)
    for pilier, part, part_etat in zip(piliers, parts_piliers, parts_etat, strict=True):
        row = par_pilier.get(pilier.pk, {})
        montant = row.get("montant", ZERO)
        etat = row.get("etat", ZERO)
        lignes.append(
            LignePilier(
                pilier=pilier,
                montant=montant,
                taux=part,
                droit_commun=row.get("droit_commun", ZERO),
                specifiques=row.get("specifiques", ZERO),
                montant_etat=etat,
                taux_etat=part_etat,
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
    piliers = list(piliers)
    nombres = [par_pilier.get(p.pk, 0) for p in piliers]
    return OperateursAssociatifs(
        lignes=tuple(
            LigneAssociative(pilier=p, nombre=nombre, taux=part)
            for p, nombre, part in zip(piliers, nombres, parts(nombres), strict=True)
        ),
        total=total,
    )


@dataclass(frozen=True)
class BeneficiairesParSexe:
    """Bénéficiaires des actions retenues, par sexe (article L1111-2 CGCT), là où les données les tiennent."""

    femmes: int
    hommes: int
    nb_dossiers_renseignes: int
    nb_dossiers_retenus: int

    @property
    def total(self) -> int:
        return self.femmes + self.hommes

    @property
    def renseigne(self) -> bool:
        return self.nb_dossiers_renseignes > 0

    @property
    def taux_femmes(self) -> Decimal:
        return parts([self.femmes, self.hommes])[0]

    @property
    def taux_hommes(self) -> Decimal:
        return parts([self.femmes, self.hommes])[1]

    @property
    def nb_dossiers_non_renseignes(self) -> int:
        return self.nb_dossiers_retenus - self.nb_dossiers_renseignes


def beneficiaires_par_sexe(dossiers: QuerySet[Dossier]) -> BeneficiairesParSexe:
    """Ne compte que les dossiers où les deux nombres sont saisis : un nombre manquant n'est pas un zéro."""
    renseignes = Q(beneficiaires_femmes__isnull=False, beneficiaires_hommes__isnull=False)
    resultat = (
        dossiers_retenus(dossiers)
        .order_by()
        .aggregate(
            femmes=Coalesce(Sum("beneficiaires_femmes", filter=renseignes), 0),
            hommes=Coalesce(Sum("beneficiaires_hommes", filter=renseignes), 0),
            nb_dossiers_renseignes=Count("pk", filter=renseignes),
            nb_dossiers_retenus=Count("pk"),
        )
    )
    return BeneficiairesParSexe(**resultat)


@dataclass(frozen=True)
class FinancementPartenaire:
    """Ce qu'un financeur a accordé aux dossiers retenus, pour un pilier ou un quartier."""

    financeur: str
    code: str
    libelle: str
    nb_dossiers: int
    droit_commun: Decimal
    specifiques: Decimal
    total: Decimal


def financements_par_financeur(dossiers: QuerySet[Dossier], par: str) -> tuple[FinancementPartenaire, ...]:
    """Montants accordés (dossiers retenus) par financeur et par pilier (`par="pilier"`) ou quartier.

    Par quartier, un dossier qui touche plusieurs quartiers compte dans chacun : les montants par quartier ne
    s'additionnent pas ; un dossier sans quartier est rangé sous « Sans quartier ».
    """
    cle = {"pilier": "dossier__pilier", "quartier": "dossier__quartiers"}[par]
    rangs = (
        lignes_retenues(dossiers)
        .values("financeur__nom", f"{cle}__code", f"{cle}__{'libelle' if par == 'pilier' else 'nom'}")
        .annotate(
            nb_dossiers=Count("dossier", distinct=True),
            droit_commun=somme("montant_accorde", nature=NatureCredits.DROIT_COMMUN),
            specifiques=somme("montant_accorde", nature=NatureCredits.SPECIFIQUE),
            total=somme("montant_accorde"),
        )
        .order_by("financeur__nom", f"{cle}__code")
    )
    return tuple(
        FinancementPartenaire(
            financeur=r["financeur__nom"],
            code=r[f"{cle}__code"] or "",
            libelle=r[f"{cle}__{'libelle' if par == 'pilier' else 'nom'}"] or "Sans quartier",
            nb_dossiers=r["nb_dossiers"],
            droit_commun=r["droit_commun"],
            specifiques=r["specifiques"],
            total=r["total"],
        )
        for r in map(au_centime, rangs)
    )


@dataclass(frozen=True)
class LigneFinanceur:
    financeur: Financeur
    montant: Decimal
    droit_commun: Decimal
    specifiques: Decimal
    nb_dossiers: int
    taux: Decimal


def repartition_par_financeur(
    dossiers: QuerySet[Dossier], financeur=None, *, financeurs: Sequence[Financeur] | None = None
) -> tuple[LigneFinanceur, ...]:
    """Montants accordés aux dossiers retenus, par financeur (du plus grand au plus petit) : deux requêtes."""
    par_financeur = {
        row["financeur"]: au_centime(row)
        for row in lignes_retenues(dossiers, financeur)
        .values("financeur")
        .annotate(
            montant=somme("montant_accorde"),
            droit_commun=somme("montant_accorde", nature=NatureCredits.DROIT_COMMUN),
            specifiques=somme("montant_accorde", nature=NatureCredits.SPECIFIQUE),
            nb_dossiers=Count("dossier", distinct=True),
        )
        .order_by()
    }
    if financeurs is None:  # sinon, ceux du référentiel en cache, déjà lus par l'appelant
        financeurs = Financeur.objects.order_by("nom")
        if financeur is not None:
            financeurs = financeurs.filter(pk=financeur.pk)
    financeurs = list(financeurs)
    parts_financeurs = dict(
        zip(
            (f.pk for f in financeurs),
            parts([par_financeur.get(f.pk, {}).get("montant", ZERO) for f in financeurs]),
            strict=True,
        )
    )
    lignes = [
        LigneFinanceur(
            financeur=f,
            montant=par_financeur.get(f.pk, {}).get("montant", ZERO),
            droit_commun=par_financeur.get(f.pk, {}).get("droit_commun", ZERO),
            specifiques=par_financeur.get(f.pk, {}).get("specifiques", ZERO),
            nb_dossiers=par_financeur.get(f.pk, {}).get("nb_dossiers", 0),
            taux=parts_financeurs[f.pk],
        )
        for f in financeurs
    ]
    return tuple(sorted(lignes, key=lambda ligne: (-ligne.montant, ligne.financeur.nom)))


@dataclass(frozen=True)
class LigneQuartier:
    quartier: Quartier
    montant: Decimal
    nb_dossiers: int


@dataclass(frozen=True)
class RepartitionQuartiers:
    """Un dossier qui vise deux quartiers compte en entier dans chacun : les lignes ne s'additionnent pas."""

    lignes: tuple[LigneQuartier, ...]
    sans_quartier_montant: Decimal
    sans_quartier_nb: int

    @property
    def maximum(self) -> Decimal:
        return max((ligne.montant for ligne in self.lignes), default=ZERO)


def repartition_par_quartier(
    dossiers: QuerySet[Dossier], quartiers: Sequence[Quartier], financeur=None
) -> RepartitionQuartiers:
    """Montant accordé et nombre de dossiers retenus qui visent chaque quartier, en une requête.

    Les dossiers retenus, joints à leurs quartiers puis à leurs lignes : chaque ligne compte une fois dans chaque
    quartier de son dossier, et un dossier sans ligne compte quand même parmi les dossiers du quartier. Avec un
    financeur (filtre du tableau de bord), seuls ses montants s'additionnent.
    """
    # Repartir des clés évite qu'un filtre déjà joint sur les quartiers ne restreigne le regroupement.
    retenus = dossiers_retenus(Dossier.objects.filter(pk__in=dossiers.values("pk")))
    filtre = Q(lignes_financement__financeur=financeur) if financeur is not None else None
    rangs = (
        retenus.values("quartiers")
        .annotate(
            montant=Coalesce(Sum("lignes_financement__montant_accorde", filter=filtre), ZERO),
            n=Count("pk", distinct=True),
        )
        .order_by()
    )
    montants = {rang["quartiers"]: arrondi(rang["montant"]) for rang in rangs}
    nombres = {rang["quartiers"]: rang["n"] for rang in rangs}
    return RepartitionQuartiers(
        lignes=tuple(
            LigneQuartier(quartier=q, montant=montants.get(q.pk, ZERO), nb_dossiers=nombres.get(q.pk, 0))
            for q in quartiers
        ),
        sans_quartier_montant=montants.get(None, ZERO),
        sans_quartier_nb=nombres.get(None, 0),
    )
