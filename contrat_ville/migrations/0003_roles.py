"""Crée les groupes des rôles ; leurs permissions sont (re)posées après chaque migrate par
`contrat_ville.roles.apres_migration`, pour suivre les modèles que les applications ajoutent."""

from django.db import migrations

ROLES = ("Agent", "Directeur", "Service commune", "Conseil citoyen", "Auditeur")


def creer_groupes(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for nom in ROLES:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=nom)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contrat_ville", "0002_journal_audit"),
    ]

    operations = [migrations.RunPython(creer_groupes, migrations.RunPython.noop)]
