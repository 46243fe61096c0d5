"""L'aiguillage de la racine du site et l'en-tête de l'admin : chaque rôle arrive là où est son travail."""

import pytest

from comptes import roles
from tests.comptes import utilisateur


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, attendu",
    [
        (roles.DIRECTEUR, "/tableau-de-bord/"),
        (roles.AGENT, "/admin/programmation/dossier/"),
        (roles.AUDITEUR, "/admin/"),
    ],
)
def test_chaque_role_interne_arrive_a_sa_page_de_travail(client, role, attendu):
    client.force_login(utilisateur(f"compte-{role}", role=role))
    reponse = client.get("/")
    assert reponse.status_code == 302 and reponse["Location"] == attendu
    assert client.get(attendu).status_code == 200


@pytest.mark.django_db
def test_un_anonyme_va_a_la_connexion_qui_ramene_a_l_aiguillage(client):
    reponse = client.get("/")
    assert reponse.status_code == 302 and reponse["Location"] == "/connexion/?next=/"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.DIRECTEUR, roles.AGENT])
def test_l_en_tete_de_l_admin_mene_au_tableau_de_bord_et_au_rapport(client, role):
    client.force_login(utilisateur(f"entete-{role}", role=role))
    page = client.get("/admin/").content.decode()
    assert '<a href="/tableau-de-bord/">Tableau de bord</a>' in page
    assert '<a href="/rapport-annuel/">Rapport annuel</a>' in page
    # « Voir le site » menait à la racine, qui ramène l'agent dans l'admin : il n'est plus proposé.
    assert "Voir le site" not in page


@pytest.mark.django_db
def test_l_auditeur_n_a_pas_de_lien_vers_ce_qu_il_ne_peut_pas_voir(client):
    client.force_login(utilisateur("auditeur-entete", role=roles.AUDITEUR))
    page = client.get("/admin/").content.decode()
    assert "Déconnexion" in page or "Log out" in page
    for lien in ("/tableau-de-bord/", "/rapport-annuel/"):
        if lien in page:
            assert client.get(lien).status_code == 200
