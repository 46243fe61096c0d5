"""Ce que les autres financeurs déclarent avoir versé : noté à côté de l'accordé, jamais au-delà."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from comptes import roles
from contrat_ville.enums import CodeFinanceur
from contrat_ville.models import Financeur
from conventions import selectors, services
from conventions.models import VersementDeclare
from tests.comptes import utilisateur
from tests.factories import LigneFinancementFactory

from .factories import ligne_agglo

pytestmark = pytest.mark.django_db


def ligne_etat(montant="12000.00", **dossier):
    return LigneFinancementFactory(
        montant_accorde=Decimal(montant), dossier__programmation__annee=2024, **dossier
    )


def test_le_versement_declare_s_affiche_a_cote_de_l_accorde_sur_la_fiche_du_porteur(client):
    ligne = ligne_etat(dossier__porteur__nom="Association Horizon Jeunes")
    services.declarer_versement(
        ligne=ligne, date=datetime.date(2024, 6, 3), montant=Decimal("8000.00"), source="DDETS, 03/06/2024"
    )
    services.declarer_versement(ligne=ligne, date=datetime.date(2024, 11, 4), montant=Decimal("4000.00"))
    fiche = selectors.fiche_porteur(ligne.dossier.porteur)
    (historique,) = fiche.lignes
    assert (historique.accorde, historique.paye, historique.paye_declare) == (
        Decimal("12000.00"),
        Decimal("12000.00"),
        True,
    )
    client.force_login(utilisateur("d.directeur", roles.DIRECTEUR))
    page = client.get(reverse("conventions:fiche_porteur", args=[ligne.dossier.porteur_id])).content.decode()
    assert '12\xa0000,00\xa0€ <span class="aide">déclaré par le financeur</span>' in page


def test_sans_declaration_le_paye_d_un_autre_financeur_n_est_pas_suivi():
    ligne = ligne_etat()
    (historique,) = selectors.fiche_porteur(ligne.dossier.porteur).lignes
    assert historique.paye is None and not historique.paye_declare


def test_une_declaration_au_dela_de_l_accorde_est_refusee():
    ligne = ligne_etat("5000.00")
    services.declarer_versement(ligne=ligne, date=datetime.date(2024, 6, 3), montant=Decimal("4000.00"))
    with pytest.raises(ValidationError) as erreur:
        services.declarer_versement(ligne=ligne, date=datetime.date(2024, 7, 1), montant=Decimal("1000.01"))
    message = " ".join(erreur.value.messages)
    assert "aurait versé 5\xa0000,01\xa0€" in message and "au-delà des 5\xa0000,00\xa0€ accordés" in message
    assert VersementDeclare.objects.count() == 1


def test_l_agglomeration_ne_declare_pas_ses_versements():
    ligne = ligne_agglo(2024, Decimal("1000.00"))
    with pytest.raises(ValidationError, match="mandats"):
        services.declarer_versement(ligne=ligne, date=datetime.date(2024, 6, 3), montant=Decimal("10.00"))


def test_l_agent_declare_un_versement_dans_l_administration(client):
    agent = utilisateur("a.agent", roles.AGENT)
    client.force_login(agent)
    ligne = ligne_etat("3000.00")
    url = reverse("admin:conventions_versementdeclare_add")
    donnees = {
        "annee": "2024",
        "numero": ligne.dossier.numero,
        "financeur": Financeur.objects.get(code=CodeFinanceur.ETAT_ANCT).pk,
        "date": "03/06/2024",
        "montant": "3 000,01",
        "source": "Tableau de la DDETS",
    }
    reponse = client.post(url, donnees)
    assert reponse.status_code == 422 and "au-delà des 3\xa0000,00\xa0€ accordés" in reponse.content.decode()
    reponse = client.post(url, {**donnees, "montant": "1 500,00"})
    assert reponse.status_code == 302
    declare = VersementDeclare.objects.get()
    assert (declare.montant, declare.cree_par, declare.source) == (
        Decimal("1500.00"),
        agent,
        "Tableau de la DDETS",
    )
