"""Données de démonstration de la programmation : porteurs, années 2020 et 2021, blocs rédigés du rapport 2021 ;
l'année 2022 (en consultation) est chargée à part, par `charger_annee_en_cours`.

Lit les fichiers committés de `fixtures/demo/` (écrits une fois par `fixtures/demo/generer.py`) ; rien n'est
tiré au hasard ici. Idempotent : un second chargement ne crée rien et remet les dossiers de démonstration dans
l'état des fichiers (un agent qui a modifié une ligne la retrouve telle que le rapport 2021 la donne). Les
écritures passent par les gestionnaires des modèles, que le journal d'audit surveille. Les dossiers ajoutés à la
main ne sont jamais touchés.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from contrat_ville.demo import NOM_CONTRAT_2024
from contrat_ville.models import (
    Commune,
    Contrat,
    Financeur,
    ObjectifQuartier,
    Pilier,
    Porteur,
    Quartier,
    Thematique,
)

from .models import BlocNarratif, Dossier, LigneFinancement, Programmation

DOSSIER = settings.BASE_DIR / "fixtures" / "demo"
ANNEES = (2020, 2021)
# L'année dont le projet de rapport est en consultation dans la démonstration (chargée par `rapport.demo`, qui
# lance sa consultation) : inventée comme 2020, avec ses blocs rédigés.
ANNEE_EN_COURS = 2022
# Les années du contrat Engagements Quartiers 2030 (inventées, `fixtures/demo/generer_quartiers2030.py`) : 2024, plus
# légère (premières tranches des CPO), 2025 complète avec ses blocs rédigés, 2026 votée (sans blocs rédigés).
ANNEES_2024 = (2024, 2025, 2026)
ANNEE_RAPPORT_2024 = 2025
CHAMPS_DOSSIER = [
    "intitule",
    "porteur",
    "pilier",
    "thematique",
    "statut",
    "cout_total",
    "focus",
    "focus_ordre",
    "focus_operateur",
    "focus_description",
    "focus_objectif",
    "focus_resultats",
    "beneficiaires_femmes",
    "beneficiaires_hommes",
]


def lire(nom: str):
    return json.loads((DOSSIER / nom).read_text(encoding="utf-8"))


@dataclass
class BilanDemo:
    porteurs: int = 0
    dossiers: int = 0
    lignes: int = 0
    blocs: int = 0


def charger_porteurs() -> dict[str, Porteur]:
    """Porteurs du rapport et des postes de l'État, retrouvés par SIRET, ou par nom quand ils n'en ont pas."""
    donnees = lire("porteurs.json")
    communes = {
        c.code_insee: c for c in Commune.objects.filter(code_insee__in={p["commune"] for p in donnees})
    }
    par_siret = {
        p.siret: p for p in Porteur.objects.filter(siret__in=[p["siret"] for p in donnees if p["siret"]])
    }
    par_nom = {p.nom.lower(): p for p in Porteur.objects.filter(siret="")}
    nouveaux, modifies = [], []
    for p in donnees:
        porteur = par_siret.get(p["siret"]) if p["siret"] else par_nom.get(p["nom"].lower())
        valeurs = {
            "nom": p["nom"],
            "type": p["type"],
            "siret": p["siret"],
            "commune": communes.get(p["commune"]),
        }
        if porteur is None:
            nouveaux.append(Porteur(**valeurs))
        elif any(getattr(porteur, champ) != valeur for champ, valeur in valeurs.items()):
            for champ, valeur in valeurs.items():
                setattr(porteur, champ, valeur)
            modifies.append(porteur)
    Porteur.objects.bulk_create(nouveaux)
    if modifies:
        Porteur.objects.bulk_update(modifies, ["nom", "type", "siret", "commune"])
    noms = [p["nom"] for p in donnees]
    return {p.nom: p for p in Porteur.objects.filter(nom__in=noms)}


def charger_programmation(annee: int, contrat: Contrat, porteurs: dict[str, Porteur]) -> tuple[int, int]:
    donnees = lire(f"programmation_{annee}.json")
    programmation, _ = Programmation.objects.get_or_create(annee=annee, defaults={"contrat": contrat})
    piliers = {p.code: p for p in Pilier.objects.filter(contrat=programmation.contrat_id)}
    thematiques = {t.code: t for t in Thematique.objects.all()}
    quartiers = {q.code: q.pk for q in Quartier.objects.all()}
    financeurs = {f.code: f for f in Financeur.objects.all()}

    existants = {d.numero: d for d in Dossier.objects.filter(programmation=programmation)}
    # La reconduction (dossier de l'année précédente), quand le fichier la donne : les années du contrat 2024.
    precedents = {
        d.numero: d.pk
        for d in Dossier.objects.filter(
            programmation__annee=annee - 1,
            numero__in=[r["dossier_precedent"] for r in donnees if r.get("dossier_precedent")],
        )
    }
    champs = list(CHAMPS_DOSSIER)
    if any("dossier_precedent" in r for r in donnees):
        champs.append("dossier_precedent_id")
    nouveaux, modifies = [], []
    for row in donnees:
        pilier = piliers[row["pilier"]]
        focus = row.get("focus") or {}
        valeurs = {
            "intitule": row["intitule"],
            "porteur": porteurs[row["porteur"]],
            "pilier": pilier,
            "thematique": thematiques[row["thematique"]] if row["thematique"] else None,
            "statut": row["statut"],
            "cout_total": Decimal(row["cout_total"]) if row["cout_total"] else None,
            "focus": bool(focus),
            "focus_ordre": focus.get("ordre"),
            "focus_operateur": focus.get("operateur", ""),
            "focus_description": focus.get("description", ""),
            "focus_objectif": focus.get("objectif", ""),
            "focus_resultats": focus.get("resultats", ""),
            "beneficiaires_femmes": row.get("beneficiaires_femmes"),
            "beneficiaires_hommes": row.get("beneficiaires_hommes"),
        }
        if "dossier_precedent" in row:
            valeurs["dossier_precedent_id"] = precedents.get(row["dossier_precedent"])
        dossier = existants.get(row["numero"])
        if dossier is None:
            nouveaux.append(Dossier(programmation=programmation, numero=row["numero"], **valeurs))
        elif any(getattr(dossier, champ) != valeur for champ, valeur in valeurs.items()):
            for champ, valeur in valeurs.items():
                setattr(dossier, champ, valeur)
            modifies.append(dossier)
    Dossier.objects.bulk_create(nouveaux)
    if modifies:
        Dossier.objects.bulk_update(modifies, champs)
    dossiers = {
        d.numero: d.pk
        for d in Dossier.objects.filter(
            programmation=programmation, numero__in=[r["numero"] for r in donnees]
        )
    }

    # Quartiers visés : on ajoute les liens manquants et on retire ceux que les fichiers ne donnent pas.
    Liens = Dossier.quartiers.through
    voulus = {(dossiers[r["numero"]], quartiers[code]) for r in donnees for code in r["quartiers"]}
    presents = set(
        Liens.objects.filter(dossier_id__in=dossiers.values()).values_list("dossier_id", "quartier_id")
    )
    Liens.objects.bulk_create([Liens(dossier_id=d, quartier_id=q) for d, q in sorted(voulus - presents)])
    for dossier_id, quartier_id in presents - voulus:
        Liens.objects.filter(dossier_id=dossier_id, quartier_id=quartier_id).delete()
    charger_objectifs(programmation, donnees, dossiers)

    # Lignes de financement : une par (dossier, financeur, nature), montants remis à ceux des fichiers.
    lignes_existantes = {
        (ligne.dossier_id, ligne.financeur_id, ligne.nature): ligne
        for ligne in LigneFinancement.objects.filter(dossier_id__in=dossiers.values())
    }
    nouvelles, modifiees, gardees = [], [], set()
    for row in donnees:
        for ligne in row["lignes"]:
            cle = (dossiers[row["numero"]], financeurs[ligne["financeur"]].pk, ligne["nature"])
            gardees.add(cle)
            sollicite, accorde = Decimal(ligne["montant_sollicite"]), Decimal(ligne["montant_accorde"])
            existante = lignes_existantes.get(cle)
            if existante is None:
                nouvelles.append(
                    LigneFinancement(
                        dossier_id=cle[0],
                        financeur_id=cle[1],
                        nature=cle[2],
                        montant_sollicite=sollicite,
                        montant_accorde=accorde,
                    )
                )
            elif (existante.montant_sollicite, existante.montant_accorde) != (sollicite, accorde):
                existante.montant_sollicite, existante.montant_accorde = sollicite, accorde
                modifiees.append(existante)
    LigneFinancement.objects.bulk_create(nouvelles)
    if modifiees:
        LigneFinancement.objects.bulk_update(modifiees, ["montant_sollicite", "montant_accorde"])
    en_trop = [ligne.pk for cle, ligne in lignes_existantes.items() if cle not in gardees]
    if en_trop:
        LigneFinancement.objects.filter(pk__in=en_trop).delete()
    return len(donnees), len(gardees)


def charger_objectifs(programmation: Programmation, donnees: list[dict], dossiers: dict[str, int]) -> None:
    """Les objectifs de projets de quartier visés (contrat 2024), retrouvés par leur code dans le contrat de l'année."""
    if not any("objectifs" in r for r in donnees):
        return
    objectifs = {
        o.code: o.pk for o in ObjectifQuartier.objects.filter(projet__contrat=programmation.contrat_id)
    }
    Liens = Dossier.objectifs.through
    voulus = {(dossiers[r["numero"]], objectifs[code]) for r in donnees for code in r.get("objectifs", [])}
    presents = set(
        Liens.objects.filter(dossier_id__in=dossiers.values()).values_list(
            "dossier_id", "objectifquartier_id"
        )
    )
    Liens.objects.bulk_create(
        [Liens(dossier_id=d, objectifquartier_id=o) for d, o in sorted(voulus - presents)]
    )
    for dossier_id, objectif_id in presents - voulus:
        Liens.objects.filter(dossier_id=dossier_id, objectifquartier_id=objectif_id).delete()


