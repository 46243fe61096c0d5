"""Import et export du classeur dans l'administration : droits, dépôt → aperçu → confirmation, exports filtrés."""

import io
import os
import tempfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from programmation.enums import OperationEchange
from programmation.models import Dossier, JournalEchange, LigneFinancement

from .classeurs import classeur, lire
from .comptes import agent
from .test_import import DOSSIERS, FINANCEMENTS

URL_LISTE = "/admin/programmation/dossier/"
URL_IMPORT = URL_LISTE + "import/"
URL_CONFIRMER = URL_LISTE + "process_import/"
URL_EXPORT = URL_LISTE + "export/"
TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def deposer(client, contenu, nom="programmation-2022.xlsx"):
    fichier = SimpleUploadedFile(nom, contenu, content_type=TYPE_XLSX)
    return client.post(URL_IMPORT, {"import_file": fichier, "format": "0", "resource": "0"})


@pytest.mark.django_db
def test_depot_apercu_puis_confirmation(client, importateur):
    reponse = deposer(client, classeur(DOSSIERS, FINANCEMENTS))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Aperçu de l'import de « programmation-2022.xlsx » (10 lignes lues)" in page
    assert "Dossiers : 4 créés, 0 modifiés, 0 inchangés" in page
    assert "Lignes de financement : 6 créées, 0 modifiées, 0 inchangées" in page
    assert "Centre social Élan" in page
    assert "Confirmer l'import" in page
    assert Dossier.objects.count() == 0  # l'aperçu n'écrit rien

    confirmation = reponse.context["confirm_form"].initial
    reponse = client.post(URL_CONFIRMER, confirmation)
    assert reponse.status_code == 302
    assert reponse["Location"] == URL_LISTE + "?programmation__annee=2022"
    assert Dossier.objects.count() == 4
    assert LigneFinancement.objects.count() == 6
    suite = client.get(reponse["Location"])
    assert "Import de « programmation-2022.xlsx » réussi." in suite.content.decode()
    journal = JournalEchange.objects.get()
    assert (journal.utilisateur, journal.operation, journal.nb_lignes, journal.reussi) == (
        importateur,
        OperationEchange.IMPORT,
        10,
        True,
    )
    # Un même dépôt ne se confirme qu'une fois.
    reponse = client.post(URL_CONFIRMER, confirmation)
    assert reponse.status_code == 302 and reponse["Location"] == URL_IMPORT
    assert JournalEchange.objects.count() == 1


@pytest.mark.django_db
def test_un_classeur_fautif_montre_ses_erreurs_sans_bouton_de_confirmation(client, importateur):
    financements = [*FINANCEMENTS, ["2022-001", 2022, "BAILLEUR", "Droit commun", 100, -50]]
    reponse = deposer(client, classeur(DOSSIERS, financements))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Import refusé : 1 erreur dans « programmation-2022.xlsx »" in page
    assert "Financements, ligne 8, Montant accordé : montant négatif" in page
    assert "confirm_form" not in reponse.context
    assert "Confirmer" not in page
    assert Dossier.objects.count() == 0


@pytest.mark.django_db
def test_un_fichier_qui_n_est_pas_un_classeur_recoit_un_message_clair(client, importateur):
    reponse = deposer(client, b"Numero;Annee\n2022-001;2022\n", nom="export.csv")
    assert reponse.status_code == 200
    assert "Ce fichier n&#x27;est pas un classeur Excel (.xlsx)." in reponse.content.decode()


@pytest.mark.django_db
def test_on_ne_confirme_pas_le_depot_d_un_autre(client, importateur, django_user_model):
    reponse = deposer(client, classeur(DOSSIERS, FINANCEMENTS))
    confirmation = reponse.context["confirm_form"].initial
    autre = agent("autre", "importer_programmation")
    client.force_login(autre)
    reponse = client.post(URL_CONFIRMER, confirmation)
    assert reponse.status_code == 302
    assert Dossier.objects.count() == 0


@pytest.mark.django_db
def test_sans_permission_d_import_ni_bouton_ni_acces(client, django_user_model):
    client.force_login(agent("lecteur"))
    page = client.get(URL_LISTE).content.decode()
    assert URL_IMPORT not in page
    assert URL_EXPORT not in page
    assert client.get(URL_IMPORT).status_code == 403
    contenu = classeur(DOSSIERS, FINANCEMENTS)
    fichier = SimpleUploadedFile("p.xlsx", contenu, content_type=TYPE_XLSX)
    assert client.post(URL_IMPORT, {"import_file": fichier, "format": "0"}).status_code == 403
    assert (
        client.post(
            URL_CONFIRMER, {"import_file_name": "x", "original_file_name": "x", "format": "0"}
        ).status_code
        == 403
    )
    assert client.get(URL_EXPORT).status_code == 403
    assert client.get(URL_LISTE + "export-financeurs/").status_code == 403
    assert client.get(URL_LISTE + "modele/").status_code == 403
    assert not JournalEchange.objects.exists()


