"""Lectures de l'après-vote : accordé, payé, reste à payer, retards et délais, pour la page du porteur, le tableau
de bord et l'export open data. Un même chiffre, un seul calcul : `suivi_financier` sert chacun d'eux."""

import datetime
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from contrat_ville.enums import TypePorteur
from fcs.models import SubventionFCS
from noyau.models import ZERO
from noyau.nombres import arrondi, formater_euros, taux
from programmation.enums import StatutDossier
from programmation.models import Dossier, LigneFinancement
from programmation.selectors.selections import au_centime, lignes_retenues, somme

from .enums import StatutBilan, TypeConvention, TypeEcheance
from .models import Bilan, Convention, Decision, Echeance, TitreRecette, Tranche, Versement, VersementDeclare

MONTANT = DecimalField(max_digits=14, decimal_places=2)


def _somme_par_tranche(modele, champ_tranche: str, filtre: Q | None = None) -> Coalesce:
    qs = modele.objects.filter(**{champ_tranche: OuterRef("pk")})
    if filtre is not None:
        qs = qs.filter(filtre)
    return Coalesce(
        Subquery(
            qs.order_by().values(champ_tranche).annotate(s=Sum("montant")).values("s"), output_field=MONTANT
        ),
        ZERO,
        output_field=MONTANT,
    )


def tranches_annotees(tranches: QuerySet[Tranche], aujourdhui: datetime.date) -> QuerySet[Tranche]:
    """Chaque tranche avec ce qui est versé, repris, dû à ce jour, sa décision et son premier versement."""
    return tranches.annotate(
        paye=_somme_par_tranche(Versement, "echeance__tranche"),
        recouvre=_somme_par_tranche(TitreRecette, "tranche"),
        du=_somme_par_tranche(
            Echeance, "tranche", Q(date_prevue__lte=aujourdhui) & ~Q(type=TypeEcheance.SOLDE)
        ),
        premier_versement=Subquery(
            Versement.objects.filter(echeance__tranche=OuterRef("pk")).order_by("date").values("date")[:1]
        ),
        date_decision=Subquery(
            Decision.objects.filter(convention=OuterRef("convention")).order_by("date").values("date")[:1]
        ),
    )


@dataclass(frozen=True)
class SuiviTranche:
    tranche: Tranche
    accorde: Decimal
    paye: Decimal
    recouvre: Decimal
    en_retard: Decimal
    date_decision: datetime.date | None
    premier_versement: datetime.date | None

    @property
    def reste(self) -> Decimal:
        return self.accorde - self.paye

    @property
    def delai_jours(self) -> int | None:
        if self.date_decision is None or self.premier_versement is None:
            return None
        return (self.premier_versement - self.date_decision).days


@dataclass(frozen=True)
class SuiviFinancier:
    lignes: tuple[SuiviTranche, ...]
    accorde: Decimal
    paye: Decimal
    recouvre: Decimal
    en_retard: Decimal
    delai_median_jours: Decimal | None

    @property
    def reste(self) -> Decimal:
        return self.accorde - self.paye


def suivi_financier(tranches: QuerySet[Tranche], aujourdhui: datetime.date | None = None) -> SuiviFinancier:
    """Accordé, payé, repris, reste à payer et retard (avances échues non versées) d'une sélection de tranches, et le
    délai médian de la décision au premier versement : une requête, quel que soit le nombre de tranches.

    Le retard ne compte que les échéances datées et dues à ce jour hors solde : le solde attend le bilan."""
    aujourdhui = aujourdhui or timezone.localdate()
    lignes = []
    for t in tranches_annotees(
        tranches.select_related("convention__porteur", "ligne__dossier__programmation", "ligne__financeur"),
        aujourdhui,
    ).order_by("annee", "convention__reference"):
        paye, du = arrondi(t.paye), arrondi(t.du)
        lignes.append(
            SuiviTranche(
                tranche=t,
                accorde=t.montant,
                paye=paye,
                recouvre=arrondi(t.recouvre),
                en_retard=max(du - paye, ZERO),
                date_decision=t.date_decision,
                premier_versement=t.premier_versement,
            )
        )
    delais = [ligne.delai_jours for ligne in lignes if ligne.delai_jours is not None]
    return SuiviFinancier(
        lignes=tuple(lignes),
        accorde=sum((ligne.accorde for ligne in lignes), ZERO),
        paye=sum((ligne.paye for ligne in lignes), ZERO),
        recouvre=sum((ligne.recouvre for ligne in lignes), ZERO),
        en_retard=sum((ligne.en_retard for ligne in lignes), ZERO),
        delai_median_jours=Decimal(str(statistics.median(delais))) if delais else None,
    )


