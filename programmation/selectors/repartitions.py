"""Les répartitions imprimées et affichées : par élément du cadre (pilier, orientation…), financeur, quartier,
thématique ANCT, projet de quartier, opérateur associatif, sexe.

Un dossier rangé sur un sous-niveau du cadre compte dans son élément de premier niveau (`PREMIER_NIVEAU`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from contrat_ville.enums import NatureCredits, TypePorteur
from contrat_ville.models import Financeur, ObjectifQuartier, Pilier, ProjetQuartier, Quartier, Thematique
from noyau.models import ZERO
from noyau.nombres import arrondi, parts, taux

from ..models import Dossier
from .chiffres import AnneeTendance, MontantsElement, MontantsFinanceur, montants_par_annee
from .selections import PREMIER_NIVEAU, au_centime, dossiers_retenus, lignes_retenues, somme


def premier_niveau(piliers) -> list[Pilier]:
    """Les éléments du premier niveau parmi `piliers` (le cadre entier d'un contrat, ou ses seuls premiers)."""
    return [p for p in piliers if p.parent_id is None]


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
    """Montants accordés par élément du premier niveau du cadre, leur part, droit commun / spécifiques et crédits
    de l'État, pour les dossiers d'une année : une requête, celle de l'agrégat par année (`montants_par_annee`),
    les sous-niveaux comptés dans leur élément de premier niveau."""
    _montants, _etat, elements, _financeurs = montants_par_annee(dossiers, financeur)
    par_annee = list(elements.values())
    if len(par_annee) == 1:
        return repartition_de_l_annee(tuple(par_annee[0].values()), piliers)
    # Plusieurs années (une sélection de l'admin) : leurs montants s'additionnent élément par élément.
    cumul: dict = {}
    for rangs in par_annee:
        for e in rangs.values():
            avant = cumul.get(e.element_id)
            cumul[e.element_id] = (
                e
                if avant is None
                else MontantsElement(
                    e.element_id,
                    avant.montant + e.montant,
                    avant.droit_commun + e.droit_commun,
                    avant.specifiques + e.specifiques,
                    avant.etat + e.etat,
                )
            )
    return repartition_de_l_annee(tuple(cumul.values()), piliers)


def repartition_de_l_annee(par_element, piliers) -> RepartitionPiliers:
    """Le tableau par élément du premier niveau, tiré des montants par élément de l'agrégat d'une année
    (`AnneeTendance.par_element`) : aucune requête."""
    par_pilier = {
        e.element_id: {
            "montant": e.montant,
            "droit_commun": e.droit_commun,
            "specifiques": e.specifiques,
            "etat": e.etat,
        }
        for e in par_element
    }
    total = sum((row["montant"] for row in par_pilier.values()), ZERO)
    total_etat = sum((row["etat"] for row in par_pilier.values()), ZERO)
    lignes = []
    piliers = premier_niveau(piliers)
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
    """Dossiers retenus portés par une association, par élément du premier niveau du cadre, et leur part du total
    associatif. Sans éléments (`piliers` vide : une année d'un autre contrat), le seul total."""
    par_pilier = dict(
        dossiers_retenus(dossiers)
        .filter(porteur__type=TypePorteur.ASSOCIATION)
        .values(element=PREMIER_NIVEAU)
        .annotate(nombre=Count("pk", distinct=True))
        .order_by()
        .values_list("element", "nombre")
    )
    total = sum(par_pilier.values())
    piliers = premier_niveau(piliers)
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
    """Montants accordés (dossiers retenus) par financeur et par élément du premier niveau du cadre
    (`par="pilier"`) ou par quartier.

    Par quartier, un dossier qui touche plusieurs quartiers compte dans chacun : les montants par quartier ne
    s'additionnent pas ; un dossier sans quartier est rangé sous « Sans quartier ».
    """
    if par == "pilier":
        cles = {
            "code": Coalesce("dossier__pilier__parent__code", "dossier__pilier__code"),
            "libelle": Coalesce("dossier__pilier__parent__libelle", "dossier__pilier__libelle"),
        }
    else:
        cles = {"code": F("dossier__quartiers__code"), "libelle": F("dossier__quartiers__nom")}
    rangs = (
        lignes_retenues(dossiers)
        .values("financeur__nom", **cles)
        .annotate(
            nb_dossiers=Count("dossier", distinct=True),
            droit_commun=somme("montant_accorde", nature=NatureCredits.DROIT_COMMUN),
            specifiques=somme("montant_accorde", nature=NatureCredits.SPECIFIQUE),
            total=somme("montant_accorde"),
        )
        .order_by("financeur__nom", "code")
    )
    return tuple(
        FinancementPartenaire(
            financeur=r["financeur__nom"],
            code=r["code"] or "",
            libelle=r["libelle"] or "Sans quartier",
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
    """Montants accordés aux dossiers retenus, par financeur (du plus grand au plus petit) : deux requêtes, l'agrégat
    par année (`montants_par_annee`) et les financeurs, que l'appelant peut donner (référentiel en cache)."""
    cumul: dict[int, MontantsFinanceur] = {}
    for rangs in montants_par_annee(dossiers, financeur)[3].values():
        for f in rangs.values():
            avant = cumul.get(f.financeur_id)
            cumul[f.financeur_id] = (
                f
                if avant is None
                else MontantsFinanceur(
                    f.financeur_id,
                    avant.montant + f.montant,
                    avant.droit_commun + f.droit_commun,
                    avant.specifiques + f.specifiques,
                    avant.nb_dossiers + f.nb_dossiers,
                )
            )
    return repartition_financeurs_de_l_annee(tuple(cumul.values()), financeur, financeurs=financeurs)


def repartition_financeurs_de_l_annee(
    par_financeurs, financeur=None, *, financeurs: Sequence[Financeur] | None = None
) -> tuple[LigneFinanceur, ...]:
    """Le tableau par financeur, tiré des montants par financeur de l'agrégat d'une année
    (`AnneeTendance.par_financeur`) ; une requête sans `financeurs`, aucune avec."""
    par_financeur = {
        f.financeur_id: {
            "montant": f.montant,
            "droit_commun": f.droit_commun,
            "specifiques": f.specifiques,
            "nb_dossiers": f.nb_dossiers,
        }
        for f in par_financeurs
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
    # L'année précédente, aux mêmes filtres ; None si le quartier n'était pas de son contrat (autre géographie).
    precedent: Decimal | None = None


@dataclass(frozen=True)
class RepartitionQuartiers:
    """Un dossier qui vise deux quartiers compte en entier dans chacun : les lignes ne s'additionnent pas."""

    lignes: tuple[LigneQuartier, ...]
    sans_quartier_montant: Decimal
    sans_quartier_nb: int
    annee_precedente: int | None = None

    @property
    def maximum(self) -> Decimal:
        return max((ligne.montant for ligne in self.lignes), default=ZERO)


def repartition_par_quartier(
    dossiers: QuerySet[Dossier],
    quartiers: Sequence[Quartier],
    financeur=None,
    *,
    annee: int | None = None,
    precedents: QuerySet[Dossier] | None = None,
    quartiers_precedents: Sequence[Quartier] = (),
) -> RepartitionQuartiers:
    """Montant accordé et nombre de dossiers retenus qui visent chaque quartier, en une requête.

    Les dossiers retenus, joints à leurs quartiers puis à leurs lignes : chaque ligne compte une fois dans chaque
    quartier de son dossier, et un dossier sans ligne compte quand même parmi les dossiers du quartier. Avec un
    financeur (filtre du tableau de bord), seuls ses montants s'additionnent.

    Avec `annee` et `precedents` (les dossiers de l'année précédente, aux mêmes filtres), la même requête rend le montant de
    l'année précédente de chaque quartier qui était aussi un quartier de son contrat (`quartiers_precedents`) : le
    quartier est la clé commune des deux contrats, là où piliers et orientations ne se comparent pas.
    """
    # Repartir des clés évite qu'un filtre déjà joint sur les quartiers ne restreigne le regroupement.
    selection = Q(pk__in=dossiers.values("pk"))
    if precedents is not None:
        selection |= Q(pk__in=precedents.values("pk"))
    retenus = dossiers_retenus(Dossier.objects.filter(selection))
    filtre = Q(lignes_financement__financeur=financeur) if financeur is not None else None
    rangs = (
        retenus.values("programmation__annee", "quartiers")
        .annotate(
            montant=Coalesce(Sum("lignes_financement__montant_accorde", filter=filtre), ZERO),
            n=Count("pk", distinct=True),
        )
        .order_by()
    )
    montants: dict[tuple[int, int | None], Decimal] = {}
    nombres: dict[tuple[int, int | None], int] = {}
    for rang in rangs:
        cle = (rang["programmation__annee"], rang["quartiers"])
        montants[cle] = arrondi(rang["montant"])
        nombres[cle] = rang["n"]
    if annee is None:  # sans comparaison, les dossiers sont d'une seule année
        annee = next((a for a, _q in montants), None)
    annee_precedente = annee - 1 if precedents is not None and annee is not None else None
    comparables = {q.pk for q in quartiers_precedents}
    return RepartitionQuartiers(
        lignes=tuple(
            LigneQuartier(
                quartier=q,
                montant=montants.get((annee, q.pk), ZERO),
                nb_dossiers=nombres.get((annee, q.pk), 0),
                precedent=(
                    montants.get((annee_precedente, q.pk), ZERO)
                    if annee_precedente is not None and q.pk in comparables
                    else None
                ),
            )
            for q in quartiers
        ),
        sans_quartier_montant=montants.get((annee, None), ZERO),
        sans_quartier_nb=nombres.get((annee, None), 0),
        annee_precedente=annee_precedente,
    )


@dataclass(frozen=True)
class LigneThematique:
    thematique: Thematique | None  # None : lignes de dossiers sans thématique
    montant: Decimal
    nb_dossiers: int
    taux: Decimal
    precedent: Decimal | None


@dataclass(frozen=True)
class RepartitionThematiques:
    """Les crédits de l'État (BOP 147) par thématique de la nomenclature nationale de l'ANCT.

    La nomenclature est la même pour tous les contrats : c'est elle qui compare une année d'un contrat à une année
    d'un autre, là où piliers et orientations ne se comparent pas.
    """

    lignes: tuple[LigneThematique, ...]
    total: Decimal
    annee_precedente: int | None
    total_precedent: Decimal | None


def repartition_par_thematique(
    point: AnneeTendance, precedent: AnneeTendance | None, thematiques: Sequence[Thematique]
) -> RepartitionThematiques:
    """Les crédits de l'État de l'année par thématique ANCT, et ceux de l'année précédente (`precedent`, aux mêmes
    filtres, quel que soit son contrat), lus sur l'agrégat par année : aucune requête. Seules les thématiques
    financées l'une ou l'autre année sont listées ; les parts font 100,0 (plus fort reste)."""
    actuels = {e.thematique_id: e for e in point.etat_par_thematique}
    anciens = {e.thematique_id: e.montant for e in precedent.etat_par_thematique} if precedent else {}
    presentes = set(actuels) | set(anciens)
    par_pk = {t.pk: t for t in thematiques}
    ordre = [t.pk for t in thematiques if t.pk in presentes] + ([None] if None in presentes else [])
    montants = [actuels[pk].montant if pk in actuels else ZERO for pk in ordre]
    lignes = tuple(
        LigneThematique(
            thematique=par_pk.get(pk),
            montant=montant,
            nb_dossiers=actuels[pk].nb_dossiers if pk in actuels else 0,
            taux=part,
            precedent=anciens.get(pk, ZERO) if precedent else None,
        )
        for pk, montant, part in zip(ordre, montants, parts(montants), strict=True)
    )
    return RepartitionThematiques(
        lignes=lignes,
        total=sum(montants, ZERO),
        annee_precedente=precedent.annee if precedent else None,
        total_precedent=sum(anciens.values(), ZERO) if precedent else None,
    )


@dataclass(frozen=True)
class ActionObjectif:
    """Une action retenue de l'année qui vise un objectif d'un projet de quartier."""

    dossier_id: int
    numero: str
    intitule: str
    porteur: str
    montant: Decimal


@dataclass(frozen=True)
class SuiviObjectif:
    objectif: ObjectifQuartier
    actions: tuple[ActionObjectif, ...]

    @property
    def montant(self) -> Decimal:
        return sum((a.montant for a in self.actions), ZERO)


@dataclass(frozen=True)
class SuiviProjet:
    """Un projet de quartier, ses objectifs et les actions de l'année qui les visent.

    Une action qui vise deux objectifs du projet compte une fois dans le total du projet."""

    projet: ProjetQuartier
    objectifs: tuple[SuiviObjectif, ...]
    nb_actions: int
    montant: Decimal


def suivi_des_projets(
    dossiers: QuerySet[Dossier],
    projets: Sequence[ProjetQuartier],
    objectifs: Sequence[ObjectifQuartier],
    financeur=None,
) -> tuple[SuiviProjet, ...]:
    """Chaque projet de quartier avec ses objectifs et les actions retenues de l'année qui les visent, leurs
    montants accordés : une requête (aucune sans projet), projets et objectifs venant de l'appelant (référentiel
    en cache, ou une lecture de la page)."""
    if not projets:
        return ()
    filtre = Q(dossier__lignes_financement__financeur=financeur) if financeur is not None else None
    rangs = (
        Dossier.objectifs.through.objects.filter(
            dossier__in=dossiers_retenus(dossiers).values("pk"),
            objectifquartier__in=[o.pk for o in objectifs],
        )
        .values(
            "objectifquartier_id",
            "dossier_id",
            "dossier__numero",
            "dossier__intitule",
            "dossier__porteur__nom",
        )
        .annotate(montant=Coalesce(Sum("dossier__lignes_financement__montant_accorde", filter=filtre), ZERO))
        .order_by("dossier__numero")
    )
    actions: dict[int, list[ActionObjectif]] = {}
    for rang in rangs:
        actions.setdefault(rang["objectifquartier_id"], []).append(
            ActionObjectif(
                dossier_id=rang["dossier_id"],
                numero=rang["dossier__numero"],
                intitule=rang["dossier__intitule"],
                porteur=rang["dossier__porteur__nom"],
                montant=arrondi(rang["montant"]),
            )
        )
    suivis = []
    for projet in projets:
        suivis_objectifs = tuple(
            SuiviObjectif(objectif=o, actions=tuple(actions.get(o.pk, ())))
            for o in objectifs
            if o.projet_id == projet.pk
        )
        distinctes = {a.dossier_id: a.montant for s in suivis_objectifs for a in s.actions}
        suivis.append(
            SuiviProjet(
                projet=projet,
                objectifs=suivis_objectifs,
                nb_actions=len(distinctes),
                montant=sum(distinctes.values(), ZERO),
            )
        )
    return tuple(suivis)
