"""Ce que montre le rapport annuel, calculé par les sélecteurs : le même contexte sert la page et le PDF."""

import base64
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Subquery, prefetch_related_objects

from avis.selectors import annexe_avis
from contrat_ville.models import Commune, Contrat, ObjectifQuartier, Pilier, ProjetQuartier, Thematique
from contrat_ville.selectors import territoire
from conventions.selectors import part_cpo_associative
from fcs.selectors import fonds_de_concours, tableau_fcs
from indicateurs.selectors import suivi_des_indicateurs
from noyau.nombres import repartir, tableau_arrondi
from programmation.controles import Anomalie, controles_coherence
from programmation.enums import TypeBloc
from programmation.models import Dossier, Programmation
from programmation.selectors.chiffres import tendance_par_annee
from programmation.selectors.contenus import actions_focus, blocs_narratifs
from programmation.selectors.repartitions import (
    RepartitionPiliers,
    beneficiaires_par_sexe,
    operateurs_associatifs,
    repartition_de_l_annee,
    repartition_par_quartier,
    repartition_par_thematique,
    suivi_des_projets,
)
from programmation.selectors.selections import dossiers_de_l_annee

from . import graphiques
from .deliberations import deliberations_jointes
from .enums import StatutRapport
from .models import RapportAnnuel

TITRE = "Rapport sur la mise en œuvre de la politique de la ville"


def sections(
    contrat, *, avec_cpo: bool = False, avec_projets: bool = False, avec_indicateurs: bool = False
) -> tuple[tuple[str, str], ...]:
    """Le sommaire : (ancre, titre) dans l'ordre du rapport de référence, au cadre du contrat de l'année (« par
    pilier », « par orientation »), avec la part sous CPO, les projets de quartier et les indicateurs de suivi des
    contrats qui en ont."""
    return tuple(
        section
        for section, presente in (
            (("territoire", "La politique de la ville sur l'agglomération"), True),
            (("programmation", "La programmation du contrat de ville"), True),
            (("piliers", f"Répartition financière par {contrat.libelle_niveau}"), True),
            (("natures", "Droit commun et crédits spécifiques"), True),
            (("associations", "Mobilisation des opérateurs associatifs"), True),
            (("cpo", "Les financements associatifs sous CPO"), avec_cpo),
            (("projets", "Les projets de quartier"), avec_projets),
            (("thematiques", "Les crédits de l'État par thématique ANCT"), True),
            (("quartiers", "Les crédits par quartier"), True),
            (("fcs", "Le fonds de cohésion sociale"), True),
            (("fonds-de-concours", "Les fonds de concours politique de la ville"), True),
            (("focus", "« Focus » : actions de l'année"), True),
            (("pnru", "Le programme national de renouvellement urbain"), True),
            (("organisation", "Le service « Politique de la Ville »"), True),
            (("geographie", "Géographie de la politique de la ville"), True),
            (("indicateurs", "Indicateurs de suivi"), avec_indicateurs),
            (("perspectives", "Perspectives"), True),
        )
        if presente
    )


# La règle d'arrondi, dite sous chaque tableau de montants arrondis à l'euro.
NOTE_ARRONDI = (
    "Montants arrondis à l'euro par la méthode du plus fort reste : les lignes imprimées font exactement le total "
    "imprimé, lui-même arrondi au plus proche."
)
NOTE_PARTS = "Parts arrondies au dixième par la méthode du plus fort reste : elles font exactement le total de 100,0 imprimé."


@dataclass(frozen=True)
class LigneImprimee:
    """Une ligne d'un tableau de montants arrondis à l'euro, telle qu'imprimée."""

    libelle: str
    cellules: tuple[Decimal, ...]
    total: Decimal
    objet: object = None


@dataclass(frozen=True)
class TableauImprime:
    """Un tableau de montants arrondis qui s'additionne tel qu'imprimé (lignes, colonnes, total)."""

    lignes: tuple[LigneImprimee, ...]
    colonnes: tuple[Decimal, ...]
    total: Decimal


def natures_imprimees(repartition: RepartitionPiliers) -> TableauImprime:
    """Droit commun, spécifiques (et nature non précisée s'il y en a) par pilier, arrondis à l'euro."""
    avec_sans_nature = bool(repartition.sans_nature)
    cellules = [
        [ligne.droit_commun, ligne.specifiques]
        + ([ligne.montant - ligne.droit_commun - ligne.specifiques] if avec_sans_nature else [])
        for ligne in repartition.lignes
    ]
    arrondi = tableau_arrondi(cellules)
    return TableauImprime(
        lignes=tuple(
            LigneImprimee(ligne.pilier.libelle_court or ligne.pilier.libelle, cellules_, total, ligne)
            for ligne, cellules_, total in zip(
                repartition.lignes, arrondi.cellules, arrondi.lignes, strict=True
            )
        ),
        colonnes=arrondi.colonnes,
        total=arrondi.total,
    )


