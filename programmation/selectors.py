"""Lectures de la programmation : les chiffres du rapport annuel et du tableau de bord.

Chaque sélecteur prend un queryset de dossiers (une année, éventuellement filtrée) et rend des
dataclasses figées ; chaque tableau est calculé par un seul agrégat, quel que soit le nombre de dossiers.
Définitions (voir DOMAIN.md) :
- le total programmé est la somme des montants accordés sur les dossiers retenus ;
- une « action soutenue au titre des crédits ANCT » est un dossier retenu qui a une ligne ETAT-ANCT
  accordée au-dessus de zéro ;
- un opérateur associatif est un dossier retenu dont le porteur est une association.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from contrat_ville.enums import CodeFinanceur, NatureCredits, TypePorteur
from contrat_ville.models import Commune, Contrat, Financeur, Pilier, Quartier
from contrat_ville.selectors import referentiel
from fcs.selectors import SyntheseFCS, synthese_fcs
from noyau.models import ZERO
from noyau.nombres import arrondi, formater_euros, parts, taux

from .controles import Anomalie, controles_des_dossiers
from .enums import StatutDossier
from .models import BlocNarratif, Dossier, LigneFinancement, Programmation


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

    @property
    def nb_statut_depose(self) -> int:
        """Dossiers déposés que l'instruction n'a pas encore pris en charge."""
        return (
            self.nb_deposes - self.nb_en_instruction - self.nb_retenus - self.nb_refuses - self.nb_abandonnes
        )


def chiffres_programmation(dossiers: QuerySet[Dossier], financeur=None) -> ChiffresProgrammation:
    """Chiffres clés d'une sélection de dossiers d'une même année : total programmé, dossiers par statut, actions
    ANCT, thématiques principales. Lus sur l'agrégat par année (`chiffres_par_annee`), le même que celui du
    tableau de bord : une seule définition de chaque chiffre."""
    points = chiffres_par_annee(dossiers, financeur)
    if len(points) > 1:
        raise ValueError("chiffres_programmation : les dossiers doivent être d'une seule année.")
    point = next(iter(points.values()), None) or AnneeTendance.vide(0)
    return point.chiffres_programmation()


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


def actions_focus(dossiers: QuerySet[Dossier]) -> tuple[Dossier, ...]:
    """Les actions que le rapport met en avant, dans l'ordre fixé par les agents (puis par numéro), avec leur
    porteur : une requête."""
    return tuple(
        dossiers.filter(focus=True)
        .select_related("porteur", "pilier")
        .order_by(F("focus_ordre").asc(nulls_last=True), "numero")
    )


def blocs_narratifs(programmation: Programmation) -> dict[str, BlocNarratif]:
    """Les blocs rédigés d'une année, par rubrique (`TypeBloc`)."""
    return {bloc.type: bloc for bloc in programmation.blocs.all()}


def controles_coherence(
    dossiers: QuerySet[Dossier],
    *,
    chiffres: ChiffresProgrammation,
    repartition: RepartitionPiliers,
    operateurs: OperateursAssociatifs,
    fcs,
    annee: int | None = None,
) -> tuple[Anomalie, ...]:
    """Contrôles montrés avant l'approbation : les totaux se recoupent-ils, que manque-t-il aux données ?

    Les tableaux déjà calculés pour le rapport sont passés tels quels : on contrôle ce qui sera imprimé.
    """
    anomalies: list[Anomalie | None] = []
    somme_piliers = sum((ligne.montant for ligne in repartition.lignes), ZERO)
    if not (chiffres.total == repartition.total == somme_piliers):
        anomalies.append(
            Anomalie(
                "totaux_piliers",
                "Le total de la programmation, le total du tableau par pilier et la somme de ses lignes "
                f"diffèrent ({formater_euros(chiffres.total)}, {formater_euros(repartition.total)}, "
                f"{formater_euros(somme_piliers)}) : un dossier retenu est-il rattaché à un pilier "
                "d'un autre contrat ?",
                bloquante=True,
            )
        )
    if repartition.sans_nature:
        anomalies.append(
            Anomalie(
                "totaux_natures",
                "Droit commun et crédits spécifiques ne font pas le total de la programmation : "
                f"{formater_euros(repartition.sans_nature)} accordés sur des lignes sans nature.",
            )
        )
    if sum(ligne.nombre for ligne in operateurs.lignes) != operateurs.total:
        anomalies.append(
            Anomalie(
                "totaux_associatifs",
                "Des dossiers associatifs retenus relèvent d'un pilier hors du cadre du contrat.",
                bloquante=True,
            )
        )
    if fcs.enveloppe is not None:
        somme_axes = sum((axe.total for axe in fcs.axes), ZERO)
        if somme_axes != fcs.total:
            anomalies.append(
                Anomalie(
                    "totaux_fcs",
                    f"Les sous-totaux des axes du FCS ({formater_euros(somme_axes)}) ne font pas son total "
                    f"({formater_euros(fcs.total)}).",
                    bloquante=True,
                )
            )
        if fcs.total > fcs.montant_enveloppe:
            anomalies.append(
                Anomalie(
                    "fcs_enveloppe",
                    f"Les subventions du FCS ({formater_euros(fcs.total)}) dépassent l'enveloppe "
                    f"({formater_euros(fcs.montant_enveloppe)}).",
                    nombre=1,
                )
            )
    # Ce qui manque aux dossiers et se verrait dans le rapport (quartier, lignes, montants, thématique, focus).
    anomalies.extend(controles_des_dossiers(dossiers, annee, du_rapport=True))
    return tuple(a for a in anomalies if a is not None)


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


