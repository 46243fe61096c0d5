"""Les chiffres clés : l'agrégat par année que lisent le rapport, le tableau de bord et la liste des dossiers."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from contrat_ville.enums import CodeFinanceur, NatureCredits, TypePorteur
from fcs.selectors import SyntheseFCS
from noyau.models import ZERO
from noyau.nombres import taux

from ..enums import StatutDossier
from ..models import Dossier, LigneFinancement
from .selections import PREMIER_NIVEAU_LIGNE, au_centime, lignes_retenues, somme


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
class EtatThematique:
    """Les crédits de l'État (BOP 147) accordés aux dossiers retenus d'une thématique ANCT, une année."""

    thematique_id: int | None
    montant: Decimal
    nb_dossiers: int


@dataclass(frozen=True)
class MontantsElement:
    """Les montants accordés aux dossiers retenus d'un élément du premier niveau du cadre, une année."""

    element_id: int | None
    montant: Decimal
    droit_commun: Decimal
    specifiques: Decimal
    etat: Decimal


@dataclass(frozen=True)
class MontantsFinanceur:
    """Les montants qu'un financeur a accordés aux dossiers retenus, une année."""

    financeur_id: int
    montant: Decimal
    droit_commun: Decimal
    specifiques: Decimal
    nb_dossiers: int


@dataclass(frozen=True)
class AnneeTendance:
    """L'agrégat d'une année : la seule source des chiffres clés du rapport et du tableau de bord.

    Il range aussi les crédits de l'État par thématique ANCT (`etat_par_thematique`) : la nomenclature nationale,
    commune à tous les contrats, compare ainsi deux années sans requête de plus ; les montants par élément du
    premier niveau du cadre (`par_element`), d'où le tableau par pilier ou par orientation est tiré, et par
    financeur (`par_financeur`)."""

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
    etat_par_thematique: tuple[EtatThematique, ...] = ()
    par_element: tuple[MontantsElement, ...] = ()
    par_financeur: tuple[MontantsFinanceur, ...] = ()

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


def montants_par_annee(dossiers: QuerySet[Dossier], financeur=None) -> tuple[dict, dict, dict, dict]:
    """Les montants accordés des lignes retenues, en une requête : une ligne par année, thématique ANCT, élément du
    premier niveau du cadre et financeur. Les totaux de l'année, les crédits de l'État par thématique, les
    montants par élément et par financeur en sont des sommes, au centime comme chaque rang : une seule définition
    de chaque montant. Un dossier n'a qu'une thématique et qu'un élément : compté dans un seul rang par
    financeur, ses dossiers s'additionnent d'un rang à l'autre sans doublon."""
    montants: dict[int, dict] = {}
    par_thematique: dict[int, dict[int | None, list]] = {}
    par_element: dict[int, dict[int | None, list]] = {}
    par_financeur: dict[int, dict[int, list]] = {}
    for row in (
        lignes_retenues(dossiers, financeur)
        .values(
            "dossier__programmation__annee", "dossier__thematique", "financeur", element=PREMIER_NIVEAU_LIGNE
        )
        .annotate(
            nb_dossiers=Count("dossier", distinct=True),
            total=somme("montant_accorde"),
            droit_commun=somme("montant_accorde", nature=NatureCredits.DROIT_COMMUN),
            specifiques=somme("montant_accorde", nature=NatureCredits.SPECIFIQUE),
            principales=somme("montant_accorde", dossier__thematique__principale=True),
            etat=somme("montant_accorde", financeur__code=CodeFinanceur.ETAT_ANCT),
            nb_etat=Count(
                "dossier",
                distinct=True,
                filter=Q(financeur__code=CodeFinanceur.ETAT_ANCT, montant_accorde__gt=0),
            ),
        )
        .order_by()
    ):
        row = au_centime(row)
        annee = row["dossier__programmation__annee"]
        cumul = montants.setdefault(annee, dict.fromkeys(("total", "specifiques", "principales"), ZERO))
        for cle in cumul:
            cumul[cle] += row[cle]
        # Un dossier n'a qu'une thématique et qu'un élément : ses dossiers ne comptent que dans un rang.
        thematique = par_thematique.setdefault(annee, {}).setdefault(row["dossier__thematique"], [ZERO, 0])
        thematique[0] += row["etat"]
        thematique[1] += row["nb_etat"]
        element = par_element.setdefault(annee, {}).setdefault(row["element"], [ZERO] * 4)
        for i, cle in enumerate(("total", "droit_commun", "specifiques", "etat")):
            element[i] += row[cle]
        cumul_financeur = par_financeur.setdefault(annee, {}).setdefault(row["financeur"], [ZERO] * 3 + [0])
        for i, cle in enumerate(("total", "droit_commun", "specifiques", "nb_dossiers")):
            cumul_financeur[i] += row[cle]
    etat = {
        annee: [EtatThematique(t, m, n) for t, (m, n) in rangs.items() if m]
        for annee, rangs in par_thematique.items()
    }
    elements = {
        annee: {e: MontantsElement(e, *valeurs) for e, valeurs in rangs.items()}
        for annee, rangs in par_element.items()
    }
    financeurs = {
        annee: {f: MontantsFinanceur(f, *valeurs) for f, valeurs in rangs.items()}
        for annee, rangs in par_financeur.items()
    }
    return montants, etat, elements, financeurs


def chiffres_par_annee(dossiers: QuerySet[Dossier], financeur=None) -> dict[int, AnneeTendance]:
    """L'agrégat de chaque année présente dans la sélection, en deux requêtes quel que soit le nombre de dossiers :
    montants des lignes retenues (total, spécifiques, thématiques principales) et dossiers par statut."""
    # Sans corrélation : PostgreSQL en fait une table de hachage, au lieu d'une sous-requête par dossier.
    soutenus_anct = LigneFinancement.objects.filter(
        financeur__code=CodeFinanceur.ETAT_ANCT, montant_accorde__gt=0
    ).values("dossier_id")
    montants, etat, elements, financeurs = montants_par_annee(dossiers, financeur)
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
            nb_soutenus_anct=Count("pk", distinct=True, filter=retenu & Q(pk__in=soutenus_anct)),
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
            etat_par_thematique=tuple(etat.get(annee, ())),
            par_element=tuple(elements.get(annee, {}).values()),
            par_financeur=tuple(financeurs.get(annee, {}).values()),
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
