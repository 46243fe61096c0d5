"""Le portail des porteurs : un porteur ne voit que ses conventions, y dépose ses bilans avec les contrôles des
délibérations, et reçoit les relances avant et après l'échéance."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from avis import services
from avis.models import Organisme
from conventions.enums import StatutBilan, TypeBilan
from conventions.models import Bilan
from tests.conventions.factories import convention, ligne_agglo
from tests.factories import PorteurFactory

from .conftest import pdf_octets

pytestmark = pytest.mark.django_db


def contact_du_porteur(porteur, email):
    contact = services.creer_contact(
        organisme=Organisme.objects.create(porteur=porteur), email=email, par=None
    )
    return contact.utilisateur


@pytest.fixture
def deux_porteurs():
    a = PorteurFactory(nom="Les Petits Débrouillards de l'Artois")
    b = PorteurFactory(nom="Club de prévention du Béthunois")
    conv_a = convention(ligne_agglo(2024, Decimal("24000.00"), porteur=a), {2024: Decimal("24000.00")})
    conv_b = convention(ligne_agglo(2024, Decimal("9000.00"), porteur=b), {2024: Decimal("9000.00")})
    return (a, conv_a), (b, conv_b)


def test_un_porteur_ne_voit_que_ses_propres_conventions(client, deux_porteurs):
    (a, conv_a), (b, conv_b) = deux_porteurs
    client.force_login(contact_du_porteur(a, "direction@debrouillards.example"))

    accueil = client.get(reverse("avis:accueil"))
    assert accueil.status_code == 302 and accueil["Location"] == reverse("avis:porteur_conventions")
    page = client.get(reverse("avis:porteur_conventions")).content.decode()
    assert conv_a.reference in page and conv_b.reference not in page
    assert "24\u00a0000,00\u00a0€" in page
    bilan_b = Bilan.objects.filter(tranche__convention=conv_b).first()
    assert client.get(reverse("avis:porteur_bilan", args=[bilan_b.pk])).status_code == 404
    assert client.post(reverse("avis:porteur_bilan", args=[bilan_b.pk])).status_code == 404
    assert client.get(reverse("avis:porteur_bilan_fichier", args=[bilan_b.pk])).status_code == 404


def test_une_commune_n_a_pas_les_pages_des_porteurs(client, bethune):
    contact = services.creer_contact(organisme=bethune, email="mairie@bethune.example", par=None)
    client.force_login(contact.utilisateur)
    assert client.get(reverse("avis:porteur_conventions")).status_code == 403


def test_le_porteur_depose_son_bilan_avec_les_controles_du_portail(
    client, deux_porteurs, stockage_temporaire
):
    (a, conv_a), _ = deux_porteurs
    client.force_login(contact_du_porteur(a, "direction@debrouillards.example"))
    bilan = Bilan.objects.get(tranche__convention=conv_a, type=TypeBilan.FINANCIER)
    url = reverse("avis:porteur_bilan", args=[bilan.pk])

    refus = client.post(url, {"fichier": SimpleUploadedFile("cerfa.pdf", b"MZ pas un pdf")})
    assert refus.status_code == 422
    assert "cerfa.pdf » n&#x27;est pas un PDF" in refus.content.decode()
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.ATTENDU and not bilan.fichier

    reponse = client.post(
        url,
        {
            "fichier": SimpleUploadedFile("cerfa-15059.pdf", pdf_octets("CERFA 15059")),
            "beneficiaires_femmes": "41",
            "beneficiaires_hommes": "29",
            "resultats": "Trente familles suivies toute l'année.",
        },
    )
    assert reponse.status_code == 302
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.DEPOSE and len(bilan.fichier_sha256) == 64
    # Ce que le porteur dit de l'action, que le service reportera au dossier en acceptant le bilan.
    assert (bilan.beneficiaires_femmes, bilan.beneficiaires_hommes) == (41, 29)
    assert bilan.resultats == "Trente familles suivies toute l'année."
    telechargement = client.get(reverse("avis:porteur_bilan_fichier", args=[bilan.pk]))
    assert telechargement.status_code == 200
    # Lire le flux jusqu'au bout ferme le fichier (un close() de plus fermerait la connexion à la base).
    assert b"".join(telechargement.streaming_content) == pdf_octets("CERFA 15059")
    # Déposé, il attend l'examen : le porteur ne peut plus le remplacer.
    assert "Déposer le bilan" not in client.get(url).content.decode()


def test_relances_avant_puis_apres_l_echeance_une_seule_fois(
    deux_porteurs, django_capture_on_commit_callbacks
):
    (a, conv_a), (b, _) = deux_porteurs
    contact_du_porteur(a, "direction@debrouillards.example")  # b n'a pas de contact : rien à lui envoyer
    echeance = datetime.date(2025, 6, 30)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.relancer_bilans(datetime.date(2025, 5, 1)) == (0, 0)
        assert services.relancer_bilans(datetime.date(2025, 6, 10)) == (2, 0)
        assert services.relancer_bilans(datetime.date(2025, 6, 11)) == (0, 0)
    assert {m.to[0] for m in mail.outbox} == {"direction@debrouillards.example"}
    sujets = [m.subject for m in mail.outbox if "Rappel" in m.subject]
    assert any(f"avant le {echeance:%d/%m/%Y}" in s and "Compte rendu financier" in s for s in sujets)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.relancer_bilans(datetime.date(2025, 7, 1)) == (0, 2)
    assert all(m.subject.startswith("Bilan en retard") for m in mail.outbox)
    assert conv_a.reference in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("relancer_bilans", stdout=io.StringIO())
    assert not mail.outbox
