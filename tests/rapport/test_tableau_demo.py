"""Le tableau de bord sur les données de démonstration : les chiffres du rapport 2021, un quartier filtré
cohérent avec la liste de l'admin qu'il ouvre, et les mêmes chiffres que le rapport annuel."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import User

from contrat_ville.models import Quartier
from programmation.models import Programmation
from rapport.contexte import contexte_du_rapport
from rapport.models import RapportAnnuel

pytestmark = pytest.mark.django_db
URL = "/tableau-de-bord/"
D = Decimal


@pytest.fixture
def agent(client):
    u = User.objects.create_superuser("agent-demo", password="mot-de-passe-de-test")
    client.force_login(u)
    return u


def texte(reponse) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", reponse.content.decode()))).replace(
        "\u00a0", " "
    )


def resultats_admin(client, lien):
    reponse = client.get(lien)
    assert reponse.status_code == 200, lien
    return reponse.context["cl"]


def test_tableau_2021_montre_les_chiffres_du_rapport(client, agent, donnees_demo):
    reponse = client.get(URL, {"annee": 2021})
    page = texte(reponse)
    assert "Total programmé 6 931 463,00 €" in page
    assert "Dossiers déposés 141" in page
    assert "Part des crédits spécifiques 59,6 %" in page
    assert "Opérateurs associatifs (dossiers retenus) 75" in page
    assert "Fonds de cohésion sociale attribué 92 921,00 €" in page
    # Le tableau par pilier et ses parts, comme la section 3 du rapport.
    for libelle, montant, part in [
        ("Cohésion sociale", "4 734 927,00 €", "68,3 %"),
        ("Cadre de vie, renouvellement urbain", "724 721,00 €", "10,5 %"),
        ("Emploi et développement économique", "1 407 515,00 €", "20,3 %"),
        ("Pilotage, qualification des acteurs, évaluation", "64 300,00 €", "0,9 %"),
    ]:
        assert f"{libelle} {montant} {part}" in page
    assert "Total 6 931 463,00 € 100,0 % 2 798 933,00 € 4 132 530,00 €" in page
    # L'année précédente de démonstration sert de comparaison.
    assert reponse.context["tableau"].annee_precedente == 2020
    assert "écart" in page


def test_filtrer_un_quartier_change_chaque_chiffre_comme_la_liste_de_l_admin(client, agent, donnees_demo):
    tous = client.get(URL, {"annee": 2021}).context
    quartier = Quartier.objects.get(code="QN06208M")  # Mont Liébaut, Béthune
    reponse = client.get(URL, {"annee": 2021, "quartier": quartier.pk})
    ctx = reponse.context
    c, c_tous = ctx["tableau"].comparaisons, tous["tableau"].comparaisons
    for cle in ("total", "nb_deposes", "nb_retenus", "specifiques", "nb_associatifs"):
        assert 0 < c[cle].valeur < c_tous[cle].valeur, cle
    # Chaque chiffre est celui de la liste de l'admin vers laquelle il mène.
    retenus = resultats_admin(client, ctx["liens"]["retenus"])
    assert retenus.result_count == c["nb_retenus"].valeur
    assert sum(d.total_accorde for d in retenus.queryset) == c["total"].valeur
    assert resultats_admin(client, ctx["liens"]["deposes"]).result_count == c["nb_deposes"].valeur
    assert resultats_admin(client, ctx["liens"]["associatifs"]).result_count == c["nb_associatifs"].valeur
    for ligne, lien in ctx["piliers"]:
        dossiers = resultats_admin(client, lien).queryset
        assert sum(d.total_accorde for d in dossiers) == ligne.montant, ligne.pilier
    for ligne, lien in ctx["financeurs"]:
        assert resultats_admin(client, lien).result_count == ligne.nb_dossiers, ligne.financeur
    for point, lien in ctx["annees"]:
        assert resultats_admin(client, lien).result_count == point.nb_retenus, point.annee
    # Les graphiques suivent : le secteur, les barres, la carte et la courbe portent les montants filtrés.
    html = unescape(reponse.content.decode()).replace("\u00a0", " ")
    cohesion = ctx["tableau"].piliers.lignes[0]
    secteurs = html.split('aria-label="Répartition financière par pilier', 1)[1].split("</svg>", 1)[0]
    assert (
        f"{cohesion.montant:,.0f} € ({cohesion.taux:.1f} %)".replace(",", " ").replace(".", ",") in secteurs
    )
    assert (
        f"Quartier Du Mont Liébaut : {c['total'].valeur:,.2f} €".replace(",", " ").replace(".", ",") in html
    )
    mont_liebaut = next(ligne for ligne, _ in ctx["quartiers"] if ligne.quartier == quartier)
    assert mont_liebaut.montant == c["total"].valeur
    assert [p.total for p in ctx["tableau"].tendance if p.annee == 2021] == [c["total"].valeur]


def test_tableau_et_rapport_2021_ont_les_memes_chiffres(client, agent, donnees_demo):
    tableau = client.get(URL, {"annee": 2021}).context["tableau"]
    rapport = contexte_du_rapport(RapportAnnuel(programmation=Programmation.objects.get(annee=2021)))
    assert tableau.chiffres.total == rapport["chiffres"].total == D("6931463.00")
    assert tableau.chiffres.nb_deposes == rapport["chiffres"].nb_deposes == 141
    assert tableau.chiffres.nb_retenus == rapport["chiffres"].nb_retenus
    assert tableau.chiffres.nb_refuses == rapport["chiffres"].nb_refuses
    assert tableau.piliers == rapport["repartition"]
    assert tableau.chiffres.taux_specifiques == rapport["repartition"].taux_specifiques == D("59.6")
    assert tableau.chiffres.nb_associatifs == rapport["operateurs"].total == 75
    assert tableau.chiffres.fcs.attribue == rapport["fcs"].total
    assert tableau.chiffres.fcs.enveloppe == rapport["fcs"].montant_enveloppe
    assert tableau.chiffres.fcs.reste == rapport["fcs"].reste
    assert tableau.chiffres.fcs.nb_projets == rapport["fcs"].nb_projets == 22


def test_les_chiffres_du_fcs_menent_a_l_enveloppe_de_l_annee_qui_montre_les_memes(
    client, agent, donnees_demo
):
    reponse = client.get(URL, {"annee": 2021})
    indicateurs = {i["cle"]: i for i in reponse.context["indicateurs"]}
    lien = indicateurs["fcs_attribue"]["lien"]
    assert lien == indicateurs["fcs_reste"]["lien"] == "/admin/fcs/enveloppefcs/?annee=2021"
    liste = client.get(lien)
    enveloppes = list(liste.context["cl"].result_list)
    assert [e.annee for e in enveloppes] == [2021]
    page = texte(liste)
    fcs = reponse.context["tableau"].chiffres.fcs
    assert "92 921,00 €" in page and fcs.attribue == D("92921.00")


def test_chaque_chiffre_cle_qui_compte_des_dossiers_mene_a_la_liste_de_l_admin_qui_en_a_autant(
    client, agent, donnees_demo
):
    reponse = client.get(URL, {"annee": 2021})
    for i in reponse.context["indicateurs"]:
        if i["cle"].startswith("nb_"):
            cl = resultats_admin(client, i["lien"])
            assert cl.result_count == i["comparaison"].valeur, i["cle"]
