"""Le territoire d'un contrat : ses communes, saisies dans l'administration ou par codes INSEE, et sa limite en
cache, oubliée dès que les communes changent."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from comptes import roles
from contrat_ville.models import Commune
from contrat_ville.selectors import limite_du_territoire
from contrat_ville.services import definir_territoire, lire_codes_insee
from journal.models import EntreeJournal
from tests.comptes import utilisateur
from tests.factories import contrat_cabbalr
from tests.formulaires import donnees_du_formulaire

pytestmark = pytest.mark.django_db

BETHUNE, BEUVRY, ANNEZIN = "62119", "62126", "62035"


def test_codes_separes_par_virgules_retours_a_la_ligne_ou_espaces():
    assert lire_codes_insee(" 62119,62126\n62035 ;62119\r\n") == [BETHUNE, BEUVRY, ANNEZIN]
    assert lire_codes_insee("") == []


def test_le_service_refuse_un_code_inconnu_en_le_nommant_et_ne_change_rien():
    contrat = contrat_cabbalr()
    definir_territoire(contrat=contrat, codes_insee=[BETHUNE])
    with pytest.raises(ValidationError) as erreur:
        definir_territoire(contrat=contrat, codes_insee=[BEUVRY, "99999", ANNEZIN])
    assert erreur.value.messages == ["Code INSEE inconnu du référentiel des communes : « 99999 »."]
    assert list(contrat.communes.values_list("code_insee", flat=True)) == [BETHUNE]


def test_la_limite_suit_les_communes_du_contrat(django_assert_num_queries):
    contrat = contrat_cabbalr()
    assert limite_du_territoire(contrat.pk) is None
    definir_territoire(contrat=contrat, codes_insee=[BETHUNE, BEUVRY])  # m2m_changed : le cache est oublié
    limite = limite_du_territoire(contrat.pk)
    assert limite["type"] == "MultiPolygon" and len(limite["coordinates"]) == 1
    with django_assert_num_queries(0):
        assert limite_du_territoire(contrat.pk) == limite  # en cache
    contrat.communes.add(Commune.objects.get(code_insee=ANNEZIN))
    assert limite_du_territoire(contrat.pk) != limite
    contrat.communes.clear()
    assert limite_du_territoire(contrat.pk) is None


def page_du_contrat(client, contrat):
    """La fiche du contrat, ouverte par un agent du service : c'est lui qui saisit le cadre du contrat."""
    client.force_login(utilisateur("agent.territoire", roles.AGENT))
    url = f"/admin/contrat_ville/contrat/{contrat.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    return url, page


def test_l_admin_remplit_le_territoire_depuis_des_codes_insee(client):
    contrat = contrat_cabbalr()
    url, page = page_du_contrat(client, contrat)
    html = page.content.decode()
    assert "codes INSEE des communes du territoire" in html and "Béthune (62119)" in html
    donnees = donnees_du_formulaire(html, "contrat_form")
    donnees.update({"codes_insee": f"{BETHUNE}, {BEUVRY}\n{ANNEZIN}", "_save": "Enregistrer"})
    reponse = client.post(url, donnees)
    assert reponse.status_code == 302, reponse.context and reponse.context["adminform"].form.errors
    assert set(contrat.communes.values_list("code_insee", flat=True)) == {BETHUNE, BEUVRY, ANNEZIN}
    assert limite_du_territoire(contrat.pk) is not None
    # Le changement est au journal du contrat, au nom de l'agent.
    entrees = EntreeJournal.objects.filter(
        type_objet=ContentType.objects.get_for_model(contrat), objet_id=str(contrat.pk)
    )
    assert entrees.filter(utilisateur__username="agent.territoire").exists()


def test_l_admin_refuse_un_code_inconnu_et_n_ecrit_rien(client):
    contrat = contrat_cabbalr()
    nom = contrat.nom
    url, page = page_du_contrat(client, contrat)
    donnees = donnees_du_formulaire(page.content.decode(), "contrat_form")
    donnees.update({"nom": "Nom changé", "codes_insee": f"{BETHUNE}\n62ZZZ", "_save": "Enregistrer"})
    reponse = client.post(url, donnees)
    assert reponse.status_code == 200
    assert "Code INSEE inconnu du référentiel des communes : « 62ZZZ »." in reponse.content.decode()
    contrat.refresh_from_db()
    assert contrat.nom == nom and not contrat.communes.exists()
