"""Export au format d'échange : aller-retour fidèle, montants en nombres, formules neutralisées."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from contrat_ville.enums import TypePorteur
from contrat_ville.models import Financeur, Pilier, Porteur
from programmation.echange.exportation import classeur_modele, classeur_par_financeur, classeur_programmation
from programmation.echange.importation import importer_classeur
from programmation.enums import StatutDossier
from programmation.models import Dossier, LigneFinancement, Programmation
from programmation.selectors.chiffres import chiffres_programmation
from programmation.selectors.repartitions import (
    financements_par_financeur,
    operateurs_associatifs,
    repartition_par_pilier,
)
from programmation.selectors.selections import dossiers_de_l_annee, piliers_du_contrat
from programmation.synthetique import creer_annee_synthetique

from .classeurs import lire


def chiffres_du_rapport(annee: int):
    dossiers = dossiers_de_l_annee(annee)
    piliers = piliers_du_contrat(annee)
    return {
        "chiffres": chiffres_programmation(dossiers),
        "piliers": repartition_par_pilier(dossiers, piliers),
        "associatifs": operateurs_associatifs(dossiers, piliers),
        "par_financeur_pilier": financements_par_financeur(dossiers, "pilier"),
        "par_financeur_quartier": financements_par_financeur(dossiers, "quartier"),
    }


def importer(contenu: bytes):
    rapport = importer_classeur(contenu, nom_fichier="export.xlsx")
    assert rapport.erreurs == []
    return rapport


@pytest.mark.django_db
def test_l_annee_2021_exportee_puis_reimportee_donne_les_memes_chiffres_du_rapport(donnees_demo):
    avant = chiffres_du_rapport(2021)
    assert avant["chiffres"].total == Decimal("6931463.00")
    contenu, nb = classeur_programmation(dossiers_de_l_annee(2021))
    assert (
        nb
        == Dossier.objects.filter(programmation__annee=2021).count()
        + LigneFinancement.objects.filter(dossier__programmation__annee=2021).count()
    )

    # L'export se réimporte tel quel sans rien changer…
    rapport = importer(contenu)
    assert rapport.nb_modifications == 0

    # … et recrée la même année dans une programmation vidée de ses dossiers.
    LigneFinancement.objects.filter(dossier__programmation__annee=2021).delete()
    Dossier.objects.filter(programmation__annee=2021).delete()
    assert chiffres_du_rapport(2021)["chiffres"].total == 0
    rapport = importer(contenu)
    assert len(rapport.dossiers_crees) == 141
    assert chiffres_du_rapport(2021) == avant


@pytest.mark.django_db
def test_aller_retour_dans_une_base_neuve_porteurs_compris():
    creer_annee_synthetique(2023, nb_dossiers=300, nb_lignes=900)
    avant = chiffres_du_rapport(2023)
    contenu, _ = classeur_programmation(dossiers_de_l_annee(2023))
    porteurs = sorted(
        Porteur.objects.filter(dossiers__isnull=False).distinct().values_list("nom", "type", "siret")
    )

    Dossier.quartiers.through.objects.all().delete()
    LigneFinancement.objects.all().delete()
    Dossier.objects.all().delete()
    Porteur.objects.all().delete()
    Programmation.objects.all().delete()

    rapport = importer(contenu)
    assert rapport.programmations_creees == [2023]
    assert (len(rapport.dossiers_crees), len(rapport.lignes_creees)) == (300, 900)
    assert chiffres_du_rapport(2023) == avant
    assert sorted(Porteur.objects.values_list("nom", "type", "siret")) == porteurs
    # Réexporter la base reconstruite redonne le même classeur, cellule pour cellule.
    assert lire(classeur_programmation(dossiers_de_l_annee(2023))[0]) == lire(contenu)


@pytest.mark.django_db
def test_montants_en_nombres_et_textes_dangereux_neutralises_sans_etre_alteres():
    programmation = Programmation.objects.create(annee=2022, contrat=Pilier.objects.first().contrat)
    dangereux = ['=HYPERLINK("http://exemple.invalid","clic")', "+33 6 00 00 00 00", "-moins", "@SOMME(A1)"]
    porteur = Porteur.objects.create(nom="\tTabulation", type=TypePorteur.ASSOCIATION)
    for i, texte in enumerate(dangereux):
        dossier = Dossier.objects.create(
            programmation=programmation,
            numero=f"D{i}",
            intitule=texte,
            porteur=porteur,
            pilier=Pilier.objects.get(code="1"),
            statut=StatutDossier.RETENU,
            cout_total=Decimal("1234.56"),
        )
    LigneFinancement.objects.create(
        dossier=dossier,
        financeur=Financeur.objects.get(code="AGGLO"),
        nature="DROIT_COMMUN",
        montant_sollicite=Decimal("12500.50"),
        montant_accorde=Decimal("0.07"),
    )
    contenu, _ = classeur_programmation(dossiers_de_l_annee(2022))

    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml  # aucune formule dans le classeur
    wb = openpyxl.load_workbook(io.BytesIO(contenu))
    dossiers = wb["Dossiers"]
    for rang in dossiers.iter_rows(min_row=2):
        intitule, porteur_cell, cout = rang[2], rang[3], rang[10]
        assert intitule.value in dangereux
        assert (intitule.data_type, intitule.quotePrefix) == ("s", True)
        assert (porteur_cell.value, porteur_cell.quotePrefix) == ("\tTabulation", True)
        assert (cout.data_type, cout.value) == ("n", 1234.56)
    assert dossiers["A2"].quotePrefix is False  # un texte ordinaire reste ordinaire
    financement = [c.value for c in wb["Financements"][2]]
    assert financement[4:] == [12500.5, 0.07]
    assert wb["Financements"]["E2"].number_format == '#,##0.00\\ "€"'


@pytest.mark.django_db
def test_le_classeur_modele_s_importe_vide_et_liste_les_valeurs_admises():
    contenu = classeur_modele()
    feuilles = lire(contenu)
    assert feuilles["Dossiers"] == [
        (
            "N° dossier",
            "Année",
            "Intitulé",
            "Porteur",
            "SIRET",
            "Type de porteur",
            "Pilier",
            "Thématique",
            "Quartiers",
            "Statut",
            "Coût total",
            "Dossier précédent",
        )
    ]
    assert feuilles["Financements"] == [
        ("N° dossier", "Année", "Financeur", "Nature", "Montant sollicité", "Montant accordé")
    ]
    aide = {r[0]: r[1] for r in feuilles["Aide"][1:6]}
    assert aide["Statut"] == "Déposé, En instruction, Retenu, Refusé, Abandonné"
    assert any(r[0] == "Quartier" and r[1].startswith("QN06208M : ") for r in feuilles["Aide"])
    rapport = importer_classeur(contenu, nom_fichier="modele.xlsx", ecrire=False)
    assert [str(e) for e in rapport.erreurs] == ["Le classeur ne contient aucune ligne à importer."]


@pytest.mark.django_db
def test_export_par_financeur_par_pilier_et_par_quartier(donnees_demo):
    contenu, nb = classeur_par_financeur(dossiers_de_l_annee(2021))
    feuilles = lire(contenu)
    par_pilier = feuilles["Par pilier"][1:]
    assert nb == len(par_pilier) + len(feuilles["Par quartier"]) - 2
    assert {r[0] for r in par_pilier} == {2021}
    total = sum(Decimal(str(r[7])) for r in par_pilier)
    assert total == Decimal("6931463")  # tous financeurs et piliers : le total programmé du rapport
    specifiques = sum(Decimal(str(r[6])) for r in par_pilier)
    assert specifiques == Decimal("4132530")
    etat = {r[3]: Decimal(str(r[7])) for r in par_pilier if r[1] == "État – ANCT (BOP 147)"}
    repartition = repartition_par_pilier(dossiers_de_l_annee(2021), piliers_du_contrat(2021))
    assert etat == {
        ligne.pilier.libelle: ligne.montant_etat for ligne in repartition.lignes if ligne.montant_etat
    }
    assert feuilles["Par quartier"][0][0].startswith(
        "Un dossier qui touche plusieurs quartiers compte dans chacun"
    )


@pytest.mark.django_db
def test_l_export_par_financeur_de_deux_annees_ne_les_melange_pas(donnees_demo):
    """2020 et 2021 choisies ensemble : chaque ligne dit son année, et chaque année fait son propre total."""
    deux_annees = Dossier.objects.filter(programmation__annee__in=[2020, 2021])
    contenu, _ = classeur_par_financeur(deux_annees)
    par_pilier = lire(contenu)["Par pilier"][1:]
    totaux = {}
    for ligne in par_pilier:
        totaux[ligne[0]] = totaux.get(ligne[0], Decimal(0)) + Decimal(str(ligne[7]))
    assert totaux[2021] == Decimal("6931463")
    assert totaux[2020] == chiffres_programmation(dossiers_de_l_annee(2020)).total