@dataclass(frozen=True)
class AxeImprime:
    axe: object
    subventions: tuple[tuple[object, Decimal], ...]
    total: Decimal


@dataclass(frozen=True)
class FCSImprime:
    axes: tuple[AxeImprime, ...]
    total: Decimal
    enveloppe: Decimal
    reste: Decimal


def fcs_imprime(fcs) -> FCSImprime:
    """Le tableau du FCS arrondi à l'euro : le total, réparti entre les axes, puis chaque axe entre ses
    subventions (plus fort reste) ; le reste de l'enveloppe est la différence des montants imprimés."""
    totaux = repartir([ligne.total for ligne in fcs.axes])
    axes = tuple(
        AxeImprime(
            axe=ligne.axe,
            subventions=tuple(
                zip(
                    ligne.subventions,
                    repartir([s.montant for s in ligne.subventions], total=total),
                    strict=True,
                )
            ),
            total=total,
        )
        for ligne, total in zip(fcs.axes, totaux, strict=True)
    )
    total = sum(totaux, Decimal(0))
    enveloppe = repartir([fcs.montant_enveloppe])[0]
    return FCSImprime(axes=axes, total=total, enveloppe=enveloppe, reste=enveloppe - total)


def fonds_imprimes(fonds) -> TableauImprime:
    montants = repartir([f.montant for f in fonds.fonds])
    return TableauImprime(
        lignes=tuple(
            LigneImprimee(f.commune.nom, (m,), m, f) for f, m in zip(fonds.fonds, montants, strict=True)
        ),
        colonnes=(sum(montants, Decimal(0)),),
        total=sum(montants, Decimal(0)),
    )


VOYELLES = "AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŒ"


def nom_organisme(organisme) -> str:
    """« Commune d'Auchel », « Commune de Béthune » : l'élision devant une voyelle ; un conseil citoyen par son
    nom."""
    if organisme.est_commune:
        nom = organisme.commune.nom
        return f"Commune d'{nom}" if nom[:1].upper() in VOYELLES else f"Commune de {nom}"
    return str(organisme)


@dataclass(frozen=True)
class LigneAnnexe:
    """Une ligne de l'annexe des avis telle qu'imprimée : un avis rendu, ou les avis réputés favorables d'une même
    échéance groupés en une ligne."""

    organismes: tuple[str, ...]
    date: object
    decision: str
    nature: str = ""  # délibération ou courrier : ce qu'est l'avis
    arrivee: str = ""  # comment il est arrivé
    jointe: bool = False
    observations: str = ""
    reputes: bool = False


def _nature(avis) -> str:
    """Ce qu'est l'avis : une délibération (document joint), sinon un courrier ou un avis déposé sans pièce."""
    if avis.deliberation:
        return "Délibération"
    return "Courrier" if avis.recu_par_courrier else "Avis"


def _arrivee(avis) -> str:
    """Comment l'avis est arrivé, accordé à sa nature."""
    feminin = bool(avis.deliberation)
    if avis.recu_par_courrier:
        return "reçue par voie postale" if feminin else "reçu par voie postale"
    return "déposée sur le portail" if feminin else "déposé sur le portail"


def annexe_imprimee(annexe, *, definitif: bool) -> tuple[LigneAnnexe, ...]:
    """Les lignes de l'annexe : chaque avis rendu (sa nature distincte de son arrivée ; « jointe » seulement si la
    délibération est jointe, c'est-à-dire au définitif), puis une ligne par échéance des réputés favorables, puis
    les organismes encore attendus."""
    if annexe is None:
        return ()
    rendus, reputes, attendus = [], {}, []
    for ligne in annexe.lignes:
        if ligne.avis is not None:
            avis = ligne.avis
            rendus.append(
                LigneAnnexe(
                    organismes=(nom_organisme(ligne.organisme),),
                    date=ligne.date,
                    decision=ligne.decision,
                    nature=_nature(avis),
                    arrivee=_arrivee(avis),
                    jointe=definitif and bool(avis.deliberation),
                    observations=avis.observations,
                )
            )
        elif ligne.reputee_favorable:
            reputes.setdefault((ligne.date, ligne.decision), []).append(nom_organisme(ligne.organisme))
        else:
            attendus.append(
                LigneAnnexe(organismes=(nom_organisme(ligne.organisme),), date=None, decision=ligne.decision)
            )
    groupes = [
        LigneAnnexe(organismes=tuple(noms), date=date, decision=decision, reputes=True)
        for (date, decision), noms in sorted(reputes.items(), key=lambda item: str(item[0][0]))
    ]
    return (*rendus, *groupes, *attendus)


