"""La colonne « Dossier précédent » du classeur relie une action d'une année à l'autre ; la page du porteur montre
les deux années."""

from decimal import Decimal

import pytest
from django.urls import reverse

from comptes import roles
from contrat_ville.models import Porteur
from programmation.echange.importation import importer_classeur
from programmation.models import Dossier
from tests.comptes import utilisateur
from tests.programmation.classeurs import classeur

pytestmark = pytest.mark.django_db

SIRET = "44306184100047"


def dossier(numero, annee, precedent=None):
    return [
        numero,
        annee,
        "Aide aux devoirs",
        "Centre social Élan",
        SIRET,
        "Association",
        "1",
        None,
        "QN06208M",
        "Retenu",
        None,
        precedent,
    ]


def financement(numero, annee, demande, accorde):
    return [numero, annee, "AGGLO", "Crédits spécifiques", demande, accorde]


def test_l_import_relie_les_actions_et_la_page_du_porteur_montre_les_deux_annees(client):
    # 2021 et 2022 dans le même classeur : les deux dossiers sont nouveaux, le lien s'écrit après leur création.
    contenu = classeur(
        [dossier("2021-001", 2021), dossier("2022-014", 2022, "2021-001")],
        [financement("2021-001", 2021, 9000, 8000), financement("2022-014", 2022, 9500, 9000)],
    )
    rapport = importer_classeur(contenu, nom_fichier="p.xlsx")
    assert not rapport.erreurs, rapport.erreurs

    d2022 = Dossier.objects.get(programmation__annee=2022, numero="2022-014")
    assert d2022.dossier_precedent.numero == "2021-001"
    # Un classeur de l'année suivante seule relie au dossier déjà en base.
    suivant = classeur([dossier("2023-007", 2023, "2022-014")], [financement("2023-007", 2023, 9500, 9500)])
    assert not importer_classeur(suivant, nom_fichier="p2023.xlsx").erreurs
    assert Dossier.objects.get(numero="2023-007").dossier_precedent == d2022

    client.force_login(utilisateur("a.agent", roles.AGENT))
    porteur = Porteur.objects.get(siret=SIRET)
    page = client.get(reverse("conventions:fiche_porteur", args=[porteur.pk])).content.decode()
    assert "2022-014 – Aide aux devoirs" in page and "2021-001 – Aide aux devoirs" in page
    assert "reconduction du dossier 2021-001" in page and "reconduction du dossier 2022-014" in page
    assert f"accordé 26{chr(160)}500,00{chr(160)}€ sur 28{chr(160)}000,00{chr(160)}€ demandés" in page
    assert Decimal("26500.00") == sum(
        d.lignes_financement.get().montant_accorde for d in Dossier.objects.all()
    )


def test_un_dossier_precedent_inconnu_est_refuse_avec_sa_ligne():
    contenu = classeur([dossier("2022-014", 2022, "2021-999")], [financement("2022-014", 2022, 1, 1)])
    rapport = importer_classeur(contenu, nom_fichier="p.xlsx")
    assert [str(e) for e in rapport.erreurs] == [
        "Dossiers, ligne 2, Dossier précédent : aucun dossier 2021-999 en 2021"
    ]
    assert not Dossier.objects.filter(numero="2022-014").exists()
