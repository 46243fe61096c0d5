"""Le classeur d'échange au cadre du contrat de l'année : « Orientation » et ses axes pour le contrat 2024, les
objectifs des projets de quartier, le format de 2015 inchangé pour les années du contrat de 2015."""

import pytest

from contrat_ville import demo as demo_contrat
from contrat_ville.models import Contrat, ObjectifQuartier, ProjetQuartier, Quartier
from programmation.echange.exportation import classeur_modele, classeur_programmation, contrat_du_modele
from programmation.echange.format import COLONNES_DOSSIERS
from programmation.echange.importation import importer_classeur
from programmation.models import Dossier, Programmation
from programmation.selectors.selections import dossiers_de_l_annee

from .classeurs import ENTETES_FINANCEMENTS, classeur, lire

pytestmark = pytest.mark.django_db

ENTETES_2024 = [
    "N° dossier",
    "Année",
    "Intitulé",
    "Porteur",
    "SIRET",
    "Type de porteur",
    "Orientation",
    "Axe",
    "Thématique",
    "Quartiers",
    "Objectifs de quartier",
    "Statut",
    "Coût total",
    "Dossier précédent",
]
ENTETES_2015 = [c.titre for c in COLONNES_DOSSIERS]


def ligne_2025(numero="2025-501", orientation="O1", axe="O1.2", objectifs="QN06208M-1, QN06208M-2"):
    return [
        numero,
        2025,
        "Prévention du décrochage au collège Paul Verlaine",
        "Centre social Élan",
        "",
        "Association",
        orientation,
        axe,
        "1.1",
        "QN06208M",
        objectifs,
        "Retenu",
        "18 000,00 €",
        None,
    ]


@pytest.fixture
def contrat_2024():
    demo_contrat.charger()
    return Contrat.objects.get(nom=demo_contrat.NOM_CONTRAT_2024)


def importer(contenu):
    return importer_classeur(contenu, nom_fichier="programmation.xlsx")


def test_une_ligne_2025_sous_un_axe_vise_deux_objectifs_puis_l_export_la_rend_telle_quelle(contrat_2024):
    financements = [["2025-501", 2025, "État – ANCT (BOP 147)", "Crédits spécifiques", 9000, 9000]]
    rapport = importer(classeur([ligne_2025()], financements, entetes_dossiers=ENTETES_2024))
    assert rapport.erreurs == []
    assert rapport.programmations_creees == [2025]

    dossier = Dossier.objects.get(programmation__annee=2025, numero="2025-501")
    assert dossier.programmation.contrat == contrat_2024
    assert (dossier.pilier.code, dossier.pilier.parent.code) == ("O1.2", "O1")
    assert dossier.thematique.code == "1.1"  # la thématique ANCT reste, pour l'État
    assert sorted(dossier.objectifs.values_list("code", flat=True)) == ["QN06208M-1", "QN06208M-2"]

    # L'export nomme les niveaux du contrat 2024 et se réimporte sans rien changer (symétrie).
    contenu, _ = classeur_programmation(dossiers_de_l_annee(2025))
    feuilles = lire(contenu)
    assert list(feuilles["Dossiers"][0]) == ENTETES_2024
    rang = dict(zip(ENTETES_2024, feuilles["Dossiers"][1], strict=True))
    assert rang["Orientation"].startswith("O1. Réussite éducative")
    assert rang["Axe"] == "O1.2. Continuité éducative et lutte contre le décrochage"
    assert rang["Objectifs de quartier"] == "QN06208M-1; QN06208M-2"
    assert importer(contenu).nb_modifications == 0

    # Une cellule d'objectifs réécrite remplace les liens ; les séparateurs « ; » et « , » se valent.
    rapport = importer(classeur([ligne_2025(objectifs="QN06208M-2;")], entetes_dossiers=ENTETES_2024))
    assert rapport.erreurs == [] and len(rapport.dossiers_modifies) == 1
    assert list(dossier.objectifs.values_list("code", flat=True)) == ["QN06208M-2"]