def tranches_de_l_annee(annee: int, dossiers: QuerySet | None = None) -> QuerySet[Tranche]:
    """Les tranches d'une année ; avec `dossiers` (les filtres du tableau de bord), celles de leurs lignes, plus
    celles du FCS, qui n'est pas ventilé par dossier."""
    tranches = Tranche.objects.filter(annee=annee)
    if dossiers is not None:
        tranches = tranches.filter(
            Q(ligne__dossier__in=dossiers.values("pk")) | Q(subvention_fcs__isnull=False)
        )
    return tranches


def reste_a_payer(tranche: Tranche) -> Decimal:
    paye = Versement.objects.filter(echeance__tranche=tranche).aggregate(s=Sum("montant"))["s"] or ZERO
    return tranche.montant - paye


def tranches_du_porteur(porteur_id: int) -> QuerySet[Tranche]:
    return Tranche.objects.filter(convention__porteur_id=porteur_id)


def conventions_du_porteur(porteur_id: int) -> QuerySet[Convention]:
    """Les conventions d'un porteur : le périmètre du portail pour ses contacts."""
    return Convention.objects.filter(porteur_id=porteur_id)


def bilans_du_porteur(porteur_id: int) -> QuerySet[Bilan]:
    return Bilan.objects.filter(tranche__convention__porteur_id=porteur_id).select_related(
        "tranche__convention"
    )


def access_bilan_du_porteur(porteur_id: int, bilan_id: int) -> Bilan:
    """Le bilan s'il appartient au porteur ; sinon 404 (un porteur ne voit que ses conventions)."""
    bilan = bilans_du_porteur(porteur_id).filter(pk=bilan_id).first()
    if bilan is None:
        raise Http404("Bilan introuvable.")
    return bilan


def bilans_a_relancer(
    aujourdhui: datetime.date, jours_avant: int = 30
) -> tuple[QuerySet[Bilan], QuerySet[Bilan]]:
    """Bilans attendus (ou à compléter) : ceux dont l'échéance approche et qui n'ont pas eu leur relance « avant »,
    et ceux dont l'échéance est passée sans relance « après ». Une relance de chaque sorte par bilan."""
    attendus = Bilan.objects.filter(statut__in=(StatutBilan.ATTENDU, StatutBilan.A_COMPLETER)).select_related(
        "tranche__convention__porteur"
    )
    avant = attendus.filter(
        date_limite__gte=aujourdhui,
        date_limite__lte=aujourdhui + datetime.timedelta(days=jours_avant),
        relance_avant_le__isnull=True,
    )
    apres = attendus.filter(date_limite__lt=aujourdhui, relance_apres_le__isnull=True)
    return avant, apres


def premiere_decision(convention_ids) -> dict[int, Decision]:
    decisions = {}
    for d in Decision.objects.filter(convention__in=convention_ids).order_by("convention", "date", "pk"):
        decisions.setdefault(d.convention_id, d)
    return decisions


# --- La page du porteur : chaque année, chaque action, chaque financeur ---------------------------------------