# --- Tableau de bord : mêmes définitions, découpées par financeur, par quartier et par année ---------------


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


COMPTES_ANNUELS = (
    "nb_deposes",
    "nb_en_instruction",
    "nb_retenus",
    "nb_refuses",
    "nb_abandonnes",
    "nb_soutenus_anct",
    "nb_associatifs",
)


@dataclass(frozen=True)
class AnneeTendance:
    """L'agrégat d'une année : la seule source des chiffres clés du rapport et du tableau de bord."""

    annee: int
    total: Decimal
    specifiques: Decimal
    montant_thematiques_principales: Decimal
    nb_deposes: int
    nb_en_instruction: int
    nb_retenus: int
    nb_refuses: int
    nb_abandonnes: int
    nb_soutenus_anct: int
    nb_associatifs: int

    @classmethod
    def vide(cls, annee: int) -> "AnneeTendance":
        return cls(annee, ZERO, ZERO, ZERO, **dict.fromkeys(COMPTES_ANNUELS, 0))

    def chiffres_programmation(self) -> ChiffresProgrammation:
        """Les chiffres clés du rapport annuel."""
        return ChiffresProgrammation(
            total=self.total,
            nb_deposes=self.nb_deposes,
            nb_en_instruction=self.nb_en_instruction,
            nb_retenus=self.nb_retenus,
            nb_refuses=self.nb_refuses,
            nb_abandonnes=self.nb_abandonnes,
            nb_soutenus_anct=self.nb_soutenus_anct,
            montant_thematiques_principales=self.montant_thematiques_principales,
            taux_thematiques_principales=taux(self.montant_thematiques_principales, self.total, 0),
        )

    def chiffres_cles(self, fcs: dict | None = None) -> "ChiffresCles":
        """Les chiffres clés de l'année pour le tableau de bord, lus sur le même agrégat que ceux du rapport."""
        return ChiffresCles(
            total=self.total,
            nb_deposes=self.nb_deposes,
            nb_en_instruction=self.nb_en_instruction,
            nb_retenus=self.nb_retenus,
            nb_refuses=self.nb_refuses,
            specifiques=self.specifiques,
            taux_specifiques=taux(self.specifiques, self.total),
            nb_associatifs=self.nb_associatifs,
            fcs=(fcs or {}).get(self.annee),
        )


