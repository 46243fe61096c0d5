"""Sélecteurs du tableau de bord, comparés aux chiffres calculés à la main (voir donnees_tableau.py)."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.http import QueryDict

from contrat_ville.enums import CodeFinanceur
from programmation.filters import DossierFilterSet
from programmation.models import Dossier
from programmation.selectors.chiffres import ChiffresCles, chiffres_programmation
from programmation.selectors.repartitions import operateurs_associatifs, repartition_par_pilier
from programmation.selectors.selections import piliers_du_contrat
from programmation.selectors.tableau import tableau_de_bord

from .donnees_tableau import creer_jeu

pytestmark = pytest.mark.django_db


@pytest.fixture
def jeu():
    return creer_jeu()


def chiffres_cles_du_rapport(dossiers, piliers, financeur=None) -> ChiffresCles:
    """Les chiffres clés tels que les sélecteurs du rapport les calculent, pour les comparer au tableau de bord."""
    programmation = chiffres_programmation(dossiers, financeur)
    repartition = repartition_par_pilier(dossiers, piliers, financeur)
    return ChiffresCles(
        total=programmation.total,
        nb_deposes=programmation.nb_deposes,
        nb_en_instruction=programmation.nb_en_instruction,
        nb_retenus=programmation.nb_retenus,
        nb_refuses=programmation.nb_refuses,
        specifiques=repartition.specifiques,
        taux_specifiques=repartition.taux_specifiques,
        nb_associatifs=operateurs_associatifs(dossiers, piliers).total,
        fcs=None,
    )


def tableau_filtre(**filtres):
    donnees = QueryDict(mutable=True)
    for cle, valeur in filtres.items():
        donnees[cle] = str(valeur)
    filtres = DossierFilterSet(donnees, queryset=Dossier.objects.all())
    assert filtres.is_valid(), filtres.errors
    valeurs = filtres.valeurs
    return tableau_de_bord(
        filtres.filtrer(Dossier.objects.all(), sauf=("annee",)),
        valeurs["annee"],
        financeur=valeurs.get("financeur"),
        contrat=valeurs.get("contrat"),
    )


def test_chiffres_cles_de_l_annee_et_de_la_precedente(jeu):
    t = tableau_filtre(annee=2021)
    c = t.comparaisons
    assert (c["total"].valeur, c["total"].precedent) == (Decimal("27000"), Decimal("8000"))
    assert c["total"].ecart == Decimal("19000")
    assert c["total"].evolution == Decimal("237.5")
    assert (c["nb_deposes"].valeur, c["nb_deposes"].precedent, c["nb_deposes"].ecart) == (5, 2, 3)
    assert (c["nb_en_instruction"].valeur, c["nb_retenus"].valeur, c["nb_refuses"].valeur) == (1, 3, 1)
    assert c["specifiques"].valeur == Decimal("12000")
    assert (c["taux_specifiques"].valeur, c["taux_specifiques"].precedent) == (
        Decimal("44.4"),
        Decimal("100.0"),
    )
    assert c["taux_specifiques"].ecart == Decimal("-55.6")
    assert (c["nb_associatifs"].valeur, c["nb_associatifs"].precedent) == (2, 1)
    assert (c["fcs_attribue"].valeur, c["fcs_reste"].valeur) == (Decimal("400"), Decimal("600"))
    assert (c["fcs_attribue"].precedent, c["fcs_reste"].precedent) == (Decimal("900"), Decimal("0"))
    assert t.annee_precedente == 2020


def test_sans_annee_precedente_pas_de_comparaison(jeu):
    t = tableau_filtre(annee=2020)
    assert t.annee_precedente is None
    assert t.comparaisons["total"].precedent is None
    assert t.comparaisons["total"].ecart is None
    assert t.comparaisons["total"].evolution is None


def test_sans_annee_dans_l_adresse_la_derniere_annee(jeu):
    assert tableau_filtre().annee == 2021


def test_repartitions_par_pilier_financeur_quartier(jeu):
    t = tableau_filtre(annee=2021)
    par_pilier = {
        ligne.pilier.code: (ligne.montant, ligne.droit_commun, ligne.specifiques)
        for ligne in t.piliers.lignes
    }
    assert par_pilier == {
        "1": (Decimal("15000"), Decimal("5000"), Decimal("10000")),
        "2": (Decimal("5000"), Decimal("3000"), Decimal("2000")),
        "3": (Decimal("7000"), Decimal("7000"), Decimal("0")),
        "4": (Decimal("0"), Decimal("0"), Decimal("0")),
    }
    par_financeur = {ligne.financeur.code: (ligne.montant, ligne.nb_dossiers) for ligne in t.financeurs}
    assert par_financeur[CodeFinanceur.ETAT_ANCT] == (Decimal("12000"), 2)
    assert par_financeur[CodeFinanceur.REGION] == (Decimal("7000"), 1)
    assert par_financeur[CodeFinanceur.AGGLO] == (Decimal("5000"), 1)
    assert par_financeur[CodeFinanceur.COMMUNE] == (Decimal("3000"), 1)
    assert par_financeur[CodeFinanceur.CAF] == (Decimal("0"), 0)
    # Du plus gros financeur au plus petit.
    assert [ligne.financeur.code for ligne in t.financeurs[:2]] == [
        CodeFinanceur.ETAT_ANCT,
        CodeFinanceur.REGION,
    ]
    par_quartier = {ligne.quartier.code: (ligne.montant, ligne.nb_dossiers) for ligne in t.quartiers.lignes}
    assert par_quartier["QN06208M"] == (Decimal("20000"), 2)
    assert par_quartier["QN06204M"] == (Decimal("12000"), 2)
    assert par_quartier["QN06205M"] == (Decimal("0"), 0)
    assert set(par_quartier) == set(jeu.contrat.quartiers.values_list("code", flat=True))  # tous, même à zéro
    assert t.quartiers.maximum == Decimal("20000")


def test_tendance_sur_les_annees_du_contrat(jeu):
    t = tableau_filtre(annee=2021)
    assert [(p.annee, p.total, p.nb_deposes, p.nb_retenus) for p in t.tendance] == [
        (2020, Decimal("8000"), 2, 1),
        (2021, Decimal("27000"), 5, 3),
    ]


def test_filtre_quartier_change_chaque_chiffre(jeu):
    t = tableau_filtre(annee=2021, quartier=jeu.q2.pk)
    c = t.comparaisons
    assert c["total"].valeur == Decimal("12000")  # D2 (5 000) et D5 (7 000) ; D3 est refusé
    assert (c["nb_deposes"].valeur, c["nb_retenus"].valeur, c["nb_refuses"].valeur) == (3, 2, 1)
    assert c["nb_en_instruction"].valeur == 0
    assert c["taux_specifiques"].valeur == Decimal("16.7")
    assert c["nb_associatifs"].valeur == 1
    assert (c["total"].precedent, c["nb_deposes"].precedent) == (Decimal("0"), 1)  # E2 vise Q2
    assert {ligne.pilier.code: ligne.montant for ligne in t.piliers.lignes}["3"] == Decimal("7000")
    assert sum(ligne.montant for ligne in t.financeurs) == Decimal("12000")
    # Les quartiers affichés restent tous ; D2 vise aussi Q1, il y compte.
    par_quartier = {ligne.quartier.code: ligne.montant for ligne in t.quartiers.lignes}
    assert par_quartier["QN06204M"] == Decimal("12000")
    assert par_quartier["QN06208M"] == Decimal("5000")
    assert [(p.annee, p.total) for p in t.tendance] == [(2020, Decimal("0")), (2021, Decimal("12000"))]


def test_filtre_commune_compte_un_dossier_une_fois(jeu):
    # D2 vise deux quartiers ; filtrés par une commune de l'un d'eux, il n'est compté qu'une fois.
    commune = jeu.q1.communes.first()
    t = tableau_filtre(annee=2021, commune=commune.pk)
    assert t.comparaisons["nb_deposes"].valeur == 2
    assert t.comparaisons["total"].valeur == Decimal("20000")


def test_filtre_financeur_ne_compte_que_ses_montants(jeu):
    etat = jeu.financeurs[CodeFinanceur.ETAT_ANCT]
    t = tableau_filtre(annee=2021, financeur=etat.pk)
    c = t.comparaisons
    assert c["total"].valeur == Decimal("12000")
    assert (c["nb_deposes"].valeur, c["nb_retenus"].valeur, c["nb_refuses"].valeur) == (3, 2, 1)
    assert c["taux_specifiques"].valeur == Decimal("100.0")
    assert [ligne.financeur.code for ligne in t.financeurs] == [CodeFinanceur.ETAT_ANCT]
    assert c["total"].precedent == Decimal("8000")


def test_filtres_pilier_statut_type_de_porteur(jeu):
    t = tableau_filtre(annee=2021, pilier=jeu.piliers["1"].pk, statut="RETENU", type_porteur="ASSOCIATION")
    assert t.comparaisons["nb_deposes"].valeur == 1
    assert t.comparaisons["total"].valeur == Decimal("15000")
    t = tableau_filtre(annee=2021, statut="REFUSE")
    assert t.comparaisons["total"].valeur == Decimal("0")
    assert t.comparaisons["nb_refuses"].valeur == 1


def test_filtre_invalide_est_signale():
    donnees = QueryDict("annee=1900&quartier=abc")
    filtres = DossierFilterSet(donnees, queryset=Dossier.objects.all())
    assert not filtres.is_valid()
    assert "quartier" in filtres.errors


@pytest.mark.parametrize(
    "filtres",
    [{}, {"quartier": "q2"}, {"financeur": "ETAT-ANCT"}, {"statut": "RETENU"}, {"type_porteur": "COMMUNE"}],
    ids=["aucun", "quartier", "financeur", "statut", "type"],
)
def test_courbe_et_chiffres_cles_concordent(jeu, filtres):
    """L'année précédente est lue sur la courbe des années : ses définitions sont celles des sélecteurs."""
    valeurs = {"annee": 2021}
    if "quartier" in filtres:
        valeurs["quartier"] = jeu.q2.pk
    if "financeur" in filtres:
        valeurs["financeur"] = jeu.financeurs[CodeFinanceur.ETAT_ANCT].pk
    valeurs.update({k: v for k, v in filtres.items() if k in ("statut", "type_porteur")})
    t = tableau_filtre(**valeurs)
    point = next(p for p in t.tendance if p.annee == 2021)
    assert point.chiffres_cles() == replace(t.chiffres, fcs=None)
    # Le tableau lit ses chiffres clés sur la courbe : ils doivent être ceux que le rapport calcule.
    donnees = QueryDict(mutable=True)
    for cle, valeur in valeurs.items():
        donnees[cle] = str(valeur)
    filtres = DossierFilterSet(donnees, queryset=Dossier.objects.all())
    assert filtres.is_valid(), filtres.errors
    dossiers = filtres.filtrer(Dossier.objects.all())
    attendu = chiffres_cles_du_rapport(
        dossiers, piliers_du_contrat(2021), financeur=filtres.valeurs.get("financeur")
    )
    assert replace(t.chiffres, fcs=None) == replace(attendu, fcs=None)
