import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command

from rapport.contexte import contexte_du_rapport
from rapport.enums import StatutRapport
from rapport.models import RapportAnnuel
from rapport.rendu import pdf_du_rapport

from .donnees_rapport import annee
from .test_rendu import texte_pdf


def utilisateur(nom, *permissions, is_staff=True):
    user = User.objects.create_user(nom, password="mot-de-passe-solide", is_staff=is_staff)
    user.user_permissions.add(*Permission.objects.filter(codename__in=permissions))
    return user


@pytest.fixture
def agent(db):
    return utilisateur("agent", "view_rapportannuel")


@pytest.fixture
def directeur(db):
    return utilisateur("directeur", "view_rapportannuel", "approuver_rapportannuel")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_anonyme_renvoye_a_la_connexion(client):
    annee(2050, nb_dossiers=1)
    reponse = client.get("/rapport-annuel/2050/pdf/")
    assert reponse.status_code == 302 and reponse["Location"].startswith("/connexion/")


@pytest.mark.django_db
@pytest.mark.parametrize("is_staff, permissions", [(False, ("view_rapportannuel",)), (True, ())])
def test_reserve_aux_agents_ayant_le_droit_de_voir(client, is_staff, permissions):
    annee(2051, nb_dossiers=1)
    client.force_login(utilisateur("autre", *permissions, is_staff=is_staff))
    for url in [
        "/rapport-annuel/",
        "/rapport-annuel/2051/",
        "/rapport-annuel/2051/apercu/",
        "/rapport-annuel/2051/pdf/",
    ]:
        assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_liste_apercu_et_pdf_pour_un_agent(client, agent, tmp_path):
    annee(2052, nb_dossiers=2)
    client.force_login(agent)
    liste = client.get("/rapport-annuel/").content.decode()
    assert "2052" in liste and "Projet" in liste
    apercu = client.get("/rapport-annuel/2052/apercu/").content.decode()
    assert "3\u00a0001,00\u00a0€" in apercu and "<svg" in apercu
    reponse = client.get("/rapport-annuel/2052/pdf/")
    assert reponse["Content-Type"] == "application/pdf"
    assert 'filename="rapport-politique-ville-2052-projet.pdf"' in reponse["Content-Disposition"]
    assert "3 001,00 €" in texte_pdf(reponse.content, tmp_path)
    assert client.get("/rapport-annuel/1999/").status_code == 404


@pytest.mark.django_db
def test_l_agent_ne_peut_pas_faire_avancer(client, agent):
    annee(2053, nb_dossiers=1)
    client.force_login(agent)
    page = client.get("/rapport-annuel/2053/").content.decode()
    assert "Étape suivante" not in page
    reponse = client.post("/rapport-annuel/2053/etape-suivante/", {"vers": "ADOPTE", "date": "2022-09-27"})
    assert reponse.status_code == 403
    assert not RapportAnnuel.objects.filter(programmation__annee=2053, statut=StatutRapport.ADOPTE).exists()


@pytest.mark.django_db
def test_le_directeur_fait_avancer_et_voit_les_controles(client, directeur):
    from .donnees_rapport import dossier

    rapport = annee(2054, nb_dossiers=1)
    dossier(rapport.programmation, "2054-VIDE", lignes=[])
    client.force_login(directeur)
    page = client.get("/rapport-annuel/2054/").content.decode()
    assert "Dossiers retenus sans aucun montant accordé" in page and "2054-VIDE" in page
    assert "Étape suivante : Adopté en conseil communautaire" in page

    erreur = client.post("/rapport-annuel/2054/etape-suivante/", {"vers": "ADOPTE"})
    assert erreur.status_code == 400 and "Ce champ est obligatoire" in erreur.content.decode()

    client.post("/rapport-annuel/2054/etape-suivante/", {"vers": "ADOPTE", "date": "2022-09-27"})
    client.post(
        "/rapport-annuel/2054/etape-suivante/",
        {"vers": "EN_CONSULTATION", "date": "07/10/2022", "date_limite": "07/11/2022"},
    )
    refus = client.post("/rapport-annuel/2054/etape-suivante/", {"vers": "DEFINITIF", "date": "2022-12-06"})
    assert refus.status_code == 400 and "en connaissance de cause" in refus.content.decode()
    assert RapportAnnuel.objects.get(pk=rapport.pk).statut == StatutRapport.EN_CONSULTATION

    fin = client.post(
        "/rapport-annuel/2054/etape-suivante/",
        {"vers": "DEFINITIF", "date": "2022-12-06", "en_connaissance_de_cause": "on"},
        follow=True,
    )
    page = fin.content.decode()
    assert "Définitif" in page and "6 décembre 2022" in page and "Empreinte SHA-256" in page
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.DEFINITIF and rapport.date_approbation == datetime.date(
        2022, 12, 6
    )
    # double envoi : rien ne bouge
    encore = client.post("/rapport-annuel/2054/etape-suivante/", {"vers": "DEFINITIF", "date": "2022-12-07"})
    assert encore.status_code == 302
    assert RapportAnnuel.objects.get(pk=rapport.pk).date_approbation == datetime.date(2022, 12, 6)
    # l'aperçu d'un définitif renvoie au PDF stocké
    assert client.get("/rapport-annuel/2054/apercu/")["Location"].endswith("/rapport-annuel/2054/pdf/")


