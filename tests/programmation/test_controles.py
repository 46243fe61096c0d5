"""Contrôles de cohérence : chacun sonne sur un dossier réaliste, mène à ce seul dossier, et se tait sinon."""

from decimal import Decimal
from html import unescape

import pytest

from comptes import roles
from contrat_ville.enums import CodeFinanceur, NatureCredits, TypePorteur
from contrat_ville.models import Porteur, Thematique
from noyau.nombres import formater_euros
from programmation.controles import (
    SEUIL_OPEN_DATA,
    controles_de_l_annee,
    dossiers_concernes,
    synthese_des_controles,
)
from programmation.enums import StatutDossier, TypeBloc
from programmation.models import BlocNarratif
from tests.comptes import utilisateur
from tests.rapport.donnees_rapport import annee, dossier

ETAT = (CodeFinanceur.ETAT_ANCT, NatureCredits.SPECIFIQUE, "8000.00")


def annee_propre(numero: int):
    """Une année sans défaut : deux dossiers retenus complets et chaque bloc du rapport rédigé."""
    rapport = annee(numero, nb_dossiers=2)  # ses blocs sont rédigés (donnees_rapport.rediger_blocs)
    assert BlocNarratif.objects.filter(programmation=rapport.programmation).count() == len(TypeBloc)
    return rapport.programmation


def par_code(annee_: int) -> dict:
    return {a.code: a for a in controles_de_l_annee(annee_)}


def numeros_listes(client, lien: str) -> list[str]:
    """Les numéros de dossiers que montre la liste de l'admin ouverte par le lien."""
    page = client.get(lien)
    assert page.status_code == 200
    return sorted(d.numero for d in page.context["cl"].result_list)


@pytest.fixture
def agent(db, client):
    u = utilisateur("agent-controles", role=roles.AGENT)
    client.force_login(u)
    return u


@pytest.mark.django_db
def test_une_annee_propre_ne_signale_rien():
    annee_propre(2060)
    assert controles_de_l_annee(2060) == ()


