"""Deux agents enregistrent le même dossier depuis des formulaires ouverts en même temps."""

from decimal import Decimal

import pytest

from comptes import roles
from journal.models import EntreeJournal
from programmation.models import Dossier
from tests.comptes import creer_dossier, utilisateur
from tests.formulaires import donnees_du_formulaire


@pytest.fixture
def dossier(db):
    return creer_dossier()


@pytest.fixture
def deux_agents(db):
    from django.test import Client

    a, b = utilisateur("agent.a", roles.AGENT), utilisateur("agent.b", roles.AGENT)
    ca, cb = Client(), Client()
    ca.force_login(a)
    cb.force_login(b)
    return ca, cb


def ouvrir(client, dossier):
    page = client.get(url(dossier))
    assert page.status_code == 200
    donnees = donnees_du_formulaire(page.content.decode(), "dossier_form")
    donnees["_save"] = "Enregistrer"
    return donnees


def url(dossier):
    return f"/admin/programmation/dossier/{dossier.pk}/change/"


def test_le_second_agent_est_prevenu_et_rien_n_est_perdu(deux_agents, dossier):
    ca, cb = deux_agents
    form_a, form_b = ouvrir(ca, dossier), ouvrir(cb, dossier)

    form_a["lignes_financement-0-montant_accorde"] = "1500.00"
    reponse_a = ca.post(url(dossier), form_a)
    assert reponse_a.status_code == 302, (
        reponse_a.context and reponse_a.context["adminform"].form.non_field_errors()
    )

    form_b["intitule"] = "Ateliers numériques pour les seniors"
    reponse = cb.post(url(dossier), form_b)
    assert reponse.status_code == 200
    texte = reponse.content.decode()
    assert "a été modifié par quelqu'un d'autre depuis que vous avez ouvert cette page" in texte
    assert "agent.a" in texte and "1\u00a0000,00\u00a0€ → 1\u00a0500,00\u00a0€" in texte
    # La saisie du second reste à l'écran…
    assert "Ateliers numériques pour les seniors" in texte
    # … et la base garde celle du premier, sans rien du second.
    dossier.refresh_from_db()
    assert dossier.intitule == "Ateliers numériques"
    assert dossier.lignes_financement.get().montant_accorde == Decimal("1500.00")

    # Renvoyer le même formulaire périmé est encore refusé : il faut repartir de la version enregistrée.
    encore = donnees_du_formulaire(texte, "dossier_form")
    encore["_save"] = "Enregistrer"
    assert cb.post(url(dossier), encore).status_code == 200
    assert Dossier.objects.get(pk=dossier.pk).intitule == "Ateliers numériques"

    frais = ouvrir(cb, dossier)
    assert frais["lignes_financement-0-montant_accorde"] == "1\u00a0500,00"
    frais["intitule"] = "Ateliers numériques pour les seniors"
    assert cb.post(url(dossier), frais).status_code == 302
    dossier.refresh_from_db()
    assert dossier.intitule == "Ateliers numériques pour les seniors"
    assert dossier.lignes_financement.get().montant_accorde == Decimal("1500.00")


def test_une_ligne_changee_ailleurs_bloque_aussi_le_formulaire_du_dossier(deux_agents, dossier):
    """Un import ou une mise à jour en masse entre-temps compte aussi : la version vient du journal."""
    ca, _ = deux_agents
    form = ouvrir(ca, dossier)
    dossier.lignes_financement.update(montant_sollicite=Decimal("2500"))
    form["lignes_financement-0-montant_accorde"] = "900.00"
    assert ca.post(url(dossier), form).status_code == 200
    assert dossier.lignes_financement.get().montant_accorde == Decimal("1000.00")


def test_un_agent_seul_enregistre_deux_fois_de_suite(deux_agents, dossier):
    ca, _ = deux_agents
    form = ouvrir(ca, dossier)
    form["intitule"] = "Premier titre"
    form["_continue"] = "1"
    reponse = ca.post(url(dossier), form)
    assert reponse.status_code == 302
    form = ouvrir(ca, dossier)
    form["intitule"] = "Second titre"
    assert ca.post(url(dossier), form).status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).intitule == "Second titre"
    modifications = EntreeJournal.objects.filter(type_objet__model="dossier", objet_id=str(dossier.pk))
    assert modifications.filter(action="modification").count() == 2


def test_un_formulaire_sans_version_est_refuse(deux_agents, dossier):
    ca, _ = deux_agents
    form = ouvrir(ca, dossier)
    del form["_jeton_version"]
    form["intitule"] = "Sans version"
    assert ca.post(url(dossier), form).status_code == 200
    assert Dossier.objects.get(pk=dossier.pk).intitule == "Ateliers numériques"


def test_une_version_a_plusieurs_chiffres_n_est_pas_mise_en_forme(deux_agents, dossier):
    """La version voyage en texte brut : « 1 234 567 » à la française ne serait plus relue."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    EntreeJournal.objects.create(
        id=1234567,
        horodatage=timezone.now(),
        source="test",
        action="modification",
        type_objet=ContentType.objects.get_for_model(Dossier),
        objet_id=str(dossier.pk),
        objet_repr=str(dossier),
    )
    ca, _ = deux_agents
    form = ouvrir(ca, dossier)
    assert form["_jeton_version"] == "1234567"
    form["intitule"] = "Titre après une longue vie"
    assert ca.post(url(dossier), form).status_code == 302
