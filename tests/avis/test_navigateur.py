"""Le parcours complet dans Chromium (Playwright) : du lien de l'invitation au récépissé, puis une seconde
commune qui ne voit pas l'avis de la première.

Le serveur tourne dans un fil à part sur une base où les données du test sont réellement écrites (il ne verrait
pas une transaction de test) ; le test efface ensuite exactement ce qu'il a créé, pour laisser le référentiel de
la session intact (un `transactional_db` viderait toutes les tables, référentiel compris).
"""

import datetime
import re

import pytest
from django.test.testcases import _StaticFilesHandler
from django.utils import timezone

from avis import services
from avis.models import Avis, Consultation, Contact, Organisme
from contrat_ville.models import Commune, Contrat
from programmation.models import Programmation
from rapport.enums import StatutRapport
from rapport.models import RapportAnnuel, TransitionRapport
from tests.serveur import serveur_dans_un_fil

from .conftest import MOT_DE_PASSE, pdf_octets

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
NOUVEAU_MOT_DE_PASSE = "Bethune-Portail-Avis-2022"


@pytest.fixture
def db(django_db_setup):
    """Remplace ici le `db` de pytest-django : la base de test est créée (son nom suffit à pytest-django pour
    la préparer), mais sans transaction englobante ni vidage final, que le serveur ne verrait pas ou qui
    emporterait le référentiel."""


@pytest.fixture
def serveur(db, django_db_blocker, settings, monkeypatch):
    # L'API synchrone de Playwright fait tourner une boucle asyncio dans ce fil : Django y refuserait l'ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with django_db_blocker.unblock(), serveur_dans_un_fil(_StaticFilesHandler) as adresse:
        settings.SITE_URL = adresse
        yield adresse


@pytest.fixture
def donnees(serveur, agent_navigateur):
    """Un rapport 2021 soumis à Béthune et Bruay ; tout ce qui est créé ici est effacé à la fin."""
    programmation = Programmation.objects.create(contrat=Contrat.objects.get(), annee=2021)
    rapport = RapportAnnuel.objects.create(programmation=programmation, statut=StatutRapport.ADOPTE)
    bethune = Organisme.objects.create(commune=Commune.objects.get(nom="Béthune"))
    bruay = Organisme.objects.create(commune=Commune.objects.get(nom="Bruay-la-Buissière"))
    contact_bethune = services.creer_contact(
        organisme=bethune, email="pdlv@bethune.example", prenom="Claire", nom="Dumont", par=agent_navigateur
    )
    contact_bruay = services.creer_contact(
        organisme=bruay, email="pdlv@bruay.example", prenom="Marc", nom="Leroy", par=agent_navigateur
    )
    contact_bruay.utilisateur.set_password(MOT_DE_PASSE)
    contact_bruay.utilisateur.save()
    envoi = timezone.localdate() - datetime.timedelta(days=3)
    consultation = services.creer_consultation(
        programmation=rapport.programmation,
        projet_pdf=pdf_octets("Projet de rapport"),
        date_envoi=envoi,
        date_limite=envoi + datetime.timedelta(days=31),
        organismes=[bethune, bruay],
        par=agent_navigateur,
    )
    try:
        yield {"consultation": consultation, "bethune": contact_bethune, "bruay": contact_bruay}
    finally:
        Avis.objects.filter(consultation=consultation).delete()
        Consultation.objects.filter(pk=consultation.pk).delete()
        for contact in Contact.objects.filter(organisme__in=[bethune, bruay]).select_related("utilisateur"):
            utilisateur = contact.utilisateur
            contact.delete()
            utilisateur.delete()
        Organisme.objects.filter(pk__in=[bethune.pk, bruay.pk]).delete()
        TransitionRapport.objects.filter(rapport=rapport).delete()
        rapport.delete()
        programmation.delete()


