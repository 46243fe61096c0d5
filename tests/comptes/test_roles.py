"""Les rôles sont des groupes créés par migration, avec leurs permissions, tenues à jour au migrate."""

import pytest
from django.contrib.auth.models import Group, Permission

from comptes import roles


def perms(nom):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=nom).permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_les_cinq_roles_existent_avec_leurs_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.TOUS_LES_ROLES)
    agent, directeur, auditeur = perms(roles.AGENT), perms(roles.DIRECTEUR), perms(roles.AUDITEUR)
    for action in ("add", "change", "delete", "view"):
        assert f"programmation.{action}_dossier" in agent
        assert f"programmation.{action}_lignefinancement" in agent
        assert f"fcs.{action}_subventionfcs" in agent
    assert {"programmation.importer_programmation", "programmation.exporter_programmation"} <= agent
    assert "rapport.approuver_rapportannuel" not in agent
    assert "journal.view_entreejournal" not in agent
    # Du référentiel, l'agent saisit les porteurs et le cadre du contrat ; ni les communes (IGN), ni la nomenclature
    # de l'ANCT, ni les financeurs.
    assert {p for p in agent if p.startswith("contrat_ville.add_")} == {
        f"contrat_ville.add_{modele}"
        for modele in (
            "porteur",
            "contrat",
            "signataire",
            "pilier",
            "projetquartier",
            "objectifquartier",
            "quartier",
            "conseilcitoyen",
        )
    }
    for modele in ("commune", "thematique", "financeur"):
        assert not {f"contrat_ville.{action}_{modele}" for action in ("add", "change", "delete")} & agent

    assert {"rapport.approuver_rapportannuel", "programmation.exporter_programmation"} <= directeur
    assert "journal.view_entreejournal" in directeur
    assert not any(p.split(".")[1].startswith(("add_", "change_", "delete_")) for p in directeur)
    assert "programmation.importer_programmation" not in directeur

    assert auditeur and all(p.split(".")[1].startswith("view_") for p in auditeur)
    assert "programmation.view_dossier" in auditeur and "journal.view_entreejournal" in auditeur
    assert perms(roles.SERVICE_COMMUNE) == set() and perms(roles.CONSEIL_CITOYEN) == set()
    # Personne, pas même un agent, ne touche au journal ni aux comptes.
    for nom in roles.TOUS_LES_ROLES:
        assert not any(p.startswith("auth.") for p in perms(nom))
        assert not {"contrat_ville.change_entreejournal", "contrat_ville.delete_entreejournal"} & perms(nom)


@pytest.mark.django_db
def test_la_synchronisation_est_re_executable_et_rend_les_permissions_retirees():
    groupe = Group.objects.get(name=roles.AGENT)
    attendu = perms(roles.AGENT)
    groupe.permissions.remove(Permission.objects.get(codename="change_dossier"))
    groupe.permissions.add(Permission.objects.get(codename="add_user"))
    roles.synchroniser_roles()
    roles.synchroniser_roles()
    assert perms(roles.AGENT) == attendu
    assert Group.objects.filter(name=roles.AGENT).count() == 1
