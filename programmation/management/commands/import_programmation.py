"""`python manage.py import_programmation FICHIER.xlsx` : le même import que l'administration, tout ou rien."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from programmation.echange.importation import importer_classeur
from programmation.echange.lecture import TAILLE_MAX


class Command(BaseCommand):
    help = (
        "Importe un classeur de programmation (format d'échange) ; rien n'est écrit s'il contient une erreur."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="classeur .xlsx au format d'échange")
        parser.add_argument("--utilisateur", help="identifiant du compte au nom duquel l'import est fait")
        parser.add_argument(
            "--verifier", action="store_true", help="valide le classeur et montre l'aperçu sans rien écrire"
        )

    def handle(self, *args, fichier, utilisateur=None, verifier=False, **options):
        chemin = Path(fichier)
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        if chemin.stat().st_size > TAILLE_MAX:
            raise CommandError(f"{chemin.name} : le fichier dépasse la limite de 20 Mo.")
        compte = None
        if utilisateur:
            try:
                compte = get_user_model().objects.get_by_natural_key(utilisateur)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"Compte inconnu : {utilisateur}") from exc
        rapport = importer_classeur(
            chemin.read_bytes(),
            nom_fichier=chemin.name,
            utilisateur=compte,
            ecrire=not verifier,
            source="commande",
        )
        if rapport.erreurs:
            for erreur in rapport.erreurs:
                self.stderr.write(str(erreur))
            raise CommandError(
                f"Import refusé : {len(rapport.erreurs)} erreur(s) dans {chemin.name}, rien n'a été écrit."
            )
        self.stdout.write(rapport.texte())
