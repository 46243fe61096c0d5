"""Fixtures partagées des tests."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Le référentiel (communes, quartiers, piliers, financeurs) est chargé une fois par session."""
    with django_db_blocker.unblock():
        call_command("charger_referentiel", verbosity=0)


@pytest.fixture
def donnees_demo(db):
    """Les années 2020 et 2021 de démonstration, le FCS et les fonds de concours (sans les comptes)."""
    from fcs import demo as demo_fcs
    from programmation import demo as demo_programmation

    demo_programmation.charger()
    demo_fcs.charger()
