"""Données de démonstration du FCS et des fonds de concours : le tableau 2021 du rapport, tel quel.

Lit `fixtures/demo/fcs_2021.json` ; idempotent (les lignes sont retrouvées par leurs clés naturelles).
"""

import json
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from contrat_ville.models import Commune, Contrat, Porteur

from .models import AxeFCS, EnveloppeFCS, FondsDeConcours, SubventionFCS

FICHIER = settings.BASE_DIR / "fixtures" / "demo" / "fcs_2021.json"


@transaction.atomic
def charger() -> int:
    """Charge l'enveloppe, ses axes, ses subventions et les fonds de concours ; rend le nombre de subventions."""
    donnees = json.loads(FICHIER.read_text(encoding="utf-8"))
    contrat = Contrat.objects.order_by("date_signature").first()
    e = donnees["enveloppe"]
    enveloppe, _ = EnveloppeFCS.objects.update_or_create(
        annee=e["annee"], defaults={"contrat": contrat, "montant": Decimal(e["montant"])}
    )
    noms = {s["porteur"] for axe in e["axes"] for s in axe["subventions"]}
    porteurs = {p.nom: p for p in Porteur.objects.filter(nom__in=noms)}
    manquants = noms - porteurs.keys()
    if manquants:
        raise RuntimeError(
            f"Porteurs absents (chargez la programmation d'abord) : {', '.join(sorted(manquants))}"
        )
    nb = 0
    for axe_donnees in e["axes"]:
        axe, _ = AxeFCS.objects.update_or_create(
            enveloppe=enveloppe, numero=axe_donnees["numero"], defaults={"libelle": axe_donnees["libelle"]}
        )
        for ordre, s in enumerate(axe_donnees["subventions"], start=1):
            SubventionFCS.objects.update_or_create(
                axe=axe,
                porteur=porteurs[s["porteur"]],
                action=s["action"],
                defaults={"montant": Decimal(s["montant"]), "cpo": s["cpo"], "ordre": ordre},
            )
            nb += 1
    communes = {c.code_insee: c for c in Commune.objects.all()}
    for f in donnees["fonds_de_concours"]:
        FondsDeConcours.objects.update_or_create(
            commune=communes[f["commune"]],
            projet=f["projet"],
            annee=f["annee"],
            defaults={
                "montant": Decimal(f["montant"]),
                "date_deliberation": date.fromisoformat(f["date_deliberation"]),
            },
        )
    return nb
