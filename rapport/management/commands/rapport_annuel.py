"""`manage.py rapport_annuel 2021 --output rapport.pdf` : le PDF du rapport d'une année, pour les scripts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from noyau.empreintes import FichierAltere
from programmation.models import Programmation
from rapport.models import RapportAnnuel
from rapport.rendu import pdf_du_rapport


class Command(BaseCommand):
    help = (
        "Écrit le PDF du rapport annuel d'une année : la version définitive stockée si le rapport est "
        "approuvé, sinon le projet calculé à partir des données."
    )

    def add_arguments(self, parser):
        parser.add_argument("annee", type=int, help="Année de programmation, par exemple 2021.")
        parser.add_argument("--output", "-o", required=True, help="Fichier PDF à écrire.")

    def handle(self, *args, annee, output, **options):
        programmation = Programmation.objects.filter(annee=annee).first()
        if programmation is None:
            raise CommandError(f"Aucune programmation n'existe pour l'année {annee}.")
        # Même chemin que la page : le rapport enregistré, ou un projet non enregistré.
        rapport = RapportAnnuel.objects.filter(programmation=programmation).first() or RapportAnnuel(
            programmation=programmation
        )
        try:
            contenu = pdf_du_rapport(rapport)
        except FichierAltere as erreur:
            raise CommandError(str(erreur)) from erreur
        chemin = Path(output)
        try:
            chemin.write_bytes(contenu)
        except OSError as erreur:
            raise CommandError(f"Impossible d'écrire {chemin} : {erreur.strerror}.") from erreur
        self.stdout.write(
            f"Rapport {annee} ({rapport.get_statut_display()}) écrit dans {chemin} ({len(contenu)} octets)."
        )
