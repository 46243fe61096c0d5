"""Import des valeurs depuis un classeur : aperçu, écriture tout ou rien, erreurs qui nomment feuille, ligne, colonne."""

import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import Workbook, load_workbook

from comptes import roles
from contrat_ville.models import Quartier
from indicateurs import importation
from indicateurs.models import ValeurIndicateur
from journal.models import EntreeJournal
from tests.comptes import utilisateur

from .conftest import indicateur

pytestmark = pytest.mark.django_db
URL = "/admin/indicateurs/indicateur/importer/"
ENTETES = ("Code indicateur", "Quartier", "Année", "Valeur")


def classeur(*lignes, entetes=ENTETES, feuille="Valeurs") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = feuille
    ws.append(entetes)
    for ligne in lignes:
        ws.append(ligne)
    flux = io.BytesIO()
    wb.save(flux)
    return flux.getvalue()


@pytest.fixture
def indicateurs_2024(contrat_2024):
    mlb = Quartier.objects.get(code="QN06208M")
    return {
        "contrat": indicateur(contrat_2024, "EMP-1", valeurs={2023: "46.2"}),
        "quartier": indicateur(
            contrat_2024, "EMP-2", quartier=mlb, reference="820", cible="690", sens="BAISSE"
        ),
    }


def test_lecture_puis_import(contrat_2024, indicateurs_2024):
    contenu = classeur(
        ("EMP-1", None, 2023, 46.5),  # remplace 46,2
        ("emp-1", "", "2024", "47,8"),
        ("EMP-2", "QN06208M", 2024, 805),
        ("EMP-2", "qn06208m", 2025, "790 "),
    )
    lecture = importation.lire_classeur(contenu, contrat=contrat_2024)
    assert lecture.erreurs == []
    assert len(lecture.creees) == 3 and len(lecture.modifiees) == 1
    assert not ValeurIndicateur.objects.filter(annee__gte=2024).exists()  # la lecture n'écrit rien
    bilan = importation.importer(lecture)
    assert str(bilan) == "3 valeurs créées, 1 valeur modifiée, 0 valeur inchangée"
    valeurs = {
        (v.indicateur.code, v.annee): v.valeur for v in ValeurIndicateur.objects.select_related("indicateur")
    }
    assert valeurs == {
        ("EMP-1", 2023): Decimal("46.5"),
        ("EMP-1", 2024): Decimal("47.8"),
        ("EMP-2", 2024): Decimal("805"),
        ("EMP-2", 2025): Decimal("790"),
    }


def test_une_ligne_fautive_est_nommee_et_rien_n_est_ecrit(client, contrat_2024, indicateurs_2024):
    contenu = classeur(
        ("EMP-1", None, 2024, "47,8"),
        ("EMP-1", None, 2025, "quarante"),
        ("EMP-9", None, 2025, 3),
        ("EMP-2", None, 2025, 3),
        ("EMP-1", None, "2O25", 3),
        ("EMP-1", None, 2024, 48),
        ("EMP-2", "QN06208M", 2025, -4),
    )
    lecture = importation.lire_classeur(contenu, contrat=contrat_2024)
    assert [str(e) for e in lecture.erreurs] == [
        "Valeurs, ligne 3, Valeur : « quarante » n'est pas un nombre : écrivez les chiffres de 0 à 9, des espaces "
        "entre les milliers et une virgule avant les décimales, par exemple « 12,5 » ou « 1 250 »",
        "Valeurs, ligne 4, Code indicateur : aucun indicateur « EMP-9 » pour tout le contrat",
        "Valeurs, ligne 5, Code indicateur : aucun indicateur « EMP-2 » pour tout le contrat ; ce code existe pour "
        "QN06208M",
        "Valeurs, ligne 6, Année : « 2O25 » n'est pas une année (quatre chiffres, de 1990 à 2100)",
        "Valeurs, ligne 7, Année : l'indicateur « EMP-1 » a déjà une valeur pour 2024 à la ligne 2",
        "Valeurs, ligne 8, Valeur : « -4 » : une valeur d'indicateur ne peut pas être négative",
    ]
    with pytest.raises(ValueError):
        importation.importer(lecture)
    # Par l'administration : les erreurs s'affichent, rien n'est écrit, pas de bouton de confirmation.
    client.force_login(utilisateur("agent.import", roles.AGENT))
    fichier = io.BytesIO(contenu)
    fichier.name = "valeurs.xlsx"
    reponse = client.post(URL, {"contrat": contrat_2024.pk, "classeur": fichier})
    page = reponse.content.decode()
    assert "Import refusé : 6 erreurs dans « valeurs.xlsx »" in page
    assert "Valeurs, ligne 3, Valeur : « quarante »" in page
    assert "Confirmer l&#x27;import" not in page
    assert ValeurIndicateur.objects.count() == 1  # la seule valeur d'avant


