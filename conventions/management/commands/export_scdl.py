"""`python manage.py export_scdl ANNEE --output F.csv` : les subventions de l'année au format SCDL 2.1.0."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from conventions.scdl import ExportRefuse, exporter_scdl


class Command(BaseCommand):
    help = (
        "Écrit les subventions de l'agglomération d'une année au format open data SCDL « subventions » 2.1.0."
    )

    def add_arguments(self, parser):
        parser.add_argument("annee", type=int, help="année des subventions (tranches des conventions)")
        parser.add_argument("--output", required=True, help="fichier CSV à écrire")

    def handle(self, *args, annee, output, **options):
        try:
            export = exporter_scdl(annee)
        except ExportRefuse as refus:
            raise CommandError(str(refus)) from refus
        Path(output).write_bytes(export.contenu)
        self.stdout.write(f"{export.nb_lignes} subvention(s) {annee} écrite(s) dans {output}.")
