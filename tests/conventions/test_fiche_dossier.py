"""La fiche d'un dossier dans l'admin : accordé et versé ligne par ligne, bilans, et l'action d'année en année."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from comptes import roles
from conventions import services
from conventions.enums import TypeEcheance
from programmation.models import Dossier
from tests.comptes import utilisateur

from .factories import convention, ligne_agglo

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client):
    compte = utilisateur("agent-fiche-dossier", role=roles.AGENT)
    client.force_login(compte)
    return compte


def test_la_fiche_montre_le_verse_et_l_action_d_annee_en_annee(client, agent, django_assert_max_num_queries):
    ligne_2024 = ligne_agglo(2024, Decimal("12000.00"), numero="2024-501", intitule="Atelier parents")
    tranche = convention(
        ligne_2024,
        {2024: Decimal("12000.00")},
        reference="CONV-FICHE-2024",
        date_signature=datetime.date(2024, 4, 2),
    ).tranches.get()
    services.enregistrer_versement(
        echeance=tranche.echeances.get(type=TypeEcheance.AVANCE),
        date=datetime.date(2024, 5, 3),
        montant=Decimal("6000.00"),
        reference_mandat="M-2024-501",
    )
    dossier_2024 = ligne_2024.dossier
    ligne_2025 = ligne_agglo(
        2025, Decimal("13000.00"), numero="2025-501", intitule="Atelier parents", porteur=dossier_2024.porteur
    )
    Dossier.objects.filter(pk=ligne_2025.dossier_id).update(dossier_precedent=dossier_2024)

    with django_assert_max_num_queries(40):
        page = client.get(reverse("admin:programmation_dossier_change", args=[dossier_2024.pk]))
    assert page.status_code == 200
    contenu = page.content.decode()
    suivi = contenu.split("Accordé et versé, ligne par ligne")[1].split("</table>")[0]
    # La ligne de l'agglomération : sa convention, 12 000 accordés, 6 000 versés, 6 000 à payer, les bilans attendus.
    assert "CONV-FICHE-2024" in suivi
    assert suivi.count("6\u00a0000,00\u00a0€") == 2 and "12\u00a0000,00\u00a0€" in suivi
    assert "Compte rendu financier (CERFA 15059) : attendu" in suivi
    # L'action : 2024 (cette fiche) puis 2025, qui la reconduit, avec ce qui est accordé et versé chaque année.
    action = contenu.split("L'action d'année en année (reconductions)")[1]
    assert action.index("2024-501") < action.index("2025-501")
    assert '<th scope="row">2024</th>' in action  # l'année, sans séparateur de milliers
    assert "(cette fiche)" in action
    assert "13\u00a0000,00\u00a0€" in action

    # Depuis 2025, la même action, l'année 2024 en lien.
    page = client.get(reverse("admin:programmation_dossier_change", args=[ligne_2025.dossier_id]))
    action = page.content.decode().split("L'action d'année en année (reconductions)")[1]
    assert reverse("admin:programmation_dossier_change", args=[dossier_2024.pk]) in action


def test_une_action_sans_reconduction_le_dit(client, agent):
    ligne = ligne_agglo(2024, Decimal("5000.00"), numero="2024-502")
    page = client.get(reverse("admin:programmation_dossier_change", args=[ligne.dossier_id]))
    contenu = page.content.decode()
    assert "Ni dossier précédent ni reconduction : l'action n'a que cette année." in contenu
    assert "Sans convention" not in contenu