@dataclass(frozen=True)
class LigneHistorique:
    annee: int
    numero: str
    action: str
    statut: str
    reconduit: str  # n° du dossier de l'année précédente, s'il y en a un
    financeur: str
    demande: Decimal
    accorde: Decimal
    paye: Decimal | None  # None : versements d'un autre financeur, qu'il n'a pas déclarés
    convention: Convention | None
    bilans: tuple[Bilan, ...]
    paye_declare: bool = False  # payé déclaré par un autre financeur (VersementDeclare), pas un mandat


@dataclass(frozen=True)
class FichePorteur:
    porteur: object
    lignes: tuple[LigneHistorique, ...]
    suivi: SuiviFinancier
    conventions: tuple[Convention, ...]

    @property
    def demande(self) -> Decimal:
        return sum((ligne.demande for ligne in self.lignes), ZERO)

    @property
    def accorde(self) -> Decimal:
        return sum(
            (ligne.accorde for ligne in self.lignes if ligne.statut == StatutDossier.RETENU.label), ZERO
        )

    @property
    def synthese(self) -> str:
        """Une phrase en tête : accordé sur demandé, conventions pluriannuelles, versements de l'agglomération."""
        if not self.lignes:
            return f"{self.porteur.nom} n'a encore déposé aucun dossier."
        morceaux = [f"accordé {formater_euros(self.accorde)} sur {formater_euros(self.demande)} demandés"]
        cpo = [c.periode for c in self.conventions if c.type == TypeConvention.CPO]
        if cpo:
            morceaux.append(f"pluriannuel {', '.join(sorted(set(cpo)))}")
        if self.suivi.lignes:
            morceaux.append(
                f"versements de l'agglomération effectués : {formater_euros(self.suivi.paye)} sur "
                f"{formater_euros(self.suivi.accorde)} (reste à payer {formater_euros(self.suivi.reste)})"
            )
        annees = sorted({ligne.annee for ligne in self.lignes})
        periode = f"En {annees[0]}" if len(annees) == 1 else f"De {annees[0]} à {annees[-1]}"
        return f"{periode} : " + ", ".join(morceaux) + "."