def test_colonnes_absentes_et_fichier_illisible(contrat_2024):
    lecture = importation.lire_classeur(classeur(entetes=("Code", "Année")), contrat=contrat_2024)
    assert [str(e) for e in lecture.erreurs] == ["Valeurs, ligne 1, Valeur : colonne absente"]
    lecture = importation.lire_classeur(b"pas un classeur", contrat=contrat_2024)
    assert [str(e) for e in lecture.erreurs] == ["Ce fichier n'est pas un classeur Excel (.xlsx)."]


def test_une_cellule_en_pourcentage_garde_ce_que_le_tableur_montre(contrat_2024, indicateurs_2024):
    wb = Workbook()
    ws = wb.active
    ws.title = "Valeurs"
    ws.append(ENTETES)
    ws.append(("EMP-1", None, 2025, 0.478))
    ws["D2"].number_format = "0.0%"
    flux = io.BytesIO()
    wb.save(flux)
    lecture = importation.lire_classeur(flux.getvalue(), contrat=contrat_2024)
    assert lecture.erreurs == [] and lecture.lignes[0].valeur == Decimal("47.80")


def test_apercu_puis_confirmation_dans_l_administration(client, contrat_2024, indicateurs_2024):
    client.force_login(utilisateur("agent.import", roles.AGENT))
    fichier = io.BytesIO(classeur(("EMP-1", None, 2024, "47,8"), ("EMP-2", "QN06208M", 2024, 805)))
    fichier.name = "valeurs.xlsx"
    reponse = client.post(URL, {"contrat": contrat_2024.pk, "classeur": fichier})
    page = reponse.content.decode()
    assert "Aperçu de l'import de « valeurs.xlsx » (2 lignes lues" in page
    assert "2 valeurs créées" in page and "0 valeur modifiée" in page
    assert "Ligne 2 : EMP-1 Indicateur EMP-1 (tout le contrat) : 2024 = 47,8" in page
    assert ValeurIndicateur.objects.count() == 1  # rien n'est écrit avant la confirmation
    depot = reponse.context["depot"]
    reponse = client.post(URL, {"depot": depot, "confirmer": "1"})
    assert reponse.status_code == 302
    assert ValeurIndicateur.objects.count() == 3
    nouvelle = ValeurIndicateur.objects.get(annee=2024, indicateur__code="EMP-1")
    assert nouvelle.valeur == Decimal("47.8")
    # Au journal d'audit, l'écriture vient de l'import, par l'agent.
    entree = EntreeJournal.objects.get(
        type_objet=ContentType.objects.get_for_model(ValeurIndicateur),
        objet_id=str(nouvelle.pk),
        action=EntreeJournal.Action.CREATION,
    )
    assert entree.source == "import" and entree.nom_utilisateur == "agent.import"
    # Un dépôt altéré est refusé.
    reponse = client.post(URL, {"depot": depot + "x", "confirmer": "1"}, follow=True)
    assert "Ce dépôt a expiré ou a été altéré" in reponse.content.decode()


@pytest.mark.parametrize("role", [roles.DIRECTEUR, roles.AUDITEUR])
def test_l_import_est_reserve_a_l_agent(client, role):
    client.force_login(utilisateur("compte", role))
    assert client.get(URL).status_code == 403


def test_le_classeur_a_remplir_se_reimporte(client, contrat_2024, indicateurs_2024):
    client.force_login(utilisateur("agent.import", roles.AGENT))
    reponse = client.get("/admin/indicateurs/indicateur/modele/", {"contrat": contrat_2024.pk})
    assert reponse["Content-Disposition"].startswith('attachment; filename="valeurs-indicateurs-')
    wb = load_workbook(io.BytesIO(reponse.content))
    lignes = list(wb["Valeurs"].iter_rows(values_only=True))
    annee = lignes[1][2]
    assert lignes[0] == ENTETES
    assert sorted(lignes[1:]) == [("EMP-1", None, annee, None), ("EMP-2", "QN06208M", annee, None)]
    # Rempli, il s'importe tel quel.
    wb["Valeurs"]["D2"], wb["Valeurs"]["D3"] = 47.8, "805"
    flux = io.BytesIO()
    wb.save(flux)
    lecture = importation.lire_classeur(flux.getvalue(), contrat=contrat_2024)
    assert lecture.erreurs == [] and len(lecture.creees) == 2
