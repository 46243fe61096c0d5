"""L'administration du FCS : l'enveloppe montre ce qui reste, une subvention ne la dépasse jamais."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contrat_ville.models import Commune, Porteur
from fcs.models import AxeFCS, EnveloppeFCS, FondsDeConcours, SubventionFCS
from noyau.nombres import formater_euros
from tests.factories import AxeFCSFactory, PorteurFactory, UserFactory


@pytest.fixture
def admin_client_fcs(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_liste_des_enveloppes_avec_attribue_et_reste(admin_client_fcs, donnees_demo):
    enveloppe = EnveloppeFCS.objects.get(annee=2021)
    enveloppe.montant = Decimal("100000.00")
    enveloppe.save()
    page = admin_client_fcs.get(reverse("admin:fcs_enveloppefcs_changelist"))
    contenu = page.content.decode()
    assert formater_euros(Decimal("92921")) in contenu  # attribué
    assert formater_euros(Decimal("7079")) in contenu  # reste : 100 000 − 92 921
    fiche = admin_client_fcs.get(reverse("admin:fcs_enveloppefcs_change", args=[enveloppe.pk]))
    assert formater_euros(Decimal("7079")) in fiche.content.decode()


@pytest.mark.django_db
def test_subvention_au_dela_de_l_enveloppe_refusee_en_francais(admin_client_fcs, donnees_demo):
    axe = AxeFCS.objects.get(enveloppe__annee=2021, numero=3)
    nb = SubventionFCS.objects.count()
    reponse = admin_client_fcs.post(
        reverse("admin:fcs_subventionfcs_add"),
        {
            "axe": axe.pk,
            "porteur": Porteur.objects.get(nom="BOOKKAFE").pk,
            "action": "Une action de trop",
            "montant": "1",
            "ordre": "0",
        },
    )
    assert reponse.status_code == 200
    assert "Ce montant dépasse l’enveloppe du FCS 2021" in reponse.content.decode().replace(
        "&#x27;", "’"
    ).replace("'", "’")
    assert SubventionFCS.objects.count() == nb


@pytest.mark.django_db
def test_montant_negatif_d_un_fonds_de_concours_nomme_le_champ(admin_client_fcs, donnees_demo):
    reponse = admin_client_fcs.post(
        reverse("admin:fcs_fondsdeconcours_add"),
        {
            "commune": Commune.objects.get(code_insee="62270").pk,
            "projet": "Projet",
            "montant": "-1",
            "annee": "2021",
        },
    )
    assert reponse.status_code == 200
    assert "Le montant ne peut pas être négatif." in reponse.content.decode()
    assert list(reponse.context["adminform"].form.errors) == ["montant"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        ("3 500,50", Decimal("3500.50")),
        ("3\u202f500,50\u00a0€", Decimal("3500.50")),
        ("3500.50", Decimal("3500.50")),
    ],
)
def test_un_fonds_de_concours_se_tape_a_la_francaise(admin_client_fcs, saisie, attendu):
    commune = Commune.objects.get(code_insee="62270")
    page = admin_client_fcs.get(reverse("admin:fcs_fondsdeconcours_add"))
    assert 'inputmode="decimal"' in page.content.decode()
    reponse = admin_client_fcs.post(
        reverse("admin:fcs_fondsdeconcours_add"),
        {"commune": commune.pk, "projet": "City-stade", "montant": saisie, "annee": "2031"},
    )
    assert reponse.status_code == 302
    assert FondsDeConcours.objects.get(projet="City-stade").montant == attendu


@pytest.mark.django_db
@pytest.mark.parametrize("saisie", ["3.500,50", "1e5", "١٢٣", "12,345"])
def test_une_subvention_mal_ecrite_est_refusee_et_rien_n_est_enregistre(admin_client_fcs, saisie):
    axe = AxeFCSFactory()
    reponse = admin_client_fcs.post(
        reverse("admin:fcs_subventionfcs_add"),
        {"axe": axe.pk, "porteur": PorteurFactory().pk, "action": "Atelier", "montant": saisie, "ordre": "0"},
    )
    assert reponse.status_code == 200
    (erreur,) = reponse.context["adminform"].form.errors["montant"]
    assert erreur.startswith(f"« {saisie} »") and "« 3 500,50 »" in erreur
    assert not SubventionFCS.objects.filter(axe=axe).exists()


@pytest.mark.django_db
def test_les_annees_s_affichent_sans_espace(admin_client_fcs, donnees_demo):
    for liste in ("admin:fcs_enveloppefcs_changelist", "admin:fcs_fondsdeconcours_changelist"):
        contenu = admin_client_fcs.get(reverse(liste)).content.decode()
        assert "2021" in contenu and "2\u00a0021" not in contenu and "2 021" not in contenu
