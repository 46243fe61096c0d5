"""Deux versements saisis en même temps sur la même tranche : le reste à payer tient (PostgreSQL, verrou réel)."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from conventions import services
from conventions.enums import TypeEcheance
from conventions.models import Bilan, Convention, Decision, Echeance, TitreRecette, Tranche, Versement
from journal.models import EntreeJournal
from programmation.models import Dossier, LigneFinancement, Programmation

from .factories import convention, ligne_agglo


@pytest.fixture
def db(django_db_setup, django_db_blocker):
    """Remplace ici le `db` de pytest-django : les deux fils ne verraient pas les données d'une transaction de test,
    et un `transactional_db` viderait toutes les tables (référentiel compris). Les données du test sont écrites
    pour de bon, puis effacées exactement, des versements jusqu'à la programmation."""
    with django_db_blocker.unblock():
        dernier = EntreeJournal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        yield
        tranches = Tranche.objects.filter(annee=2046)
        conventions = Convention.objects.filter(tranches__in=tranches).distinct()
        Versement.objects.filter(echeance__tranche__in=tranches).delete()
        Echeance.objects.filter(tranche__in=tranches).delete()
        Bilan.objects.filter(tranche__in=tranches).delete()
        TitreRecette.objects.filter(tranche__in=tranches).delete()
        ids_conventions = list(conventions.values_list("pk", flat=True))
        tranches.delete()
        Decision.objects.filter(convention__in=ids_conventions).delete()
        Convention.objects.filter(pk__in=ids_conventions).delete()
        LigneFinancement.objects.filter(dossier__programmation__annee=2046).delete()
        Dossier.objects.filter(programmation__annee=2046).delete()
        Programmation.objects.filter(annee=2046).delete()
        EntreeJournal.objects.filter(pk__gt=dernier).delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite verrouille toute la base, pas une ligne"
)
def test_deux_versements_simultanes_un_seul_passe(db, monkeypatch):
    ligne = ligne_agglo(2046, Decimal("10000.00"))
    tranche = convention(
        ligne, {2046: Decimal("10000.00")}, date_signature=datetime.date(2046, 4, 2)
    ).tranches.get()
    avance = tranche.echeances.get(type=TypeEcheance.AVANCE)

    # Élargit la fenêtre de course : entre la lecture de ce qui est payé et l'écriture, chacun attend.
    lire = services.paye_sur_tranche

    def lire_lentement(*args, **kwargs):
        montant = lire(*args, **kwargs)
        time.sleep(0.5)
        return montant

    monkeypatch.setattr(services, "paye_sur_tranche", lire_lentement)
    depart = threading.Barrier(2)
    resultats = {}

    def verser(reference):
        try:
            depart.wait()
            services.enregistrer_versement(
                echeance=avance,
                date=datetime.date(2046, 5, 1),
                montant=Decimal("6000.00"),
                reference_mandat=reference,
            )
            resultats[reference] = "versé"
        except ValidationError as erreur:
            resultats[reference] = " ".join(erreur.messages)
        finally:
            connections.close_all()

    fils = [threading.Thread(target=verser, args=(ref,)) for ref in ("M-2046-001", "M-2046-002")]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=30)

    assert sorted(resultats.values()) == [
        "Ce versement (6\u00a0000,00\u00a0€) dépasse le reste à payer de la tranche 2046 : 4\u00a0000,00\u00a0€.",
        "versé",
    ]
    assert list(Versement.objects.filter(echeance__tranche=tranche).values_list("montant", flat=True)) == [
        Decimal("6000.00")
    ]
