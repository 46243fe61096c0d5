"""Jeux de données de la consultation : un rapport 2021, deux communes, un conseil citoyen, leurs contacts."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from avis import services
from avis.models import Organisme
from contrat_ville.models import Commune, ConseilCitoyen, Contrat, Quartier
from programmation.models import Programmation
from rapport.enums import StatutRapport
from rapport.models import RapportAnnuel

MOT_DE_PASSE = "Portail-Avis-2022!"


def pdf_octets(texte: str = "Délibération", pages: int = 1, remplissage: int = 0) -> bytes:
    """Un vrai PDF lisible ; `remplissage` octets joints en pièce incluse pour en faire un gros fichier."""
    ecrivain = PdfWriter()
    for _ in range(pages):
        ecrivain.add_blank_page(width=595, height=842)
    ecrivain.add_metadata({"/Title": texte})
    if remplissage:
        ecrivain.add_attachment("annexe.bin", b"0" * remplissage)
    tampon = io.BytesIO()
    ecrivain.write(tampon)
    return tampon.getvalue()


@pytest.fixture(autouse=True)
def stockage_temporaire(settings, tmp_path):
    """Chaque test écrit ses fichiers dans un dossier à lui, pour vérifier qu'aucun ne reste."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://portail.test"
    # Hachage rapide : les mots de passe des contacts ne sont pas ce que ces tests vérifient.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Les pièces déposées (délibérations, courriers) ; le projet figé au lancement est rangé à côté (projets/).
    return tmp_path / "media" / "prive" / "deliberations"


def fichiers_stockes(racine) -> list:
    return [p for p in racine.rglob("*") if p.is_file()] if racine.exists() else []


@pytest.fixture
def contrat():
    return Contrat.objects.get()


@pytest.fixture
def rapport(contrat):
    programmation = Programmation.objects.create(contrat=contrat, annee=2021)
    return RapportAnnuel.objects.create(
        programmation=programmation,
        statut=StatutRapport.ADOPTE,
        date_seance_conseil=datetime.date(2022, 9, 27),
    )


@pytest.fixture
def agent(db):
    utilisateur = get_user_model().objects.create_user(
        "agent", "agent@agglo.example", MOT_DE_PASSE, is_staff=True, first_name="Agnès", last_name="Agent"
    )
    utilisateur.user_permissions.add(*Permission.objects.filter(content_type__app_label="avis"))
    return utilisateur


@pytest.fixture
def bethune():
    return Organisme.objects.get_or_create(commune=Commune.objects.get(nom="Béthune"))[0]


@pytest.fixture
def bruay():
    return Organisme.objects.get_or_create(commune=Commune.objects.get(nom__startswith="Bruay-la-Bui"))[0]


@pytest.fixture
def mont_liebaut():
    conseil = ConseilCitoyen.objects.get(quartier=Quartier.objects.get(code="QN06208M"))
    return Organisme.objects.get_or_create(conseil_citoyen=conseil)[0]


def creer_contact_actif(organisme, email, agent):
    contact = services.creer_contact(
        organisme=organisme, email=email, prenom="Camille", nom="Contact", par=agent
    )
    contact.utilisateur.set_password(MOT_DE_PASSE)
    contact.utilisateur.save()
    return contact


@pytest.fixture
def contact_bethune(bethune, agent):
    return creer_contact_actif(bethune, "pdlv@bethune.example", agent)


@pytest.fixture
def contact_bruay(bruay, agent):
    return creer_contact_actif(bruay, "pdlv@bruay.example", agent)


@pytest.fixture
def contact_conseil(mont_liebaut, agent):
    return creer_contact_actif(mont_liebaut, "conseil@mont-liebaut.example", agent)


@pytest.fixture
def aujourdhui():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def consultation(rapport, agent, bethune, bruay, mont_liebaut, aujourdhui):
    """Envoyée il y a dix jours, délai d'un mois : ouverte aujourd'hui."""
    envoi = aujourdhui - datetime.timedelta(days=10)
    consultation = services.creer_consultation(
        programmation=rapport.programmation,
        projet_pdf=pdf_octets("Projet de rapport"),
        date_envoi=envoi,
        date_limite=envoi + datetime.timedelta(days=32),
        organismes=[bethune, bruay, mont_liebaut],
        par=agent,
    )
    return consultation


def consultation_de_reference(rapport, agent, organismes):
    """Une consultation du rapport de référence, pas encore lancée : envoi le 07/10/2022, réponse au 07/11/2022."""
    return services.creer_consultation(
        programmation=rapport.programmation,
        projet_pdf=pdf_octets("Projet de rapport"),
        date_envoi=datetime.date(2022, 10, 7),
        date_limite=datetime.date(2022, 11, 7),
        organismes=organismes,
        par=agent,
    )


@pytest.fixture
def consultation_close(rapport, agent, bethune, bruay, mont_liebaut):
    """La consultation du rapport de référence : envoyée le 07/10/2022, close le 07/11/2022 ; Bruay a répondu
    par courrier (favorable, séance du 24/10/2022), Béthune et le Mont-Liébaut n'ont pas répondu."""
    consultation = consultation_de_reference(rapport, agent, [bethune, bruay, mont_liebaut])
    services.enregistrer_avis_courrier(
        consultation=consultation,
        organisme=bruay,
        par=agent,
        decision="FAVORABLE",
        date_seance=datetime.date(2022, 10, 24),
        document=SimpleUploadedFile("c.pdf", pdf_octets()),
    )
    return consultation
