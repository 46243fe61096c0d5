"""Démonstration du contrat en vigueur, « Engagements Quartiers 2030 » (2024-2030) de la CABBALR : son cadre est
INVENTÉ (plausible), signalé dans le README. Les 16 QPV de la géographie 2024 viennent du référentiel.

Lit `fixtures/demo/contrat_2024.json` (écrit une fois par `fixtures/demo/generer_quartiers2030.py`). Idempotent : le
contrat est retrouvé par son nom, ses orientations par leur code, ses projets par leur quartier, leurs objectifs par
leur code ; un second chargement remet chaque valeur à celle du fichier et ne crée rien.

Le territoire des deux contrats (les communes de l'EPCI) vient de `fixtures/demo/territoire_cabbalr.csv` : une liste
de DÉMONSTRATION de 100 communes, reconstituée, à vérifier sur la composition officielle (BANATIC, SIREN 200072460).
"""

import csv
import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from .models import Contrat, ObjectifQuartier, Pilier, ProjetQuartier, Quartier, Signataire
from .referentiel import CONTRAT_CABBALR, QPV_CABBALR
from .services import definir_territoire

FICHIER = settings.BASE_DIR / "fixtures" / "demo" / "contrat_2024.json"
FICHIER_TERRITOIRE = settings.BASE_DIR / "fixtures" / "demo" / "territoire_cabbalr.csv"
NOM_CONTRAT_2024 = "Contrat de ville – Engagements Quartiers 2030"


@dataclass
class BilanContrat:
    orientations: int = 0
    projets: int = 0
    objectifs: int = 0
    signataires: int = 0
    communes_du_territoire: int = 0

    def __str__(self):
        return (
            f"contrat 2024-2030 : {self.orientations} éléments du cadre, {self.projets} projets de quartier, "
            f"{self.objectifs} objectifs, {self.signataires} signataires ; territoire des contrats : "
            f"{self.communes_du_territoire} communes"
        )


def codes_du_territoire() -> list[str]:
    with open(FICHIER_TERRITOIRE, newline="", encoding="utf-8") as fichier:
        return [ligne["code_insee"] for ligne in csv.DictReader(fichier)]


def lire() -> dict:
    return json.loads(FICHIER.read_text(encoding="utf-8"))


@transaction.atomic
def charger() -> BilanContrat:
    donnees = lire()
    ancien = Contrat.objects.filter(nom=CONTRAT_CABBALR["nom"]).first()
    valeurs = {
        "epci": CONTRAT_CABBALR["epci"],
        "siren_epci": CONTRAT_CABBALR["siren_epci"],
        "date_signature": datetime.date.fromisoformat(donnees["date_signature"]),
        "date_fin": datetime.date.fromisoformat(donnees["date_fin"]),
        "date_fin_prorogation": None,
        "cadre_national": False,
        "libelle_niveau": donnees["libelle_niveau"],
        "libelle_niveau_pluriel": donnees["libelle_niveau_pluriel"],
        "libelle_sous_niveau": donnees["libelle_sous_niveau"],
        "cible_part_cpo": Decimal(donnees["cible_part_cpo"]),
        "annee_mi_parcours": donnees["annee_mi_parcours"],
    }
    contrat = Contrat.objects.filter(nom=donnees["nom"]).first() or Contrat(nom=donnees["nom"])
    for champ, valeur in valeurs.items():
        setattr(contrat, champ, valeur)
    if ancien is not None and not contrat.contact_courriel:
        # Le même service suit les deux contrats : le portail donne le même contact.
        contrat.contact_nom = ancien.contact_nom
        contrat.contact_courriel = ancien.contact_courriel
        contrat.contact_telephone = ancien.contact_telephone
    contrat.full_clean()  # refuse un chevauchement avec le contrat de 2015 (prorogé au 31/12/2023)
    contrat.save()
    quartiers = {q.code: q for q in Quartier.objects.filter(code__in=QPV_CABBALR)}
    contrat.quartiers.set([quartiers[code] for code in QPV_CABBALR])

    bilan = BilanContrat()
    # Le même EPCI signe les deux contrats : même territoire.
    codes = codes_du_territoire()
    for signe in (ancien, contrat):
        if signe is not None:
            bilan.communes_du_territoire = len(definir_territoire(contrat=signe, codes_insee=codes))
    signataires = donnees["signataires"]
    for ordre, s in enumerate(signataires, start=1):
        Signataire.objects.update_or_create(
            contrat=contrat, nom=s["nom"], defaults={"qualite": s["qualite"], "ordre": ordre}
        )
    Signataire.objects.filter(contrat=contrat).exclude(nom__in=[s["nom"] for s in signataires]).delete()
    bilan.signataires = len(signataires)

    elements: dict[str, Pilier] = {}
    for o in donnees["orientations"]:  # les orientations précèdent leurs axes dans le fichier
        elements[o["code"]], _ = Pilier.objects.update_or_create(
            contrat=contrat,
            code=o["code"],
            defaults={
                "libelle": o["libelle"],
                "libelle_court": o.get("libelle_court", ""),
                "ordre": o["ordre"],
                "parent": elements[o["parent"]] if o.get("parent") else None,
            },
        )
    bilan.orientations = len(elements)

    for p in donnees["projets"]:
        projet, _ = ProjetQuartier.objects.update_or_create(
            contrat=contrat,
            quartier=quartiers[p["quartier"]],
            defaults={"intitule": p["intitule"], "presentation": p["presentation"]},
        )
        for o in p["objectifs"]:
            ObjectifQuartier.objects.update_or_create(
                projet=projet, code=o["code"], defaults={"libelle": o["libelle"], "ordre": o["ordre"]}
            )
        bilan.projets += 1
        bilan.objectifs += len(p["objectifs"])
    return bilan