def test_les_erreurs_du_cadre_nomment_la_ligne_et_la_colonne_et_rien_n_est_ecrit(contrat_2024):
    ancien = Contrat.objects.get(cadre_national=True)
    projet = ProjetQuartier.objects.create(
        contrat=ancien, quartier=Quartier.objects.get(code="QN06209M"), intitule="Ancien projet"
    )
    ObjectifQuartier.objects.create(projet=projet, code="ANCIEN-1", libelle="Un objectif de 2015")
    lignes = [
        ligne_2025("2025-501", objectifs="QN06208M-9"),
        ligne_2025("2025-502", objectifs="QN06208M-1; ANCIEN-1"),
        ligne_2025("2025-503", orientation="O9", axe=None),
        ligne_2025("2025-504", orientation="O1", axe="O2.1"),
        ligne_2025("2025-505", orientation="O4", axe="O1.1"),
    ]
    rapport = importer(classeur(lignes, entetes_dossiers=ENTETES_2024))
    assert [str(e) for e in rapport.erreurs] == [
        "Dossiers, ligne 2, Objectifs de quartier : objectif « QN06208M-9 » inconnu dans les projets de quartier "
        "du contrat « Contrat de ville – Engagements Quartiers 2030 »",
        "Dossiers, ligne 3, Objectifs de quartier : l'objectif « ANCIEN-1 » appartient au contrat « Contrat de "
        "Ville de l'agglomération Béthune-Bruay Artois Lys Romane », pas à celui de 2025 (« Contrat de ville – "
        "Engagements Quartiers 2030 »)",
        "Dossiers, ligne 4, Orientation : « O9 » ne figure pas parmi les orientations du contrat « Contrat de "
        "ville – Engagements Quartiers 2030 » (2025) : O1, O2, O3, O4, O5",
        "Dossiers, ligne 5, Axe : « O2.1 » ne figure pas sous « O1. Réussite éducative et épanouissement des "
        "enfants et des jeunes » dans le cadre du contrat (possibles : O1.1, O1.2)",
        "Dossiers, ligne 6, Axe : « O1.1 » ne figure pas sous « O4. Santé, accès aux droits et lien social » "
        "dans le cadre du contrat : cet élément n'a pas de sous-niveau",
    ]
    assert not rapport.ecrit
    assert not Programmation.objects.filter(annee=2025).exists()
    assert not Dossier.objects.filter(numero__startswith="2025-").exists()


def test_une_erreur_sur_une_seule_ligne_refuse_tout_le_classeur(contrat_2024):
    lignes = [ligne_2025("2025-501"), ligne_2025("2025-502", objectifs="QN06208M-1, INCONNU")]
    rapport = importer(classeur(lignes, entetes_dossiers=ENTETES_2024))
    assert [str(e) for e in rapport.erreurs] == [
        "Dossiers, ligne 3, Objectifs de quartier : objectif « INCONNU » inconnu dans les projets de quartier du "
        "contrat « Contrat de ville – Engagements Quartiers 2030 »"
    ]
    assert not Dossier.objects.filter(numero="2025-501").exists()
    assert not Dossier.objectifs.through.objects.exists()


def test_le_format_2015_reste_celui_des_annees_du_contrat_de_2015(contrat_2024):
    dossiers = [
        [
            "2021-901",
            2021,
            "Aide aux devoirs",
            "Centre social Élan",
            "",
            "Association",
            "1",
            "1.1",
            "QN06208M",
            "Retenu",
            20000,
            None,
        ]
    ]
    financements = [["2021-901", 2021, "Agglomération", "Droit commun", 5000, 5000]]
    rapport = importer(classeur(dossiers, financements))
    assert rapport.erreurs == []
    dossier = Dossier.objects.get(programmation__annee=2021, numero="2021-901")
    assert dossier.programmation.contrat.cadre_national
    assert dossier.pilier.code == "1"

    # L'export d'une année du contrat de 2015 garde ses douze colonnes, « Pilier » compris.
    contenu, _ = classeur_programmation(dossiers_de_l_annee(2021).filter(numero="2021-901"))
    feuilles = lire(contenu)
    assert list(feuilles["Dossiers"][0]) == ENTETES_2015
    assert list(feuilles["Financements"][0]) == ENTETES_FINANCEMENTS
    assert importer(contenu).nb_modifications == 0
    # Le classeur modèle suit le contrat de l'année demandée.
    assert list(lire(classeur_modele(contrat_du_modele(2021)))["Dossiers"][0]) == ENTETES_2015
    modele_2025 = lire(classeur_modele(contrat_du_modele(2025)))
    assert list(modele_2025["Dossiers"][0]) == ENTETES_2024
    aide = modele_2025["Aide"]
    assert (
        "Orientation",
        "O4 ou Santé, accès aux droits et lien social (contrat « Contrat de ville – "
        "Engagements Quartiers 2030 »)",
    ) in aide
    assert any(r[0] == "Objectif de quartier" and r[1].startswith("QN06208M-1 : ") for r in aide)


def test_un_classeur_de_deux_contrats_nomme_les_deux_niveaux_et_se_reimporte(contrat_2024):
    entetes = [*ENTETES_2024]
    entetes[6] = "Pilier ou orientation"
    ligne_2021 = [
        "2021-901",
        2021,
        "Aide aux devoirs",
        "Centre social Élan",
        "",
        "Association",
        "1",
        None,
        "1.1",
        "QN06208M",
        None,
        "Retenu",
        20000,
        None,
    ]
    rapport = importer(classeur([ligne_2021, ligne_2025()], entetes_dossiers=entetes))
    assert rapport.erreurs == []
    contenu, _ = classeur_programmation(Dossier.objects.filter(numero__in=["2021-901", "2025-501"]))
    assert list(lire(contenu)["Dossiers"][0]) == entetes
    assert importer(contenu).nb_modifications == 0
    # Une orientation du contrat 2024 n'a pas de sens en 2021 : l'erreur le dit dans les mots du contrat de 2015.
    ligne_2021[6] = "O1"
    rapport = importer(classeur([ligne_2021], entetes_dossiers=entetes))
    assert [str(e) for e in rapport.erreurs] == [
        "Dossiers, ligne 2, Pilier ou orientation : pilier « O1 » inconnu dans le cadre du contrat"
    ]
