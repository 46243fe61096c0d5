"""L'administration du FCS : l'enveloppe montre ce qui reste, une subvention ne la dépasse jamais."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contrat_ville.models import Commune, Porteur
from fcs.models import AxeFCS, EnveloppeFCS, SubventionFCS
from noyau.nombres import formater_euros
from tests.factories import UserFactory


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
