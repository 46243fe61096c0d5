"""Charge les QPV d'un autre territoire depuis la liste nationale de la géographie 2024."""

from django.core.management.base import BaseCommand, CommandError

from contrat_ville.referentiel import charger_qpv


class Command(BaseCommand):
    help = (
        "Charge des QPV de la géographie 2024 par département ou par codes (ex. --codes QN05901M QN05902M)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--departement", help="Code du département, ex. 59.")
        parser.add_argument("--codes", nargs="+", help="Codes QPV à charger.")

    def handle(self, *args, departement=None, codes=None, **options):
        if not departement and not codes:
            raise CommandError("Indiquez --departement ou --codes.")
        quartiers = charger_qpv(codes=codes, departement=departement)
        if not quartiers:
            raise CommandError("Aucun QPV ne correspond dans fixtures/referentiel/qpv2024.csv.")
        self.stdout.write(f"{len(quartiers)} QPV chargés.")