@pytest.fixture
def agent_navigateur(django_db_blocker, serveur):
    from django.contrib.auth import get_user_model

    agent = get_user_model().objects.create_user("agent-navigateur", "agent@agglo.example", is_staff=True)
    try:
        yield agent
    finally:
        Contact.objects.filter(cree_par=agent).update(cree_par=None, modifie_par=None)
        Consultation.objects.filter(cree_par=agent).update(cree_par=None, modifie_par=None)
        agent.delete()


@pytest.mark.browser
def test_de_l_invitation_au_recepisse_dans_chromium(serveur, donnees, mailoutbox, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    consultation = donnees["consultation"]
    services.inviter_organismes(consultation=consultation, par=consultation.cree_par)
    courriel = next(m for m in mailoutbox if m.to == ["pdlv@bethune.example"])
    lien = re.search(rf"{re.escape(serveur)}/portail/invitation/\S+/", courriel.body).group(0)
    deliberation = tmp_path / "deliberation-bethune.pdf"
    deliberation.write_bytes(pdf_octets("Délibération du conseil municipal de Béthune"))

    with sync_playwright() as p:
        navigateur = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = navigateur.new_context(accept_downloads=True).new_page()
            page.set_default_timeout(10_000)
            # 1. Le lien personnel : choix du mot de passe.
            page.goto(lien)
            expect(page.get_by_role("heading", name="Choisir votre mot de passe")).to_be_visible()
            page.get_by_label(re.compile(r"^Nouveau mot de passe")).fill(NOUVEAU_MOT_DE_PASSE)
            page.get_by_label("Confirmation du nouveau mot de passe").fill(NOUVEAU_MOT_DE_PASSE)
            page.get_by_role("button", name="Enregistrer le mot de passe").click()
            # 2. Connexion avec ce mot de passe.
            expect(page.get_by_text("Votre mot de passe est enregistré")).to_be_visible()
            page.get_by_label("Identifiant").fill("pdlv@bethune.example")
            page.get_by_label("Mot de passe").fill(NOUVEAU_MOT_DE_PASSE)
            page.get_by_role("button", name="Se connecter").click()
            expect(page.get_by_role("heading", name="Consultations de Commune de Béthune")).to_be_visible()
            # 3. Le projet de rapport se télécharge.
            page.get_by_role("link", name="Rapport 2021").click()
            with page.expect_download() as attente:
                page.get_by_role("link", name="Télécharger le projet de rapport (PDF)").click()
            projet = attente.value
            assert projet.suggested_filename == "projet-rapport-politique-de-la-ville-2021.pdf"
            assert projet.path().read_bytes()[:5] == b"%PDF-"
            # 4. Un envoi sans fichier est refusé, l'erreur est annoncée et mène au champ.
            page.get_by_label("Favorable avec réserves").check()
            page.get_by_role("button", name="Déposer l'avis").click()
            alerte = page.get_by_role("alert")
            expect(alerte).to_contain_text("Précisez les réserves")
            expect(alerte).to_contain_text("Délibération signée (PDF)")
            # 5. L'avis complet, au clavier pour la date et les observations.
            page.get_by_label("Favorable avec réserves").check()
            page.get_by_label("Date de la séance ou de la réunion").fill(
                (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
            )
            page.get_by_label("Observations").fill("Renforcer l'accompagnement vers l'emploi.")
            page.get_by_label("Délibération signée (PDF)").set_input_files(str(deliberation))
            page.get_by_role("button", name="Déposer l'avis").click()
            # 6. Le récépissé.
            expect(page.get_by_role("heading", name="Récépissé de l'avis")).to_be_visible()
            expect(page.locator(".resume")).to_contain_text("Favorable avec réserves")
            url_recu = page.url

            # Une seconde commune ne voit pas l'avis de la première.
            autre = navigateur.new_context().new_page()
            autre.goto(f"{serveur}/connexion/?next=/portail/")
            autre.get_by_label("Identifiant").fill("pdlv@bruay.example")
            autre.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
            autre.get_by_role("button", name="Se connecter").click()
            expect(
                autre.get_by_role("heading", name="Consultations de Commune de Bruay-la-Buissière")
            ).to_be_visible()
            reponse = autre.goto(url_recu)
            assert reponse.status == 404
            assert "Favorable avec réserves" not in autre.content()
            reponse = autre.goto(url_recu + "deliberation.pdf")
            assert reponse.status == 404
        finally:
            navigateur.close()

    avis = Avis.objects.get(consultation=consultation)
    assert avis.decision == "RESERVES"
    assert avis.depose_par == donnees["bethune"].utilisateur
    assert avis.deliberation.open("rb").read(5) == b"%PDF-"
    avis.deliberation.close()
    assert any("Accusé de réception" in m.subject for m in mailoutbox)


@pytest.mark.browser
def test_le_directeur_n_approuve_qu_apres_la_consultation_dans_chromium(serveur, donnees, agent_navigateur):
    """Le rapport est en consultation (délai dans quatre semaines, aucun avis) : la page de confirmation dit
    pourquoi l'approbation attend et n'offre aucun bouton ; quand chaque organisme a répondu, la date tapée à la
    française suffit, et la fiche passe à « Définitif »."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile
    from playwright.sync_api import expect, sync_playwright

    consultation = donnees["consultation"]
    rapport = RapportAnnuel.objects.get(programmation=consultation.programmation)
    RapportAnnuel.objects.filter(pk=rapport.pk).update(statut=StatutRapport.EN_CONSULTATION)
    directeur = get_user_model().objects.create_user(
        "directeur-navigateur", "dir@agglo.example", MOT_DE_PASSE, is_staff=True, first_name="Dominique"
    )
    directeur.user_permissions.add(
        *Permission.objects.filter(codename__in=["approuver_rapportannuel", "view_rapportannuel"])
    )

    def ouvrir(p):
        navigateur = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = navigateur.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(20_000)
        page.goto(f"{serveur}/connexion/?next=/rapport-annuel/2021/")
        page.get_by_label("Identifiant").fill("directeur-navigateur")
        page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
        page.get_by_role("button", name="Se connecter").click()
        return navigateur, page

    # L'ORM n'est appelé qu'hors des blocs Playwright : dans sa boucle, Django ouvrirait une autre connexion.
    try:
        with sync_playwright() as p:
            navigateur, page = ouvrir(p)
            try:
                expect(page.locator("ul.compteurs-consultation")).to_contain_text("0 avis reçu")
                expect(page.locator("ul.compteurs-consultation")).to_contain_text("2 organismes consultés")
                page.get_by_role("link", name="Approuver le rapport…").click()
                expect(page.get_by_role("alert")).to_contain_text("0 avis reçu sur 2 organismes consultés")
                expect(
                    page.get_by_role("button", name="Confirmer : approuver le rapport 2021")
                ).to_have_count(0)
            finally:
                navigateur.close()

        for organisme in consultation.organismes.all():
            services.enregistrer_avis_courrier(
                consultation=consultation,
                organisme=organisme,
                par=agent_navigateur,
                decision="FAVORABLE",
                date_seance=timezone.localdate(),
                document=SimpleUploadedFile("d.pdf", pdf_octets("Délibération")),
            )

        with sync_playwright() as p:
            navigateur, page = ouvrir(p)
            try:
                page.get_by_role("link", name="Approuver le rapport…").click()
                expect(page.get_by_text("irréversible")).to_be_visible()
                page.get_by_label("Date d'approbation").fill(timezone.localdate().strftime("%d/%m/%Y"))
                page.get_by_role("button", name="Confirmer : approuver le rapport 2021").click()
                expect(page.get_by_role("heading", name="Rapport annuel 2021 – Définitif")).to_be_visible()
                expect(page.locator("ul.compteurs-consultation")).to_contain_text("2 avis reçus")
            finally:
                navigateur.close()
        rapport.refresh_from_db()
        assert rapport.statut == StatutRapport.DEFINITIF and rapport.date_approbation == timezone.localdate()
        assert rapport.empreinte_sha256
    finally:
        TransitionRapport.objects.filter(rapport=rapport).delete()
        directeur.delete()
