"""Comptes : tentatives limitées avec délai, mots de passe solides, fins de session, double authentification,
journal de sécurité sans mot de passe."""

import datetime
import logging
import re
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from comptes import roles
from comptes.models import CompteurConnexion
from tests.comptes import utilisateur

MDP = "Quartiers-Solides-2024!"
MAUVAIS = "pas-le-bon-mot-de-passe"
HORODATAGE = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"  # asctime du journal de sécurité


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    # Ce module hache des mots de passe à chaque connexion : l'algorithme de production coûte ~1 s par hachage.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Après un mauvais code, django-otp impose une attente croissante ; le test enchaîne sans attendre.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def agent(db, hachage_rapide):
    u = utilisateur("agent.connexion", roles.AGENT)
    u.set_password(MDP)
    u.save()
    return u


def connecter(client, nom, mdp, adresse="10.0.0.1", url="/connexion/"):
    return client.post(url, {"username": nom, "password": mdp}, REMOTE_ADDR=adresse)


def code(device):
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(device.digits)


def _liberer_les_freins():
    """Le temps passe : chaque délai est échu."""
    CompteurConnexion.objects.update(libre_le=timezone.now() - datetime.timedelta(seconds=1))


def test_un_inconnu_freine_son_adresse_pas_le_titulaire(
    db, mailoutbox, settings, django_capture_on_commit_callbacks
):
    """20 mauvais mots de passe pour commune.bethune depuis 127.0.0.2 sont freinés ; le titulaire se connecte
    aussitôt depuis 127.0.0.3 ; le service est alerté par courriel, le compte n'est pas verrouillé."""
    settings.COURRIEL_ALERTES_SECURITE = "securite@agglo.example"
    bethune = utilisateur("commune.bethune", staff=False, email="mairie@ville-bethune.fr")
    bethune.set_password(MDP)
    bethune.save()
    with django_capture_on_commit_callbacks(execute=True):
        statuts = [
            connecter(Client(), "commune.bethune", MAUVAIS, adresse="127.0.0.2").status_code
            for _ in range(20)
        ]
    libres = settings.CONNEXION_ESSAIS_LIBRES
    assert statuts == [200] * libres + [429] * (20 - libres)
    # Le bon mot de passe depuis l'adresse freinée attend aussi : le frein ne dit rien du mot de passe.
    assert connecter(Client(), "commune.bethune", MDP, adresse="127.0.0.2").status_code == 429
    assert connecter(Client(), "commune.bethune", MDP, adresse="127.0.0.3").status_code == 302
    alertes = [m for m in mailoutbox if "commune.bethune" in m.subject]
    assert len(alertes) == 1 and alertes[0].to == ["securite@agglo.example"]


def test_les_delais_croissent_et_se_levent(client, agent, settings):
    for _ in range(settings.CONNEXION_ESSAIS_LIBRES):
        assert connecter(client, "agent.connexion", MAUVAIS).status_code == 200
    freine = connecter(client, "agent.connexion", MDP)
    assert freine.status_code == 429
    assert freine["Retry-After"] == "30"
    assert "attendez\n30 secondes" in freine.content.decode() or "30 secondes" in freine.content.decode()
    _liberer_les_freins()
    premier = connecter(client, "agent.connexion", MAUVAIS)  # nouvel échec : le délai double
    assert premier.status_code == 200
    assert connecter(client, "agent.connexion", MDP)["Retry-After"] == "60"
    _liberer_les_freins()
    assert connecter(client, "agent.connexion", MDP).status_code == 302


def test_l_adresse_partagee_d_une_mairie_a_sa_propre_limite(agent, settings):
    mairie = "192.0.2.10"
    for i in range(settings.CONNEXION_LIMITE_ADRESSE):
        connecter(Client(), f"inconnu{i}", MAUVAIS, adresse=mairie)
    assert connecter(Client(), "agent.connexion", MDP, adresse=mairie).status_code == 429
    # Une autre adresse n'est pas touchée, le compte non plus.
    assert connecter(Client(), "agent.connexion", MDP, adresse="198.51.100.7").status_code == 302
    _liberer_les_freins()
    assert connecter(Client(), "agent.connexion", MDP, adresse=mairie).status_code == 302


def test_un_succes_remet_le_compteur_a_zero(client, agent, settings):
    for _ in range(settings.CONNEXION_ESSAIS_LIBRES - 1):
        connecter(client, "agent.connexion", MAUVAIS)
    assert connecter(client, "agent.connexion", MDP).status_code == 302
    for _ in range(settings.CONNEXION_ESSAIS_LIBRES - 1):
        connecter(Client(), "agent.connexion", MAUVAIS)
    assert connecter(Client(), "agent.connexion", MDP).status_code == 302


