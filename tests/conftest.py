"""Fixtures partagées des tests."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Le référentiel (communes, quartiers, piliers, financeurs) est chargé une fois par session."""
    with django_db_blocker.unblock():
        call_command("charger_referentiel", verbosity=0)
