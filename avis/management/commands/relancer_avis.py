"""Relance une fois, 7 jours avant la date limite, les organismes consultés qui n'ont pas répondu."""

from django.core.management.base import BaseCommand

from avis.services import relancer


class Command(BaseCommand):
    help = (
        "Envoie la relance aux organismes sans avis dans les 7 jours avant la date limite (une seule fois)."
    )

    def handle(self, *args, **options):
        envoyes = relancer()
        self.stdout.write(f"{envoyes} relance(s) envoyée(s).")
