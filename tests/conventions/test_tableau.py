"""Le tableau de bord montre accordé, payé, reste à payer et délai médian de l'année, par le sélecteur de la page
du porteur ; le bouton open data est celui du directeur."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptes import roles
from conventions import selectors, services
from conventions.enums import TypeEcheance
from tests.comptes import utilisateur

from .factories import convention, ligne_agglo

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def verser_l_avance(tranche, jour):
    avance = tranche.echeances.get(type=TypeEcheance.AVANCE)
    services.enregistrer_versement(
        echeance=avance, date=jour, montant=avance.montant, reference_mandat=f"M-{tranche.pk}"
    )


def test_tableau_de_bord_versements_de_l_annee(client):
    # Décisions le 15/03/2024 ; avances versées 10 jours et 40 jours plus tard, une troisième pas encore.
    t1 = convention(ligne_agglo(2024, Decimal("20000.00")), {2024: Decimal("20000.00")}).tranches.get()
    t2 = convention(ligne_agglo(2024, Decimal("10000.00")), {2024: Decimal("10000.00")}).tranches.get()
    convention(ligne_agglo(2024, Decimal("6000.00")), {2024: Decimal("6000.00")})
    verser_l_avance(t1, datetime.date(2024, 3, 25))
    verser_l_avance(t2, datetime.date(2024, 4, 24))
    client.force_login(utilisateur("d.directeur", roles.DIRECTEUR))

    page = client.get(reverse("tableau:tableau_de_bord"), {"annee": 2024}).content.decode()

    suivi = selectors.suivi_financier(selectors.tranches_de_l_annee(2024))
    assert (suivi.accorde, suivi.paye, suivi.delai_median_jours) == (
        Decimal("36000.00"),
        Decimal("15000.00"),
        Decimal("25"),
    )
    assert f"36{NBSP}000,00{NBSP}€" in page and f"21{NBSP}000,00{NBSP}€" in page
    assert "25 jours" in page
    assert reverse("conventions:open_data", args=[2024]) in page


def test_les_versements_coutent_une_requete_au_tableau_de_bord(client):
    convention(ligne_agglo(2024, Decimal("20000.00")), {2024: Decimal("20000.00")})
    client.force_login(utilisateur("a.agent", roles.AGENT))
    client.get(reverse("tableau:tableau_de_bord"), {"annee": 2024})
    with CaptureQueriesContext(connection) as requetes:
        page = client.get(reverse("tableau:tableau_de_bord"), {"annee": 2024}).content.decode()
    assert sum("conventions_versement" in q["sql"] for q in requetes.captured_queries) == 1
    for _ in range(5):
        convention(ligne_agglo(2024, Decimal("1000.00")), {2024: Decimal("1000.00")})
    with CaptureQueriesContext(connection) as apres:
        client.get(reverse("tableau:tableau_de_bord"), {"annee": 2024})
    assert len(apres) == len(requetes)
    # L'agent n'a pas le bouton open data.
    assert "open-data" not in page
