"""L'historique se lit : objets liés nommés, heure de Paris annoncée et montrée, moyen de l'écriture en mots."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptes import roles
from contrat_ville.enums import TypePorteur
from contrat_ville.models import Pilier, Porteur
from journal.audit import acteur
from journal.models import EntreeJournal
from journal.selectors import entrees_de, rendre_lisibles
from tests.comptes import creer_dossier, utilisateur


@pytest.fixture
def dossier(db):
    return creer_dossier(annee=2034, numero="2034-001")


def changer_de_porteur(dossier, nom, agent, source="admin"):
    nouveau = Porteur.objects.create(nom=nom, type=TypePorteur.ASSOCIATION)
    with acteur(agent, source=source):
        dossier.porteur = nouveau
        dossier.save()
    return nouveau


def test_l_historique_nomme_les_objets_lies_et_dit_le_moyen_en_mots(client, dossier):
    agent = utilisateur("agent.historique", roles.AGENT)
    ancien = dossier.porteur.nom
    changer_de_porteur(dossier, "Association Cité Solidaire", agent)
    with acteur(agent, source="import"):
        dossier.pilier = Pilier.objects.get(contrat=dossier.programmation.contrat, code="2")
        dossier.save()
    client.force_login(agent)
    page = client.get(f"/admin/programmation/dossier/{dossier.pk}/history/").content.decode()
    assert f"porteur : {ancien} → Association Cité Solidaire" in page
    assert "élément du cadre : 1. Cohésion sociale → 2. Emploi et développement économique" in page
    assert not re.search(r"n° \d", page.split("Journal d'audit", 1)[1])
    assert "saisie dans l&#x27;administration" in page and "import d&#x27;un classeur" in page


def test_l_heure_est_celle_de_paris_et_l_etiquette_le_dit(client, dossier):
    agent = utilisateur("agent.heure", roles.AGENT)
    changer_de_porteur(dossier, "Association des Horaires", agent)
    ete = datetime.datetime(2026, 7, 1, 10, 0, 5, tzinfo=datetime.UTC)  # 12:00:05 à Paris (heure d'été)
    EntreeJournal.objects.filter(nom_utilisateur="agent.heure").update(horodatage=ete)
    client.force_login(agent)
    page = client.get(f"/admin/programmation/dossier/{dossier.pk}/history/").content.decode()
    assert "Le (heure de Paris)" in page and "(UTC)" not in page
    assert "01/07/2026 12:00:05" in page and "01/07/2026 10:00:05" not in page

    client.force_login(utilisateur("directeur.heure", roles.DIRECTEUR))
    liste = client.get("/admin/journal/entreejournal/", {"q": "agent.heure"}).content.decode()
    assert "Le (heure de Paris)" in liste and "01/07/2026 12:00:05" in liste
    assert "porteur : Asso Numérique 2034-001 → Association des Horaires" in liste


def test_les_noms_se_lisent_en_une_requete_par_modele_lie(dossier):
    agent = utilisateur("agent.nombreux", roles.AGENT)
    changer_de_porteur(dossier, "Association n° 00 du quartier", agent)

    def requetes_pour_lire() -> tuple[int, list]:
        entrees = list(entrees_de(dossier))
        with CaptureQueriesContext(connection) as requetes:
            lisibles = rendre_lisibles(entrees)
        return len(requetes), lisibles

    peu, _ = requetes_pour_lire()
    for i in range(1, 40):
        changer_de_porteur(dossier, f"Association n° {i:02d} du quartier", agent)
    beaucoup, lisibles = requetes_pour_lire()
    assert len(lisibles) > 40
    # Une requête par modèle lié cité (porteur, programmation, pilier, dossier, financeur), pas par entrée.
    assert beaucoup == peu <= 5
    derniere = next(e for e in lisibles if "porteur" in e.changements)
    assert derniere.resume_lisible == (
        "porteur : Association n° 38 du quartier → Association n° 39 du quartier"
    )


def test_un_objet_lie_supprime_reste_lisible_par_son_numero(dossier):
    agent = utilisateur("agent.supprime", roles.AGENT)
    nouveau = changer_de_porteur(dossier, "Association éphémère", agent)
    entree = EntreeJournal.objects.filter(nom_utilisateur="agent.supprime").get()
    entree.changements = {"porteur": [nouveau.pk + 10_000, nouveau.pk]}
    [lisible] = rendre_lisibles([entree])
    assert lisible.resume_lisible == f"porteur : n° {nouveau.pk + 10_000} → Association éphémère"


@pytest.mark.django_db
def test_la_recherche_du_journal_ignore_les_accents(admin_client):
    Porteur.objects.create(nom="Association Mont-Liébaut Solidarité", type="ASSOCIATION")
    # Sans accents, et seulement lui : le quartier du Mont-Liébaut, dont la création est aussi au journal, n'a pas
    # « solidarité » dans son nom.
    page = admin_client.get("/admin/journal/entreejournal/", {"q": "liebaut solidarite"})
    assert page.status_code == 200
    assert [e.objet_repr for e in page.context["cl"].queryset] == ["Association Mont-Liébaut Solidarité"]
