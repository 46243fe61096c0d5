"""Export open data SCDL « subventions » 2.1.0 : en-tête exact, chaque ligne au format du schéma, SIRET exigés."""

import csv
import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from conventions.scdl import COLONNES
from tests.factories import LigneFinancementFactory, PorteurFactory

from .factories import convention, ligne_agglo

pytestmark = pytest.mark.django_db

SIRET_AGGLO = "73282932000074"  # valide (clé de Luhn), pour le test
EN_TETE = (
    "multiFinanceur,identifiantSubvention,nomAttribuant,idAttribuant,dateConvention,referenceDecision,"
    "nomBeneficiaire,idBeneficiaire,objet,montant,nature,conditionsVersement,datesPeriodeVersement,idRAE,"
    "notificationUE,pourcentageSubvention"
)
# Les motifs du schéma SCDL 2.1.0, réécrits ici à part de ceux du code : le test doit pouvoir lui donner tort.
SCHEMA = {
    "multiFinanceur": r"true|false",
    "idAttribuant": r"\d{14}",
    "dateConvention": r"\d{4}-\d{2}-\d{2}",
    "idBeneficiaire": r"\d{14}",
    "montant": r"\d+(\.\d+)?",
    "nature": r"aide en numéraire|aide en nature",
    "conditionsVersement": r"unique|échelonné|autre",
    "datesPeriodeVersement": r"\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?",
    "notificationUE": r"oui|non",
}


@pytest.fixture(autouse=True)
def siret_agglo(settings):
    settings.SIRET_ATTRIBUANT = SIRET_AGGLO


def test_export_scdl_en_tete_exact_et_lignes_conformes(tmp_path):
    porteur = PorteurFactory(nom="Maison des associations", siret="44306184100047")
    ligne = ligne_agglo(2024, Decimal("30000.00"), porteur=porteur)
    LigneFinancementFactory(dossier=ligne.dossier, montant_accorde=Decimal("8000.00"))
    convention(
        ligne,
        {2024: Decimal("30000.00"), 2025: Decimal("31000.50")},
        date_signature=datetime.date(2024, 4, 2),
        objet="Accompagnement à la scolarité, quartier du Mont-Liébaut",
    )
    fichier = tmp_path / "subventions.csv"

    call_command("export_scdl", "2025", "--output", str(fichier))

    brut = fichier.read_bytes()
    assert brut.decode("utf-8").splitlines()[0] == EN_TETE
    lignes = list(csv.DictReader(brut.decode("utf-8").splitlines()))
    assert tuple(lignes[0]) == COLONNES and len(COLONNES) == 16
    assert len(lignes) == 1
    ligne_csv = lignes[0]
    for colonne, motif in SCHEMA.items():
        assert re.fullmatch(motif, ligne_csv[colonne]), (colonne, ligne_csv[colonne])
    assert 0.01 <= float(ligne_csv["pourcentageSubvention"]) <= 1
    assert len(ligne_csv["objet"]) <= 256 and len(ligne_csv["idRAE"]) <= 5
    assert ligne_csv["montant"] == "31000.50"
    assert ligne_csv["idBeneficiaire"] == "44306184100047"
    assert ligne_csv["dateConvention"] == "2024-04-02"
    assert ligne_csv["conditionsVersement"] == "échelonné"
    assert (
        ligne_csv["datesPeriodeVersement"] == "2025-01-01/2026-07-31"
    )  # avance au 1er janvier, solde après le bilan
    # Le dossier 2024 avait aussi l'État ; la tranche 2025 est portée par un dossier reconduit, de l'agglo seule.
    assert ligne_csv["multiFinanceur"] == "false"
    call_command("export_scdl", "2024", "--output", str(fichier))
    assert next(csv.DictReader(fichier.read_text("utf-8").splitlines()))["multiFinanceur"] == "true"


def test_un_porteur_sans_siret_arrete_l_export_et_il_est_nomme(tmp_path):
    porteur = PorteurFactory(nom="Les Jardins du Quai", siret="")
    ligne = ligne_agglo(2024, Decimal("25000.00"), porteur=porteur)
    convention(ligne, {2024: Decimal("25000.00")}, date_signature=datetime.date(2024, 4, 2))
    fichier = tmp_path / "subventions.csv"

    with pytest.raises(CommandError, match="le SIRET manque pour 1 porteur.*Les Jardins du Quai"):
        call_command("export_scdl", "2024", "--output", str(fichier))
    assert not fichier.exists()
