"""Dans Chromium (Playwright), comme un agent : créer un dossier et ses deux lignes de financement en tapant les
montants à la française, voir les montants exacts en base et la ligne des totaux de la liste ; une écriture
ambiguë (« 3.500,50 », « 1e5 ») est refusée avec un message et rien n'est enregistré.

Le serveur tourne dans un fil à part sur une base où les données du test sont réellement écrites (modèle :
tests/avis/test_navigateur.py) ; le test efface ensuite exactement ce qu'il a créé.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler

from comptes import roles
from contrat_ville.models import Contrat, Porteur
from journal.models import EntreeJournal
from programmation.models import Dossier, LigneFinancement, Programmation
from tests.comptes import utilisateur
from tests.serveur import serveur_dans_un_fil

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MOT_DE_PASSE = "Agent-Montants-Francais-2097"
ANNEE = 2097


@pytest.fixture
def db(django_db_setup):
    """Base de test créée, sans transaction englobante : le serveur du fil voit ce que le test écrit."""


@pytest.fixture
def serveur(db, django_db_blocker, settings, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Les fichiers statiques trouvés dans les applications (select2, le script du formulaire), comme
    # StaticLiveServerTestCase : le formulaire doit se remplir avec son JavaScript.
    with django_db_blocker.unblock(), serveur_dans_un_fil(StaticFilesHandler) as adresse:
        yield adresse


@pytest.fixture
def donnees(serveur, django_db_blocker):
    with django_db_blocker.unblock():
        agent = utilisateur("agent-montants", roles.AGENT)
        agent.set_password(MOT_DE_PASSE)
        agent.save()
        programmation = Programmation.objects.create(contrat=Contrat.objects.first(), annee=ANNEE)
        porteur = Porteur.objects.create(
            nom="Centre social du Mont-Liébaut (test navigateur)", type="ASSOCIATION"
        )
    try:
        yield {"agent": agent, "programmation": programmation, "porteur": porteur}
    finally:
        with django_db_blocker.unblock():
            dossiers = Dossier.objects.filter(programmation=programmation)
            EntreeJournal.objects.filter(utilisateur=agent).delete()
            LigneFinancement.objects.filter(dossier__in=dossiers).delete()
            dossiers.delete()
            porteur.delete()
            programmation.delete()
            agent.delete()


def choisir(page, champ: str, texte: str) -> None:
    """Une liste à autocomplétion (select2) : ouvrir, taper, prendre la proposition."""
    page.locator(f"#{champ} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(texte)
    page.locator(".select2-results__option", has_text=texte).first.click()


@pytest.mark.browser
def test_un_agent_tape_les_montants_a_la_francaise_dans_chromium(serveur, donnees):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        navigateur = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = navigateur.new_page(viewport={"width": 1366, "height": 900})
            page.set_default_timeout(10_000)
            page.goto(f"{serveur}/connexion/?next=/admin/programmation/dossier/add/")
            page.get_by_label("Identifiant").fill("agent-montants")
            page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
            page.get_by_role("button", name="Se connecter").click()
            expect(page.get_by_role("heading", name="Ajout de dossier")).to_be_visible()

            # L'année courante et le prochain numéro libre sont déjà là.
            expect(page.locator("#id_programmation")).to_have_value(str(donnees["programmation"].pk))
            expect(page.locator("#id_numero")).to_have_value(f"{ANNEE}-001")
            page.get_by_label("Intitulé (obligatoire)").fill("Ateliers numériques au Mont-Liébaut")
            choisir(page, "id_porteur", "Centre social du Mont-Liébaut")
            page.locator("#id_pilier").select_option(label="1. Cohésion sociale")
            # La thématique suit le pilier : celles du pilier 3 ne sont pas proposées.
            assert page.locator("#id_thematique option", has_text="3.1 ").first.is_disabled()
            assert not page.locator("#id_thematique option", has_text="1.1 ").first.is_disabled()

            # Deux lignes vides prêtes, juste après l'identité du dossier.
            choisir(page, "id_lignes_financement-0-financeur", "ANCT")
            page.locator("#id_lignes_financement-0-nature").select_option(label="Crédits spécifiques")
            page.locator("#id_lignes_financement-0-montant_sollicite").fill("12 000")
            page.locator("#id_lignes_financement-0-montant_accorde").fill("1e5")
            choisir(page, "id_lignes_financement-1-financeur", "Département")
            page.locator("#id_lignes_financement-1-nature").select_option(label="Droit commun")
            page.locator("#id_lignes_financement-1-montant_sollicite").fill("3 500,50")
            page.locator("#id_lignes_financement-1-montant_accorde").fill("3.500,50")
            page.get_by_role("button", name="Enregistrer", exact=True).first.click()

            # Refusé, avec un message qui dit comment écrire ; la saisie reste à l'écran pour être corrigée.
            expect(page.locator(".errornote")).to_be_visible()
            erreurs = page.locator("#lignes_financement-group .errorlist")
            expect(erreurs.filter(has_text="« 1e5 » n'est pas un montant")).to_have_count(1)
            expect(erreurs.filter(has_text="« 3.500,50 » est ambigu")).to_have_count(1)
            expect(erreurs.first).to_contain_text("« 3 500,50 »")
            expect(page.locator("#id_lignes_financement-1-montant_accorde")).to_have_value("3.500,50")
            # Rien n'est enregistré : vérifié après le navigateur (l'ORM appelé dans la boucle de Playwright
            # ouvrirait une connexion qui empêche de supprimer la base de test PostgreSQL) ; un seul dossier, à
            # deux lignes, existera à la fin.

            page.locator("#id_lignes_financement-0-montant_accorde").fill("12 000")
            page.locator("#id_lignes_financement-1-montant_accorde").fill("3 500,50")
            page.get_by_role("button", name="Enregistrer", exact=True).first.click()
            expect(page.locator(".messagelist .success")).to_be_visible()

            # La liste s'ouvre sur l'année courante ; la ligne des totaux montre le total au centime.
            page.goto(f"{serveur}/admin/programmation/dossier/")
            totaux = page.locator("table.totaux-liste")
            expect(totaux).to_contain_text("Totaux de la liste filtrée (1 dossier, toutes pages)")
            expect(totaux.locator("td").nth(0)).to_have_text(re.compile(r"^15\s500,50\s€$"))
            expect(totaux.locator("td").nth(1)).to_have_text(re.compile(r"^15\s500,50\s€$"))
            expect(page.locator("#result_list .field-total_accorde")).to_have_text(
                re.compile(r"^15\s500,50\s€$")
            )

            # Le dossier rouvert ré-affiche les montants à la française.
            page.locator("#result_list a", has_text=f"{ANNEE}-001").click()
            expect(page.locator("#id_lignes_financement-0-montant_accorde")).to_have_value(
                re.compile(r"^(12\s000,00|3\s500,50)$")
            )
        finally:
            navigateur.close()

    dossier = Dossier.objects.get(programmation=donnees["programmation"])  # un seul : le refus n'a rien écrit
    assert LigneFinancement.objects.filter(dossier__programmation=donnees["programmation"]).count() == 2
    assert dossier.numero == f"{ANNEE}-001"
    assert sorted(dossier.lignes_financement.values_list("montant_sollicite", "montant_accorde")) == [
        (Decimal("3500.50"), Decimal("3500.50")),
        (Decimal("12000.00"), Decimal("12000.00")),
    ]