def test_adresse_reelle_derriere_le_proxy_de_confiance(client, agent, settings):
    """Derrière le proxy inverse, chaque client a son adresse ; un en-tête venu d'ailleurs n'est pas cru."""
    settings.ADRESSE_CLIENT_ENTETE = "X-Forwarded-For"
    settings.PROXYS_DE_CONFIANCE = ["10.9.9.9"]
    for _ in range(settings.CONNEXION_ESSAIS_LIBRES):
        client.post(
            "/connexion/",
            {"username": "agent.connexion", "password": MAUVAIS},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.66",
        )
    assert CompteurConnexion.objects.filter(cle="agent.connexion|203.0.113.66").exists()
    # Un autre client derrière le même proxy n'est pas freiné.
    autre = Client().post(
        "/connexion/",
        {"username": "agent.connexion", "password": MDP},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert autre.status_code == 302
    # Sans passer par le proxy, l'en-tête est ignoré : c'est l'adresse de connexion qui compte.
    connecter(Client(), "agent.connexion", MAUVAIS, adresse="192.0.2.99")
    assert CompteurConnexion.objects.filter(cle="agent.connexion|192.0.2.99").exists()


@pytest.mark.parametrize(
    "mdp,message",
    [
        ("Court-1!", "trop court"),
        ("qwertyuiop123", "trop courant"),
        ("123456789012345", "entièrement numérique"),
        ("agent.connexion2024", "trop semblable"),
    ],
)
def test_mots_de_passe_faibles_refuses(agent, mdp, message):
    with pytest.raises(ValidationError) as exc:
        validate_password(mdp, agent)
    assert message in " ".join(exc.value.messages)


def test_la_deconnexion_invalide_la_session(client, agent):
    assert connecter(client, "agent.connexion", MDP).status_code == 302
    cle = client.session.session_key
    assert client.get("/admin/").status_code == 200
    client.post("/deconnexion/")
    assert not Session.objects.filter(session_key=cle).exists()
    rejoue = Client()
    rejoue.cookies["sessionid"] = cle
    assert rejoue.get("/admin/").status_code == 302


def test_changer_de_mot_de_passe_ferme_les_autres_sessions(agent):
    poste_1, poste_2 = Client(), Client()
    assert connecter(poste_1, "agent.connexion", MDP).status_code == 302
    assert connecter(poste_2, "agent.connexion", MDP).status_code == 302
    reponse = poste_1.post(
        "/admin/password_change/",
        {
            "old_password": MDP,
            "new_password1": "Nouveau-Secret-Solide-77",
            "new_password2": "Nouveau-Secret-Solide-77",
        },
    )
    assert reponse.status_code == 302
    assert poste_1.get("/admin/").status_code == 200  # la session qui a changé le mot de passe reste ouverte
    assert poste_2.get("/admin/").status_code == 302  # l'autre est fermée


def test_un_compte_desactive_perd_sa_session(client, agent):
    assert connecter(client, "agent.connexion", MDP).status_code == 302
    agent.is_active = False
    agent.save()
    reponse = client.get("/admin/")
    assert reponse.status_code == 302 and "/login/" in reponse["Location"]


def test_session_inactive_expiree(client, agent, settings):
    from contrat_ville import settings as reglages

    assert settings.SESSION_COOKIE_AGE <= 3600 and reglages.RENOUVELLEMENT_SESSION <= 60
    settings.RENOUVELLEMENT_SESSION = reglages.RENOUVELLEMENT_SESSION  # les autres tests l'allongent
    assert connecter(client, "agent.connexion", MDP).status_code == 302
    cle = client.session.session_key
    # Une requête repousse l'échéance (au plus une fois par RENOUVELLEMENT_SESSION) : l'expiration mesure
    # l'inactivité. La session est vieillie de 20 minutes, comme si la dernière prolongation datait d'alors.
    session = Session.objects.get(session_key=cle)
    donnees = session.get_decoded()
    donnees["_prolongee_le"] = int(time.time()) - 20 * 60
    Session.objects.filter(session_key=cle).update(
        session_data=Session.objects.encode(donnees),
        expire_date=session.expire_date - datetime.timedelta(minutes=20),
    )
    avant = Session.objects.get(session_key=cle).expire_date
    client.get("/admin/")
    assert Session.objects.get(session_key=cle).expire_date > avant + datetime.timedelta(minutes=19)
    # Dans la minute, une autre page ne réécrit pas la session.
    prolongee = Session.objects.get(session_key=cle).expire_date
    client.get("/admin/")
    assert Session.objects.get(session_key=cle).expire_date == prolongee
    Session.objects.filter(session_key=cle).update(
        expire_date=datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    )
    assert client.get("/admin/").status_code == 302


def test_double_facteur_obligatoire_pour_un_agent(client, agent, settings):
    settings.OTP_OBLIGATOIRE = True
    assert connecter(client, "agent.connexion", MDP).status_code == 302
    reponse = client.get("/admin/programmation/dossier/")
    assert reponse.status_code == 302
    assert reponse["Location"].startswith("/compte/double-facteur/?next=/admin/programmation/dossier/")
    page = client.get(reponse["Location"])
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    assert client.post(reponse["Location"], {"code": "000000"}).status_code == 200
    fin = client.post(reponse["Location"], {"code": code(device), "next": "/admin/programmation/dossier/"})
    # Les codes de secours sont montrés une seule fois, avec le lien vers la page demandée.
    page = fin.content.decode()
    assert fin.status_code == 200 and "ils ne seront plus affichés" in page
    assert len(re.findall(r"<li><code>[a-z2-7]{8}</code></li>", page)) == 10
    assert 'href="/admin/programmation/dossier/"' in page
    assert client.get("/admin/programmation/dossier/").status_code == 200


def test_un_code_de_secours_remplace_une_fois_le_telephone(client, agent, settings):
    settings.OTP_OBLIGATOIRE = True
    connecter(client, "agent.connexion", MDP)
    client.get("/compte/double-facteur/")
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    page = client.post("/compte/double-facteur/", {"code": code(device)}).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(codes) == 10

    # Téléphone perdu : une nouvelle session se vérifie avec un code de secours…
    perdu = Client()
    connecter(perdu, "agent.connexion", MDP)
    assert perdu.get("/admin/")["Location"].startswith("/connexion/double-facteur/")
    entree = perdu.post("/connexion/double-facteur/", {"code": codes[0].upper(), "next": "/admin/"})
    assert entree.status_code == 302 and entree["Location"] == "/admin/"
    assert perdu.get("/admin/").status_code == 200

    # … une seule fois.
    encore = Client()
    connecter(encore, "agent.connexion", MDP)
    refus = encore.post("/connexion/double-facteur/", {"code": codes[0], "next": "/admin/"})
    assert "pas le bon, ou il a expiré" in refus.content.decode()
    assert encore.get("/admin/").status_code == 302


def test_double_facteur_a_la_connexion_de_l_admin(agent, settings):
    settings.OTP_OBLIGATOIRE = True
    device = TOTPDevice.objects.create(user=agent, name="téléphone", confirmed=True)
    client = Client()
    assert connecter(client, "agent.connexion", MDP, url="/admin/login/?next=/admin/").status_code == 302
    reponse = client.get("/admin/")
    assert reponse.status_code == 302 and reponse["Location"].startswith("/connexion/double-facteur/")
    erreur = client.post(reponse["Location"], {"code": "123456"})
    assert "pas le bon, ou il a expiré" in erreur.content.decode()
    assert client.get("/admin/").status_code == 302
    assert (
        client.post(reponse["Location"], {"code": code(device), "next": "/admin/"})["Location"] == "/admin/"
    )
    assert client.get("/admin/").status_code == 200


def test_double_facteur_facultatif_sans_le_reglage_mais_exige_une_fois_active(client, agent, settings):
    settings.OTP_OBLIGATOIRE = False
    assert connecter(client, "agent.connexion", MDP).status_code == 302
    assert client.get("/admin/").status_code == 200
    TOTPDevice.objects.create(user=agent, name="téléphone", confirmed=True)
    autre = Client()
    connecter(autre, "agent.connexion", MDP)
    assert autre.get("/admin/").status_code == 302


def test_le_portail_n_est_pas_soumis_au_double_facteur(client, settings, db):
    settings.OTP_OBLIGATOIRE = True
    u = utilisateur("commune.test", roles.SERVICE_COMMUNE, staff=False)
    u.set_password(MDP)
    u.save()
    assert connecter(client, "commune.test", MDP).status_code == 302
    assert client.get("/deconnexion/").status_code in (200, 302, 405)
    assert client.get("/compte/double-facteur/").status_code == 302


def test_journal_de_securite_sans_mot_de_passe(client, agent, caplog):
    with caplog.at_level(logging.INFO, logger="securite"):
        connecter(client, "agent.connexion", MAUVAIS, adresse="203.0.113.5")
        connecter(client, "agent.connexion", MDP, adresse="203.0.113.5")
        client.get("/admin/journal/entreejournal/", REMOTE_ADDR="203.0.113.5")
        client.get("/admin/programmation/dossier/999999/change/", REMOTE_ADDR="203.0.113.5")
    messages = [r.getMessage() for r in caplog.records if r.name == "securite"]
    texte = "\n".join(messages)
    assert "échec de connexion utilisateur=agent.connexion adresse=203.0.113.5" in texte
    assert "connexion réussie utilisateur=agent.connexion adresse=203.0.113.5" in texte
    assert (
        "accès refusé statut=403 utilisateur=agent.connexion adresse=203.0.113.5 chemin=/admin/journal/entreejournal/"
        in texte
    )
    assert MDP not in texte and MAUVAIS not in texte
    # Chaque ligne du journal est horodatée : son formateur écrit la date et l'heure devant le message.
    securite = [r for r in caplog.records if r.name == "securite"]
    assert securite and all(re.fullmatch(HORODATAGE, getattr(r, "asctime", "")) for r in securite)
