"""Relance par courriel les porteurs dont un bilan est attendu : une fois avant l'échéance, une fois après.
À lancer chaque jour (cron)."""

from django.core.management.base import BaseCommand

from avis.services import relancer_bilans


class Command(BaseCommand):
    help = "Relance les porteurs dont un bilan est attendu : 30 jours avant l'échéance, puis une fois après."

    def handle(self, *args, **options):
        avant, apres = relancer_bilans()
        self.stdout.write(f"{avant} relance(s) avant échéance, {apres} relance(s) après échéance envoyée(s).")
