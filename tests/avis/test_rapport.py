"""L'annexe des avis dans le rapport : chaque organisme consulté, sa date, sa décision, réputé favorable compris."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from avis import services
from avis.models import Consultation
from rapport.rendu import pdf_du_rapport
from tests.pdf import texte_pdf as pdf_en_texte

ENVOI = datetime.date(2022, 10, 7)
LIMITE = datetime.date(2022, 11, 7)

pytestmark = pytest.mark.django_db


def texte_pdf(contenu: bytes, tmp_path=None) -> str:
    """Le texte du PDF dans l'ordre du document, espaces ramenées à une (tests/pdf.py)."""
    return pdf_en_texte(contenu, mise_en_page=False)


def test_le_projet_porte_l_annexe_des_avis(rapport, consultation_close, tmp_path):
    texte = texte_pdf(pdf_du_rapport(rapport), tmp_path)
    assert "Annexe : avis des communes et des conseils citoyens" in texte
    # La nature de l'avis (une délibération) est distincte de son arrivée (par la poste) ; rien n'est joint au
    # projet, donc rien n'est dit « joint ».
    assert "Commune de Bruay-la-Buissière 24/10/2022 Favorable Délibération reçue par voie postale" in texte
    assert "jointe" not in texte
    # Les réputés favorables d'une même échéance tiennent en une ligne qui les nomme tous.
    assert texte.count("Réputé favorable (sans réponse au 07/11/2022)") == 1
    ligne = re.search(r"Sans réponse \((\d+) organismes\) : (.*?) 07/11/2022 Réputé favorable", texte)
    assert "Commune de Béthune" in ligne[2] and "Conseil citoyen du Mont-Liébaut" in ligne[2]
    assert int(ligne[1]) == ligne[2].count("Commune ") + ligne[2].count("Conseil citoyen ")


def test_sans_consultation_pas_d_annexe(rapport, tmp_path):
    assert "Annexe : avis" not in texte_pdf(pdf_du_rapport(rapport), tmp_path)


def test_le_definitif_porte_les_deliberations_apres_l_annexe(rapport, agent, bethune, bruay, tmp_path):
    from django.contrib.auth.models import Permission
    from pypdf import PdfReader

    from rapport.enums import StatutRapport
    from rapport.rendu import rendre_pdf
    from rapport.services import faire_avancer_rapport

    agent.user_permissions.add(Permission.objects.get(codename="approuver_rapportannuel"))
    agent = type(agent).objects.get(pk=agent.pk)  # permissions relues
    # La consultation se lance par le cycle du rapport (projet figé, organismes du contrat inscrits).
    faire_avancer_rapport(
        rapport=rapport, vers=StatutRapport.EN_CONSULTATION, par=agent, date=ENVOI, date_limite=LIMITE
    )
    consultation = Consultation.objects.get(programmation=rapport.programmation)
    deliberation = rendre_pdf("<p>Délibération n° 2022-117 du conseil municipal de Bruay-la-Buissière</p>")
    services.enregistrer_avis_courrier(
        consultation=consultation,
        organisme=bruay,
        par=agent,
        decision="FAVORABLE",
        date_seance=datetime.date(2022, 10, 24),
        document=SimpleUploadedFile("c.pdf", deliberation),
    )
    faire_avancer_rapport(
        rapport=rapport,
        vers=StatutRapport.DEFINITIF,
        par=agent,
        date=datetime.date(2022, 12, 6),
        en_connaissance_de_cause=True,
    )
    rapport.refresh_from_db()
    definitif = pdf_du_rapport(rapport)
    texte = texte_pdf(definitif, tmp_path)
    assert texte.index("Annexe : avis des communes") < texte.index(
        "Délibération n° 2022-117 du conseil municipal"
    )
    chemin = tmp_path / "definitif.pdf"
    chemin.write_bytes(definitif)
    lecteur = PdfReader(chemin)
    assert "Délibération n° 2022-117" in lecteur.pages[-1].extract_text()
    assert [o.title for o in lecteur.outline if not isinstance(o, list)][-1] == (
        "Délibération – Commune de Bruay-la-Buissière (24/10/2022)"
    )
