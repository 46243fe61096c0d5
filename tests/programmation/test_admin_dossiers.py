"""La liste et le formulaire des dossiers pour le travail quotidien : totaux de la liste filtrée lus sur les
sélecteurs du rapport, ouverture sur l'année courante, filtres par code, recherche sans accents, thématique du
pilier, numéro suggéré, champs obligatoires dits en mots, page d'une année."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from contrat_ville.enums import NatureCredits
from contrat_ville.models import Financeur, Pilier, Quartier, Thematique
from journal.concurrence import CHAMP_JETON
from noyau.nombres import formater_euros
from programmation.models import Dossier, LigneFinancement, Programmation
from programmation.selectors.chiffres import chiffres_programmation
from programmation.selectors.repartitions import repartition_par_pilier
from programmation.selectors.selections import piliers_du_contrat
from tests.factories import DossierFactory, LigneFinancementFactory, PorteurFactory, UserFactory

D = Decimal
LISTE = "admin:programmation_dossier_changelist"
AJOUT = "admin:programmation_dossier_add"


@pytest.fixture
def agent(client):
    user = UserFactory(username="agent.quotidien", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["programmation", "fcs"])
        | Permission.objects.filter(content_type__app_label="contrat_ville")
    )
    client.force_login(user)
    return user


def texte(reponse) -> str:
    return reponse.content.decode().replace("\xa0", " ")


def numeros(reponse) -> set[str]:
    return {d.numero for d in reponse.context["cl"].queryset}


# --- La liste ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_la_liste_s_ouvre_sur_la_derniere_annee_et_montre_toutes_les_annees_sur_demande(
    client, agent, donnees_demo
):
    url = reverse(LISTE)
    page = client.get(url)
    assert page.context["cl"].result_count == Dossier.objects.filter(programmation__annee=2021).count()
    assert {d.programmation.annee for d in page.context["cl"].queryset} == {2021}
    choix = re.search(r"Par année.*?</ul>", texte(page), re.S).group(0)
    assert '<li class="selected">\n    <a href="?programmation__annee=2021"' in choix or "selected" in choix
    assert "2 021" not in choix and "2021" in choix

    toutes = client.get(url, {"programmation__annee": "toutes"})
    assert toutes.context["cl"].result_count == Dossier.objects.count()
    annee_2020 = client.get(url, {"programmation__annee": "2020"})
    assert {d.programmation.annee for d in annee_2020.context["cl"].queryset} == {2020}
    # Chercher un dossier sans choisir d'année : toutes les années.
    recherche = client.get(url, {"q": "mont liebaut"})
    assert {d.programmation.annee for d in recherche.context["cl"].queryset} == {2020, 2021}


@pytest.mark.django_db
def test_la_ligne_des_totaux_est_celle_du_rapport_pour_les_dossiers_retenus(client, agent, donnees_demo):
    dossiers = Dossier.objects.filter(programmation__annee=2021, statut="RETENU")
    rapport = chiffres_programmation(dossiers)
    piliers = repartition_par_pilier(dossiers, piliers_du_contrat(2021))
    lignes = LigneFinancement.objects.filter(dossier__in=dossiers)
    sollicite = sum((ligne.montant_sollicite for ligne in lignes), D(0))

    page = client.get(reverse(LISTE), {"programmation__annee": 2021, "statut__exact": "RETENU"})

    totaux = page.context["totaux_liste"]
    assert totaux.accorde == rapport.total == D("6931463.00")  # le total programmé du rapport 2021
    assert totaux.specifiques == piliers.specifiques
    assert totaux.droit_commun == piliers.droit_commun
    assert totaux.sollicite == sollicite
    tableau = re.search(r'<table class="totaux-liste".*?</table>', texte(page), re.S).group(0)
    assert f"Totaux de la liste filtrée ({dossiers.count()} dossiers, toutes pages)" in tableau
    for montant in (sollicite, rapport.total, piliers.droit_commun, piliers.specifiques):
        assert formater_euros(montant).replace("\xa0", " ") in tableau


@pytest.mark.django_db
def test_le_chiffre_d_un_financeur_du_tableau_de_bord_est_le_total_de_sa_liste(client, agent, donnees_demo):
    """Le directeur clique sur le montant de l'État (ANCT) au tableau de bord : la liste montre le même total."""
    agent.user_permissions.add(Permission.objects.get(codename="view_dossier"))
    client.force_login(agent)
    agent.is_superuser = True
    agent.save()
    tableau = client.get("/tableau-de-bord/", {"annee": 2021})
    etat = Financeur.objects.get(code="ETAT-ANCT")
    ligne, lien = next(
        (ligne, lien) for ligne, lien in tableau.context["financeurs"] if ligne.financeur == etat
    )
    assert ligne.montant > 0
    page = client.get(lien)
    assert page.context["totaux_liste"].accorde == ligne.montant
    assert f"lignes de {etat.nom} seulement" in texte(page)


