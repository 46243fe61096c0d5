from decimal import Decimal

from noyau.nombres import arrondi, formater_euros, formater_pourcent, taux

NBSP = "\u00a0"


def test_euros_au_format_francais():
    assert formater_euros(Decimal("4734927")) == f"4{NBSP}734{NBSP}927,00{NBSP}€"
    assert formater_euros(Decimal("0.5")) == f"0,50{NBSP}€"
    assert formater_euros(Decimal("92921"), 0) == f"92{NBSP}921{NBSP}€"


def test_pourcent_a_une_decimale():
    assert formater_pourcent(Decimal("68.3")) == f"68,3{NBSP}%"


def test_arrondi_a_la_moitie_superieure():
    assert arrondi(Decimal("0.25"), 1) == Decimal("0.3")
    assert arrondi(Decimal("0.35"), 1) == Decimal("0.4")
    assert arrondi(Decimal("2.675"), 2) == Decimal("2.68")


def test_taux_du_pilier_cohesion_sociale_2021():
    assert taux(Decimal("4734927"), Decimal("6931463")) == Decimal("68.3")
    assert taux(Decimal("64300"), Decimal("6931463")) == Decimal("0.9")
    assert taux(Decimal("1"), Decimal("0")) == Decimal("0.0")
