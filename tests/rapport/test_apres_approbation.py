"""Une année au rapport approuvé : la fiche compare les chiffres approuvés à ceux d'aujourd'hui et liste les
changements depuis l'approbation, d'après le journal ; modifier un de ses dossiers demande un motif, journalisé."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from comptes import roles
from journal.models import EntreeJournal
from programmation.enums import StatutDossier
from rapport.enums import StatutRapport
from rapport.services import faire_avancer_rapport
from tests.avis.conftest import agent, contrat, rapport  # noqa: F401 - fixtures
from tests.comptes import creer_dossier, utilisateur
from tests.formulaires import donnees_du_formulaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def annee_approuvee(rapport, agent):  # noqa: F811
    dossier = creer_dossier(annee=2021, numero="2021-001")
    dossier.statut = StatutDossier.RETENU
    dossier.save()
    agent.user_permissions.add(Permission.objects.get(codename="approuver_rapportannuel"))
    agent = type(agent).objects.get(pk=agent.pk)
    faire_avancer_rapport(
        rapport=rapport,
        vers=StatutRapport.EN_CONSULTATION,
        par=agent,
        date=datetime.date(2022, 10, 7),
        date_limite=datetime.date(2022, 11, 7),
    )
    faire_avancer_rapport(
        rapport=rapport,
        vers=StatutRapport.DEFINITIF,
        par=agent,
        date=datetime.date(2022, 12, 6),
        en_connaissance_de_cause=True,
    )
    return dossier


@pytest.fixture
def agent_admin(db):
    client = Client()
    client.force_login(utilisateur("agent.approuve", roles.AGENT))
    return client


@pytest.fixture
def directeur(db):
    client = Client()
    client.force_login(utilisateur("directeur.approuve", roles.DIRECTEUR))
    return client


URL_FICHE = "/rapport-annuel/2021/"


def url(dossier):
    return f"/admin/programmation/dossier/{dossier.pk}/change/"


def test_sans_changement_la_fiche_le_dit(annee_approuvee, directeur):
    page = directeur.get(URL_FICHE).content.decode()
    assert "Depuis l'approbation" in page
    assert "donnent toujours les chiffres approuvés" in page
    assert "<strong>changé</strong>" not in page


def test_modifier_un_dossier_demande_un_motif_journalise_et_la_fiche_montre_l_ecart(
    annee_approuvee, agent_admin, directeur
):
    dossier = annee_approuvee
    page = agent_admin.get(url(dossier))
    assert "Motif de la modification" in page.content.decode()
    donnees = donnees_du_formulaire(page.content.decode(), "dossier_form")
    donnees["_save"] = "Enregistrer"
    donnees["lignes_financement-0-montant_accorde"] = "1500.00"
    # Sans motif : refusé, rien n'est écrit.
    sans_motif = agent_admin.post(url(dossier), donnees)
    assert sans_motif.status_code == 200
    assert "Ce champ est obligatoire" in sans_motif.content.decode()
    assert dossier.lignes_financement.get().montant_accorde == 1000
    # Avec motif : écrit, et le journal garde le motif.
    donnees["motif_apres_approbation"] = "Avenant signé le 15/01/2023"
    reponse = agent_admin.post(url(dossier), donnees)
    assert reponse.status_code == 302, reponse.context and reponse.context["adminform"].form.errors
    entree = EntreeJournal.objects.filter(parent=f"programmation.dossier:{dossier.pk}").latest("horodatage")
    assert entree.resume.startswith("Motif : Avenant signé le 15/01/2023.")

    page = directeur.get(URL_FICHE).content.decode()
    assert "ne correspondent plus au rapport approuvé" in page
    assert "Avenant signé le 15/01/2023" in page  # la modification, avec son motif
    ligne = page[
        page.index('<th scope="row">Total de la programmation</th>', page.index("depuis-approbation")) :
    ]
    ligne = ligne[: ligne.index("</tr>")]
    assert (
        "1\u00a0000,00\u00a0€" in ligne
        and "1\u00a0500,00\u00a0€" in ligne
        and "<strong>changé</strong>" in ligne
    )


def test_un_dossier_d_une_annee_non_approuvee_ne_demande_pas_de_motif(agent_admin):
    dossier = creer_dossier(annee=2032)
    assert "Motif de la modification" not in agent_admin.get(url(dossier)).content.decode()


def test_la_fiche_approuvee_fait_un_nombre_borne_de_requetes(
    annee_approuvee, directeur, django_assert_max_num_queries
):
    directeur.get(URL_FICHE)
    for i in range(2, 8):
        creer_dossier(annee=2021, numero=f"2021-00{i}")
    with django_assert_max_num_queries(80):
        assert directeur.get(URL_FICHE).status_code == 200
