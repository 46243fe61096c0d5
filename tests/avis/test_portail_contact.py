"""Le portail dit qui joindre au service (contact saisi sur le contrat) et ne propose plus de déposer après la
date limite."""

import datetime
from html import unescape

import pytest

from avis import services
from programmation.models import Programmation

from .conftest import MOT_DE_PASSE, pdf_octets

pytestmark = pytest.mark.django_db


@pytest.fixture
def contrat_avec_contact(contrat):
    contrat.contact_nom = "Claude Martin, service Politique de la Ville"
    contrat.contact_courriel = "pdlv@agglo.example"
    contrat.contact_telephone = "03 53 01 00 42"
    contrat.save()
    return contrat


def test_le_portail_donne_le_contact_et_distingue_close_et_ouverte(
    client, contrat_avec_contact, consultation, contact_bethune, bethune, agent, aujourdhui
):
    # Une consultation plus ancienne, close sans réponse de Béthune.
    ancienne = services.creer_consultation(
        programmation=Programmation.objects.create(contrat=contrat_avec_contact, annee=2020),
        projet_pdf=pdf_octets("Projet 2020"),
        date_envoi=aujourdhui - datetime.timedelta(days=90),
        date_limite=aujourdhui - datetime.timedelta(days=50),
        organismes=[bethune],
        par=agent,
    )
    client.login(username="pdlv@bethune.example", password=MOT_DE_PASSE)
    accueil = unescape(client.get("/portail/").content.decode())
    ligne_2021, ligne_2020 = (
        accueil.split(f"Rapport {a}</a>", 1)[1].split("</tr>", 1)[0] for a in (2021, 2020)
    )
    assert "À déposer" in ligne_2021
    assert "Réputé favorable" in ligne_2020 and "À déposer" not in ligne_2020
    for page in (accueil, unescape(client.get(f"/portail/consultations/{ancienne.pk}/").content.decode())):
        assert "Claude Martin, service Politique de la Ville" in page
        assert 'href="mailto:pdlv@agglo.example"' in page
        assert 'href="tel:+33353010042">03 53 01 00 42</a>' in page


def test_l_invitation_donne_le_contact_du_service(
    contrat_avec_contact, consultation, contact_bethune, mailoutbox
):
    services.inviter_organismes(consultation=consultation, par=consultation.cree_par)
    courriel = next(m for m in mailoutbox if m.to == ["pdlv@bethune.example"])
    assert (
        "Votre contact au service : Claude Martin, service Politique de la Ville, pdlv@agglo.example, "
        "03 53 01 00 42." in courriel.body
    )


def test_sans_contact_saisi_le_portail_renvoie_au_service_sans_rien_inventer(
    client, consultation, contact_bethune
):
    client.login(username="pdlv@bethune.example", password=MOT_DE_PASSE)
    page = client.get("/portail/").content.decode()
    assert "mailto:" not in page and "tel:" not in page
    assert "service Politique de la Ville" in page
