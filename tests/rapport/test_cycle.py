"""Le cycle du rapport, une seule machine : lancer la consultation est une étape du rapport, et l'approbation
attend la fin de la consultation."""

import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from avis import services as avis_services
from avis.models import Avis, Consultation, Destinataire
from contrat_ville.models import Contrat
from programmation.models import Programmation
from rapport.enums import StatutRapport
from rapport.models import RapportAnnuel
from rapport.services import faire_avancer_rapport
from tests.avis.conftest import creer_contact_actif, pdf_octets
from tests.rapport.donnees_rapport import rediger_blocs

SEANCE = datetime.date(2022, 9, 27)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path / "media"


@pytest.fixture
def directeur(db):
    user = User.objects.create_user("directrice", "d@agglo.example", is_staff=True, first_name="Claire")
    user.user_permissions.add(
        Permission.objects.get(codename="approuver_rapportannuel"),
        Permission.objects.get(codename="view_rapportannuel"),
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def adopte(directeur):
    programmation = Programmation.objects.create(contrat=Contrat.objects.get(), annee=2031)
    rediger_blocs(programmation)
    rapport = RapportAnnuel.objects.create(programmation=programmation)
    return faire_avancer_rapport(rapport=rapport, vers=StatutRapport.ADOPTE, par=directeur, date=SEANCE)


def lancer(rapport, par, envoi, limite):
    return faire_avancer_rapport(
        rapport=rapport, vers=StatutRapport.EN_CONSULTATION, par=par, date=envoi, date_limite=limite
    )


def fichiers(racine):
    return sorted(p.name for p in racine.rglob("*") if p.is_file()) if racine.exists() else []


def test_lancer_la_consultation_fige_le_projet_inscrit_et_invite_apres_validation(
    adopte, directeur, mailoutbox, django_capture_on_commit_callbacks
):
    bethune = Consultation._meta.get_field("organismes").related_model.objects.get_or_create(
        commune=adopte.programmation.contrat.quartiers.first().communes.first()
    )[0]
    creer_contact_actif(bethune, "pdlv@commune.example", directeur)
    mailoutbox.clear()
    aujourdhui = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        rapport = lancer(adopte, directeur, aujourdhui, aujourdhui + datetime.timedelta(days=31))
        # Rien n'est parti tant que l'étape n'est pas validée en base.
        assert mailoutbox == []
    assert rapport.statut == StatutRapport.EN_CONSULTATION
    consultation = Consultation.objects.get(programmation=adopte.programmation)
    with consultation.projet_pdf.open("rb") as f:
        assert f.read().startswith(b"%PDF-")
    assert consultation.lancee_le is not None
    # Par défaut : les communes des quartiers du contrat et leurs conseils citoyens.
    assert consultation.destinataires.filter(organisme__conseil_citoyen__isnull=False).count() == 16
    assert consultation.destinataires.filter(organisme__commune__nom="Nœux-les-Mines").exists()
    for rappel in rappels:
        rappel()
    assert [m.to for m in mailoutbox] == [["pdlv@commune.example"]]
    assert Destinataire.objects.get(organisme=bethune).invite_le is not None
    assert rapport.transitions.filter(vers=StatutRapport.EN_CONSULTATION, par=directeur).exists()


def test_un_delai_de_moins_d_un_mois_est_refuse_et_rien_n_est_lance(adopte, directeur):
    with pytest.raises(ValidationError, match="un mois"):
        lancer(adopte, directeur, datetime.date(2022, 10, 7), datetime.date(2022, 10, 28))
    assert RapportAnnuel.objects.get(pk=adopte.pk).statut == StatutRapport.ADOPTE
    assert not Consultation.objects.exists()


def test_un_rendu_trop_long_au_lancement_n_ecrit_rien_et_n_envoie_rien(
    adopte, directeur, mailoutbox, settings, media, django_capture_on_commit_callbacks
):
    settings.WEASYPRINT_TIMEOUT = 0.01
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match="aucune invitation n'est partie"),
    ):
        lancer(adopte, directeur, datetime.date(2022, 10, 7), datetime.date(2022, 11, 7))
    assert RapportAnnuel.objects.get(pk=adopte.pk).statut == StatutRapport.ADOPTE
    assert not Consultation.objects.exists()
    assert mailoutbox == []
    assert fichiers(media) == []


