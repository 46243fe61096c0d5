"""Charge le référentiel du territoire (communes, QPV, contrat, piliers, thématiques, financeurs)."""

from django.core.management.base import BaseCommand

from contrat_ville.referentiel import charger_referentiel


class Command(BaseCommand):
    help = "Charge ou met à jour le référentiel du contrat de ville depuis fixtures/referentiel/."

    def handle(self, *args, **options):
        bilan = charger_referentiel()
        self.stdout.write(
            f"Référentiel chargé : {bilan.communes} communes, {bilan.quartiers} quartiers, "
            f"{bilan.piliers} piliers, {bilan.thematiques} thématiques, {bilan.financeurs} financeurs, "
            f"{bilan.conseils_citoyens} conseils citoyens."
        )
