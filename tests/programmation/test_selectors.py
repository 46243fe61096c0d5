"""Les chiffres des sections 2 à 5 du rapport 2021, calculés par les sélecteurs sur les données de
démonstration, égaux à ceux du rapport (shared/seed) ; puis les mêmes sélecteurs sur de petites données
construites à la main."""

from decimal import Decimal

import pytest

from contrat_ville.enums import CodeFinanceur, NatureCredits, TypePorteur
from contrat_ville.models import Financeur, Pilier, Thematique
from programmation.enums import StatutDossier
from programmation.selectors.chiffres import chiffres_programmation
from programmation.selectors.repartitions import operateurs_associatifs, repartition_par_pilier
from programmation.selectors.selections import dossiers_de_l_annee, piliers_du_contrat
from tests.factories import DossierFactory, LigneFinancementFactory, PorteurFactory, ProgrammationFactory

D = Decimal

# --- Rapport 2021 (données de démonstration) -------------------------------------------------------------


@pytest.mark.django_db
def test_section_2_programmation_de_l_annee(donnees_demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        chiffres = chiffres_programmation(dossiers_de_l_annee(2021))
    assert chiffres.total == D("6931463.00")
    assert chiffres.nb_deposes == 141
    assert chiffres.nb_soutenus_anct == 122
    assert chiffres.taux_thematiques_principales == D("72")
    assert chiffres_programmation(dossiers_de_l_annee(2020)).taux_thematiques_principales == D("69")


@pytest.mark.django_db
def test_section_3_repartition_par_pilier(donnees_demo):
    r = repartition_par_pilier(dossiers_de_l_annee(2021), piliers_du_contrat(2021))
    assert [(ligne.pilier.libelle, ligne.montant, ligne.taux) for ligne in r.lignes] == [
        ("Cohésion sociale", D("4734927.00"), D("68.3")),
        ("Cadre de vie, renouvellement urbain", D("724721.00"), D("10.5")),
        ("Emploi et développement économique", D("1407515.00"), D("20.3")),
        ("Pilotage, qualification des acteurs, évaluation", D("64300.00"), D("0.9")),
    ]
    assert r.total == D("6931463.00")
    assert r.taux_total == D("100.0")
    # « Il représente 87 % des crédits de l'État fléchés vers les quartiers prioritaires. »
    assert r.lignes[0].taux_etat == D("87")
    assert sum(ligne.taux for ligne in r.lignes) == D("100.0")


@pytest.mark.django_db
def test_section_4_droit_commun_et_credits_specifiques(donnees_demo):
    r = repartition_par_pilier(dossiers_de_l_annee(2021), piliers_du_contrat(2021))
    assert {ligne.pilier.code: (ligne.droit_commun, ligne.specifiques) for ligne in r.lignes} == {
        "1": (D("2030892"), D("2704035")),
        "2": (D("704966"), D("702549")),
        "3": (D("52050"), D("672671")),
        "4": (D("11025"), D("53275")),
    }
    assert r.specifiques == D("4132530.00")
    assert r.taux_specifiques == D("59.6")
    assert r.sans_nature == D("0")


@pytest.mark.django_db
def test_section_5_operateurs_associatifs(donnees_demo):
    o = operateurs_associatifs(dossiers_de_l_annee(2021), piliers_du_contrat(2021))
    assert o.total == 75
    # Ordre du tableau du rapport : Cohésion sociale, Emploi, Cadre de vie, Pilotage.
    par_code = {ligne.pilier.code: (ligne.nombre, ligne.taux) for ligne in o.lignes}
    assert [par_code[c] for c in ("1", "2", "3", "4")] == [
        (54, D("72.0")),
        (18, D("24.0")),
        (2, D("2.7")),
        (1, D("1.3")),
    ]


@pytest.mark.django_db
def test_focus_de_l_annee(donnees_demo):
    focus = dossiers_de_l_annee(2021).filter(focus=True).select_related("porteur")
    assert focus.count() == 4
    aidants = focus.get(intitule="Qualification des Aidants Numériques")
    assert aidants.porteur.nom == "ASSOCIATION DEVANDYOU"
    assert "42 aidants numériques" in aidants.focus_resultats
    assert all(d.focus_description and d.focus_objectif and d.focus_resultats for d in focus)


@pytest.mark.django_db
def test_selecteurs_bornes_en_requetes_sur_une_annee_filtree(donnees_demo, django_assert_max_num_queries):
    """Le tableau de bord filtre l'année (ici sur un quartier) : mêmes sélecteurs, même nombre de requêtes."""
    dossiers = dossiers_de_l_annee(2021).filter(quartiers__code="QN06208M")
    piliers = list(piliers_du_contrat(2021))
    with django_assert_max_num_queries(4):
        r = repartition_par_pilier(dossiers, piliers)
        o = operateurs_associatifs(dossiers, piliers)
        c = chiffres_programmation(dossiers)
    assert D(0) < r.total < D("6931463")
    assert 0 < o.total < 75
    assert 0 < c.nb_deposes < 141


# --- Petites données construites à la main -----------------------------------------------------------------


@pytest.fixture
def annee_main(db):
    """Trois dossiers, montants choisis pour que chaque chiffre se calcule de tête.

    - A (Cohésion sociale 1.1, association, retenu) : ÉTAT 1 000 spécifiques, COMMUNE 500 droit commun ;
    - B (Emploi 2.2, commune, retenu) : AGGLO 300 sans nature, ÉTAT sollicité 800 accordé 0 ;
    - C (Cohésion sociale, association, refusé) : ÉTAT 9 999 accordé (ne compte pas : refusé).
    """
    programmation = ProgrammationFactory(annee=2030)
    piliers = {p.code: p for p in Pilier.objects.filter(contrat=programmation.contrat)}
    them = {t.code: t for t in Thematique.objects.all()}
    etat = Financeur.objects.get(code=CodeFinanceur.ETAT_ANCT)
    commune = Financeur.objects.get(code=CodeFinanceur.COMMUNE)
    agglo = Financeur.objects.get(code=CodeFinanceur.AGGLO)
    asso = PorteurFactory(type=TypePorteur.ASSOCIATION)
    ville = PorteurFactory(type=TypePorteur.COMMUNE)
    a = DossierFactory(programmation=programmation, pilier=piliers["1"], thematique=them["1.1"], porteur=asso)
    LigneFinancementFactory(
        dossier=a, financeur=etat, nature=NatureCredits.SPECIFIQUE, montant_accorde=D("1000")
    )
    LigneFinancementFactory(
        dossier=a, financeur=commune, nature=NatureCredits.DROIT_COMMUN, montant_accorde=D("500")
    )
    b = DossierFactory(
        programmation=programmation, pilier=piliers["2"], thematique=them["2.2"], porteur=ville
    )
    LigneFinancementFactory(dossier=b, financeur=agglo, nature="", montant_accorde=D("300.50"))
    LigneFinancementFactory(
        dossier=b,
        financeur=etat,
        nature=NatureCredits.SPECIFIQUE,
        montant_sollicite=D("800"),
        montant_accorde=D(0),
    )
    c = DossierFactory(
        programmation=programmation, pilier=piliers["1"], porteur=asso, statut=StatutDossier.REFUSE
    )
    LigneFinancementFactory(
        dossier=c, financeur=etat, nature=NatureCredits.SPECIFIQUE, montant_accorde=D("9999")
    )
    return programmation


@pytest.mark.django_db
def test_chiffres_a_la_main(annee_main):
    c = chiffres_programmation(dossiers_de_l_annee(2030))
    assert c.total == D("1800.50")  # 1 000 + 500 + 300,50 ; le refusé est exclu
    assert str(c.total) == "1800.50"  # au centime, sur SQLite (sommes en flottants) comme sur PostgreSQL
    assert (c.nb_deposes, c.nb_retenus, c.nb_refuses) == (3, 2, 1)
    assert c.nb_soutenus_anct == 1  # B a demandé l'État sans l'obtenir
    assert c.montant_thematiques_principales == D("1500")
    assert c.taux_thematiques_principales == D("83")  # 1 500 / 1 800,50 = 83,31 %


@pytest.mark.django_db
def test_repartition_a_la_main_avec_une_ligne_sans_nature(annee_main):
    r = repartition_par_pilier(dossiers_de_l_annee(2030), piliers_du_contrat(2030))
    par_code = {ligne.pilier.code: ligne for ligne in r.lignes}
    assert (par_code["1"].montant, par_code["1"].droit_commun, par_code["1"].specifiques) == (
        D("1500"),
        D("500"),
        D("1000"),
    )
    assert (par_code["2"].montant, par_code["2"].droit_commun, par_code["2"].specifiques) == (
        D("300.50"),
        D(0),
        D(0),
    )
    assert par_code["1"].taux == D("83.3")  # 1 500 / 1 800,50
    assert par_code["2"].taux == D("16.7")
    assert par_code["3"].montant == D(0) and par_code["3"].taux == D("0.0")
    assert r.sans_nature == D("300.50")
    assert [str(ligne.montant) for ligne in r.lignes] == ["1500.00", "0.00", "300.50", "0.00"]
    assert r.taux_specifiques == D("55.5")  # 1 000 / 1 800,50 = 55,54 %
    assert r.total_etat == D("1000")
    assert par_code["1"].taux_etat == D("100")


@pytest.mark.django_db
def test_operateurs_associatifs_a_la_main(annee_main):
    o = operateurs_associatifs(dossiers_de_l_annee(2030), piliers_du_contrat(2030))
    assert o.total == 1  # A seulement : C est refusé, B est porté par une commune
    assert {ligne.pilier.code: ligne.nombre for ligne in o.lignes} == {"1": 1, "2": 0, "3": 0, "4": 0}


@pytest.mark.django_db
def test_annee_vide_tout_a_zero_sans_division_par_zero(db):
    ProgrammationFactory(annee=2031)
    r = repartition_par_pilier(dossiers_de_l_annee(2031), piliers_du_contrat(2031))
    c = chiffres_programmation(dossiers_de_l_annee(2031))
    assert r.total == D(0) and r.taux_specifiques == D("0.0") and r.taux_total == D("0.0")
    assert all(ligne.taux == D("0.0") for ligne in r.lignes)
    assert (c.total, c.nb_deposes, c.nb_soutenus_anct, c.taux_thematiques_principales) == (D(0), 0, 0, D(0))
    assert operateurs_associatifs(dossiers_de_l_annee(2031), piliers_du_contrat(2031)).total == 0
