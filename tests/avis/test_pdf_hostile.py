"""Tout PDF déposé est hostile : bombe d'arbre de pages, JavaScript et fichier chiffré, sur le portail, dans l'admin
et jusque dans le rapport définitif. Seule la copie assainie est servie et jointe ; l'original reste privé."""

import datetime
import io

import pikepdf
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from avis import services
from avis.models import Avis, Consultation
from noyau import pdf_hostile
from rapport import deliberations
from rapport.enums import StatutRapport
from rapport.rendu import pdf_du_rapport
from rapport.services import faire_avancer_rapport
from tests.pdf_hostiles import (
    bombe_arbre_pages,
    contenu_actif,
    liens_http,
    pdf_chiffre,
    pdf_chiffre_sans_mot_de_passe,
    pdf_javascript,
)

from .conftest import fichiers_stockes, pdf_octets

pytestmark = pytest.mark.django_db

REFUSES = [
    ("bombe.pdf", bombe_arbre_pages(), "arbre de pages invalide"),
    ("chiffre.pdf", pdf_chiffre(), "chiffré"),
    ("protege.pdf", pdf_chiffre_sans_mot_de_passe(), "chiffré"),
    ("long.pdf", pdf_octets(pages=pdf_hostile.LIMITE_PAGES + 1), "déclare 31 pages : 30 au plus"),
]


def test_les_fichiers_fabriques_sont_bien_hostiles():
    """Sans le correctif, ces fichiers passaient : ils déclarent 83 521 pages, portent du JavaScript, sont chiffrés."""
    bombe = bombe_arbre_pages()
    assert len(bombe) < 1100
    assert b"/Count 83521" in bombe
    actif = contenu_actif(pdf_javascript())
    assert {"/OpenAction", "/JavaScript", "/JS", "/EmbeddedFiles", "action /Launch"} <= set(actif)
    assert PdfReader(io.BytesIO(pdf_chiffre())).is_encrypted


@pytest.mark.parametrize(("nom", "contenu", "message"), REFUSES)
def test_refus_en_francais_qui_nomme_le_fichier(nom, contenu, message):
    with pytest.raises(ValidationError) as erreur:
        pdf_hostile.assainir_pdf(contenu, nom=nom)
    assert message in erreur.value.messages[0]
    assert f"« {nom} »" in erreur.value.messages[0]


def test_la_copie_assainie_n_a_plus_rien_d_actif_mais_garde_ses_pages_et_ses_liens_web():
    resultat = pdf_hostile.assainir_pdf(pdf_javascript(pages=2), nom="js.pdf")
    assert resultat.pages == 2
    assert contenu_actif(resultat.contenu) == []
    assert liens_http(resultat.contenu) == ["https://www.bethune-bruay.fr/"]
    assert len(PdfReader(io.BytesIO(resultat.contenu)).pages) == 2
    assert "/OpenAction" in resultat.retraits


def test_trop_d_objets(monkeypatch):
    # Les limites sont lues dans le processus enfant : on vérifie ici l'analyse elle-même, dans le processus.
    monkeypatch.setattr(pdf_hostile, "LIMITE_OBJETS", 3)
    with pytest.raises(pdf_hostile._Refus, match="objets : 3 au plus"):
        pdf_hostile._assainir(pdf_octets(pages=3))