@pytest.mark.django_db
def test_les_totaux_comptent_la_liste_filtree_entiere_une_fois_chaque_ligne(client, agent):
    """Un dossier visé par deux quartiers d'une commune apparaît deux fois dans la jointure du filtre : ses
    lignes ne comptent qu'une fois, et les dossiers de la page suivante comptent aussi."""
    annee = Programmation.objects.create(contrat=Pilier.objects.first().contrat, annee=2090)
    quartiers = list(Quartier.objects.filter(communes__nom="Béthune")[:2])
    assert len(quartiers) == 2
    for i in range(55):  # plus d'une page de 50
        dossier = DossierFactory(programmation=annee, numero=f"2090-{i + 1:03d}")
        dossier.quartiers.set(quartiers)
        LigneFinancementFactory(dossier=dossier, montant_sollicite=D("12000"), montant_accorde=D("10000.10"))
        LigneFinancementFactory(
            dossier=dossier,
            financeur=Financeur.objects.get(code="DEPARTEMENT"),
            nature=NatureCredits.DROIT_COMMUN,
            montant_sollicite=D("3500.50"),
            montant_accorde=D("0.40"),
        )
    commune = quartiers[0].communes.get()
    page = client.get(
        reverse(LISTE), {"programmation__annee": 2090, "quartiers__communes__id__exact": commune.pk}
    )
    totaux = page.context["totaux_liste"]
    assert (totaux.sollicite, totaux.accorde, totaux.droit_commun, totaux.specifiques) == (
        D("852527.50"),
        D("550027.50"),
        D("22.00"),
        D("550005.50"),
    )
    assert "852 527,50 €" in texte(page)


@pytest.mark.django_db
def test_colonnes_utiles_et_nombre_de_requetes_borne(
    client, agent, donnees_demo, django_assert_max_num_queries
):
    url = reverse(LISTE)
    with django_assert_max_num_queries(20):
        page = client.get(url)
    entetes = (
        [c["text"] for c in page.context["result_headers"]] if "result_headers" in page.context else None
    )
    contenu = texte(page)
    for colonne in ("column-statut", "column-total_sollicite", "column-total_accorde", "column-intitule"):
        assert colonne in contenu, entetes
    # Plus de dossiers, autant de requêtes : les sommes sont des sous-requêtes corrélées, pas une par ligne.
    annee = Programmation.objects.get(annee=2021)
    for i in range(60):
        LigneFinancementFactory(dossier=DossierFactory(programmation=annee, numero=f"2021-9{i:02d}"))
    with django_assert_max_num_queries(20):
        client.get(url)
    with django_assert_max_num_queries(20):
        client.get(url, {"q": "Mont-Liébaut", "statut__exact": "RETENU"})


