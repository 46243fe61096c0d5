"""`python manage.py sauvegarder [--destination DOSSIER]` : base et fichiers déposés dans une archive datée."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from contrat_ville.sauvegarde import sauvegarder


class Command(BaseCommand):
    help = "Écrit une sauvegarde cohérente de la base et des fichiers déposés, avec leurs empreintes SHA-256."

    def add_arguments(self, parser):
        parser.add_argument(
            "--destination",
            default=str(Path(settings.VAR_DIR) / "sauvegardes"),
            help="dossier où écrire l'archive (défaut : var/sauvegardes)",
        )

    def handle(self, *args, destination, **options):
        chemin = sauvegarder(Path(destination))
        self.stdout.write(str(chemin))
