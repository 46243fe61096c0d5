"""Un montant changé par un import est au journal d'audit, avec l'ancienne et la nouvelle valeur et la personne."""

import pytest

from comptes import roles
from journal.models import EntreeJournal
from programmation.echange.importation import importer_classeur
from programmation.models import Dossier, LigneFinancement
from tests.comptes import utilisateur

from .classeurs import classeur
from .test_import import DOSSIERS, FINANCEMENTS


@pytest.mark.django_db
def test_un_montant_change_par_import_est_au_journal_avec_la_personne():
    agent = utilisateur("agent.import", roles.AGENT)
    importer_classeur(classeur(DOSSIERS, FINANCEMENTS), nom_fichier="p.xlsx", utilisateur=agent)
    ligne = LigneFinancement.objects.get(dossier__numero="2022-002", financeur__code="REGION")
    creation = EntreeJournal.objects.get(objet_id=str(ligne.pk), type_objet__model="lignefinancement")
    assert (creation.action, creation.source, creation.utilisateur) == ("creation", "import", agent)

    modifies = [list(f) for f in FINANCEMENTS]
    modifies[3][5] = "10 000,00 €"
    rapport = importer_classeur(classeur(DOSSIERS, modifies), nom_fichier="p2.xlsx", utilisateur=agent)
    assert rapport.ecrit
    entree = EntreeJournal.objects.get(
        type_objet__model="lignefinancement", objet_id=str(ligne.pk), action="modification"
    )
    assert entree.changements == {"montant_accorde": ["9999.99", "10000.00"]}
    assert (entree.source, entree.utilisateur, entree.nom_utilisateur) == ("import", agent, "agent.import")
    assert entree.parent == f"programmation.dossier:{ligne.dossier_id}"
    ligne.refresh_from_db()
    # L'entrée est visible dans l'historique du dossier (les lignes en font partie).
    from journal.admin_base import entrees_de

    assert entree in entrees_de(Dossier.objects.get(pk=ligne.dossier_id))


@pytest.mark.django_db
def test_les_quartiers_changes_par_import_sont_au_journal():
    """Les liens dossier ↔ quartier sont écrits en masse par l'import : chaque changement est tout de même tracé."""
    agent = utilisateur("agent.import", roles.AGENT)
    importer_classeur(classeur(DOSSIERS, FINANCEMENTS), nom_fichier="p.xlsx", utilisateur=agent)
    dossier = Dossier.objects.get(numero=DOSSIERS[0][0])

    modifies = [list(d) for d in DOSSIERS]
    modifies[0][8] = "QN06209M; QN06210M"
    assert importer_classeur(classeur(modifies, FINANCEMENTS), nom_fichier="p2.xlsx", utilisateur=agent).ecrit

    entrees = list(
        EntreeJournal.objects.filter(
            type_objet__model="dossier",
            objet_id=str(dossier.pk),
            action="modification",
            changements__has_key="quartiers",
        ).order_by("pk")
    )
    assert len(entrees) == 2
    creation, changement = (e.changements["quartiers"] for e in entrees)
    assert creation[0] == [] and {q[-9:-1] for q in creation[1]} == {"QN06208M", "QN06209M"}
    avant, apres = ({q[-9:-1] for q in cote} for cote in changement)
    assert avant - apres == {"QN06208M"} and apres - avant == {"QN06210M"}
    assert (entrees[1].source, entrees[1].utilisateur) == ("import", agent)
    assert set(dossier.quartiers.values_list("code", flat=True)) == {"QN06209M", "QN06210M"}

    # Le même classeur une seconde fois ne change rien : pas de nouvelle entrée.
    importer_classeur(classeur(modifies, FINANCEMENTS), nom_fichier="p3.xlsx", utilisateur=agent)
    assert (
        EntreeJournal.objects.filter(
            type_objet__model="dossier", objet_id=str(dossier.pk), changements__has_key="quartiers"
        ).count()
        == 2
    )
