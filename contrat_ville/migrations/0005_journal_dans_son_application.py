"""Le journal d'audit vit désormais dans l'application `journal` (sa table y est renommée, rien n'est supprimé)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("contrat_ville", "0004_gestionnaire_de_base_audite"),
        ("journal", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="EntreeJournal")]),
    ]
