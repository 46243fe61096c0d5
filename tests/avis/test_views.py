"""Le portail : chaque URL pour chaque rôle (anonyme, commune, autre commune, conseil citoyen, agent), les
dépôts refusés sans rien laisser, les en-têtes des fichiers servis."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from avis import services
from avis.models import Avis, Consultation, Destinataire
from programmation.models import Programmation
from rapport.enums import StatutRapport
from rapport.models import RapportAnnuel

from .conftest import MOT_DE_PASSE, fichiers_stockes, pdf_octets
from .test_fichiers import png_octets

pytestmark = pytest.mark.django_db

PROJET_PDF = pdf_octets("Projet de rapport")


@pytest.fixture
def monde(
    consultation,
    rapport,
    agent,
    bethune,
    contact_bethune,
    contact_bruay,
    contact_conseil,
    django_capture_on_commit_callbacks,
):
    """Béthune a déposé son avis ; une seconde consultation (2020) n'est adressée qu'à Béthune."""
    avis = services.deposer_avis(
        destinataire=Destinataire.objects.get(consultation=consultation, organisme=bethune),
        par=contact_bethune.utilisateur,
        decision="FAVORABLE",
        date_seance=datetime.date(2022, 10, 26),
        deliberation=SimpleUploadedFile("d.pdf", pdf_octets("Délibération de Béthune")),
    )
    programmation = Programmation.objects.create(contrat=rapport.programmation.contrat, annee=2020)
    rapport_2020 = RapportAnnuel.objects.create(programmation=programmation, statut=StatutRapport.ADOPTE)
    envoi = consultation.date_envoi
    privee = services.creer_consultation(
        programmation=rapport_2020.programmation,
        projet_pdf=PROJET_PDF,
        date_envoi=envoi,
        date_limite=envoi + datetime.timedelta(days=31),
        organismes=[bethune],
        par=agent,
    )
    return {"consultation": consultation, "privee": privee, "avis": avis}


def urls(monde):
    c, p, a = monde["consultation"].pk, monde["privee"].pk, monde["avis"].pk
    return {
        "accueil": reverse("avis:accueil"),
        "consultation": reverse("avis:consultation", args=[c]),
        "consultation_privee": reverse("avis:consultation", args=[p]),
        "projet_privee": reverse("avis:projet", args=[p]),
        "recu": reverse("avis:recu", args=[a]),
        "deliberation": reverse("avis:deliberation", args=[a]),
    }


# Réponse attendue pour chaque rôle et chaque URL : le code, ou « login » pour une redirection vers la connexion.
MATRICE = {
    "anonyme": dict.fromkeys(
        ["accueil", "consultation", "consultation_privee", "projet_privee", "recu", "deliberation"], "login"
    ),
    "bethune": {
        "accueil": 200,
        "consultation": 200,
        "consultation_privee": 200,
        "projet_privee": 200,
        "recu": 200,
        "deliberation": 200,
    },
    "bruay": {
        "accueil": 200,
        "consultation": 200,  # sa propre ligne de la même consultation
        "consultation_privee": 404,
        "projet_privee": 404,
        "recu": 404,
        "deliberation": 404,
    },
    "conseil": {
        "accueil": 200,
        "consultation": 200,
        "consultation_privee": 404,
        "projet_privee": 404,
        "recu": 404,
        "deliberation": 404,
    },
    "agent": {
        "accueil": 403,
        "consultation": 403,
        "consultation_privee": 403,
        "projet_privee": 403,
        "recu": 403,
        "deliberation": 200,  # le personnel lit les délibérations
    },
}


@pytest.mark.parametrize("role", list(MATRICE))
def test_chaque_url_du_portail_pour_chaque_role(
    client, monde, role, contact_bethune, contact_bruay, contact_conseil, agent
):
    comptes = {
        "bethune": contact_bethune.utilisateur,
        "bruay": contact_bruay.utilisateur,
        "conseil": contact_conseil.utilisateur,
        "agent": agent,
    }
    if role in comptes:
        client.force_login(comptes[role])
    for nom, url in urls(monde).items():
        reponse = client.get(url)
        if reponse.streaming:
            b"".join(reponse.streaming_content)  # lu jusqu'au bout, le fichier se referme
        attendu = MATRICE[role][nom]
        if attendu == "login":
            assert reponse.status_code == 302, nom
            assert reponse["Location"] == f"/connexion/?next={url}", nom
        else:
            assert reponse.status_code == attendu, (nom, reponse.status_code)


def test_un_contact_desactive_ne_voit_plus_rien(client, monde, contact_bethune, agent):
    services.desactiver_contact(contact=contact_bethune, par=agent)
    client.force_login(contact_bethune.utilisateur)
    assert client.get(reverse("avis:accueil")).status_code == 302  # session d'un compte inactif : déconnecté


@pytest.mark.parametrize("compte", ["contact_bethune", "contact_conseil"])
def test_un_utilisateur_du_portail_n_atteint_jamais_l_admin(client, monde, compte, request):
    utilisateur = request.getfixturevalue(compte).utilisateur
    assert not utilisateur.is_staff
    client.force_login(utilisateur)
    for url in ["/admin/", "/admin/avis/avis/", reverse("admin:avis_avis_change", args=[monde["avis"].pk])]:
        reponse = client.get(url)
        assert reponse.status_code == 302
        assert reponse["Location"].startswith("/admin/login/")


def test_la_racine_mene_le_contact_au_portail(client, contact_bethune):
    client.force_login(contact_bethune.utilisateur)
    assert client.get("/")["Location"] == "/portail/"


def test_la_deliberation_est_servie_en_piece_jointe(client, monde, contact_bethune):
    client.force_login(contact_bethune.utilisateur)
    reponse = client.get(urls(monde)["deliberation"])
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"].startswith("attachment;")
    assert reponse["X-Content-Type-Options"] == "nosniff"
    contenu = b"".join(reponse.streaming_content)
    assert contenu.startswith(b"%PDF-")


def test_le_projet_de_rapport_se_telecharge_en_pdf(client, monde, contact_conseil, tmp_path):
    client.force_login(contact_conseil.utilisateur)
    reponse = client.get(reverse("avis:projet", args=[monde["consultation"].pk]))
    assert reponse.status_code == 200
    assert (
        reponse["Content-Disposition"]
        == 'attachment; filename="projet-rapport-politique-de-la-ville-2021.pdf"'
    )
    # Le projet figé au lancement, octet pour octet : celui sur lequel l'avis est rendu.
    assert reponse.content == PROJET_PDF


def test_la_page_du_portail_ne_montre_que_son_organisme(client, monde, contact_bruay):
    client.force_login(contact_bruay.utilisateur)
    page = client.get(reverse("avis:accueil")).content.decode()
    assert "Consultations de Commune de Bruay-la-Buissière" in page
    assert "Rapport 2021" in page
    assert "Rapport 2020" not in page  # adressée à Béthune seule


def _poster(client, consultation, fichier, **champs):
    donnees = {
        "decision": champs.get("decision", "FAVORABLE"),
        "date_seance": champs.get("date_seance", "2022-10-26"),
        "observations": champs.get("observations", ""),
        "deliberation": fichier,
    }
    return client.post(reverse("avis:consultation", args=[consultation.pk]), donnees)


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("scan.pdf", png_octets(), "n&#x27;est pas un PDF"),
        ("vide.pdf", b"", "Le fichier soumis est vide."),
        ("enorme.pdf", pdf_octets(remplissage=11 * 1024 * 1024), "10 Mo au plus"),
    ],
)
def test_un_mauvais_fichier_est_refuse_et_rien_n_est_garde(
    client, consultation, contact_bruay, stockage_temporaire, nom, contenu, message
):
    client.force_login(contact_bruay.utilisateur)
    reponse = _poster(client, consultation, SimpleUploadedFile(nom, contenu, content_type="application/pdf"))
    assert reponse.status_code == 422
    page = reponse.content.decode()
    assert message in page
    assert 'role="alert"' in page
    assert 'href="#id_deliberation"' in page  # l'erreur mène au champ
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_deliberation_aide id_deliberation_erreur"' in page
    assert not Avis.objects.exists()
    assert fichiers_stockes(stockage_temporaire) == []


def test_depot_puis_recu_puis_plus_de_formulaire(
    client, consultation, contact_bruay, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(contact_bruay.utilisateur)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _poster(
            client, consultation, SimpleUploadedFile("d.pdf", pdf_octets()), decision="DEFAVORABLE"
        )
    avis = Avis.objects.get()
    assert reponse["Location"] == reverse("avis:recu", args=[avis.pk])
    recu = client.get(reponse["Location"]).content.decode()
    assert "<h1>Récépissé de l'avis</h1>" in recu
    assert f"AVIS-2021-{avis.pk}" in recu
    assert "Défavorable" in recu
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["pdlv@bruay.example"]
    page = client.get(reverse("avis:consultation", args=[consultation.pk])).content.decode()
    assert '<form method="post" enctype' not in page
    # Un second envoi forcé est refusé et ne change rien.
    _poster(client, consultation, SimpleUploadedFile("d.pdf", pdf_octets()), decision="FAVORABLE")
    assert Avis.objects.get().decision == "DEFAVORABLE"


def test_invitation_ouverte_est_tracee_et_le_lien_ne_sert_qu_une_fois(
    client, consultation, contact_bruay, agent, mailoutbox
):
    import re

    services.inviter_contact(contact=contact_bruay, par=agent)
    message = next(m for m in mailoutbox if m.to == ["pdlv@bruay.example"])
    lien = re.search(r"http://portail\.test(/portail/invitation/\S+/)", message.body).group(1)
    reponse = client.get(lien, follow=True)
    assert "Choisir votre mot de passe" in reponse.content.decode()
    assert Destinataire.objects.get(consultation=consultation, organisme=contact_bruay.organisme).ouvert_le
    url_formulaire = reponse.redirect_chain[-1][0]
    reponse = client.post(url_formulaire, {"new_password1": "court", "new_password2": "court"})
    assert 'role="alert"' in reponse.content.decode()
    reponse = client.post(
        url_formulaire, {"new_password1": MOT_DE_PASSE + "x", "new_password2": MOT_DE_PASSE + "x"}
    )
    assert reponse.status_code == 302
    client.logout()
    assert "n'est plus valable" in client.get(lien, follow=True).content.decode()


def test_les_pages_du_portail_font_autant_de_requetes_a_une_et_a_quatre_consultations(
    client, consultation, contact_bethune, bethune, agent, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(contact_bethune.utilisateur)
    pages = [reverse("avis:accueil"), reverse("avis:consultation", args=[consultation.pk])]
    client.get(pages[0])  # la première page prolonge la session (une écriture par minute au plus)
    comptes = []
    for url in pages:
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url).status_code == 200
        comptes.append(len(requetes))
    contrat = consultation.programmation.contrat
    for annee in (2017, 2018, 2019):
        programmation = Programmation.objects.create(contrat=contrat, annee=annee)
        rapport = RapportAnnuel.objects.create(programmation=programmation)
        services.creer_consultation(
            programmation=rapport.programmation,
            projet_pdf=pdf_octets("Projet de rapport"),
            date_envoi=consultation.date_envoi,
            date_limite=consultation.date_limite,
            organismes=[bethune],
            par=agent,
        )
    for url, compte in zip(pages, comptes, strict=True):
        with django_assert_num_queries(compte):
            assert client.get(url).status_code == 200
    assert client.get(pages[0]).content.decode().count("Rapport 201") == 3


@pytest.mark.parametrize("role", list(MATRICE))
def test_les_pages_publiques_de_l_invitation_pour_chaque_role(
    client, role, contact_bethune, contact_bruay, contact_conseil, agent
):
    """Le lien d'invitation est public par nature : un jeton faux ou périmé n'ouvre rien, quel que soit le compte."""
    comptes = {
        "bethune": contact_bethune.utilisateur,
        "bruay": contact_bruay.utilisateur,
        "conseil": contact_conseil.utilisateur,
        "agent": agent,
    }
    if role in comptes:
        client.force_login(comptes[role])
    uid = urlsafe_base64_encode(force_bytes(contact_bethune.utilisateur.pk))
    reponse = client.get(reverse("avis:invitation", args=[uid, "jeton-invente"]))
    assert reponse.status_code == 200
    assert "n'est plus valable" in reponse.content.decode()
    assert "<form" not in reponse.content.decode().split("<main")[1]
    terminee = client.get(reverse("avis:invitation_terminee"))
    assert terminee["Location"] == "/connexion/?next=/portail/"


def test_sans_projet_fige_le_portail_ne_met_rien_en_page_a_la_demande(client, monde, contact_conseil):
    # Le portail sert le projet figé au lancement, jamais un rendu du jour (qui ne serait pas celui soumis).
    Consultation.objects.filter(pk=monde["consultation"].pk).update(projet_pdf="", projet_sha256="")
    client.force_login(contact_conseil.utilisateur)
    reponse = client.get(reverse("avis:projet", args=[monde["consultation"].pk]))
    assert reponse.status_code == 404