SIGNATURES_IMAGES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def logos_en_ligne(presentation) -> list[tuple[str, str]]:
    """(nom, adresse `data:`) de chaque logo de la couverture : le rendu n'a ainsi aucun fichier déposé à lire. Un
    fichier dont la signature n'est plus celle d'un PNG ou d'un JPEG (modifié sur le disque) est ignoré."""
    if presentation is None:
        return []
    logos = []
    for logo in presentation.logos.all():
        try:
            with logo.image.open("rb") as fichier:
                contenu = fichier.read(2 * 1024 * 1024 + 1)
        except OSError:
            continue
        for signature, type_mime in SIGNATURES_IMAGES:
            if contenu.startswith(signature) and len(contenu) <= 2 * 1024 * 1024:
                logos.append((logo.nom, f"data:{type_mime};base64,{base64.b64encode(contenu).decode()}"))
    return logos


def contexte_du_rapport(rapport: RapportAnnuel, *, pour_pdf: bool = False) -> dict:
    """Tous les chiffres, tableaux, graphiques et textes du rapport d'une année.

    Un nombre fixe de requêtes, quel que soit le nombre de dossiers : chaque tableau est un agrégat.
    """
    # La présentation (logos, signataire, référents) vient avec le contrat : aucune requête de plus sans elle.
    # Le contrat de l'année précédente vient avec : ses éléments du cadre ne se comparent qu'au même contrat.
    programmation = (
        Programmation.objects.select_related("contrat__presentation")
        .annotate(
            contrat_precedent_id=Subquery(
                Programmation.objects.filter(annee=OuterRef("annee") - 1).values("contrat_id")[:1]
            )
        )
        .get(pk=rapport.programmation_id)
    )
    contrat = programmation.contrat
    annee = programmation.annee
    dossiers = dossiers_de_l_annee(annee)
    # Le premier niveau du cadre du contrat de l'année : les sous-niveaux comptent dans leur élément.
    cadre = list(Pilier.objects.filter(contrat=contrat).order_by("ordre", "code"))
    piliers = [p for p in cadre if p.parent_id is None]
    contrat_precedent_id = programmation.contrat_precedent_id

    # L'agrégat par année que lit aussi le tableau de bord : l'année et la précédente, en deux requêtes.
    points = dict(
        zip(
            (annee - 1, annee),
            tendance_par_annee(Dossier.objects.all(), [annee - 1, annee]),
            strict=True,
        )
    )
    chiffres = points[annee].chiffres_programmation()
    precedente = points[annee - 1].chiffres_programmation() if points[annee - 1].nb_deposes else None
    # Le tableau par élément du cadre, tiré de l'agrégat de l'année que lit aussi le tableau de bord.
    repartition = repartition_de_l_annee(points[annee].par_element, piliers)
    operateurs = operateurs_associatifs(dossiers, piliers)
    # L'année précédente, sur la même ligne du tableau : le texte qui compare les années s'y lit. D'un autre
    # contrat, seul son total se compare : ses piliers ne sont pas nos orientations.
    meme_contrat = contrat_precedent_id == contrat.pk
    operateurs_precedents = (
        operateurs_associatifs(dossiers_de_l_annee(annee - 1), piliers if meme_contrat else [])
        if precedente
        else None
    )
    toutes_thematiques = list(Thematique.objects.order_by("code"))
    thematiques = repartition_par_thematique(
        points[annee], points[annee - 1] if precedente else None, toutes_thematiques
    )
    geo = territoire(contrat)
    # Les quartiers se comparent d'un contrat à l'autre : ceux que les deux contrats partagent.
    if precedente and contrat_precedent_id is not None and not meme_contrat:
        partages = set(
            Contrat.quartiers.through.objects.filter(contrat_id=contrat_precedent_id).values_list(
                "quartier_id", flat=True
            )
        )
    else:
        partages = {q.pk for q in geo.quartiers}
    quartiers = repartition_par_quartier(
        dossiers,
        geo.quartiers,
        annee=annee,
        precedents=dossiers_de_l_annee(annee - 1) if precedente else None,
        quartiers_precedents=[q for q in geo.quartiers if q.pk in partages],
    )
    projets = list(ProjetQuartier.objects.filter(contrat=contrat).select_related("quartier"))
    suivi_projets = suivi_des_projets(
        dossiers,
        projets,
        list(ObjectifQuartier.objects.filter(projet__contrat=contrat).order_by("projet", "ordre", "code"))
        if projets
        else [],
    )
    part_cpo = (
        part_cpo_associative(dossiers, cible=contrat.cible_part_cpo)
        if contrat.cible_part_cpo is not None
        else None
    )
    fcs = tableau_fcs(annee)
    fonds = fonds_de_concours(annee)
    blocs = blocs_narratifs(programmation)
    focus = actions_focus(dossiers)
    beneficiaires = beneficiaires_par_sexe(dossiers)
    thematiques_principales = [t for t in toutes_thematiques if t.principale]
    pilier_principal = max(repartition.lignes, key=lambda ligne: ligne.montant, default=None)

    definitif = rapport.statut == StatutRapport.DEFINITIF
    annexe = annexe_avis(programmation)  # déjà lue : pas de requête pour `rapport.programmation`
    presentation = getattr(contrat, "presentation", None)
    if presentation is not None:
        prefetch_related_objects(
            [presentation], "logos", Prefetch("referents__communes", queryset=Commune.objects.order_by("nom"))
        )
    indicateurs = suivi_des_indicateurs(contrat, annee)
    referents = list(presentation.referents.all()) if presentation else []
    return {
        "rapport": rapport,
        "programmation": programmation,
        "contrat": contrat,
        # L'année en texte : un entier passerait par le séparateur de milliers (« 2 021 »).
        "annee": str(annee),
        "titre": TITRE,
        "definitif": definitif,
        "version": "Version définitive" if definitif else "Projet",
        "pour_pdf": pour_pdf,
        "presentation": presentation,
        "logos": logos_en_ligne(presentation),
        "referents": referents,
        "avec_secteurs": any(r.communes.all() for r in referents),
        "sections": sections(
            contrat,
            avec_cpo=part_cpo is not None,
            avec_projets=bool(projets),
            avec_indicateurs=bool(indicateurs.lignes),
        ),
        "niveau": contrat.libelle_niveau,
        "avec_sous_niveaux": len(cadre) > len(piliers),
        "niveaux": contrat.libelle_niveau_pluriel,
        "meme_contrat_que_precedente": meme_contrat,
        "thematiques": thematiques,
        "quartiers": quartiers,
        "projets": suivi_projets,
        "part_cpo": part_cpo,
        "chiffres": chiffres,
        "precedente": precedente,
        "annee_precedente": str(annee - 1),
        "repartition": repartition,
        "pilier_principal": pilier_principal,
        "operateurs": operateurs,
        "operateurs_precedents": operateurs_precedents,
        "fcs": fcs,
        "fcs_imprime": fcs_imprime(fcs),
        "fonds": fonds,
        "fonds_imprimes": fonds_imprimes(fonds),
        "natures": natures_imprimees(repartition),
        "note_arrondi": NOTE_ARRONDI,
        "note_parts": NOTE_PARTS,
        "territoire": geo,
        "focus": focus,
        "beneficiaires": beneficiaires,
        "thematiques_principales": thematiques_principales,
        "bloc_introduction": blocs.get(TypeBloc.INTRODUCTION),
        "bloc_contexte": blocs.get(TypeBloc.CONTEXTE),
        "bloc_pnru": blocs.get(TypeBloc.PNRU),
        "bloc_organisation": blocs.get(TypeBloc.ORGANISATION),
        "bloc_perspectives": blocs.get(TypeBloc.PERSPECTIVES),
        "graphique_piliers": graphiques.camembert(
            [(ligne.pilier.libelle, ligne.montant) for ligne in repartition.lignes],
            titre=f"Répartition financière par {contrat.libelle_niveau} du contrat de ville – programmation {annee}",
        ),
        "graphique_natures": graphiques.barres_groupees(
            [ligne.pilier.libelle_court or ligne.pilier.libelle for ligne in repartition.lignes],
            [
                (
                    "Crédits de droit commun",
                    graphiques.COULEUR_DROIT_COMMUN,
                    [ligne.droit_commun for ligne in repartition.lignes],
                ),
                (
                    "Crédits spécifiques",
                    graphiques.COULEUR_SPECIFIQUES,
                    [ligne.specifiques for ligne in repartition.lignes],
                ),
            ],
            titre=f"Droit commun et crédits spécifiques par {contrat.libelle_niveau} – programmation {annee}",
        ),
        "carte": graphiques.carte_quartiers(
            geo.quartiers,
            geo.communes_alentour,
            communes_nommees=geo.communes,
            # Les secteurs des référents du service, comme la carte du rapport de référence.
            secteurs=[(r.nom, r.communes.all()) for r in referents],
            limite=geo.limite,
            hauteur=500,
            titre=f"Les quartiers de la politique de la ville – {contrat.epci}",
        ),
        # Annexe des avis des communes et des conseils citoyens (application `avis`, gabarit
        # `templates/rapport/_annexe_avis.html`) ; None tant que le rapport n'est pas soumis.
        "annexe_avis": annexe,
        # Les indicateurs de suivi du contrat, valeurs connues jusqu'à l'année du rapport (en cache).
        "indicateurs": indicateurs,
        "annexe_lignes": annexe_imprimee(annexe, definitif=definitif),
        # Jointes au seul définitif, chacune annoncée par une page séparatrice et comptée dans « page X / Y ».
        "deliberations": deliberations_jointes(annexe, nom_organisme) if definitif and pour_pdf else (),
    }