# (code, ce qui rend le dossier défaillant) : chaque cas est un dossier qu'un agent aurait pu saisir ainsi.
CAS = {
    "sans_quartier": lambda p: dossier(
        p, "2061-014", intitule="Accompagnement à la scolarité", lignes=[ETAT], quartiers=()
    ),
    "sans_ligne": lambda p: dossier(p, "2061-014", intitule="Café des parents", lignes=[]),
    "retenus_sans_montant": lambda p: dossier(
        p, "2061-014", intitule="Atelier santé ville", lignes=[(CodeFinanceur.CAF, "DROIT_COMMUN", "0.00")]
    ),
    "lignes_sans_nature": lambda p: dossier(
        p, "2061-014", intitule="Chantier d'insertion", lignes=[(CodeFinanceur.COMMUNE, "", "2500.00")]
    ),
    "thematique_hors_pilier": lambda p: dossier(
        p,
        "2061-014",
        intitule="Gestion urbaine de proximité",
        pilier="1",
        thematique=Thematique.objects.get(code="3.1"),
        lignes=[ETAT],
    ),
    "focus_sans_description": lambda p: dossier(
        p,
        "2061-014",
        intitule="Aidants numériques",
        focus=True,
        focus_objectif="Former 40 aidants",
        lignes=[ETAT],
    ),
    "porteur_sans_siret": lambda p: dossier(
        p,
        "2061-014",
        intitule="Médiation sociale – 2 postes d'adultes-relais",
        porteur_=Porteur.objects.create(nom="Association Médiation Artois", type=TypePorteur.ASSOCIATION),
        lignes=[(CodeFinanceur.ETAT_ANCT, NatureCredits.SPECIFIQUE, "23000.01")],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("code", list(CAS))
def test_chaque_controle_sonne_et_mene_au_seul_dossier_concerne(client, agent, code):
    programmation = annee_propre(2061)
    CAS[code](programmation)
    anomalies = par_code(2061)
    assert code in anomalies, anomalies
    anomalie = anomalies[code]
    assert anomalie.nombre == 1
    if code == "porteur_sans_siret":
        assert anomalie.exemples == (
            f"Association Médiation Artois : {formater_euros(Decimal('23000.01'))} accordés",
        )
    else:
        assert anomalie.exemples[0].startswith("2061-014 – ")
    # Le lien ouvre la liste des dossiers de l'admin sur l'année et ce seul dossier.
    assert "programmation__annee=2061" in anomalie.lien and f"controle={code}" in anomalie.lien
    assert numeros_listes(client, anomalie.lien) == ["2061-014"]
    # Le tableau de bord compte le même point, mène au même endroit.
    synthese = {a.code: a for a in synthese_des_controles(programmation)}
    assert synthese.keys() == anomalies.keys()  # un dossier sans ligne est aussi sans montant accordé
    assert (synthese[code].nombre, synthese[code].lien) == (1, anomalie.lien)


@pytest.mark.django_db
def test_le_seuil_open_data_est_strict_et_le_siret_suffit():
    programmation = annee_propre(2062)
    # Deux dossiers du même porteur : c'est ce qu'il reçoit dans l'année qui compte, pas chaque dossier.
    sans_siret = Porteur.objects.create(nom="Association Quartiers Solidaires", type=TypePorteur.ASSOCIATION)
    dossier(
        programmation, "2062-010", porteur_=sans_siret, lignes=[(CodeFinanceur.AGGLO, "SPECIFIQUE", "15000")]
    )
    dossier(
        programmation,
        "2062-011",
        porteur_=sans_siret,
        lignes=[(CodeFinanceur.COMMUNE, "DROIT_COMMUN", "8000")],
    )
    assert "porteur_sans_siret" not in par_code(2062)  # 23 000,00 € tout juste : pas au-delà du seuil
    dossier(
        programmation, "2062-012", porteur_=sans_siret, lignes=[(CodeFinanceur.CAF, "DROIT_COMMUN", "0.50")]
    )
    anomalie = par_code(2062)["porteur_sans_siret"]
    assert anomalie.nombre == 3 and formater_euros(Decimal("23000.50")) in anomalie.exemples[0]
    # Un dossier refusé ne reçoit rien : il n'entre pas dans le total.
    dossier(
        programmation,
        "2062-013",
        porteur_=Porteur.objects.create(nom="Refusée", type=TypePorteur.ASSOCIATION),
        statut=StatutDossier.REFUSE,
        lignes=[(CodeFinanceur.AGGLO, "SPECIFIQUE", "50000")],
    )
    assert par_code(2062)["porteur_sans_siret"].nombre == 3
    # L'année connue (tableau de bord, liens des contrôles) ou non (liste de l'admin sans année) : mêmes dossiers,
    # et pas ceux d'une autre année où le même porteur ne dépasse pas le seuil.
    dossier(
        annee_propre(2063),
        "2063-050",
        porteur_=sans_siret,
        lignes=[(CodeFinanceur.AGGLO, "SPECIFIQUE", "100")],
    )
    numeros = {"2062-010", "2062-011", "2062-012"}
    assert {d.numero for d in dossiers_concernes("porteur_sans_siret", annee=2062)} == numeros
    assert {d.numero for d in dossiers_concernes("porteur_sans_siret")} == numeros
    assert not dossiers_concernes("porteur_sans_siret", annee=2063).exists()
    sans_siret.siret = "77567227221138"  # un SIRET à la clé valide
    sans_siret.save()
    assert "porteur_sans_siret" not in par_code(2062)
    assert Decimal("23000") == SEUIL_OPEN_DATA


@pytest.mark.django_db
def test_un_bloc_manquant_est_signale_avec_le_lien_pour_le_rediger(client, agent):
    programmation = annee_propre(2063)
    BlocNarratif.objects.filter(programmation=programmation, type=TypeBloc.PNRU).delete()
    anomalie = par_code(2063)["blocs_manquants"]
    assert anomalie.exemples == (TypeBloc.PNRU.label,)
    page = client.get(anomalie.lien)
    assert page.status_code == 200
    formulaire = page.context["adminform"].form
    assert formulaire.initial["type"] == TypeBloc.PNRU and str(formulaire.initial["programmation"]) == str(
        programmation.pk
    )


@pytest.mark.django_db
def test_nombre_de_requetes_borne(django_assert_max_num_queries):
    programmation = annee_propre(2064)
    for i in range(30):
        dossier(programmation, f"2064-1{i:02d}", lignes=[], quartiers=(), focus=True)
    with django_assert_max_num_queries(12):
        anomalies = par_code(2064)
    assert anomalies["sans_ligne"].nombre == 30 and len(anomalies["sans_ligne"].exemples) == 10
    # Le tableau de bord les compte tous, blocs compris, en une seule requête.
    BlocNarratif.objects.filter(programmation=programmation, type=TypeBloc.PNRU).delete()
    with django_assert_max_num_queries(1):
        synthese = {a.code: a for a in synthese_des_controles(programmation)}
    assert {code: a.nombre for code, a in synthese.items()} == {
        "sans_quartier": 30,
        "sans_ligne": 30,
        "retenus_sans_montant": 30,
        "focus_sans_description": 30,
        "blocs_manquants": 1,
    }
    assert synthese["blocs_manquants"].exemples == (TypeBloc.PNRU.label,)


@pytest.mark.django_db
def test_la_fiche_du_rapport_et_le_tableau_de_bord_montrent_les_controles_avec_leurs_liens(client):
    programmation = annee_propre(2065)
    CAS["thematique_hors_pilier"](programmation)
    client.force_login(utilisateur("directeur-controles", role=roles.DIRECTEUR))
    lien = "/admin/programmation/dossier/?programmation__annee=2065&amp;controle=thematique_hors_pilier"
    fiche = client.get("/rapport-annuel/2065/").content.decode()
    assert "Dossiers dont la thématique n&#x27;appartient pas au pilier" in fiche
    assert lien in fiche
    tableau = client.get("/tableau-de-bord/?annee=2065").content.decode()
    assert "Contrôles de cohérence 2065" in tableau
    assert lien in tableau and "Voir le dossier concerné" in unescape(tableau)


@pytest.mark.django_db
def test_l_approbation_retient_ce_que_le_rapport_imprime_et_la_fiche_montre_le_reste(client):
    from rapport.contexte import contexte_du_rapport, controles_du_rapport
    from rapport.models import RapportAnnuel

    programmation = annee_propre(2066)
    CAS["thematique_hors_pilier"](programmation)
    dossier(
        programmation,
        "2066-020",
        porteur_=Porteur.objects.create(nom="Régie de quartier", type=TypePorteur.ASSOCIATION),
        lignes=[(CodeFinanceur.AGGLO, NatureCredits.SPECIFIQUE, "30000")],
    )
    BlocNarratif.objects.filter(programmation=programmation, type=TypeBloc.PERSPECTIVES).delete()
    rapport = RapportAnnuel.objects.get(programmation=programmation)
    codes = {a.code for a in controles_du_rapport(contexte_du_rapport(rapport))}
    assert "thematique_hors_pilier" in codes
    assert "porteur_sans_siret" not in codes and "blocs_manquants" not in codes
    client.force_login(utilisateur("directeur-fiche", role=roles.DIRECTEUR))
    fiche = unescape(client.get("/rapport-annuel/2066/").content.decode())
    assert "1 point à vérifier avant l'approbation" in fiche
    assert "2 autres points à corriger" in fiche and "ils ne retiennent pas l'approbation" in fiche
    assert "Régie de quartier : 30\u00a0000,00\u00a0€ accordés" in fiche
    assert "Perspectives" in fiche and "Rédiger le premier bloc manquant" in fiche


@pytest.mark.django_db
def test_les_exemples_tronques_disent_combien_de_porteurs_ou_de_dossiers_en_tout():
    programmation = annee_propre(2067)
    for i in range(12):
        porteur = Porteur.objects.create(nom=f"Association n° {i:02d}", type=TypePorteur.ASSOCIATION)
        for j in range(2):  # deux dossiers par porteur : 24 dossiers, 12 porteurs
            dossier(
                programmation,
                f"2067-1{i:02d}{j}",
                porteur_=porteur,
                lignes=[(CodeFinanceur.AGGLO, NatureCredits.SPECIFIQUE, "12000")],
                quartiers=(),
            )
    anomalies = par_code(2067)
    siret = anomalies["porteur_sans_siret"]
    assert (siret.nombre, len(siret.exemples), siret.suite) == (24, 10, "… 12 porteurs au total")
    quartier = anomalies["sans_quartier"]
    assert (quartier.nombre, len(quartier.exemples), quartier.suite) == (24, 10, "… 24 dossiers au total")
