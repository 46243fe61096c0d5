"""Charge le référentiel, les années 2020 et 2021 de démonstration, le FCS 2021 et les comptes de démonstration."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from contrat_ville.referentiel import charger_referentiel

# Chaque application qui a ses données de démonstration ajoute ici son module `<app>.demo` (fonction `charger`).
MODULES_DEMO = [
    "programmation.demo",
    "fcs.demo",
    "contrat_ville.demo",
    "avis.demo",
]


class Command(BaseCommand):
    help = (
        "Charge le référentiel et les données de démonstration (programmations 2020 et 2021, FCS, fonds de "
        "concours, blocs du rapport) et crée les comptes de démonstration. Idempotent."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            referentiel = charger_referentiel()
            resultats = {nom: import_module(nom).charger() for nom in MODULES_DEMO}
        self.stdout.write(
            f"Référentiel : {referentiel.communes} communes, {referentiel.quartiers} quartiers, "
            f"{referentiel.conseils_citoyens} conseils citoyens."
        )
        for nom, resultat in resultats.items():
            self.stdout.write(f"{nom} : {resultat}")
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