@pytest.mark.django_db
def test_l_exportateur_sans_droit_d_import_n_a_que_l_export(client, django_user_model):
    client.force_login(agent("partenaire", "exporter_programmation"))
    page = client.get(URL_LISTE).content.decode()
    assert URL_IMPORT not in page
    assert URL_EXPORT in page
    assert client.get(URL_IMPORT).status_code == 403


@pytest.mark.django_db
def test_l_export_reprend_les_filtres_de_la_liste(client, importateur):
    deposer_et_confirmer(client, classeur(DOSSIERS, FINANCEMENTS))
    autre_annee = [
        ["2021-001", 2021, "Action 2021", "Ville de Béthune", None, "Commune", "1", None, None, "Retenu", 10]
    ]
    deposer_et_confirmer(client, classeur(autre_annee, [["2021-001", 2021, "AGGLO", "", 5, 5]]))

    page = client.get(URL_LISTE + "?programmation__annee=2022").content.decode()
    assert URL_EXPORT + "?programmation__annee=2022" in page
    reponse = client.get(URL_EXPORT + "?programmation__annee=2022")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == TYPE_XLSX
    assert 'filename="programmation-2022.xlsx"' in reponse["Content-Disposition"]
    feuilles = lire(reponse.content)
    assert [r[0] for r in feuilles["Dossiers"][1:]] == ["2022-001", "2022-002", "2022-003", "2022-004"]
    assert len(feuilles["Financements"]) == 1 + 6

    reponse = client.get(URL_EXPORT + "?statut__exact=RETENU&q=B%C3%A9thune")
    assert [r[0] for r in lire(reponse.content)["Dossiers"][1:]] == ["2021-001", "2022-002", "2022-004"]
    exports = JournalEchange.objects.filter(operation=OperationEchange.EXPORT).order_by("le")
    assert [(j.nom_fichier, j.nb_lignes, j.utilisateur) for j in exports][0] == (
        "programmation-2022.xlsx",
        10,
        importateur,
    )


def deposer_et_confirmer(client, contenu):
    reponse = deposer(client, contenu)
    return client.post(URL_CONFIRMER, reponse.context["confirm_form"].initial)


@pytest.mark.django_db
def test_action_d_export_des_dossiers_selectionnes(client, importateur):
    deposer_et_confirmer(client, classeur(DOSSIERS, FINANCEMENTS))
    choisis = list(Dossier.objects.filter(numero__in=["2022-001", "2022-003"]).values_list("pk", flat=True))
    reponse = client.post(URL_LISTE, {"action": "exporter_selection", "_selected_action": choisis})
    assert reponse.status_code == 200
    feuilles = lire(reponse.content)
    assert [r[0] for r in feuilles["Dossiers"][1:]] == ["2022-001", "2022-003"]
    assert [r[2] for r in feuilles["Financements"][1:]] == [
        "Communes",
        "État – ANCT (BOP 147)",
        "État – ANCT (BOP 147)",
    ]


@pytest.mark.django_db
def test_export_par_financeur_et_classeur_modele(client, importateur):
    deposer_et_confirmer(client, classeur(DOSSIERS, FINANCEMENTS))
    reponse = client.get(URL_LISTE + "export-financeurs/?programmation__annee=2022")
    assert reponse.status_code == 200
    assert 'filename="financements-par-financeur-2022.xlsx"' in reponse["Content-Disposition"]
    par_pilier = lire(reponse.content)["Par pilier"]
    assert par_pilier[0][:2] == ("Année", "Financeur")
    etat = [r for r in par_pilier if r[1] == "État – ANCT (BOP 147)"]
    # Seul 2022-001 (retenu) a de l'ANCT accordé ; 2022-003 est déposé et ne compte pas.
    assert etat == [(2022, "État – ANCT (BOP 147)", "1", "Cohésion sociale", 1, 0, 7500, 7500)]
    assert JournalEchange.objects.filter(operation=OperationEchange.EXPORT_FINANCEURS).count() == 1

    modele = client.get(URL_LISTE + "modele/")
    assert modele.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(modele.content))
    assert wb.sheetnames == ["Dossiers", "Financements", "Aide"]


@pytest.mark.django_db
def test_les_depots_jamais_confirmes_ne_s_accumulent_pas(client, importateur):
    contenu = classeur(DOSSIERS[:1], FINANCEMENTS[:1])
    noms = [deposer(client, contenu).context["confirm_form"].initial["import_file_name"] for _ in range(11)]
    presents = [os.path.exists(os.path.join(tempfile.gettempdir(), nom)) for nom in noms]
    assert presents == [False] + [True] * 10
    for nom in noms[1:]:
        os.remove(os.path.join(tempfile.gettempdir(), nom))