@pytest.mark.django_db
def test_piliers_et_thematiques_filtres_dans_l_ordre_de_leur_code(client, agent, donnees_demo):
    # L'ordre du rapport (« ordre ») peut différer de celui des codes : le filtre suit les codes.
    contrat = Programmation.objects.get(annee=2021).contrat
    for pilier, ordre in zip(
        Pilier.objects.filter(contrat=contrat).order_by("code"), [1, 3, 2, 4], strict=True
    ):
        Pilier.objects.filter(pk=pilier.pk).update(ordre=ordre)
    page = client.get(reverse(LISTE))
    filtres = {f.title: f for f in page.context["cl"].filter_specs}
    codes = [libelle.split(".")[0] for _pk, libelle in filtres["élément du cadre"].lookup_choices]
    assert codes == ["1", "2", "3", "4"]
    thematiques = [libelle.split(" ")[0] for _pk, libelle in filtres["thématique ANCT"].lookup_choices]
    assert (
        thematiques.index("1.5")
        < thematiques.index("1.5a")
        < thematiques.index("1.6")
        < thematiques.index("2.1")
    )


# --- La recherche -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "terme", ["mont liebaut", "Mont-Liébaut", "MONT LIÉBAUT", "mont-liebaut", "Mont Liébaut"]
)
def test_la_recherche_ignore_accents_casse_et_tirets(client, agent, terme):
    annee = Programmation.objects.create(contrat=Pilier.objects.first().contrat, annee=2091)
    centre = PorteurFactory(nom="Centre social du Mont-Liébaut")
    trouves = {
        DossierFactory(programmation=annee, numero="2091-001", porteur=centre).numero,
        DossierFactory(programmation=annee, numero="2091-002", intitule="Fête du MONT LIEBAUT").numero,
        DossierFactory(
            programmation=annee, numero="2091-003", intitule="Jardins partagés mont liébaut"
        ).numero,
    }
    DossierFactory(programmation=annee, numero="2091-004", intitule="Jardins du Mont-Saint-Éloi")
    DossierFactory(programmation=annee, numero="2091-005", intitule="Liébaut tout court")

    page = client.get(reverse(LISTE), {"q": terme, "programmation__annee": 2091})
    assert numeros(page) == trouves

    porteurs = client.get(reverse("admin:contrat_ville_porteur_changelist"), {"q": terme})
    assert [p.nom for p in porteurs.context["cl"].queryset] == ["Centre social du Mont-Liébaut"]
    lignes = client.get(reverse("admin:programmation_lignefinancement_changelist"), {"q": terme})
    assert lignes.status_code == 200


@pytest.mark.django_db
def test_la_recherche_des_quartiers_et_des_numeros(client, agent):
    quartiers = client.get(reverse("admin:contrat_ville_quartier_changelist"), {"q": "mont liebaut"})
    assert "QN06208M" in {q.code for q in quartiers.context["cl"].queryset}
    quartiers = client.get(reverse("admin:contrat_ville_quartier_changelist"), {"q": "qn06208m"})
    assert {q.code for q in quartiers.context["cl"].queryset} == {"QN06208M"}
    # L'autocomplétion (porteur du formulaire de dossier) cherche de même.
    PorteurFactory(nom="Maison de l'Économie Solidaire")
    reponse = client.get(
        "/admin/autocomplete/",
        {
            "term": "economie solidaire",
            "app_label": "programmation",
            "model_name": "dossier",
            "field_name": "porteur",
        },
    )
    assert [r["text"] for r in reponse.json()["results"]] == ["Maison de l'Économie Solidaire"]


# --- Le formulaire ----------------------------------------------------------------------------------------


