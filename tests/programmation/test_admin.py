"""L'administration des dossiers, comme un agent s'en sert : trouver les dossiers d'un quartier, modifier une
ligne de financement et voir les totaux changer ; des erreurs en français qui nomment le champ, rien
d'enregistré à moitié."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from contrat_ville.enums import NatureCredits
from contrat_ville.models import Financeur, Quartier
from journal.concurrence import CHAMP_JETON, version_de
from noyau.nombres import formater_euros
from programmation.models import Dossier, LigneFinancement
from tests.factories import UserFactory

D = Decimal


@pytest.fixture
def agent(client):
    """Un agent : staff, voit tout le produit, saisit la programmation, le FCS et les porteurs."""
    user = UserFactory(username="agent.test", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["contrat_ville", "programmation", "fcs"]
        ).filter(codename__startswith="view_")
        | Permission.objects.filter(content_type__app_label__in=["programmation", "fcs"])
        | Permission.objects.filter(content_type__app_label="contrat_ville", content_type__model="porteur")
    )
    client.force_login(user)
    return user


def texte(reponse) -> str:
    return reponse.content.decode()


def formulaire(dossier: Dossier, **modifs) -> dict:
    """Les données que le formulaire d'administration du dossier envoie, lignes de financement comprises."""
    donnees = {
        "programmation": dossier.programmation_id,
        "numero": dossier.numero,
        "intitule": dossier.intitule,
        "porteur": dossier.porteur_id,
        "statut": dossier.statut,
        "cout_total": dossier.cout_total or "",
        "pilier": dossier.pilier_id,
        "thematique": dossier.thematique_id or "",
        "quartiers": [q.pk for q in dossier.quartiers.all()],
        "beneficiaires_femmes": dossier.beneficiaires_femmes or "",
        "beneficiaires_hommes": dossier.beneficiaires_hommes or "",
        "focus_description": dossier.focus_description,
        "focus_objectif": dossier.focus_objectif,
        "focus_resultats": dossier.focus_resultats,
    }
    if dossier.focus:
        donnees["focus"] = "on"
    # La version du dossier que la page affichait (verrou optimiste, contrat_ville/concurrence.py).
    donnees[CHAMP_JETON] = version_de(dossier)
    lignes = list(dossier.lignes_financement.order_by("pk"))
    prefixe = "lignes_financement"
    donnees.update(
        {
            f"{prefixe}-TOTAL_FORMS": len(lignes),
            f"{prefixe}-INITIAL_FORMS": len(lignes),
            f"{prefixe}-MIN_NUM_FORMS": 0,
            f"{prefixe}-MAX_NUM_FORMS": 1000,
        }
    )
    for i, ligne in enumerate(lignes):
        donnees.update(
            {
                f"{prefixe}-{i}-id": ligne.pk,
                f"{prefixe}-{i}-dossier": dossier.pk,
                f"{prefixe}-{i}-financeur": ligne.financeur_id,
                f"{prefixe}-{i}-nature": ligne.nature,
                f"{prefixe}-{i}-montant_sollicite": ligne.montant_sollicite,
                f"{prefixe}-{i}-montant_accorde": ligne.montant_accorde,
            }
        )
    donnees.update(modifs)
    return donnees


def un_dossier_a_plusieurs_lignes() -> Dossier:
    return (
        Dossier.objects.filter(
            programmation__annee=2021, statut="RETENU", lignes_financement__nature="DROIT_COMMUN"
        )
        .filter(lignes_financement__financeur__code="ETAT-ANCT")
        .order_by("numero")
        .first()
    )


