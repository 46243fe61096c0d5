"""Chargement du référentiel depuis `fixtures/referentiel/` : communes, QPV, piliers et thématiques ANCT.

Les fichiers viennent de `shared/data` (ANCT, INSEE, IGN ; Licence Ouverte). Le chargement est idempotent :
on met à jour ce qui existe, on crée ce qui manque, rien n'est supprimé.
"""

import csv
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from .enums import CodeFinanceur, NatureCredits, TypeQuartier
from .models import Commune, ConseilCitoyen, Contrat, Financeur, Pilier, Quartier, Thematique
from .selectors import oublier_referentiel

DOSSIER = settings.BASE_DIR / "fixtures" / "referentiel"

# Natures par défaut : les crédits de l'ANCT (BOP 147) sont les crédits spécifiques de la politique de la ville.
FINANCEURS = [
    (CodeFinanceur.ETAT_ANCT, "État – ANCT (BOP 147)", NatureCredits.SPECIFIQUE),
    (CodeFinanceur.AGGLO, "Communauté d'agglomération", NatureCredits.DROIT_COMMUN),
    (CodeFinanceur.COMMUNE, "Communes", NatureCredits.DROIT_COMMUN),
    (CodeFinanceur.DEPARTEMENT, "Département du Pas-de-Calais", NatureCredits.DROIT_COMMUN),
    (CodeFinanceur.REGION, "Région Hauts-de-France", NatureCredits.DROIT_COMMUN),
    (CodeFinanceur.CAF, "Caisse d'allocations familiales", NatureCredits.DROIT_COMMUN),
    (CodeFinanceur.BAILLEUR, "Bailleurs sociaux", NatureCredits.DROIT_COMMUN),
    (CodeFinanceur.AUTRE, "Autres financeurs", NatureCredits.DROIT_COMMUN),
]

# Le cadre du contrat 2015 de la CABBALR : ses libellés de piliers et l'ordre de son rapport annuel.
CONTRAT_CABBALR = {
    "nom": "Contrat de Ville de l'agglomération Béthune-Bruay Artois Lys Romane",
    "epci": "Communauté d'Agglomération de Béthune-Bruay, Artois Lys Romane",
    "siren_epci": "200072460",
    "date_signature": date(2015, 6, 30),
    "date_fin": date(2020, 12, 31),
    "date_fin_prorogation": date(2023, 12, 31),
    "cadre_national": True,
    "libelle_niveau": "pilier",
    "libelle_niveau_pluriel": "piliers",
}
PILIERS_CABBALR = [
    # code ANCT, libellé du contrat, libellé court, ordre
    ("1", "Cohésion sociale", "Cohésion sociale", 1),
    ("3", "Cadre de vie, renouvellement urbain", "Cadre de vie", 2),
    ("2", "Emploi et développement économique", "Emploi & attractivité économique", 3),
    ("4", "Pilotage, qualification des acteurs, évaluation", "Pilotage du contrat", 4),
]
# Réussite éducative, lien social et insertion socio-professionnelle : les thématiques que le rapport suit.
THEMATIQUES_PRINCIPALES = {"1.1", "1.5", "2.1"}
DEPARTEMENT_CABBALR = "62"
QPV_CABBALR = [f"QN062{n:02d}M" for n in range(4, 19)] + ["QN06255M"]


@dataclass
class Bilan:
    communes: int = 0
    quartiers: int = 0
    piliers: int = 0
    thematiques: int = 0
    financeurs: int = 0
    conseils_citoyens: int = 0


