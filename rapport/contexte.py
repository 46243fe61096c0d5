"""Ce que montre le rapport annuel, calculé par les sélecteurs : le même contexte sert la page et le PDF."""

from decimal import Decimal

from avis.selectors import annexe_avis
from contrat_ville.models import Pilier, Thematique
from contrat_ville.selectors import territoire
from fcs.selectors import fonds_de_concours, tableau_fcs
from programmation import selectors
from programmation.enums import TypeBloc
from programmation.models import Dossier, Programmation

from . import graphiques
from .enums import StatutRapport
from .models import RapportAnnuel

TITRE = "Rapport sur la mise en œuvre de la politique de la ville"

# Le sommaire : (ancre, titre) dans l'ordre du rapport de référence.
SECTIONS = (
    ("territoire", "La politique de la ville sur l'agglomération"),
    ("programmation", "La programmation du contrat de ville"),
    ("piliers", "Répartition financière par pilier"),
    ("natures", "Droit commun et crédits spécifiques"),
    ("associations", "Mobilisation des opérateurs associatifs"),
    ("fcs", "Le fonds de cohésion sociale"),
    ("fonds-de-concours", "Les fonds de concours politique de la ville"),
    ("focus", "« Focus » : actions de l'année"),
    ("pnru", "Le programme national de renouvellement urbain"),
    ("organisation", "Le service « Politique de la Ville »"),
    ("geographie", "Géographie de la politique de la ville"),
    ("perspectives", "Perspectives"),
)


def contexte_du_rapport(rapport: RapportAnnuel, *, pour_pdf: bool = False) -> dict:
    """Tous les chiffres, tableaux, graphiques et textes du rapport d'une année.

    Un nombre fixe de requêtes, quel que soit le nombre de dossiers : chaque tableau est un agrégat.
    """
    programmation = Programmation.objects.select_related("contrat").get(pk=rapport.programmation_id)
    contrat = programmation.contrat
    annee = programmation.annee
    dossiers = selectors.dossiers_de_l_annee(annee)
    piliers = list(Pilier.objects.filter(contrat=contrat).order_by("ordre", "code"))

    # L'agrégat par année que lit aussi le tableau de bord : l'année et la précédente, en deux requêtes.
    points = dict(
        zip(
            (annee - 1, annee),
            selectors.tendance_par_annee(Dossier.objects.all(), [annee - 1, annee]),
            strict=True,
        )
    )
    chiffres = points[annee].chiffres_programmation()
    precedente = points[annee - 1].chiffres_programmation() if points[annee - 1].nb_deposes else None
    repartition = selectors.repartition_par_pilier(dossiers, piliers)
    operateurs = selectors.operateurs_associatifs(dossiers, piliers)
    fcs = tableau_fcs(annee)
    fonds = fonds_de_concours(annee)
    geo = territoire(contrat)
    blocs = selectors.blocs_narratifs(programmation)
    focus = selectors.actions_focus(dossiers)
    beneficiaires = selectors.beneficiaires_par_sexe(dossiers)
    thematiques_principales = list(
        Thematique.objects.filter(pilier__contrat=contrat, principale=True).order_by("code")
    )
    pilier_principal = max(repartition.lignes, key=lambda ligne: ligne.montant, default=None)

    definitif = rapport.statut == StatutRapport.DEFINITIF
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
        "sections": SECTIONS,
        "chiffres": chiffres,
        "precedente": precedente,
        "annee_precedente": str(annee - 1),
        "repartition": repartition,
        "pilier_principal": pilier_principal,
        "operateurs": operateurs,
        "fcs": fcs,
        "fonds": fonds,
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
            titre=f"Répartition financière par pilier du contrat de ville – programmation {annee}",
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
            titre=f"Droit commun et crédits spécifiques par pilier – programmation {annee}",
        ),
        "carte": graphiques.carte_quartiers(
            geo.quartiers,
            geo.communes_alentour,
            communes_nommees=geo.communes,
            hauteur=500,
            titre=f"Les quartiers de la politique de la ville – {contrat.epci}",
        ),
        # Annexe des avis des communes et des conseils citoyens (application `avis`, gabarit
        # `templates/rapport/_annexe_avis.html`) ; None tant que le rapport n'est pas soumis.
        "annexe_avis": annexe_avis(rapport.programmation),
    }


def controles_du_rapport(contexte: dict) -> tuple[selectors.Anomalie, ...]:
    """Les contrôles de cohérence sur les tableaux mêmes que le rapport imprime."""
    annee = int(contexte["annee"])
    return selectors.controles_coherence(
        selectors.dossiers_de_l_annee(annee),
        chiffres=contexte["chiffres"],
        repartition=contexte["repartition"],
        operateurs=contexte["operateurs"],
        fcs=contexte["fcs"],
        annee=annee,
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
