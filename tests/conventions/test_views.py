"""La page du porteur : chaque année, chaque financeur, une phrase de synthèse ; le bouton open data du directeur."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptes import roles
from conventions import services
from conventions.enums import TypeEcheance
from tests.comptes import utilisateur
from tests.factories import LigneFinancementFactory, PorteurFactory

from .factories import convention, ligne_agglo

pytestmark = pytest.mark.django_db


def porteur_avec_une_cpo(nom="Les Compagnons du Mont-Liébaut"):
    porteur = PorteurFactory(nom=nom, siret="")
    ligne = ligne_agglo(2024, Decimal("30000.00"), porteur=porteur)
    ligne.montant_sollicite = Decimal("35000.00")
    ligne.save()
    LigneFinancementFactory(
        dossier=ligne.dossier, montant_sollicite=Decimal("12000.00"), montant_accorde=Decimal("10000.00")
    )
    cpo = convention(ligne, {2024: Decimal("30000.00"), 2025: Decimal("30000.00")})
    avance = cpo.tranches.get(annee=2024).echeances.get(type=TypeEcheance.AVANCE)
    services.enregistrer_versement(
        echeance=avance, date=datetime.date(2024, 4, 20), montant=Decimal("15000.00"), reference_mandat="M-77"
    )
    return porteur, cpo


def test_la_page_du_porteur_montre_les_deux_annees_et_sa_synthese(client):
    porteur, cpo = porteur_avec_une_cpo()
    client.force_login(utilisateur("d.directeur", roles.DIRECTEUR))

    page = client.get(reverse("conventions:fiche_porteur", args=[porteur.pk])).content.decode()

    nbsp = "\u00a0"
    assert (
        f"De 2024 à 2025 : accordé 70{nbsp}000,00{nbsp}€ sur 77{nbsp}000,00{nbsp}€ "
        f"demandés, pluriannuel 2024-2025, versements de l&#x27;agglomération effectués : 15{nbsp}000,00{nbsp}€ sur "
        f"60{nbsp}000,00{nbsp}€ (reste à payer 45{nbsp}000,00{nbsp}€)."
    ) in page
    assert f"reconduction du dossier {cpo.tranches.get(annee=2024).ligne.dossier.numero}" in page
    assert page.count(cpo.reference) >= 2


def test_la_page_du_porteur_en_requetes_bornees(client, django_assert_max_num_queries):
    porteur, _ = porteur_avec_une_cpo()
    client.force_login(utilisateur("d.directeur", roles.DIRECTEUR))
    url = reverse("conventions:fiche_porteur", args=[porteur.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as requetes:
        client.get(url)
    for annee in (2021, 2022, 2023):
        ligne = ligne_agglo(annee, Decimal("1000.00"), porteur=porteur)
        convention(ligne, {annee: Decimal("1000.00")})
    # Trois dossiers, trois conventions et six bilans de plus : pas une requête de plus.
    with django_assert_max_num_queries(len(requetes)):
        assert "2021" in client.get(url).content.decode()


def test_un_compte_du_portail_n_a_pas_la_page_du_porteur(client):
    porteur, _ = porteur_avec_une_cpo()
    client.force_login(utilisateur("c.commune", roles.SERVICE_COMMUNE, staff=False))
    assert client.get(reverse("conventions:fiche_porteur", args=[porteur.pk])).status_code == 403


def test_bouton_open_data_refuse_avec_le_porteur_a_completer(client, settings):
    settings.SIRET_ATTRIBUANT = "73282932000074"
    porteur_avec_une_cpo("Atelier sans SIRET")
    client.force_login(utilisateur("d.directeur", roles.DIRECTEUR))
    reponse = client.get(reverse("conventions:open_data", args=[2024]), follow=True)
    assert "le SIRET manque pour 1 porteur(s) à compléter dans le référentiel : Atelier sans SIRET" in (
        reponse.content.decode().replace("&#x27;", "'")
    )
    agent = utilisateur("a.agent", roles.AGENT)
    client.force_login(agent)
    assert client.get(reverse("conventions:open_data", args=[2024])).status_code == 403


def test_le_suivi_des_versements_s_exporte_avec_les_totaux_du_tableau_de_bord(client):
    porteur, cpo = porteur_avec_une_cpo()
    client.force_login(utilisateur("a.agent", roles.AGENT))
    tableau = client.get(reverse("tableau:tableau_de_bord"), {"annee": 2024})
    lien = reverse("conventions:versements", args=[2024])
    assert lien in tableau.content.decode()

    reponse = client.get(lien)
    assert reponse.status_code == 200
    assert reponse["Content-Disposition"] == 'attachment; filename="versements-2024.csv"'
    lignes = [ligne.split(";") for ligne in reponse.content.decode("utf-8-sig").strip().split("\r\n")]
    entete, *tranches, total = lignes
    assert entete[7:12] == ["Accordé", "Versé", "Repris (titres de recette)", "Reste à payer",
                            "Dont échéances passées non versées"]  # fmt: skip
    (tranche,) = tranches
    assert tranche[1] == cpo.reference and tranche[3] == porteur.nom
    # Accordé, versé, reste : les chiffres du tableau de bord, que les lignes font en s'additionnant.
    assert tranche[7:9] == ["30000,00", "15000,00"] and tranche[10] == "15000,00"
    versements = tableau.context["versements"]
    assert total[0] == "Total"
    assert [total[7], total[8], total[10]] == [
        f"{versements.accorde:.2f}".replace(".", ","),
        f"{versements.paye:.2f}".replace(".", ","),
        f"{versements.reste:.2f}".replace(".", ","),
    ]
    # Un compte du portail n'y a pas accès.
    client.force_login(utilisateur("p.portail", roles.SERVICE_COMMUNE, staff=False))
    assert client.get(lien).status_code == 403