def lire_csv(nom: str) -> list[dict]:
    with open(DOSSIER / nom, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def charger_communes(departement: str = DEPARTEMENT_CABBALR) -> int:
    contours = {}
    chemin = DOSSIER / f"communes_{departement}.geojson"
    if chemin.exists():
        for feature in json.loads(chemin.read_text(encoding="utf-8"))["features"]:
            contours[feature["properties"]["code"]] = feature["geometry"]
    existantes = {c.code_insee: c for c in Commune.objects.all()}
    nouvelles, modifiees = [], []
    for row in lire_csv(f"communes_{departement}.csv"):
        valeurs = {
            "nom": row["lib_com"],
            "longitude": Decimal(row["lon"]) if row["lon"] else None,
            "latitude": Decimal(row["lat"]) if row["lat"] else None,
            "contour": contours.get(row["insee_com"]),
        }
        commune = existantes.get(row["insee_com"])
        if commune is None:
            nouvelles.append(Commune(code_insee=row["insee_com"], **valeurs))
        else:
            for champ, valeur in valeurs.items():
                setattr(commune, champ, valeur)
            modifiees.append(commune)
    Commune.objects.bulk_create(nouvelles, batch_size=500)
    Commune.objects.bulk_update(modifiees, ["nom", "longitude", "latitude", "contour"], batch_size=500)
    oublier_referentiel()  # les écritures en masse ne passent pas par les signaux
    return len(nouvelles) + len(modifiees)


def charger_qpv(codes: list[str] | None = None, departement: str | None = None) -> list[Quartier]:
    """Charge des QPV de la géographie 2024 (liste nationale), par codes ou par département."""
    lignes = [
        row
        for row in lire_csv("qpv2024.csv")
        if (codes is None or row["code_qp"] in codes)
        and (departement is None or row["insee_dep"] == departement)
    ]
    voulus = {row["code_qp"] for row in lignes}
    contours = {}
    for feature in json.loads((DOSSIER / "qpv2024.geojson").read_text(encoding="utf-8"))["features"]:
        if feature["properties"]["code_qp"] in voulus:
            contours[feature["properties"]["code_qp"]] = feature["geometry"]
    communes = {c.code_insee: c for c in Commune.objects.all()}
    quartiers = []
    for row in lignes:
        quartier, _ = Quartier.objects.update_or_create(
            code=row["code_qp"],
            defaults={
                "nom": row["lib_qp"],
                "type": TypeQuartier.QPV,
                "contour": contours.get(row["code_qp"]),
            },
        )
        codes_insee = row["insee_com"].split(";")
        noms = row["lib_com"].split(";")
        liees = []
        for code_insee, nom in zip(codes_insee, noms, strict=False):
            commune = communes.get(code_insee)
            if commune is None:  # commune d'un autre département : créée sans contour
                commune, _ = Commune.objects.get_or_create(code_insee=code_insee, defaults={"nom": nom})
                communes[code_insee] = commune
            liees.append(commune)
        quartier.communes.set(liees)
        quartiers.append(quartier)
    return quartiers


def charger_quartiers_communautaires() -> list[Quartier]:
    """Quartiers choisis par l'EPCI (prioritaires communautaires, de veille), hors liste de l'État."""
    chemin = DOSSIER / "quartiers_communautaires.geojson"
    if not chemin.exists():
        return []
    communes = {c.code_insee: c for c in Commune.objects.all()}
    quartiers = []
    for feature in json.loads(chemin.read_text(encoding="utf-8"))["features"]:
        p = feature["properties"]
        quartier, _ = Quartier.objects.update_or_create(
            code=p["code"], defaults={"nom": p["nom"], "type": p["type"], "contour": feature.get("geometry")}
        )
        quartier.communes.set([communes[c] for c in p["communes"]])
        quartiers.append(quartier)
    return quartiers


def charger_conseils_citoyens() -> int:
    """Un conseil citoyen par QPV (`fixtures/referentiel/conseils_citoyens.csv` : quartier, nom)."""
    chemin = DOSSIER / "conseils_citoyens.csv"
    if not chemin.exists():
        return 0
    quartiers = {q.code: q for q in Quartier.objects.all()}
    lignes = lire_csv("conseils_citoyens.csv")
    for row in lignes:
        ConseilCitoyen.objects.update_or_create(
            nom=row["nom"], defaults={"quartier": quartiers[row["quartier"]]}
        )
    return len(lignes)


def charger_financeurs() -> int:
    for code, nom, nature in FINANCEURS:
        Financeur.objects.update_or_create(code=code, defaults={"nom": nom, "nature_par_defaut": nature})
    return len(FINANCEURS)


def charger_thematiques() -> int:
    """La nomenclature nationale de l'ANCT : piliers et thématiques, indépendante des contrats."""
    piliers = {row["code"]: row["libelle"] for row in lire_csv("piliers_anct.csv")}
    thematiques = lire_csv("thematiques_anct.csv")
    for row in thematiques:
        Thematique.objects.update_or_create(
            code=row["code"],
            defaults={
                "libelle": row["libelle"],
                "pilier_anct": row["pilier_code"],
                "pilier_anct_libelle": piliers[row["pilier_code"]],
                "principale": row["code"] in THEMATIQUES_PRINCIPALES,
            },
        )
    return len(thematiques)


def charger_contrat_cabbalr(quartiers: list[Quartier]) -> Contrat:
    contrat, _ = Contrat.objects.update_or_create(nom=CONTRAT_CABBALR["nom"], defaults=CONTRAT_CABBALR)
    contrat.quartiers.add(*quartiers)
    for code, libelle, court, ordre in PILIERS_CABBALR:
        Pilier.objects.update_or_create(
            contrat=contrat, code=code, defaults={"libelle": libelle, "libelle_court": court, "ordre": ordre}
        )
    return contrat


@transaction.atomic
def charger_referentiel() -> Bilan:
    bilan = Bilan()
    bilan.communes = charger_communes()
    quartiers = charger_qpv(codes=QPV_CABBALR) + charger_quartiers_communautaires()
    bilan.quartiers = len(quartiers)
    bilan.financeurs = charger_financeurs()
    bilan.conseils_citoyens = charger_conseils_citoyens()
    bilan.thematiques = charger_thematiques()
    contrat = charger_contrat_cabbalr(quartiers)
    bilan.piliers = contrat.piliers.count()
    return bilan