@pytest.mark.django_db
def test_lien_depuis_l_administration(client, agent):
    annee(2055, nb_dossiers=1)
    agent.user_permissions.add(Permission.objects.get(codename="view_dossier"))
    client.force_login(agent)
    index = client.get("/admin/").content.decode()
    assert "/admin/rapport/rapportannuel/" in index and "Rapports annuels" in index
    assert "/admin/rapport/rapportannuel/add/" not in index  # le cycle passe par les pages du rapport
    assert client.get("/admin/rapport/rapportannuel/")["Location"] == "/rapport-annuel/"


@pytest.mark.django_db
def test_commande_rapport_annuel(tmp_path):
    annee(2056, nb_dossiers=2)
    sortie = tmp_path / "r.pdf"
    call_command("rapport_annuel", "2056", "--output", str(sortie))
    assert "3 001,00 €" in texte_pdf(sortie.read_bytes(), tmp_path)
    with pytest.raises(CommandError, match="Aucune programmation"):
        call_command("rapport_annuel", "1990", "--output", str(sortie))


@pytest.mark.django_db
@pytest.mark.parametrize("nb_dossiers", [2, 40])
def test_requetes_du_rapport_bornees(django_assert_max_num_queries, nb_dossiers):
    rapport = annee(2060, nb_dossiers=nb_dossiers)
    with django_assert_max_num_queries(20):
        pdf_du_rapport(RapportAnnuel.objects.get(pk=rapport.pk))


@pytest.mark.django_db
@pytest.mark.parametrize("nb_dossiers", [2, 40])
def test_requetes_des_pages_bornees(client, directeur, django_assert_max_num_queries, nb_dossiers):
    rapport = annee(2061, nb_dossiers=nb_dossiers)
    contexte_du_rapport(rapport)
    client.force_login(directeur)
    for url in ["/rapport-annuel/", "/rapport-annuel/2061/", "/rapport-annuel/2061/apercu/"]:
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_un_rendu_trop_long_donne_une_page_en_francais_et_n_approuve_rien(client, directeur, settings):
    rapport = annee(2056, nb_dossiers=1)
    client.force_login(directeur)
    client.post("/rapport-annuel/2056/etape-suivante/", {"vers": "ADOPTE", "date": "2022-09-27"})
    client.post(
        "/rapport-annuel/2056/etape-suivante/",
        {"vers": "EN_CONSULTATION", "date": "07/10/2022", "date_limite": "07/11/2022"},
    )
    settings.WEASYPRINT_TIMEOUT = 0.01

    reponse = client.get("/rapport-annuel/2056/pdf/")
    assert reponse.status_code == 503 and reponse["Retry-After"] == "120"
    assert "Le PDF du rapport 2056 n'a pas pu être produit" in reponse.content.decode()
    assert "limite de 0,01 s" in reponse.content.decode()

    refus = client.post(
        "/rapport-annuel/2056/etape-suivante/",
        {"vers": "DEFINITIF", "date": "2022-12-06", "en_connaissance_de_cause": "on"},
    )
    assert refus.status_code == 400
    assert "Le PDF définitif n&#x27;a pas pu être produit" in refus.content.decode()
    assert "limite de 0,01 s. Rien n&#x27;a été enregistré" in refus.content.decode()
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.EN_CONSULTATION and not rapport.pdf_definitif
    assert rapport.transitions.filter(vers=StatutRapport.DEFINITIF).count() == 0
