"""`python manage.py restaurer ARCHIVE` : remet une sauvegarde dans une base neuve et un MEDIA_ROOT vide."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contrat_ville.sauvegarde import SauvegardeInvalide, restaurer


class Command(BaseCommand):
    help = "Restaure une archive de `sauvegarder` (empreintes vérifiées avant d'écrire quoi que ce soit)."

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        chemin = Path(archive)
        if not chemin.is_file():
            raise CommandError(f"Archive introuvable : {chemin}")
        try:
            manifeste = restaurer(chemin)
        except SauvegardeInvalide as exc:
            raise CommandError(str(exc)) from exc
        total = sum(manifeste["objets_par_modele"].values())
        self.stdout.write(
            f"Restauré : {total} objets, {manifeste['fichiers']} fichiers (sauvegarde du {manifeste['cree_le']})."
        )
