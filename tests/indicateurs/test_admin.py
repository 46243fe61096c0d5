"""Saisie des indicateurs dans l'administration : valeurs tapées à la française, droits des rôles."""

from decimal import Decimal

import pytest

from comptes import roles
from indicateurs.models import Indicateur, ValeurIndicateur
from journal.models import EntreeJournal
from tests.comptes import utilisateur

from .conftest import indicateur

pytestmark = pytest.mark.django_db
AJOUT = "/admin/indicateurs/indicateur/add/"


def formulaire(contrat, **surcharges):
    donnees = {
        "contrat": contrat.pk,
        "quartier": "",
        "code": "EMP-1",
        "libelle": "Taux d'emploi des 15-64 ans",
        "definition": "Part des 15-64 ans en emploi.",
        "unite": "%",
        "source": "INSEE",
        "ordre": "0",
        "sens": "HAUSSE",
        "valeur_reference": "46,2",
        "annee_reference": "2023",
        "cible": "52",
        "annee_cible": "",
        "valeurs-TOTAL_FORMS": "1",
        "valeurs-INITIAL_FORMS": "0",
        "valeurs-MIN_NUM_FORMS": "0",
        "valeurs-MAX_NUM_FORMS": "1000",
        "valeurs-0-annee": "2024",
        "valeurs-0-valeur": "12,5",
        "valeurs-0-commentaire": "",
    }
    return {**donnees, **surcharges}


def test_l_agent_saisit_un_indicateur_et_ses_valeurs_a_la_francaise(client, contrat_2024):
    client.force_login(utilisateur("agent.indic", roles.AGENT))
    page = client.get(AJOUT).content.decode()
    # Des champs texte au clavier décimal, jamais type=number (qui perdrait la virgule).
    assert 'name="valeur_reference"' in page and 'inputmode="decimal"' in page
    assert (
        'type="number" name="valeur_reference"' not in page
        and 'name="valeurs-0-valeur" type="number"' not in page
    )
    reponse = client.post(AJOUT, formulaire(contrat_2024, **{"valeurs-0-valeur": "1 012,5"}))
    assert reponse.status_code == 302, (
        reponse.context["adminform"].form.errors if reponse.context else reponse
    )
    ind = Indicateur.objects.get(code="EMP-1")
    assert ind.valeur_reference == Decimal("46.2") and ind.cible == Decimal("52")
    assert ind.annee_cible == 2030  # la fin du contrat, laissée vide
    assert ValeurIndicateur.objects.get(indicateur=ind, annee=2024).valeur == Decimal("1012.5")
    # Audité : l'indicateur et sa valeur sont au journal.
    assert EntreeJournal.objects.filter(objet_id=str(ind.pk)).exists()


def test_saisie_12_virgule_5(client, contrat_2024):
    client.force_login(utilisateur("agent.indic", roles.AGENT))
    assert client.post(AJOUT, formulaire(contrat_2024)).status_code == 302
    valeur = ValeurIndicateur.objects.get()
    assert valeur.valeur == Decimal("12.5")
    page = client.get(f"/admin/indicateurs/indicateur/{valeur.indicateur_id}/change/").content.decode()
    assert 'value="12,5"' in page and 'value="46,2"' in page


def test_une_valeur_illisible_est_refusee_en_francais(client, contrat_2024):
    client.force_login(utilisateur("agent.indic", roles.AGENT))
    reponse = client.post(AJOUT, formulaire(contrat_2024, **{"valeurs-0-valeur": "12.500,5", "cible": "40"}))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "« 12.500,5 » n&#x27;est pas un nombre" in page
    assert "Pour un indicateur à la hausse, la cible dépasse la valeur de référence." in page
    assert not Indicateur.objects.exists()


def test_deux_valeurs_pour_la_meme_annee_sont_refusees(client, contrat_2024):
    ind = indicateur(contrat_2024, valeurs={2024: "41"})
    with pytest.raises(Exception):  # noqa: B017 - l'unicité est tenue par la base
        ValeurIndicateur.objects.create(indicateur=ind, annee=2024, valeur=Decimal("42"))


@pytest.mark.parametrize("role, attendu", [(roles.AGENT, 200), (roles.DIRECTEUR, 403), (roles.AUDITEUR, 403)])
def test_seul_l_agent_saisit(client, contrat_2024, role, attendu):
    client.force_login(utilisateur("compte", role))
    assert client.get(AJOUT).status_code == attendu
    assert client.get("/admin/indicateurs/indicateur/").status_code == 200