def formulaire_nouveau(programmation, pilier, thematique=None, **modifs) -> dict:
    porteur = PorteurFactory()
    donnees = {
        "programmation": programmation.pk,
        "numero": f"{programmation.annee}-500",
        "intitule": "Atelier numérique",
        "porteur": porteur.pk,
        "statut": "DEPOSE",
        "cout_total": "15 500,50",
        "pilier": pilier.pk,
        "thematique": thematique.pk if thematique else "",
        "lignes_financement-TOTAL_FORMS": 2,
        "lignes_financement-INITIAL_FORMS": 0,
        "lignes_financement-MIN_NUM_FORMS": 0,
        "lignes_financement-MAX_NUM_FORMS": 1000,
        "lignes_financement-0-financeur": Financeur.objects.get(code="ETAT-ANCT").pk,
        "lignes_financement-0-nature": "SPECIFIQUE",
        "lignes_financement-0-montant_sollicite": "12 000",
        "lignes_financement-0-montant_accorde": "12 000",
        "lignes_financement-1-financeur": Financeur.objects.get(code="DEPARTEMENT").pk,
        "lignes_financement-1-nature": "DROIT_COMMUN",
        "lignes_financement-1-montant_sollicite": "3 500,50",
        "lignes_financement-1-montant_accorde": "3\u202f500,50\u00a0€",
        CHAMP_JETON: "",
    }
    donnees.update(modifs)
    return donnees


@pytest.mark.django_db
def test_un_dossier_se_cree_avec_des_montants_tapes_a_la_francaise(client, agent):
    annee = Programmation.objects.create(contrat=Pilier.objects.first().contrat, annee=2092)
    pilier = Pilier.objects.get(contrat=annee.contrat, code="1")
    reponse = client.post(reverse(AJOUT), formulaire_nouveau(annee, pilier))
    assert reponse.status_code == 302, reponse.context["adminform"].form.errors
    dossier = Dossier.objects.get(programmation=annee)
    assert dossier.cout_total == D("15500.50")
    assert sorted(dossier.lignes_financement.values_list("montant_sollicite", "montant_accorde")) == [
        (D("3500.50"), D("3500.50")),
        (D("12000.00"), D("12000.00")),
    ]
    fiche = client.get(reverse("admin:programmation_dossier_change", args=[dossier.pk]))
    assert "15 500,50 €" in texte(fiche)  # les totaux des financements
    assert 'value="15 500,50"' in texte(fiche)  # le coût total, ré-affiché à la française


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("saisie", "message"),
    [("3.500,50", "« 3.500,50 » est ambigu"), ("1e5", "« 1e5 » n'est pas un montant"), ("-3", "ne peut pas")],
)
def test_un_montant_mal_ecrit_est_refuse_et_rien_n_est_enregistre(client, agent, saisie, message):
    annee = Programmation.objects.create(contrat=Pilier.objects.first().contrat, annee=2093)
    pilier = Pilier.objects.get(contrat=annee.contrat, code="1")
    donnees = formulaire_nouveau(annee, pilier, **{"lignes_financement-1-montant_accorde": saisie})
    reponse = client.post(reverse(AJOUT), donnees)
    assert reponse.status_code == 200
    lignes = reponse.context["inline_admin_formsets"][0].formset
    (erreur,) = lignes.errors[1]["montant_accorde"]
    assert message in erreur and "« 3 500,50 »" in erreur  # dit ce qui ne va pas et comment écrire
    assert escape(erreur).replace("\xa0", " ") in texte(reponse)
    assert not Dossier.objects.filter(programmation=annee).exists()
    assert not LigneFinancement.objects.filter(dossier__programmation=annee).exists()


@pytest.mark.django_db
def test_une_thematique_d_un_autre_pilier_est_refusee(client, agent):
    annee = Programmation.objects.create(contrat=Pilier.objects.first().contrat, annee=2094)
    pilier_1 = Pilier.objects.get(contrat=annee.contrat, code="1")
    thematique_3 = Thematique.objects.get(code="3.1")
    reponse = client.post(reverse(AJOUT), formulaire_nouveau(annee, pilier_1, thematique_3))
    assert reponse.status_code == 200
    erreurs = reponse.context["adminform"].form.errors["thematique"]
    assert erreurs == [
        f"La thématique « {thematique_3} » relève du pilier 3, pas du pilier 1 : choisissez une thématique du "
        "pilier 1, ou changez de pilier."
    ]
    assert not Dossier.objects.filter(programmation=annee).exists()
    # Une thématique du pilier choisi passe.
    thematique_1 = Thematique.objects.filter(pilier_anct="1").first()
    assert client.post(reverse(AJOUT), formulaire_nouveau(annee, pilier_1, thematique_1)).status_code == 302


