import multiprocessing
import threading
import time

import pytest
from pypdf import PdfReader

from contrat_ville.enums import CodeFinanceur, NatureCredits
from noyau.pdf import recuperateur, rendre_pdf
from programmation.enums import TypeBloc
from programmation.models import BlocNarratif
from rapport.rendu import pdf_du_rapport
from tests.pdf import texte_pdf as pdf_en_texte

from .donnees_rapport import annee, dossier


def texte_pdf(pdf: bytes, tmp_path=None) -> str:
    """Le texte du PDF, colonnes alignées (tests/pdf.py) ; `tmp_path` est gardé pour les appelants."""
    return pdf_en_texte(pdf, mise_en_page=True)


def fichiers_embarques(pdf: bytes, tmp_path) -> list:
    chemin = tmp_path / "controle.pdf"
    chemin.write_bytes(pdf)
    lecteur = PdfReader(chemin)
    annotations = [
        annot.get_object().get("/Subtype") for page in lecteur.pages for annot in (page.get("/Annots") or [])
    ]
    return list(lecteur.attachments) + [a for a in annotations if a == "/FileAttachment"]


@pytest.mark.django_db
def test_le_projet_montre_les_chiffres_calcules(tmp_path):
    rapport = annee(2030, nb_dossiers=3)
    texte = texte_pdf(pdf_du_rapport(rapport), tmp_path)
    # 3 × (1 000,00 + 500,50) = 4 501,50 € ; pilier 1 : 2 dossiers, soit 66,7 %.
    assert "montant total de 4 501,50 €" in texte
    assert "3 projets déposés" in texte
    assert "3 actions" in texte
    assert "3 001,00 €" in texte and "66,7" in texte
    assert "Projet" in texte and "Version définitive" not in texte
    assert "page 2 / " in texte
    assert "2 030" not in texte


@pytest.mark.django_db
def test_texte_hostile_rendu_comme_texte_et_aucun_fichier_embarque(tmp_path):
    rapport = annee(2031, nb_dossiers=1)
    dossier(
        rapport.programmation,
        "2031-HOSTILE",
        intitule='<img src="file:///etc/passwd">',
        focus=True,
        focus_description='<a rel="attachment" href="file:///etc/passwd">pièce</a>',
        lignes=[(CodeFinanceur.AGGLO, NatureCredits.DROIT_COMMUN, "10")],
    )
    BlocNarratif.objects.update_or_create(
        programmation=rapport.programmation,
        type=TypeBloc.PERSPECTIVES,
        defaults={"texte": 'Avant <link rel="attachment" href="file:///etc/passwd"> après'},
    )
    pdf = pdf_du_rapport(rapport)
    texte = texte_pdf(pdf, tmp_path)
    assert '<img src="file:///etc/passwd">' in texte
    assert '<link rel="attachment" href="file:///etc/passwd">' in texte
    assert "root:" not in texte
    assert fichiers_embarques(pdf, tmp_path) == []
    assert b"root:x:0" not in pdf


def test_meme_un_html_brut_ne_joint_ni_ne_lit_aucun_fichier(tmp_path):
    """Le dernier rempart : même sans échappement, WeasyPrint ne lit que nos fichiers statiques."""
    html = (
        '<html><head><link rel="attachment" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="file:///etc/passwd"></head><body>'
        '<p>Texte</p><img src="file:///etc/hostname"><img src="http://127.0.0.1:9/x.png">'
        '<a rel="attachment" href="file:///etc/passwd">lien</a>'
        '<a rel="attachment" href="/static/css/rapport.css">statique</a></body></html>'
    )
    pdf = rendre_pdf(html)
    assert fichiers_embarques(pdf, tmp_path) == []
    assert b"root:x:0" not in pdf


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://exemple.fr/static/css/rapport.css",
        "https://rapport.invalid/static/../../etc/passwd",
        "https://rapport.invalid/static/%2e%2e/%2e%2e/settings.py",
        "https://rapport.invalid/media/rapports/x.pdf",
        "data:text/plain,bonjour",
    ],
)
def test_le_recuperateur_refuse_tout_sauf_nos_fichiers_statiques(url):
    with pytest.raises(ValueError):
        recuperateur().fetch(url)


def test_le_recuperateur_sert_nos_fichiers_statiques():
    reponse = recuperateur().fetch("https://rapport.invalid/static/css/rapport.css")
    assert b"@page" in reponse.read()
    assert reponse.content_type == "text/css"


def test_le_rendu_est_borne_dans_le_temps():
    from noyau.pdf import DelaiDepasse

    long = "<html><body>" + "<table>" + "<tr><td>cellule</td></tr>" * 20000 + "</table></body></html>"
    debut = time.monotonic()
    with pytest.raises(DelaiDepasse):
        rendre_pdf(long, delai=0.2)
    # Le processus du rendu est tué à l'échéance, pas attendu jusqu'à la fin de sa mise en page.
    assert time.monotonic() - debut < 2
    assert not [p for p in multiprocessing.active_children() if p.name == "rendu-pdf"]


def test_date_longue_a_la_francaise():
    import datetime

    from rapport.templatetags.rapport import date_longue

    assert date_longue(datetime.date(2022, 12, 6)) == "6 décembre 2022"
    assert date_longue(datetime.date(2023, 12, 1)) == "1er décembre 2023"
    assert date_longue(None) == ""


def _dans_un_fil(fonction):
    """Exécute `fonction` dans un autre fil (comme un worker gunicorn « gthread ») ; rend son résultat ou son
    exception."""
    resultat = {}

    def cible():
        try:
            resultat["valeur"] = fonction()
        except BaseException as exc:  # noqa: BLE001 - on la rend au test
            resultat["exception"] = exc

    fil = threading.Thread(target=cible)
    fil.start()
    fil.join(timeout=60)
    assert not fil.is_alive(), "le rendu n'a pas été interrompu"
    return resultat


def test_le_rendu_est_borne_dans_le_temps_hors_du_fil_principal():
    from noyau.pdf import DelaiDepasse

    long = "<html><body>" + "<table>" + "<tr><td>cellule</td></tr>" * 20000 + "</table></body></html>"
    resultat = _dans_un_fil(lambda: rendre_pdf(long, delai=0.2))
    assert isinstance(resultat.get("exception"), DelaiDepasse), resultat


def test_un_rendu_fini_a_temps_ne_laisse_pas_d_interruption_en_attente():
    def rendre_puis_travailler():
        debut = time.monotonic()
        pdf = rendre_pdf("<p>Court</p>", delai=2.0)
        # Du travail en Python au-delà de l'échéance : aucune interruption ne doit plus tomber ici.
        fin = debut + 2.5
        while time.monotonic() < fin:
            sum(range(1000))
        return pdf

    resultat = _dans_un_fil(rendre_puis_travailler)
    assert "exception" not in resultat, resultat
    assert resultat["valeur"].startswith(b"%PDF")
