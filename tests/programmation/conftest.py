"""Fixtures des tests de la programmation."""

import pytest

from .comptes import agent


@pytest.fixture
def importateur(client, db):
    """Un agent connecté qui peut importer et exporter la programmation."""
    user = agent("importateur", "importer_programmation", "exporter_programmation")
    client.force_login(user)
    return user
