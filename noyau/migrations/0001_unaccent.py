"""L'extension `unaccent` de PostgreSQL, pour la recherche sans accents de l'administration (noyau/recherche.py).

Sans effet sur SQLite, qui reçoit une fonction Python à chaque connexion.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []
    operations = [UnaccentExtension()]