@pytest.mark.django_db
def test_l_agent_trouve_les_dossiers_d_un_quartier(client, agent, donnees_demo):
    mont_liebaut = Quartier.objects.get(code="QN06208M")
    attendus = Dossier.objects.filter(programmation__annee=2021, quartiers=mont_liebaut)
    autre = Dossier.objects.filter(programmation__annee=2021).exclude(quartiers=mont_liebaut).first()
    url = reverse("admin:programmation_dossier_changelist")

    page = client.get(url, {"programmation__annee": 2021, "quartiers__id__exact": mont_liebaut.pk})

    assert page.status_code == 200
    assert page.context["cl"].result_count == attendus.count() > 5
    assert {d.numero for d in page.context["cl"].result_list} <= set(
        attendus.values_list("numero", flat=True)
    )
    contenu = texte(page)
    assert "Quartier Du Mont Liébaut (QN06208M)" in contenu  # le filtre choisi, affiché
    assert f">{autre.numero}<" not in contenu
    assert "Sélectionnez l’objet dossier à changer" in contenu


@pytest.mark.django_db
def test_filtres_recherche_et_tri_de_la_liste_des_dossiers(client, agent, donnees_demo):
    url = reverse("admin:programmation_dossier_changelist")
    page = client.get(url)
    filtres = {f.title for f in page.context["cl"].filter_specs}
    assert {
        "année",
        "élément du cadre",
        "thématique ANCT",
        "statut",
        "communes",
        "quartiers",
        "financeur",
        "type de porteur",
    } <= filtres

    devandyou = client.get(url, {"q": "devandyou", "programmation__annee": 2021})
    assert [d.intitule for d in devandyou.context["cl"].result_list] == [
        "Qualification des Aidants Numériques"
    ]

    etat = Financeur.objects.get(code="ETAT-ANCT")
    anct = client.get(
        url, {"programmation__annee": 2021, "lignes_financement__financeur__id__exact": etat.pk}
    ).context["cl"]
    assert (
        anct.result_count
        == Dossier.objects.filter(programmation__annee=2021, lignes_financement__financeur=etat)
        .distinct()
        .count()
    )

    refuses = client.get(url, {"programmation__annee": 2021, "statut__exact": "REFUSE"}).context["cl"]
    assert (
        refuses.result_count == Dossier.objects.filter(programmation__annee=2021, statut="REFUSE").count() > 0
    )

    # Tri par montant accordé, décroissant : la colonne calculée (sous-requête corrélée) se trie.
    tries = client.get(url, {"programmation__annee": 2021, "o": "-7"}).context["cl"].result_list
    montants = [d.total_accorde for d in tries]
    assert montants == sorted(montants, reverse=True)


@pytest.mark.django_db
def test_autocompletion_du_porteur_et_des_quartiers(client, agent, donnees_demo):
    url = reverse("admin:autocomplete")
    porteurs = client.get(
        url,
        {"app_label": "programmation", "model_name": "dossier", "field_name": "porteur", "term": "devand"},
    ).json()
    assert [r["text"] for r in porteurs["results"]] == ["ASSOCIATION DEVANDYOU"]
    quartiers = client.get(
        url,
        {"app_label": "programmation", "model_name": "dossier", "field_name": "quartiers", "term": "Liébaut"},
    ).json()
    assert [r["text"] for r in quartiers["results"]] == ["Quartier Du Mont Liébaut (QN06208M)"]


@pytest.mark.django_db
def test_l_agent_modifie_une_ligne_et_voit_les_totaux_changer(client, agent, donnees_demo):
    dossier = un_dossier_a_plusieurs_lignes()
    url = reverse("admin:programmation_dossier_change", args=[dossier.pk])
    lignes = list(dossier.lignes_financement.order_by("pk"))
    accorde = sum(ligne.montant_accorde for ligne in lignes)
    droit_commun = sum(ligne.montant_accorde for ligne in lignes if ligne.nature == "DROIT_COMMUN")
    avant = texte(client.get(url))
    assert formater_euros(accorde) in avant
    assert formater_euros(droit_commun) in avant

    i, ligne = next((i, ligne) for i, ligne in enumerate(lignes) if ligne.nature == "DROIT_COMMUN")
    nouveau = ligne.montant_accorde + D("1234.56")
    reponse = client.post(
        url,
        formulaire(
            dossier,
            **{
                f"lignes_financement-{i}-montant_accorde": nouveau,
                f"lignes_financement-{i}-montant_sollicite": max(nouveau, ligne.montant_sollicite),
                "_continue": "1",
            },
        ),
    )
    assert reponse.status_code == 302, reponse.context and reponse.context["adminform"].form.errors

    ligne.refresh_from_db()
    assert ligne.montant_accorde == nouveau
    assert ligne.modifie_par == agent
    apres = texte(client.get(url))
    assert formater_euros(accorde + D("1234.56")) in apres
    assert formater_euros(droit_commun + D("1234.56")) in apres
    assert formater_euros(accorde) not in apres


