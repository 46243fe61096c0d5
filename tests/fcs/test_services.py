"""L'enveloppe du FCS tient quand deux agents attribuent en même temps (PostgreSQL : verrou de ligne réel)."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from contrat_ville.enums import TypePorteur
from contrat_ville.models import Contrat, Porteur
from fcs import services
from fcs.models import AxeFCS, EnveloppeFCS, SubventionFCS
from journal.models import EntreeJournal


@pytest.fixture
def db(django_db_setup, django_db_blocker):
    """Remplace ici le `db` de pytest-django : les deux fils ne verraient pas les données d'une transaction de test,
    et un `transactional_db` viderait toutes les tables (référentiel compris, et les identifiants qu'un autre test
    du même worker a gardés). Les données du test sont écrites pour de bon, puis effacées exactement."""
    with django_db_blocker.unblock():
        dernier = EntreeJournal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        cree = {}
        yield cree
        SubventionFCS.objects.filter(axe__in=cree.get("axes", [])).delete()
        AxeFCS.objects.filter(pk__in=[a.pk for a in cree.get("axes", [])]).delete()
        EnveloppeFCS.objects.filter(pk__in=[e.pk for e in cree.get("enveloppes", [])]).delete()
        Porteur.objects.filter(pk__in=[p.pk for p in cree.get("porteurs", [])]).delete()
        EntreeJournal.objects.filter(pk__gt=dernier).delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite verrouille toute la base, pas une ligne"
)
def test_deux_attributions_simultanees_une_seule_passe(db, monkeypatch):
    enveloppe = EnveloppeFCS.objects.create(
        contrat=Contrat.objects.get(), annee=2045, montant=Decimal("10000.00")
    )
    axe = AxeFCS.objects.create(enveloppe=enveloppe, numero=1, libelle="Lien social")
    porteurs = [Porteur.objects.create(nom=f"Association {n}", type=TypePorteur.ASSOCIATION) for n in "AB"]
    db.update(enveloppes=[enveloppe], axes=[axe], porteurs=porteurs)

    # Élargit la fenêtre de course : entre la lecture de ce qui est attribué et l'écriture, chacun attend.
    lire = services.montant_attribue_fcs

    def lire_lentement(*args, **kwargs):
        montant = lire(*args, **kwargs)
        time.sleep(0.5)
        return montant

    monkeypatch.setattr(services, "montant_attribue_fcs", lire_lentement)
    depart = threading.Barrier(2)
    resultats = {}

    def attribuer(porteur):
        try:
            depart.wait()
            services.attribuer_subvention(
                axe=axe, porteur=porteur, action="Atelier", montant=Decimal("6000.00")
            )
            resultats[porteur.nom] = "accordée"
        except ValidationError as erreur:
            resultats[porteur.nom] = " ".join(erreur.messages)
        finally:
            connections.close_all()

    fils = [threading.Thread(target=attribuer, args=(p,)) for p in porteurs]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=30)

    assert sorted(resultats.values()) == [
        "Ce montant dépasse l'enveloppe du FCS 2045 : il reste 4\u00a0000,00\u00a0€ disponibles.",
        "accordée",
    ]
    assert SubventionFCS.objects.filter(axe=axe).count() == 1
