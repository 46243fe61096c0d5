"""Le journal d'audit vu par les agents (historique de l'objet) et par la direction (journal cherchable)."""

import pytest

from comptes import roles
from journal.models import EntreeJournal
from tests.comptes import creer_dossier, utilisateur
from tests.formulaires import donnees_du_formulaire


@pytest.fixture
def dossier(db):
    return creer_dossier()


def modifier_montant_dans_l_admin(client, dossier, nouveau: str):
    url = f"/admin/programmation/dossier/{dossier.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    donnees = donnees_du_formulaire(page.content.decode(), "dossier_form")
    assert donnees["lignes_financement-0-montant_accorde"] == "1\u00a0000,00"  # ré-affiché à la française
    donnees["lignes_financement-0-montant_accorde"] = nouveau
    donnees["_save"] = "Enregistrer"
    return client.post(url, donnees)


def test_un_montant_change_dans_l_admin_est_au_journal_et_dans_l_historique(client, dossier):
    agent = utilisateur("agent.saisie", roles.AGENT)
    client.force_login(agent)
    reponse = modifier_montant_dans_l_admin(client, dossier, "1500.00")
    assert reponse.status_code == 302, (
        reponse.context and reponse.context["adminform"].form.non_field_errors()
    )

    ligne = dossier.lignes_financement.get()
    entree = EntreeJournal.objects.get(
        type_objet__model="lignefinancement", objet_id=str(ligne.pk), action="modification"
    )
    assert entree.changements == {"montant_accorde": ["1000.00", "1500.00"]}
    assert (entree.utilisateur, entree.source, entree.adresse_ip) == (agent, "admin", "127.0.0.1")
    ligne.refresh_from_db()
    assert ligne.modifie_par == agent

    historique = client.get(f"/admin/programmation/dossier/{dossier.pk}/history/")
    texte = historique.content.decode()
    assert historique.status_code == 200
    assert "montant accordé : 1\u00a0000,00\u00a0€ → 1\u00a0500,00\u00a0€" in texte
    assert "agent.saisie" in texte


def test_le_directeur_cherche_dans_le_journal_l_agent_ne_le_voit_pas(client, dossier):
    agent = utilisateur("agent.saisie", roles.AGENT)
    client.force_login(agent)
    assert modifier_montant_dans_l_admin(client, dossier, "1250.00").status_code == 302
    assert client.get("/admin/journal/entreejournal/").status_code == 403

    directeur = utilisateur("directeur", roles.DIRECTEUR)
    client.force_login(directeur)
    page = client.get("/admin/journal/entreejournal/", {"q": "agent.saisie"})
    assert page.status_code == 200
    texte = page.content.decode()
    assert "1\u00a0000,00\u00a0€ → 1\u00a0250,00\u00a0€" in texte
    vide = client.get("/admin/journal/entreejournal/", {"q": "personne-de-ce-nom"})
    assert "1\u00a0250,00" not in vide.content.decode()
    # Le journal est en lecture seule, même pour la direction.
    entree = EntreeJournal.objects.filter(nom_utilisateur="agent.saisie").first()
    assert (
        client.post(f"/admin/journal/entreejournal/{entree.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert EntreeJournal.objects.filter(pk=entree.pk).exists()