def charger_blocs(annee: int) -> int:
    programmation = Programmation.objects.get(annee=annee)
    blocs = lire(f"blocs_{annee}.json")
    for bloc in blocs:
        BlocNarratif.objects.update_or_create(
            programmation=programmation,
            type=bloc["type"],
            defaults={"titre": bloc["titre"], "texte": bloc["texte"]},
        )
    return len(blocs)


@transaction.atomic
def charger() -> BilanDemo:
    contrat = Contrat.objects.order_by("date_signature").first()
    if contrat is None:
        raise RuntimeError("Chargez d'abord le référentiel : manage.py charger_referentiel.")
    bilan = BilanDemo()
    porteurs = charger_porteurs()
    bilan.porteurs = len(porteurs)
    for annee in ANNEES:
        dossiers, lignes = charger_programmation(annee, contrat, porteurs)
        bilan.dossiers += dossiers
        bilan.lignes += lignes
    bilan.blocs = charger_blocs(2021)
    contrat_2024 = Contrat.objects.filter(nom=NOM_CONTRAT_2024).first()
    if contrat_2024 is not None:  # chargé par `contrat_ville.demo`, avant ce module
        for annee in ANNEES_2024:
            dossiers, lignes = charger_programmation(annee, contrat_2024, porteurs)
            bilan.dossiers += dossiers
            bilan.lignes += lignes
        bilan.blocs += charger_blocs(ANNEE_RAPPORT_2024)
    return bilan


@transaction.atomic
def charger_annee_en_cours() -> BilanDemo:
    """La programmation 2022 et ses blocs rédigés : l'année que la démonstration soumet à la consultation."""
    contrat = Contrat.objects.order_by("date_signature").first()
    if contrat is None:
        raise RuntimeError("Chargez d'abord le référentiel : manage.py charger_referentiel.")
    porteurs = charger_porteurs()
    dossiers, lignes = charger_programmation(ANNEE_EN_COURS, contrat, porteurs)
    return BilanDemo(
        porteurs=len(porteurs), dossiers=dossiers, lignes=lignes, blocs=charger_blocs(ANNEE_EN_COURS)
    )