def chiffres_par_annee(dossiers: QuerySet[Dossier], financeur=None) -> dict[int, AnneeTendance]:
    """L'agrégat de chaque année présente dans la sélection, en deux requêtes quel que soit le nombre de dossiers :
    montants des lignes retenues (total, spécifiques, thématiques principales) et dossiers par statut."""
    ligne_anct = LigneFinancement.objects.filter(
        dossier=OuterRef("pk"), financeur__code=CodeFinanceur.ETAT_ANCT, montant_accorde__gt=0
    )
    montants = {
        row["dossier__programmation__annee"]: au_centime(row)
        for row in lignes_retenues(dossiers, financeur)
        .values("dossier__programmation__annee")
        .annotate(
            total=somme("montant_accorde"),
            specifiques=somme("montant_accorde", nature=NatureCredits.SPECIFIQUE),
            principales=somme("montant_accorde", dossier__thematique__principale=True),
        )
        .order_by()
    }
    retenu = Q(statut=StatutDossier.RETENU)
    comptes = {
        row.pop("programmation__annee"): row
        for row in dossiers.values("programmation__annee")
        .annotate(
            nb_deposes=Count("pk", distinct=True),
            nb_en_instruction=Count("pk", distinct=True, filter=Q(statut=StatutDossier.EN_INSTRUCTION)),
            nb_retenus=Count("pk", distinct=True, filter=retenu),
            nb_refuses=Count("pk", distinct=True, filter=Q(statut=StatutDossier.REFUSE)),
            nb_abandonnes=Count("pk", distinct=True, filter=Q(statut=StatutDossier.ABANDONNE)),
            nb_soutenus_anct=Count("pk", distinct=True, filter=retenu & Q(Exists(ligne_anct))),
            nb_associatifs=Count(
                "pk", distinct=True, filter=retenu & Q(porteur__type=TypePorteur.ASSOCIATION)
            ),
        )
        .order_by()
    }
    return {
        annee: AnneeTendance(
            annee=annee,
            total=montants.get(annee, {}).get("total", ZERO),
            specifiques=montants.get(annee, {}).get("specifiques", ZERO),
            montant_thematiques_principales=montants.get(annee, {}).get("principales", ZERO),
            **{champ: comptes.get(annee, {}).get(champ, 0) for champ in COMPTES_ANNUELS},
        )
        for annee in sorted({*montants, *comptes})
    }


def tendance_par_annee(
    dossiers: QuerySet[Dossier], annees: list[int], financeur=None
) -> tuple[AnneeTendance, ...]:
    """Les chiffres clés de chaque année donnée, pour les mêmes filtres (hors année) : deux requêtes.

    Ils servent la courbe des années du contrat et la comparaison avec l'année précédente.
    """
    points = chiffres_par_annee(dossiers.filter(programmation__annee__in=annees), financeur)
    return tuple(points.get(annee) or AnneeTendance.vide(annee) for annee in sorted(annees))


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


@dataclass(frozen=True)
class ChiffresCles:
    """Les chiffres clés d'une année (éventuellement filtrée), tels que le rapport annuel les calcule."""

    total: Decimal
    nb_deposes: int
    nb_en_instruction: int
    nb_retenus: int
    nb_refuses: int
    specifiques: Decimal
    taux_specifiques: Decimal
    nb_associatifs: int
    fcs: SyntheseFCS | None


@dataclass(frozen=True)
class Comparaison:
    """Une valeur de l'année, celle de l'année précédente (None si elle n'existe pas) et leur écart."""

    valeur: Decimal | int
    precedent: Decimal | int | None

    @property
    def ecart(self) -> Decimal | int | None:
        return None if self.precedent is None else self.valeur - self.precedent

    @property
    def evolution(self) -> Decimal | None:
        """Variation relative en pourcentage ; sans objet quand l'année précédente vaut zéro."""
        if not self.precedent:
            return None
        return taux(self.valeur - self.precedent, self.precedent)


def comparer(actuel: ChiffresCles, precedent: ChiffresCles | None) -> dict[str, Comparaison]:
    """Chaque chiffre clé face à celui de l'année précédente, aux mêmes filtres."""

    def valeur(chiffres: ChiffresCles | None, champ: str):
        if chiffres is None:
            return None
        if champ.startswith("fcs_"):
            return getattr(chiffres.fcs, champ.removeprefix("fcs_")) if chiffres.fcs else None
        return getattr(chiffres, champ)

    champs = [
        "total",
        "nb_deposes",
        "nb_en_instruction",
        "nb_retenus",
        "nb_refuses",
        "specifiques",
        "taux_specifiques",
        "nb_associatifs",
        "fcs_enveloppe",
        "fcs_attribue",
        "fcs_reste",
    ]
    return {
        champ: Comparaison(valeur=valeur(actuel, champ), precedent=valeur(precedent, champ))
        for champ in champs
        if valeur(actuel, champ) is not None
    }


@dataclass(frozen=True)
class TableauDeBord:
    """Tout ce que montre le tableau de bord d'une année filtrée, calculé en un nombre borné de requêtes."""

    annee: int
    programmation: Programmation | None
    annee_precedente: int | None
    chiffres: ChiffresCles
    comparaisons: dict[str, Comparaison]
    piliers: RepartitionPiliers
    financeurs: tuple[LigneFinanceur, ...]
    quartiers: RepartitionQuartiers
    tendance: tuple[AnneeTendance, ...]
    communes_du_territoire: tuple[Commune, ...]


