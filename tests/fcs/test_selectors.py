"""Sections 6 (FCS) et 7 (fonds de concours) du rapport 2021, calculées sur les données de démonstration ;
puis les mêmes sélecteurs sur de petites données construites à la main."""

from decimal import Decimal

import pytest

from fcs.selectors import fonds_de_concours, montant_attribue_fcs, tableau_fcs
from tests.factories import AxeFCSFactory, EnveloppeFCSFactory, FondsDeConcoursFactory, SubventionFCSFactory

D = Decimal


@pytest.mark.django_db
def test_section_6_tableau_du_fcs(donnees_demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        t = tableau_fcs(2021)
    assert t.montant_enveloppe == D("92921.00")
    assert t.nb_projets == 22
    assert len(t.axes) == 5
    assert [a.total for a in t.axes] == [D("6750"), D("18246"), D("19350"), D("33575"), D("15000")]
    assert t.total == D("92921.00")
    assert t.reste == D(0)
    premier = t.axes[0].subventions[0]
    assert (premier.porteur.nom, premier.action, premier.montant) == (
        "CONSEIL CITOYEN RENAISSANCE - BEUVRY",
        "Les habitants acteurs de leur environnement et de leur patrimoine",
        D("2000"),
    )
    assert [s.porteur.nom for s in t.axes[2].subventions if s.cpo] == ["BOOKKAFE"]
    assert [s.porteur.nom for s in t.axes[4].subventions] == ["ASSOCIATION DEVANDYOU"]


@pytest.mark.django_db
def test_section_7_fonds_de_concours(donnees_demo):
    f = fonds_de_concours(2021)
    assert f.total == D("169541.00")
    assert f.nb_communes == 3
    assert [(x.commune.nom, x.projet, x.montant) for x in f.fonds] == [
        ("Divion", "Rénovation de la salle Mancey", D("68049")),
        ("Bruay-la-Buissière", "Création d'une aire de jeux – terrasses Basly", D("32111")),
        ("Hersin-Coupigny", "Création d'une maison de la solidarité", D("69381")),
    ]


@pytest.mark.django_db
def test_tableau_fcs_a_la_main():
    enveloppe = EnveloppeFCSFactory(annee=2040, montant=D("5000.00"))
    axe1 = AxeFCSFactory(enveloppe=enveloppe, numero=1)
    axe2 = AxeFCSFactory(enveloppe=enveloppe, numero=2)
    AxeFCSFactory(enveloppe=enveloppe, numero=3)  # un axe sans subvention garde sa ligne, à zéro
    SubventionFCSFactory(axe=axe1, montant=D("1200.50"))
    SubventionFCSFactory(axe=axe1, montant=D("300.00"))
    SubventionFCSFactory(axe=axe2, montant=D("999.99"))
    t = tableau_fcs(2040)
    assert [a.total for a in t.axes] == [D("1500.50"), D("999.99"), D(0)]
    assert t.total == D("2500.49")
    assert t.nb_projets == 3
    assert t.reste == D("2499.51")
    assert montant_attribue_fcs(enveloppe) == D("2500.49")


@pytest.mark.django_db
def test_annee_sans_fcs_ni_fonds_de_concours():
    t = tableau_fcs(2041)
    assert (t.enveloppe, t.total, t.nb_projets, t.reste) == (None, D(0), 0, D(0))
    f = fonds_de_concours(2041)
    assert (f.total, f.nb_communes, f.fonds) == (D(0), 0, ())


@pytest.mark.django_db
def test_fonds_de_concours_a_la_main_deux_projets_une_commune():
    FondsDeConcoursFactory(annee=2042, montant=D("1000.25"))
    FondsDeConcoursFactory(annee=2042, montant=D("2000.00"))
    FondsDeConcoursFactory(annee=2043, montant=D("7.00"))
    f = fonds_de_concours(2042)
    assert (f.total, f.nb_communes, len(f.fonds)) == (D("3000.25"), 1, 2)