def controles_du_rapport(contexte: dict) -> tuple[Anomalie, ...]:
    """Les contrôles de cohérence sur les tableaux mêmes que le rapport imprime."""
    annee = int(contexte["annee"])
    return controles_coherence(
        dossiers_de_l_annee(annee),
        chiffres=contexte["chiffres"],
        repartition=contexte["repartition"],
        operateurs=contexte["operateurs"],
        fcs=contexte["fcs"],
        annee=annee,
        niveau=contexte["niveau"],
        thematiques=contexte["thematiques"],
    )


def _texte(valeur) -> str:
    return f"{valeur:f}" if isinstance(valeur, Decimal) else str(valeur)


def chiffres_du_rapport(contexte: dict) -> dict:
    """Les chiffres que montre le rapport, en JSON stable (montants en texte décimal), figés à l'approbation."""
    chiffres = contexte["chiffres"]
    repartition = contexte["repartition"]
    fcs = contexte["fcs"]
    fonds = contexte["fonds"]
    geo = contexte["territoire"]
    beneficiaires = contexte["beneficiaires"]
    return {
        "annee": int(contexte["annee"]),
        "niveau": contexte["niveau"],
        "territoire": {
            "quartiers": geo.nb_quartiers,
            "par_type": {t.type.value: t.nombre for t in geo.par_type},
        },
        "programmation": {
            "total": _texte(chiffres.total),
            "dossiers_deposes": chiffres.nb_deposes,
            "dossiers_retenus": chiffres.nb_retenus,
            "actions_anct": chiffres.nb_soutenus_anct,
            "taux_thematiques_principales": _texte(chiffres.taux_thematiques_principales),
            "taux_thematiques_principales_annee_precedente": (
                _texte(contexte["precedente"].taux_thematiques_principales)
                if contexte["precedente"]
                else None
            ),
        },
        "piliers": [
            {
                "code": ligne.pilier.code,
                "libelle": ligne.pilier.libelle,
                "montant": _texte(ligne.montant),
                "taux": _texte(ligne.taux),
                "droit_commun": _texte(ligne.droit_commun),
                "specifiques": _texte(ligne.specifiques),
                "taux_etat": _texte(ligne.taux_etat),
            }
            for ligne in repartition.lignes
        ],
        "total": _texte(repartition.total),
        "droit_commun": _texte(repartition.droit_commun),
        "specifiques": _texte(repartition.specifiques),
        "taux_specifiques": _texte(repartition.taux_specifiques),
        "operateurs_associatifs": {
            "total": contexte["operateurs"].total,
            "par_pilier": {ligne.pilier.code: ligne.nombre for ligne in contexte["operateurs"].lignes},
        },
        "beneficiaires": {
            "femmes": beneficiaires.femmes,
            "hommes": beneficiaires.hommes,
            "dossiers_renseignes": beneficiaires.nb_dossiers_renseignes,
        },
        "fcs": {
            "enveloppe": _texte(fcs.montant_enveloppe),
            "total": _texte(fcs.total),
            "projets": fcs.nb_projets,
            "axes": [{"numero": a.axe.numero, "total": _texte(a.total)} for a in fcs.axes],
        },
        "fonds_de_concours": {
            "total": _texte(fonds.total),
            "communes": fonds.nb_communes,
            "fonds": [
                {"commune": f.commune.nom, "projet": f.projet, "montant": _texte(f.montant)}
                for f in fonds.fonds
            ],
        },
        "focus": [d.numero for d in contexte["focus"]],
    }