@pytest.mark.django_db
def test_montant_negatif_refuse_en_francais_et_rien_n_est_enregistre(client, agent, donnees_demo):
    dossier = un_dossier_a_plusieurs_lignes()
    url = reverse("admin:programmation_dossier_change", args=[dossier.pk])
    avant = list(LigneFinancement.objects.filter(dossier=dossier).values_list("montant_accorde", flat=True))
    reponse = client.post(
        url,
        formulaire(
            dossier,
            intitule="Intitulé modifié en même temps",
            **{"lignes_financement-0-montant_accorde": "-5"},
        ),
    )
    assert reponse.status_code == 200
    contenu = texte(reponse)
    assert "Corrigez l’erreur ci-dessous." in contenu
    assert "Le montant accordé ne peut pas être négatif." in contenu
    erreurs = reponse.context["inline_admin_formsets"][0].formset.errors[0]
    assert list(erreurs) == ["montant_accorde"]
    dossier.refresh_from_db()
    assert dossier.intitule != "Intitulé modifié en même temps"
    assert (
        list(LigneFinancement.objects.filter(dossier=dossier).values_list("montant_accorde", flat=True))
        == avant
    )


@pytest.mark.django_db
def test_numero_de_dossier_en_double_refuse_en_francais(client, agent, donnees_demo):
    dossier, autre = Dossier.objects.filter(programmation__annee=2021).order_by("numero")[:2]
    url = reverse("admin:programmation_dossier_change", args=[autre.pk])
    reponse = client.post(
        url, formulaire(autre, numero=dossier.numero, intitule="Ne doit pas être enregistré")
    )
    assert reponse.status_code == 200
    assert "Ce numéro de dossier existe déjà pour cette année." in texte(reponse)
    autre.refresh_from_db()
    assert autre.intitule != "Ne doit pas être enregistré"


@pytest.mark.django_db
def test_deux_lignes_du_meme_financeur_et_de_la_meme_nature_refusees(client, agent, donnees_demo):
    dossier = un_dossier_a_plusieurs_lignes()
    etat = Financeur.objects.get(code="ETAT-ANCT")
    donnees = formulaire(dossier)
    n = donnees["lignes_financement-TOTAL_FORMS"]
    donnees.update(
        {
            "lignes_financement-TOTAL_FORMS": n + 1,
            f"lignes_financement-{n}-dossier": dossier.pk,
            f"lignes_financement-{n}-financeur": etat.pk,
            f"lignes_financement-{n}-nature": NatureCredits.SPECIFIQUE,
            f"lignes_financement-{n}-montant_sollicite": "10",
            f"lignes_financement-{n}-montant_accorde": "10",
        }
    )
    nb = dossier.lignes_financement.count()
    reponse = client.post(reverse("admin:programmation_dossier_change", args=[dossier.pk]), donnees)
    assert reponse.status_code == 200
    assert "Ce dossier a déjà une ligne pour ce financeur et cette nature." in texte(reponse)
    assert dossier.lignes_financement.count() == nb


@pytest.mark.django_db
def test_liste_des_lignes_de_financement_filtree_par_annee_et_financeur(client, agent, donnees_demo):
    etat = Financeur.objects.get(code="ETAT-ANCT")
    cl = client.get(
        reverse("admin:programmation_lignefinancement_changelist"),
        {"dossier__programmation__annee": 2021, "financeur__id__exact": etat.pk},
    ).context["cl"]
    assert (
        cl.result_count
        == LigneFinancement.objects.filter(dossier__programmation__annee=2021, financeur=etat).count()
    )
