"""Le référentiel gardé en cache pour le tableau de bord : lu sans requête, oublié dès qu'on l'écrit."""

import pytest

from contrat_ville.models import Contrat, Financeur, Quartier
from contrat_ville.selectors import referentiel

pytestmark = pytest.mark.django_db


def renommer_autre_financeur():
    financeur = Financeur.objects.get(code="AUTRE")
    financeur.nom = "Fondation de test"
    financeur.save()


def test_lu_une_fois_puis_sans_requete(django_assert_num_queries):
    premier = referentiel()
    with django_assert_num_queries(0):
        second = referentiel()
    assert [f.nom for f in second.financeurs] == [f.nom for f in premier.financeurs]
    assert len(second.quartiers) == Quartier.objects.count()


def test_une_ecriture_le_fait_relire():
    referentiel()
    renommer_autre_financeur()
    assert "Fondation de test" in [f.nom for f in referentiel().financeurs]
    quartier = Quartier.objects.get(code="QN06208M")
    quartier.nom = "Mont-Liébaut renommé"
    quartier.save()
    assert "Mont-Liébaut renommé" in [q.nom for q in referentiel().quartiers]


def test_un_quartier_retire_du_contrat_le_fait_relire():
    contrat = Contrat.objects.first()
    quartier = contrat.quartiers.first()
    assert quartier in referentiel().quartiers_du_contrat(contrat.pk)
    contrat.quartiers.remove(quartier)  # m2m_changed
    assert quartier not in referentiel().quartiers_du_contrat(contrat.pk)


def test_le_tableau_de_bord_propose_le_nouveau_financeur(client, django_user_model):
    from programmation.models import Programmation

    Programmation.objects.create(contrat=Contrat.objects.first(), annee=2021)
    client.force_login(django_user_model.objects.create_superuser("directrice", password=None))
    assert "Fondation de test" not in client.get("/tableau-de-bord/").content.decode()
    renommer_autre_financeur()
    assert "Fondation de test" in client.get("/tableau-de-bord/").content.decode()


def test_une_nouvelle_programmation_apparait_dans_les_filtres(client, django_user_model):
    from programmation.models import Programmation

    contrat = Contrat.objects.first()
    Programmation.objects.create(contrat=contrat, annee=2021)
    client.force_login(django_user_model.objects.create_superuser("directrice", password=None))
    assert '<option value="2022"' not in client.get("/tableau-de-bord/").content.decode()
    Programmation.objects.create(contrat=contrat, annee=2022)
    assert '<option value="2022"' in client.get("/tableau-de-bord/").content.decode()