@pytest.mark.django_db
def test_le_formulaire_d_ajout_pour_le_travail_quotidien(client, agent):
    contrat = Pilier.objects.first().contrat
    ancienne = Programmation.objects.create(contrat=contrat, annee=2095)
    courante = Programmation.objects.create(contrat=contrat, annee=2096)
    DossierFactory(programmation=courante, numero="2096-007")
    DossierFactory(programmation=courante, numero="2096-012")
    DossierFactory(programmation=courante, numero="hors format")
    DossierFactory(programmation=ancienne, numero="2095-140")

    page = client.get(reverse(AJOUT))
    formulaire = page.context["adminform"].form
    assert formulaire.initial["programmation"] == courante.pk
    assert formulaire.initial["numero"] == "2096-013"
    contenu = texte(page)
    assert "Prochain numéro libre : 2096-013 en 2096, 2095-141 en 2095." in contenu
    assert "l'année, un tiret, puis le rang du dossier dans l'année sur trois chiffres" in contenu
    # Obligatoires en mots, pas seulement en gras ; facultatifs sans la mention.
    for libelle in (
        "Intitulé (obligatoire)",
        "Porteur (obligatoire)",
        "Élément du cadre (obligatoire)",
        "Financeur (obligatoire)",
    ):
        assert libelle in contenu
    assert "Coût total (obligatoire)" not in contenu and "Thématique (obligatoire)" not in contenu
    # Les lignes de financement juste après l'identité, deux lignes vides prêtes.
    assert contenu.index("Identité du dossier") < contenu.index('id="lignes_financement-group"')
    assert contenu.index('id="lignes_financement-group"') < contenu.index("Totaux des financements")
    assert 'name="lignes_financement-TOTAL_FORMS" value="2"' in contenu
    lignes = contenu.split('id="lignes_financement-group"')[1].split("Totaux des financements")[0]
    assert lignes.count('inputmode="decimal"') == 2 * 3  # deux lignes vides et le modèle de ligne
    assert 'type="number"' not in lignes
    # Chaque thématique dit son pilier national, et chaque pilier du contrat 2015 son code : la page ne propose
    # que les thématiques du pilier choisi.
    thematique = Thematique.objects.get(code="3.1")
    assert f'data-pilier-anct="3" value="{thematique.pk}"' in contenu or (
        f'value="{thematique.pk}" data-pilier-anct="3"' in contenu
    )
    pilier = contrat.piliers.get(code="3")
    assert f'data-pilier-anct="3" value="{pilier.pk}"' in contenu or (
        f'value="{pilier.pk}" data-pilier-anct="3"' in contenu
    )
    assert "programmation/dossier_formulaire.js" in contenu


# --- Les années -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_la_page_d_une_annee_montre_ses_dossiers_effectifs_et_totaux(client, agent, donnees_demo):
    liste = client.get(reverse("admin:programmation_programmation_changelist"))
    contenu = texte(liste)
    assert ">2021<" in contenu and "2 021" not in contenu

    annee = Programmation.objects.get(annee=2021)
    dossiers = Dossier.objects.filter(programmation=annee)
    chiffres = chiffres_programmation(dossiers)
    page = client.get(reverse("admin:programmation_programmation_change", args=[annee.pk]))
    contenu = texte(page)
    assert "2 021" not in contenu
    assert "6 931 463,00 €" in contenu  # total programmé, comme au rapport
    lien_retenus = f'?programmation__annee=2021&amp;statut__exact=RETENU">{chiffres.nb_retenus}</a>'
    assert lien_retenus in contenu
    assert f'?programmation__annee=2021">{dossiers.count()}</a>' in contenu
    premier = dossiers.order_by("numero").first()
    assert reverse("admin:programmation_dossier_change", args=[premier.pk]) in contenu
    assert premier.intitule in contenu
