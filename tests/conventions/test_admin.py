"""L'agent saisit décision et convention, versements et examens dans l'administration, par les services."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comptes import roles
from conventions import services
from conventions.enums import StatutBilan, TypeEcheance
from conventions.models import Convention, Versement
from programmation.models import Dossier
from tests.avis.conftest import pdf_octets
from tests.comptes import utilisateur

from .factories import convention, ligne_agglo

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client):
    compte = utilisateur("a.agent", roles.AGENT)
    client.force_login(compte)
    return compte


def test_l_agent_saisit_une_cpo_une_fois_et_la_tranche_2025_est_dans_la_programmation_2025(client, agent):
    ligne = ligne_agglo(2024, Decimal("30000.00"))
    reponse = client.post(
        reverse("admin:conventions_convention_add"),
        {
            "annee": "2024",
            "numero": ligne.dossier.numero,
            "type": "CPO",
            "reference": "CPO-2024-007",
            "date_signature": "02/04/2024",
            "taux_avance": "0,5",
            "decision_date": "15/03/2024",
            "decision_instance": "CONSEIL",
            "decision_reference": "DEL-2024-112",
            "montant_1": "30000,00",
            "montant_2": "30000,00",
            "montant_3": "31500,50",
        },
    )
    assert reponse.status_code == 302, reponse.content.decode()
    cpo = Convention.objects.get(reference="CPO-2024-007")
    assert cpo.periode == "2024-2026" and cpo.cree_par == agent
    d2025 = Dossier.objects.get(programmation__annee=2025, dossier_precedent=ligne.dossier)
    assert d2025.lignes_financement.get().montant_accorde == Decimal("30000.00")
    page = client.get(reverse("admin:conventions_convention_change", args=[cpo.pk])).content.decode()
    assert "DEL-2024-112" in page and "2026" in page


def test_saisie_refusee_avec_un_message_qui_nomme_le_dossier(client, agent):
    reponse = client.post(
        reverse("admin:conventions_convention_add"),
        {
            "annee": "2024",
            "numero": "INCONNU-1",
            "type": "ANNUELLE",
            "reference": "C-1",
            "taux_avance": "0,5",
            "decision_date": "15/03/2024",
            "decision_instance": "BUREAU",
            "decision_reference": "B-1",
            "montant_1": "1000",
        },
    )
    assert reponse.status_code == 422
    assert (
        "Aucune ligne de l&#x27;agglomération sur le dossier INCONNU-1 de 2024." in reponse.content.decode()
    )
    assert not Convention.objects.exists()


def test_versement_au_dela_du_reste_refuse_dans_l_admin(client, agent):
    tranche = convention(ligne_agglo(2024, Decimal("10000.00")), {2024: Decimal("10000.00")}).tranches.get()
    avance = tranche.echeances.get(type=TypeEcheance.AVANCE)
    url = reverse("admin:conventions_echeance_verser", args=[avance.pk])

    refus = client.post(url, {"date": "02/05/2024", "montant": "10000,01", "reference_mandat": "M-1"})
    assert refus.status_code == 422
    assert "dépasse le reste à payer de la tranche 2024" in refus.content.decode()
    assert not Versement.objects.exists()

    ok = client.post(url, {"date": "02/05/2024", "montant": "5000,00", "reference_mandat": "M-1"})
    assert ok.status_code == 302
    assert Versement.objects.get().cree_par == agent


def test_examen_d_un_bilan_a_completer_demande_un_message(client, agent):
    tranche = convention(ligne_agglo(2024, Decimal("10000.00")), {2024: Decimal("10000.00")}).tranches.get()
    bilan = services.deposer_bilan(
        bilan=tranche.bilans.first(), fichier=SimpleUploadedFile("b.pdf", pdf_octets()), par=None
    )
    url = reverse("admin:conventions_bilan_examiner", args=[bilan.pk])

    assert client.post(url, {"statut": StatutBilan.A_COMPLETER, "message": ""}).status_code == 422
    assert (
        client.post(url, {"statut": StatutBilan.A_COMPLETER, "message": "Signature manquante."}).status_code
        == 302
    )
    bilan.refresh_from_db()
    assert (bilan.statut, bilan.message) == (StatutBilan.A_COMPLETER, "Signature manquante.")