def test_un_courriel_qui_echoue_n_annule_pas_le_lancement_et_l_organisme_reste_a_inviter(
    adopte, directeur, monkeypatch, django_capture_on_commit_callbacks
):
    commune = adopte.programmation.contrat.quartiers.first().communes.first()
    organisme = Consultation._meta.get_field("organismes").related_model.objects.get_or_create(
        commune=commune
    )[0]
    creer_contact_actif(organisme, "pdlv@commune.example", directeur)

    def panne(*args, **kwargs):
        raise ConnectionRefusedError("serveur de courriel injoignable")

    monkeypatch.setattr(avis_services, "_envoyer_invitation", panne)
    with django_capture_on_commit_callbacks(execute=True):
        lancer(adopte, directeur, datetime.date(2022, 10, 7), datetime.date(2022, 11, 7))
    assert RapportAnnuel.objects.get(pk=adopte.pk).statut == StatutRapport.EN_CONSULTATION
    assert Destinataire.objects.get(organisme=organisme).invite_le is None


def _consultation_ouverte(rapport, directeur, organismes):
    """Une consultation lancée aujourd'hui, close dans un mois, auprès des seuls `organismes`."""
    aujourdhui = timezone.localdate()
    consultation = avis_services.creer_consultation(
        programmation=rapport.programmation,
        date_envoi=aujourdhui,
        date_limite=aujourdhui + datetime.timedelta(days=31),
        projet_pdf=pdf_octets("Projet"),
        organismes=organismes,
        par=directeur,
    )
    RapportAnnuel.objects.filter(pk=rapport.pk).update(statut=StatutRapport.EN_CONSULTATION)
    rapport.refresh_from_db()
    return consultation


def test_l_approbation_attend_la_fin_du_delai_ou_tous_les_avis(adopte, directeur):
    Organisme = Consultation._meta.get_field("organismes").related_model
    communes = list(adopte.programmation.contrat.quartiers.first().communes.all()[:1])
    organismes = [Organisme.objects.get_or_create(commune=c)[0] for c in communes]
    consultation = _consultation_ouverte(adopte, directeur, organismes)
    aujourdhui = timezone.localdate()
    with pytest.raises(ValidationError) as refus:
        faire_avancer_rapport(
            rapport=adopte,
            vers=StatutRapport.DEFINITIF,
            par=directeur,
            date=aujourdhui,
            en_connaissance_de_cause=True,
        )
    assert "0 avis reçu sur 1 organismes consultés" in str(refus.value)
    assert RapportAnnuel.objects.get(pk=adopte.pk).statut == StatutRapport.EN_CONSULTATION
    # Dès que chacun a répondu, l'approbation n'attend plus la date limite.
    avis_services.enregistrer_avis_courrier(
        consultation=consultation,
        organisme=organismes[0],
        par=directeur,
        decision="FAVORABLE",
        date_seance=aujourdhui,
        document=SimpleUploadedFile("d.pdf", pdf_octets()),
    )
    assert Avis.objects.count() == 1
    rapport = faire_avancer_rapport(
        rapport=adopte,
        vers=StatutRapport.DEFINITIF,
        par=directeur,
        date=aujourdhui,
        en_connaissance_de_cause=True,
    )
    assert rapport.statut == StatutRapport.DEFINITIF and rapport.empreinte_sha256


def test_sans_consultation_pas_d_approbation(adopte, directeur):
    RapportAnnuel.objects.filter(pk=adopte.pk).update(statut=StatutRapport.EN_CONSULTATION)
    with pytest.raises(ValidationError, match="qu'après la consultation"):
        faire_avancer_rapport(
            rapport=adopte,
            vers=StatutRapport.DEFINITIF,
            par=directeur,
            date=datetime.date(2032, 1, 1),
            en_connaissance_de_cause=True,
        )


def test_la_page_de_confirmation_dit_ce_que_fera_le_lancement_et_refuse_un_delai_court(
    client, adopte, directeur
):
    client.force_login(directeur)
    page = client.get("/rapport-annuel/2031/etape-suivante/").content.decode()
    assert "irréversible" in page and "Le projet de rapport est figé" in page
    assert "Confirmer : lancer la consultation" in page
    refus = client.post(
        "/rapport-annuel/2031/etape-suivante/",
        {"vers": "EN_CONSULTATION", "date": "07/10/2022", "date_limite": "28/10/2022"},
    )
    assert refus.status_code == 400
    assert "au plus tôt le 07/11/2022" in refus.content.decode()
    assert not Consultation.objects.exists()
    ok = client.post(
        "/rapport-annuel/2031/etape-suivante/",
        {"vers": "EN_CONSULTATION", "date": "07/10/2022", "date_limite": "07/11/2022"},
    )
    assert ok.status_code == 302
    fiche = client.get("/rapport-annuel/2031/").content.decode()
    assert "En consultation" in fiche and "avis reçu" in fiche and "réputé" in fiche
