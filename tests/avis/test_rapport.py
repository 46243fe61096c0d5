"""L'annexe des avis dans le rapport : chaque organisme consulté, sa date, sa décision, réputé favorable compris."""

import datetime
import io
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
    ligne = re.search(
        r"Sans réponse : (\d+) organismes \(liste ci-dessous\) 07/11/2022 Réputé favorable \(sans réponse au "
        r"07/11/2022\) — (.*?)\.",
        texte,
    )
    assert "Commune de Béthune" in ligne[2] and "Conseil citoyen du Mont-Liébaut" in ligne[2]
    assert int(ligne[1]) == ligne[2].count("Commune ") + ligne[2].count("Conseil citoyen ")


def test_sans_consultation_pas_d_annexe(rapport, tmp_path):
    assert "Annexe : avis" not in texte_pdf(pdf_du_rapport(rapport), tmp_path)


def test_le_definitif_porte_les_deliberations_apres_l_annexe(rapport, agent, bethune, bruay, tmp_path):
    from django.contrib.auth.models import Permission
    from pypdf import PdfReader

    from noyau.pdf import rendre_pdf
    from rapport.enums import StatutRapport
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


def test_le_definitif_avec_deliberations_reste_un_pdf_balise_et_se_compte_juste(
    rapport, agent, bethune, bruay, tmp_path
):
    """Le définitif joint une délibération de deux pages : il reste balisé (PDF/UA), garde titre, auteur, sujet et
    langue ; la délibération est annoncée (page séparatrice, sommaire, signet) et « page X / Y » compte ses pages."""
    import pikepdf
    from django.contrib.auth.models import Permission

    from noyau.pdf import rendre_pdf
    from rapport.enums import StatutRapport
    from rapport.services import faire_avancer_rapport
    from tests.pdf import texte_pdf as texte_par_page

    agent.user_permissions.add(Permission.objects.get(codename="approuver_rapportannuel"))
    agent = type(agent).objects.get(pk=agent.pk)
    faire_avancer_rapport(
        rapport=rapport, vers=StatutRapport.EN_CONSULTATION, par=agent, date=ENVOI, date_limite=LIMITE
    )
    consultation = Consultation.objects.get(programmation=rapport.programmation)
    deliberation = rendre_pdf(
        "<p>Délibération n° 2022-117, première page</p>"
        '<p style="break-before: page">Délibération n° 2022-117, seconde page, signée</p>'
    )
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

    with pikepdf.open(io.BytesIO(definitif)) as pdf:
        assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root  # pdfinfo : « Tagged: yes »
        assert str(pdf.Root.Lang) == "fr"
        assert str(pdf.docinfo.Title).endswith("2021 – Version définitive")
        assert str(pdf.docinfo.Author) == "Communauté d'Agglomération de Béthune-Bruay, Artois Lys Romane"
        assert "Rapport sur la mise en œuvre" in str(pdf.docinfo.Subject)
        nb_pages = len(pdf.pages)
        signets = [item.title for item in pdf.open_outline().root]
        # La délibération est une figure de l'arbre de structure, avec son texte alternatif.
        figures = [
            str(e.get("/Alt"))
            for e in pdf.Root.StructTreeRoot.K[0].K
            if isinstance(e, pikepdf.Dictionary) and e.get("/S") == "/Figure"
        ]
    assert signets[-1] == "Délibération – Commune de Bruay-la-Buissière (24/10/2022)"
    assert len(figures) == 2 and all(
        "Délibération signée de Commune de Bruay-la-Buissière" in f for f in figures
    )

    pages = texte_par_page(definitif).split("\f")
    assert len(pages) == nb_pages
    # Chaque page après la couverture porte « page X / Y », Y étant le vrai nombre de pages.
    for numero, page in enumerate(pages[1:], start=2):
        assert f"page {numero} / {nb_pages}" in page, numero
    assert "Délibération n° 2022-117, première page" in pages[-2]
    assert "Délibération n° 2022-117, seconde page" in pages[-1]
    separatrice = pages[-3]
    assert "Délibération – Commune de Bruay-la-Buissière (24/10/2022)" in separatrice
    assert "figure sur les 2 pages suivantes" in re.sub(r"\s+", " ", separatrice)
    # Le sommaire la liste, avec le numéro de sa page séparatrice.
    sommaire = re.sub(r"\s+", " ", pages[1])
    assert re.search(
        rf"Délibération – Commune de Bruay-la-Buissière \(24/10/2022\)[ .]*{nb_pages - 2}", sommaire
    )
    # L'annexe la dit jointe, avec sa nature et son arrivée.
    assert "Délibération reçue par voie postale, jointe en fin de document" in texte_pdf(definitif)
