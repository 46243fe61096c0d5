"""Le journal d'audit quitte `contrat_ville` pour sa propre application, sans perdre une ligne.

La table `contrat_ville_entreejournal` est renommée `journal_entreejournal` (et son index avec elle) ; le type
de contenu est renommé lui aussi, pour que les permissions des rôles le suivent. Sur une base neuve, la table
est créée par `contrat_ville.0002_journal_audit`, puis renommée de même.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def renommer_type_de_contenu(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="contrat_ville", model="entreejournal"
    ).update(app_label="journal")


def remettre_type_de_contenu(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="journal", model="entreejournal"
    ).update(app_label="contrat_ville")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("contrat_ville", "0004_gestionnaire_de_base_audite"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EntreeJournal",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("horodatage", models.DateTimeField(db_index=True, verbose_name="le (UTC)")),
                        ("nom_utilisateur", models.CharField(blank=True, max_length=150, verbose_name="identifiant")),
                        ("source", models.CharField(max_length=30, verbose_name="source")),
                        ("adresse_ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="adresse")),
                        ("action", models.CharField(choices=[("creation", "création"), ("modification", "modification"), ("suppression", "suppression")], max_length=20, verbose_name="action")),
                        ("objet_id", models.CharField(db_index=True, max_length=64, verbose_name="identifiant de l'objet")),
                        ("objet_repr", models.CharField(max_length=300, verbose_name="objet")),
                        ("parent", models.CharField(blank=True, db_index=True, max_length=100, verbose_name="objet parent")),
                        ("changements", models.JSONField(default=dict, verbose_name="changements")),
                        ("resume", models.TextField(blank=True, verbose_name="résumé")),
                        ("type_objet", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype", verbose_name="type d'objet")),
                        ("utilisateur", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="par")),
                    ],
                    options={
                        "verbose_name": "entrée du journal d'audit",
                        "verbose_name_plural": "journal d'audit",
                        "ordering": ["-horodatage", "-id"],
                        "db_table": "contrat_ville_entreejournal",
                        "indexes": [models.Index(fields=["type_objet", "objet_id"], name="contrat_vil_type_ob_208d3c_idx")],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="entreejournal", table=None),
        migrations.RenameIndex(
            model_name="entreejournal",
            new_name="journal_ent_type_ob_10975b_idx",
            old_name="contrat_vil_type_ob_208d3c_idx",
        ),
        migrations.RunPython(renommer_type_de_contenu, remettre_type_de_contenu),
    ]
