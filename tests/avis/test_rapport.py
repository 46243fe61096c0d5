"""L'annexe des avis dans le rapport : chaque organisme consulté, sa date, sa décision, réputé favorable compris."""

import datetime
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from avis import services
from programmation.rapport import pdf_du_rapport

from .conftest import pdf_octets

pytestmark = pytest.mark.django_db


def texte_pdf(contenu: bytes, tmp_path) -> str:
    chemin = tmp_path / "r.pdf"
    chemin.write_bytes(contenu)
    sortie = subprocess.run(["pdftotext", "-raw", str(chemin), "-"], capture_output=True, check=True)
    texte = " ".join(sortie.stdout.decode("utf-8").replace("\u00a0", " ").replace("\u202f", " ").split())
    return texte.replace("- ", "-")  # les noms composés coupés en fin de ligne de cellule


def test_le_projet_porte_l_annexe_des_avis(rapport, agent, bethune, bruay, mont_liebaut, tmp_path):
    consultation = services.creer_consultation(
        rapport=rapport,
        date_envoi=datetime.date(2022, 10, 7),
        date_limite=datetime.date(2022, 11, 7),
        organismes=[bethune, bruay, mont_liebaut],
        par=agent,
    )
    services.enregistrer_avis_courrier(
        consultation=consultation,
        organisme=bruay,
        par=agent,
        decision="FAVORABLE",
        date_seance=datetime.date(2022, 10, 24),
        document=SimpleUploadedFile("c.pdf", pdf_octets()),
    )
    texte = texte_pdf(pdf_du_rapport(rapport), tmp_path)
    assert "Annexe : avis des communes et des conseils citoyens" in texte
    assert "Commune de Bruay-la-Buissière 24/10/2022 Favorable Courrier, jointe en fin de document" in texte
    assert "Commune de Béthune 07/11/2022 Réputé favorable (sans réponse au 07/11/2022) Sans réponse" in texte
    assert "Conseil citoyen du Mont-Liébaut 07/11/2022 Réputé favorable (sans réponse au 07/11/2022)" in texte


def test_sans_consultation_pas_d_annexe(rapport, tmp_path):
    assert "Annexe : avis" not in texte_pdf(pdf_du_rapport(rapport), tmp_path)