def declare_par_ligne() -> Subquery:
    """Pour annoter des lignes de financement : le total que leur financeur déclare avoir versé (None sans
    déclaration)."""
    return Subquery(
        VersementDeclare.objects.filter(ligne=OuterRef("pk"))
        .values("ligne")
        .annotate(s=Sum("montant"))
        .values("s"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def fiche_porteur(porteur) -> FichePorteur:
    """Tout ce que la page du porteur montre, en un nombre fixe de requêtes quel que soit son nombre de dossiers."""
    suivi = suivi_financier(tranches_du_porteur(porteur.pk))
    paye_par_tranche = {s.tranche.pk: s.paye for s in suivi.lignes}
    bilans: dict[int, list[Bilan]] = {}
    for bilan in Bilan.objects.filter(tranche__convention__porteur=porteur).order_by("type"):
        bilans.setdefault(bilan.tranche_id, []).append(bilan)
    conventions = {c.pk: c for c in conventions_du_porteur(porteur.pk)}
    lignes = []
    for ligne in (
        LigneFinancement.objects.filter(dossier__porteur=porteur)
        .select_related("dossier__programmation", "dossier__dossier_precedent", "financeur", "tranche")
        .annotate(declare=declare_par_ligne())
        .order_by("-dossier__programmation__annee", "dossier__numero", "financeur__nom")
    ):
        tranche = getattr(ligne, "tranche", None)
        dossier = ligne.dossier
        lignes.append(
            LigneHistorique(
                annee=dossier.programmation.annee,
                numero=dossier.numero,
                action=dossier.intitule,
                statut=dossier.get_statut_display(),
                reconduit=dossier.dossier_precedent.numero if dossier.dossier_precedent else "",
                financeur=ligne.financeur.nom,
                demande=ligne.montant_sollicite,
                accorde=ligne.montant_accorde,
                paye=paye_par_tranche.get(tranche.pk) if tranche else ligne.declare,
                convention=conventions.get(tranche.convention_id) if tranche else None,
                bilans=tuple(bilans.get(tranche.pk, ())) if tranche else (),
                paye_declare=not tranche and ligne.declare is not None,
            )
        )
    for subvention in (
        SubventionFCS.objects.filter(porteur=porteur)
        .select_related("axe__enveloppe", "tranche")
        .order_by("-axe__enveloppe__annee")
    ):
        tranche = getattr(subvention, "tranche", None)
        lignes.append(
            LigneHistorique(
                annee=subvention.axe.enveloppe.annee,
                numero="FCS",
                action=subvention.action,
                statut=StatutDossier.RETENU.label,
                reconduit="",
                financeur="Fonds de cohésion sociale (agglomération)",
                demande=subvention.montant,
                accorde=subvention.montant,
                paye=paye_par_tranche.get(tranche.pk) if tranche else None,
                convention=conventions.get(tranche.convention_id) if tranche else None,
                bilans=tuple(bilans.get(tranche.pk, ())) if tranche else (),
            )
        )
    lignes.sort(key=lambda ligne: (-ligne.annee, ligne.numero, ligne.financeur))
    return FichePorteur(
        porteur=porteur, lignes=tuple(lignes), suivi=suivi, conventions=tuple(conventions.values())
    )


def comites():
    """Les comités (décisions d'une même instance à une même date), du plus récent au plus ancien, avec le nombre de
    décisions et leur montant : une requête."""
    return (
        Decision.objects.values("instance", "date")
        .annotate(decisions=Count("pk"), montant=Sum("montant"))
        .order_by("-date", "instance")
    )


# --- La fiche d'un dossier : ses lignes après le vote, et l'action d'année en année ------------------------------

# Au-delà, la chaîne des reconductions s'arrête : un contrat dure au plus une douzaine d'années.
ANNEES_DE_L_ACTION = 15


@dataclass(frozen=True)
class LigneSuivie:
    financeur: str
    accorde: Decimal
    paye: Decimal | None  # None : un autre financeur qui n'a rien déclaré
    paye_declare: bool
    convention: Convention | None
    bilans: tuple[Bilan, ...]

    @property
    def reste(self) -> Decimal | None:
        return None if self.paye is None else self.accorde - self.paye


@dataclass(frozen=True)
class AnneeDeLAction:
    dossier: object
    accorde: Decimal
    paye: Decimal
    courante: bool


@dataclass(frozen=True)
class SuiviDossier:
    lignes: tuple[LigneSuivie, ...]
    action: tuple[AnneeDeLAction, ...]  # de la plus ancienne à la plus récente, le dossier affiché compris


def suivi_du_dossier(dossier) -> SuiviDossier:
    """Ce que la fiche du dossier montre après le vote : chaque ligne avec sa convention, ce qui est versé (mandats
    de l'agglomération, ou ce que déclare un autre financeur) et ses bilans ; puis l'action d'année en année, par
    les reconductions (accordé et versé de chaque année). Une requête par année de l'action, plus quatre."""
    aujourdhui = timezone.localdate()
    tranches = {
        t.ligne_id: t
        for t in tranches_annotees(
            Tranche.objects.filter(ligne__dossier=dossier).select_related("convention"), aujourdhui
        )
    }
    bilans: dict[int, list[Bilan]] = {}
    for bilan in Bilan.objects.filter(tranche__ligne__dossier=dossier).order_by("type"):
        bilans.setdefault(bilan.tranche_id, []).append(bilan)
    lignes = []
    for ligne in (
        LigneFinancement.objects.filter(dossier=dossier)
        .select_related("financeur")
        .annotate(declare=declare_par_ligne())
        .order_by("financeur__nom")
    ):
        tranche = tranches.get(ligne.pk)
        lignes.append(
            LigneSuivie(
                financeur=ligne.financeur.nom,
                accorde=ligne.montant_accorde,
                paye=arrondi(tranche.paye) if tranche else ligne.declare,
                paye_declare=tranche is None and ligne.declare is not None,
                convention=tranche.convention if tranche else None,
                bilans=tuple(bilans.get(tranche.pk, ())) if tranche else (),
            )
        )
    # L'action : en remontant les dossiers précédents, puis en suivant les reconductions.
    chaine = [dossier]
    precedent_id = dossier.dossier_precedent_id
    while precedent_id and len(chaine) < ANNEES_DE_L_ACTION:
        precedent = Dossier.objects.select_related("programmation").get(pk=precedent_id)
        chaine.insert(0, precedent)
        precedent_id = precedent.dossier_precedent_id
    suivant = dossier
    while len(chaine) < ANNEES_DE_L_ACTION:
        suivant = Dossier.objects.select_related("programmation").filter(dossier_precedent=suivant).first()
        if suivant is None:
            break
        chaine.append(suivant)
    if len(chaine) == 1:
        return SuiviDossier(lignes=tuple(lignes), action=())
    ids = [d.pk for d in chaine]
    accorde = dict(
        LigneFinancement.objects.filter(dossier__in=ids)
        .values_list("dossier")
        .annotate(s=Sum("montant_accorde"))
        .order_by()
    )
    paye = dict(
        Versement.objects.filter(echeance__tranche__ligne__dossier__in=ids)
        .values_list("echeance__tranche__ligne__dossier")
        .annotate(s=Sum("montant"))
        .order_by()
    )
    return SuiviDossier(
        lignes=tuple(lignes),
        action=tuple(
            AnneeDeLAction(
                dossier=d,
                accorde=arrondi(accorde.get(d.pk) or ZERO),
                paye=arrondi(paye.get(d.pk) or ZERO),
                courante=d.pk == dossier.pk,
            )
            for d in chaine
        ),
    )


@dataclass(frozen=True)
class PartCPO:
    """La part des financements associatifs versés sous CPO, face à la part que vise le contrat.

    - `associatif` : les montants accordés aux dossiers retenus portés par une association, tous financeurs ;
    - `sous_cpo` : ceux d'entre eux portés par une ligne rattachée (tranche) à une convention pluriannuelle
      d'objectifs.
    """

    associatif: Decimal
    sous_cpo: Decimal
    cible: Decimal | None

    @property
    def taux(self) -> Decimal:
        return taux(self.sous_cpo, self.associatif)

    @property
    def hors_cpo(self) -> Decimal:
        return self.associatif - self.sous_cpo

    @property
    def taux_hors_cpo(self) -> Decimal:
        """Le complément de `taux` : les deux parts imprimées font 100,0."""
        return Decimal("100.0") - self.taux if self.associatif else Decimal("0.0")

    @property
    def atteinte(self) -> bool | None:
        """La cible est-elle atteinte ? None sans cible, ou sans financement associatif."""
        if self.cible is None or not self.associatif:
            return None
        return self.taux >= self.cible

    @property
    def ecart(self) -> Decimal | None:
        return None if self.cible is None else self.taux - self.cible


def part_cpo_associative(dossiers: QuerySet[Dossier], *, cible: Decimal | None, financeur=None) -> PartCPO:
    """La part sous CPO des financements associatifs d'une année (éventuellement filtrée) : une requête.

    Le rapport et le tableau de bord la lisent ici ; `cible` est `Contrat.cible_part_cpo` du contrat de l'année.
    """
    rang = au_centime(
        lignes_retenues(dossiers, financeur)
        .filter(dossier__porteur__type=TypePorteur.ASSOCIATION)
        .aggregate(
            associatif=somme("montant_accorde"),
            sous_cpo=somme("montant_accorde", tranche__convention__type=TypeConvention.CPO),
        )
    )
    return PartCPO(associatif=rang["associatif"], sous_cpo=rang["sous_cpo"], cible=cible)