def tableau_de_bord(
    dossiers_toutes_annees: QuerySet[Dossier],
    annee: int,
    financeur=None,
    contrat=None,
    *,
    programmations: Sequence[Programmation] | None = None,
) -> TableauDeBord:
    """Chiffres clés de `annee` comparés à l'année précédente, répartitions et tendance du contrat.

    `dossiers_toutes_annees` porte tous les filtres de la page sauf l'année : la même sélection sert à l'année
    affichée, à l'année précédente et à la courbe des années du contrat. `programmations` (toutes) évite de les
    relire quand la page les a déjà (ses filtres) ; le cadre du contrat, ses quartiers et leurs communes viennent
    du référentiel en cache. Sept requêtes en tout, quelle que soit la taille de l'année.
    """
    if programmations is None:
        programmations = toutes_les_programmations()
    ref = referentiel()
    par_annee = {p.annee: p for p in programmations}
    programmation = par_annee.get(annee)
    contrat_de_l_annee = ref.contrat(programmation.contrat_id) if programmation else None
    if programmation is not None:
        programmation.contrat = contrat_de_l_annee
    piliers = list(ref.piliers_du_contrat(programmation.contrat_id)) if programmation else []
    dossiers = dossiers_toutes_annees.filter(programmation__annee=annee)
    precedente = annee - 1 if annee - 1 in par_annee else None
    fcs = synthese_fcs([annee, annee - 1], contrat=contrat)
    repartition = repartition_par_pilier(dossiers, piliers, financeur)
    annees = [
        a
        for a in sorted(par_annee)
        if contrat_de_l_annee
        and par_annee[a].contrat_id == contrat_de_l_annee.pk
        and contrat_de_l_annee.couvre(a)
    ] or [annee]
    # Deux requêtes pour la courbe du contrat, l'année affichée et la précédente (qui peut précéder le
    # contrat) : les chiffres clés de l'année en sont lus, aux définitions du rapport (un test le vérifie),
    # plutôt que de parcourir trois fois de plus les lignes de l'année.
    points = {
        p.annee: p
        for p in tendance_par_annee(dossiers_toutes_annees, sorted({*annees, annee, annee - 1}), financeur)
    }
    chiffres = points[annee].chiffres_cles(fcs)
    chiffres_precedents = points[precedente].chiffres_cles(fcs) if precedente is not None else None
    financeurs = (
        ref.financeurs if financeur is None else tuple(f for f in ref.financeurs if f.pk == financeur.pk)
    )
    return TableauDeBord(
        annee=annee,
        programmation=programmation,
        annee_precedente=precedente,
        chiffres=chiffres,
        comparaisons=comparer(chiffres, chiffres_precedents),
        piliers=repartition,
        financeurs=repartition_par_financeur(dossiers, financeur, financeurs=financeurs),
        quartiers=repartition_par_quartier(
            dossiers, ref.quartiers_du_contrat(programmation.contrat_id) if programmation else (), financeur
        ),
        tendance=tuple(points[a] for a in sorted(annees)),
        communes_du_territoire=ref.communes_du_contrat(programmation.contrat_id) if programmation else (),
    )


@dataclass(frozen=True)
class TotauxFinancements:
    """Les montants des lignes d'une sélection de dossiers (la liste filtrée de l'admin, un dossier, une année)."""

    sollicite: Decimal
    accorde: Decimal
    droit_commun: Decimal
    specifiques: Decimal


def totaux_financements(dossiers: QuerySet[Dossier], financeur=None) -> TotauxFinancements:
    """Sollicité, accordé, dont droit commun et crédits spécifiques : une requête quelle que soit la sélection.

    Mêmes sommes (`somme`, natures) que `repartition_par_pilier` du rapport ; sur les seuls dossiers retenus, le
    total accordé est le total programmé du rapport. Passer par `dossier__in` évite de compter deux fois un
    dossier que les jointures des filtres (quartiers, financeurs) dédoublent. Avec un `financeur` (la liste
    filtrée sur lui, comme le tableau de bord), seules ses lignes s'additionnent, comme dans le tableau de bord.
    """
    lignes = LigneFinancement.objects.filter(dossier__in=dossiers.order_by().values("pk"))
    if financeur is not None:
        lignes = lignes.filter(financeur=financeur)
    rang = au_centime(
        lignes.aggregate(
            sollicite=somme("montant_sollicite"),
            accorde=somme("montant_accorde"),
            droit_commun=somme("montant_accorde", nature=NatureCredits.DROIT_COMMUN),
            specifiques=somme("montant_accorde", nature=NatureCredits.SPECIFIQUE),
        )
    )
    return TotauxFinancements(**rang)


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