def test_imbrication_profonde_refusee():
    profond = b"[" * 200 + b"]" * 200
    contenu = (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Piege " + profond + b" >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    with pytest.raises(pdf_hostile._Refus, match="plus de 40 niveaux"):
        pdf_hostile._assainir(contenu)
    with pytest.raises(ValidationError, match="« profond.pdf »"):
        pdf_hostile.assainir_pdf(contenu, nom="profond.pdf")


def test_une_analyse_trop_longue_est_arretee(monkeypatch):
    monkeypatch.setattr(pdf_hostile, "DELAI_ANALYSE", 0.0)
    with pytest.raises(ValidationError, match="d'analyse : il est refusé"):
        pdf_hostile.assainir_pdf(pdf_octets(), nom="lent.pdf")


def _poster(client, consultation, nom, contenu):
    return client.post(
        reverse("avis:consultation", args=[consultation.pk]),
        {
            "decision": "FAVORABLE",
            "date_seance": "2022-10-26",
            "observations": "",
            "deliberation": SimpleUploadedFile(nom, contenu, content_type="application/pdf"),
        },
    )


@pytest.mark.parametrize(("nom", "contenu", "message"), REFUSES)
def test_portail_refuse_sans_rien_garder(
    client, consultation, contact_bruay, stockage_temporaire, nom, contenu, message
):
    client.force_login(contact_bruay.utilisateur)
    reponse = _poster(client, consultation, nom, contenu)
    assert reponse.status_code == 422
    assert message in reponse.content.decode()
    assert not Avis.objects.exists()
    assert [
        p for p in stockage_temporaire.parent.rglob("*") if p.is_file() and "projets" not in p.parts
    ] == []


def test_portail_assainit_et_ne_sert_que_la_copie(client, consultation, contact_bruay, stockage_temporaire):
    client.force_login(contact_bruay.utilisateur)
    original = pdf_javascript()
    reponse = _poster(client, consultation, "deliberation-js.pdf", original)
    assert reponse.status_code == 302
    avis = Avis.objects.get()
    servi = b"".join(client.get(reverse("avis:deliberation", args=[avis.pk])).streaming_content)
    assert contenu_actif(servi) == []
    assert len(PdfReader(io.BytesIO(servi)).pages) == 2
    # L'original est gardé pour mémoire, privé, à l'identique ; il n'est pas ce qui est servi.
    with avis.deliberation_originale.open("rb") as fichier:
        assert fichier.read() == original
    assert avis.deliberation_originale.name.startswith("originaux/")
    assert servi != original
    assert len(fichiers_stockes(stockage_temporaire)) == 1


def _courrier(admin_client, consultation, organisme, nom, contenu):
    return admin_client.post(
        reverse("admin:avis_avis_add"),
        {
            "consultation": consultation.pk,
            "organisme": organisme.pk,
            "decision": "FAVORABLE",
            "date_seance": "2022-10-30",
            "observations": "",
            "document": SimpleUploadedFile(nom, contenu),
        },
    )


@pytest.mark.parametrize(("nom", "contenu", "message"), REFUSES)
def test_admin_courrier_refuse(
    admin_client, consultation_close, bethune, stockage_temporaire, nom, contenu, message
):
    avant = len(fichiers_stockes(stockage_temporaire))
    reponse = _courrier(admin_client, consultation_close, bethune, nom, contenu)
    assert reponse.status_code == 422
    assert message in reponse.content.decode()
    assert not Avis.objects.filter(organisme=bethune).exists()
    assert len(fichiers_stockes(stockage_temporaire)) == avant


def test_admin_courrier_assainit(admin_client, consultation_close, bethune):
    reponse = _courrier(admin_client, consultation_close, bethune, "scan-js.pdf", pdf_javascript())
    assert reponse.status_code == 302
    avis = Avis.objects.get(organisme=bethune)
    servi = b"".join(admin_client.get(reverse("avis:deliberation", args=[avis.pk])).streaming_content)
    assert contenu_actif(servi) == []


@pytest.fixture
def approbateur(agent):
    agent.user_permissions.add(Permission.objects.get(codename="approuver_rapportannuel"))
    return type(agent).objects.get(pk=agent.pk)


def _lancer(rapport, approbateur, bruay, document):
    faire_avancer_rapport(
        rapport=rapport,
        vers=StatutRapport.EN_CONSULTATION,
        par=approbateur,
        date=datetime.date(2022, 10, 7),
        date_limite=datetime.date(2022, 11, 7),
    )
    consultation = Consultation.objects.get(programmation=rapport.programmation)
    return services.enregistrer_avis_courrier(
        consultation=consultation,
        organisme=bruay,
        par=approbateur,
        decision="FAVORABLE",
        date_seance=datetime.date(2022, 10, 24),
        document=SimpleUploadedFile("c.pdf", document),
    )


def _approuver(rapport, approbateur):
    return faire_avancer_rapport(
        rapport=rapport,
        vers=StatutRapport.DEFINITIF,
        par=approbateur,
        date=datetime.date(2022, 12, 6),
        en_connaissance_de_cause=True,
    )


def test_le_rapport_definitif_ne_porte_aucun_contenu_actif(rapport, approbateur, bruay):
    _lancer(rapport, approbateur, bruay, pdf_javascript())
    _approuver(rapport, approbateur)
    rapport.refresh_from_db()
    definitif = pdf_du_rapport(rapport)
    assert contenu_actif(definitif) == []

    # La délibération est bien jointe (son signet), en pages posées comme figures : aucune annotation n'en vient,
    # pas même le lien https, que seule la copie assainie servie garde (test ci-dessus).
    def titres(entrees):
        for entree in entrees:
            yield from titres(entree) if isinstance(entree, list) else [entree.title]

    assert any(t.startswith("Délibération") for t in titres(PdfReader(io.BytesIO(definitif)).outline))
    assert liens_http(definitif) == []


def test_un_fichier_ancien_non_assaini_est_assaini_a_la_jonction(rapport, approbateur, bruay):
    """Une délibération déposée avant le correctif (ou changée sur le disque) est de nouveau analysée."""
    avis = _lancer(rapport, approbateur, bruay, pdf_octets())
    avis.deliberation.save("ancien.pdf", ContentFile(pdf_javascript()), save=True)
    _approuver(rapport, approbateur)
    rapport.refresh_from_db()
    assert contenu_actif(pdf_du_rapport(rapport)) == []


def test_une_bombe_ancienne_bloque_l_approbation_sans_rien_figer(rapport, approbateur, bruay):
    avis = _lancer(rapport, approbateur, bruay, pdf_octets())
    avis.deliberation.save("bombe.pdf", ContentFile(bombe_arbre_pages()), save=True)
    with pytest.raises(ValidationError, match="arbre de pages invalide"):
        _approuver(rapport, approbateur)
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.EN_CONSULTATION
    assert not rapport.pdf_definitif


def test_le_budget_du_rapport_definitif_est_verifie_avant_de_le_figer(
    rapport, approbateur, bruay, monkeypatch
):
    _lancer(rapport, approbateur, bruay, pdf_octets(pages=3))
    monkeypatch.setattr(deliberations, "BUDGET_PAGES", 2)
    with pytest.raises(ValidationError, match="pages : 2 au plus"):
        _approuver(rapport, approbateur)
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.EN_CONSULTATION
    assert not rapport.pdf_definitif


def test_fichiers_joints_multimedia_et_xfa_sont_retires():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    joint = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.FileAttachment,
        Rect=[0, 0, 10, 10],
        FS=pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec, F="x.exe", EF=pikepdf.Dictionary(F=pdf.make_stream(b"MZ"))
        ),
    )
    media = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.RichMedia, Rect=[0, 0, 10, 10])
    pdf.pages[0].obj["/Annots"] = pikepdf.Array([pdf.make_indirect(joint), pdf.make_indirect(media)])
    pdf.Root["/AcroForm"] = pikepdf.Dictionary(XFA=pdf.make_stream(b"<xdp/>"), Fields=[])
    tampon = io.BytesIO()
    pdf.save(tampon)
    assaini = pdf_hostile.assainir_pdf(tampon.getvalue(), nom="formulaire.pdf").contenu
    lecteur = PdfReader(io.BytesIO(assaini))
    assert not lecteur.pages[0].get("/Annots")
    assert "/AcroForm" not in lecteur.trailer["/Root"]
    assert contenu_actif(assaini) == []
