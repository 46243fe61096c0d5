"""Le tableau de bord d'une année filtrée : chiffres clés comparés, répartitions et tendance du contrat."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from contrat_ville.enums import CodeFinanceur
from contrat_ville.models import Commune, Contrat
from contrat_ville.selectors import limite_du_territoire, referentiel
from fcs.selectors import synthese_fcs
from noyau.nombres import taux

from ..models import Dossier, Programmation
from .chiffres import AnneeTendance, ChiffresCles, tendance_par_annee
from .repartitions import (
    LigneFinanceur,
    RepartitionPiliers,
    RepartitionQuartiers,
    RepartitionThematiques,
    SuiviProjet,
    repartition_de_l_annee,
    repartition_financeurs_de_l_annee,
    repartition_par_quartier,
    repartition_par_thematique,
    suivi_des_projets,
)
from .selections import toutes_les_programmations


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
    contrat: Contrat | None = None
    # L'année précédente relève-t-elle du même contrat ? Sinon ses éléments du cadre ne se comparent pas.
    meme_contrat_que_precedente: bool = False
    thematiques: RepartitionThematiques | None = None
    projets: tuple[SuiviProjet, ...] = ()
    # La limite de l'agglomération (GeoJSON), quand le contrat a ses communes du territoire.
    limite_du_territoire: dict | None = None


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
    du référentiel en cache, comme la limite du territoire. Cinq requêtes en tout, quelle que soit la taille de
    l'année, et une de plus pour les projets de quartier d'un contrat qui en a.

    Les comparaisons avec l'année précédente passent par ce que deux contrats partagent : les chiffres clés, la
    nomenclature ANCT de l'État et les quartiers ; jamais par les éléments du cadre d'un autre contrat.
    """
    if programmations is None:
        programmations = toutes_les_programmations()
    ref = referentiel()
    par_annee = {p.annee: p for p in programmations}
    programmation = par_annee.get(annee)
    contrat_de_l_annee = ref.contrat(programmation.contrat_id) if programmation else None
    if programmation is not None:
        programmation.contrat = contrat_de_l_annee
    piliers = list(ref.premier_niveau_du_contrat(programmation.contrat_id)) if programmation else []
    dossiers = dossiers_toutes_annees.filter(programmation__annee=annee)
    precedente = annee - 1 if annee - 1 in par_annee else None
    contrat_precedent_id = par_annee[precedente].contrat_id if precedente is not None else None
    fcs = synthese_fcs([annee, annee - 1], contrat=contrat)
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
    # Le tableau par élément du cadre, tiré du même agrégat : aucune requête de plus.
    repartition = repartition_de_l_annee(points[annee].par_element, piliers)
    chiffres_precedents = points[precedente].chiffres_cles(fcs) if precedente is not None else None
    financeurs = (
        ref.financeurs if financeur is None else tuple(f for f in ref.financeurs if f.pk == financeur.pk)
    )
    avec_etat = financeur is None or financeur.code == CodeFinanceur.ETAT_ANCT
    return TableauDeBord(
        annee=annee,
        programmation=programmation,
        annee_precedente=precedente,
        chiffres=chiffres,
        comparaisons=comparer(chiffres, chiffres_precedents),
        piliers=repartition,
        financeurs=repartition_financeurs_de_l_annee(
            points[annee].par_financeur, financeur, financeurs=financeurs
        ),
        quartiers=repartition_par_quartier(
            dossiers,
            ref.quartiers_du_contrat(programmation.contrat_id) if programmation else (),
            financeur,
            annee=annee,
            precedents=(
                dossiers_toutes_annees.filter(programmation__annee=precedente)
                if precedente is not None
                else None
            ),
            quartiers_precedents=ref.quartiers_du_contrat(contrat_precedent_id)
            if contrat_precedent_id
            else (),
        ),
        tendance=tuple(points[a] for a in sorted(annees)),
        communes_du_territoire=ref.communes_du_contrat(programmation.contrat_id) if programmation else (),
        contrat=contrat_de_l_annee,
        limite_du_territoire=limite_du_territoire(programmation.contrat_id) if programmation else None,
        meme_contrat_que_precedente=(
            programmation is not None and contrat_precedent_id == programmation.contrat_id
        ),
        thematiques=(
            repartition_par_thematique(
                points[annee], points[precedente] if precedente is not None else None, ref.thematiques
            )
            if avec_etat
            else None
        ),
        projets=(
            suivi_des_projets(
                dossiers,
                ref.projets_du_contrat(programmation.contrat_id),
                ref.objectifs_du_contrat(programmation.contrat_id),
                financeur,
            )
            if programmation
            else ()
        ),
    )
