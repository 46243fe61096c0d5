"""Le formulaire du dossier vise les objectifs des projets de quartier du contrat de son année, pas d'un autre."""

import pytest
from django.urls import reverse

from contrat_ville import demo as demo_contrat
from contrat_ville.models import Contrat, ObjectifQuartier, Pilier, ProjetQuartier, Quartier
from programmation.models import Dossier, Programmation

from .test_admin_dossiers import AJOUT, agent, formulaire_nouveau  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_un_dossier_2025_vise_les_objectifs_de_son_contrat_et_refuse_ceux_d_un_autre(client, agent):  # noqa: F811
    demo_contrat.charger()
    nouveau = Contrat.objects.get(nom=demo_contrat.NOM_CONTRAT_2024)
    ancien = Contrat.objects.get(cadre_national=True)
    annee = Programmation.objects.create(contrat=nouveau, annee=2025)
    axe = Pilier.objects.get(contrat=nouveau, code="O1.2")
    voulus = list(ObjectifQuartier.objects.filter(code__in=["QN06208M-1", "QN06208M-2"]))
    projet = ProjetQuartier.objects.create(
        contrat=ancien, quartier=Quartier.objects.get(code="QN06209M"), intitule="Ancien projet"
    )
    etranger = ObjectifQuartier.objects.create(projet=projet, code="ANCIEN-1", libelle="Un objectif de 2015")

    refuse = client.post(
        reverse(AJOUT), formulaire_nouveau(annee, axe, objectifs=[voulus[0].pk, etranger.pk])
    )
    assert refuse.status_code == 200
    assert refuse.context["adminform"].form.errors["objectifs"] == [
        "Ces objectifs appartiennent aux projets de quartier d'un autre contrat que celui de 2025 (« Contrat de "
        "ville – Engagements Quartiers 2030 ») : ANCIEN-1 Un objectif de 2015."
    ]
    assert not Dossier.objects.filter(programmation=annee).exists()

    reponse = client.post(reverse(AJOUT), formulaire_nouveau(annee, axe, objectifs=[o.pk for o in voulus]))
    assert reponse.status_code == 302, reponse.context["adminform"].form.errors
    dossier = Dossier.objects.get(programmation=annee)
    assert sorted(dossier.objectifs.values_list("code", flat=True)) == ["QN06208M-1", "QN06208M-2"]
    fiche = client.get(reverse("admin:programmation_dossier_change", args=[dossier.pk]))
    assert "QN06208M-1" in fiche.content.decode()


def test_la_colonne_du_cadre_de_la_liste_porte_le_nom_que_lui_donne_le_contrat(client, agent):  # noqa: F811
    demo_contrat.charger()
    nouveau = Contrat.objects.get(nom=demo_contrat.NOM_CONTRAT_2024)
    ancien = Contrat.objects.get(cadre_national=True)
    Programmation.objects.create(contrat=ancien, annee=2021)
    Programmation.objects.create(contrat=nouveau, annee=2025)

    def entetes(**filtres):
        page = client.get(reverse("admin:programmation_dossier_changelist"), filtres)
        return [h["text"] for h in page.context["result_headers"]]

    assert "orientation" in entetes(programmation__annee="2025")
    assert "orientation" in entetes()  # la liste s'ouvre sur la dernière année, du contrat 2024
    assert "pilier" in entetes(programmation__annee="2021")
    toutes = entetes(programmation__annee="toutes")
    assert "élément du cadre" in toutes and "pilier" not in toutes
