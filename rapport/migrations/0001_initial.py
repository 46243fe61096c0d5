"""Le rapport annuel quitte `programmation` pour sa propre application, sans perdre une ligne.

Les tables `programmation_rapportannuel` et `programmation_transitionrapport` sont renommées ; les types de
contenu aussi (les permissions des rôles, dont « approuver le rapport », les suivent), et le journal d'audit des
transitions désigne désormais son parent sous son nouveau nom.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STATUTS = [
    ("PROJET", "Projet"),
    ("ADOPTE", "Adopté en conseil communautaire"),
    ("EN_CONSULTATION", "En consultation"),
    ("DEFINITIF", "Définitif"),
]
MODELES = ("rapportannuel", "transitionrapport")


def _renommer(apps, schema_editor, de: str, vers: str):
    alias = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(alias).filter(app_label=de, model__in=MODELES).update(app_label=vers)
    EntreeJournal = apps.get_model("journal", "EntreeJournal")
    for entree in EntreeJournal.objects.using(alias).filter(parent__startswith=f"{de}.rapportannuel:"):
        entree.parent = entree.parent.replace(f"{de}.", f"{vers}.", 1)
        entree.save(update_fields=["parent"])


def vers_rapport(apps, schema_editor):
    _renommer(apps, schema_editor, "programmation", "rapport")


def vers_programmation(apps, schema_editor):
    _renommer(apps, schema_editor, "rapport", "programmation")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("journal", "0001_initial"),
        ("programmation", "0007_rapport_dans_son_application"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RapportAnnuel",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("statut", models.CharField(choices=STATUTS, default="PROJET", max_length=20, verbose_name="statut")),
                        ("date_seance_conseil", models.DateField(blank=True, null=True, verbose_name="séance du conseil communautaire")),
                        ("date_approbation", models.DateField(blank=True, null=True, verbose_name="date d'approbation")),
                        ("pdf_definitif", models.FileField(blank=True, editable=False, upload_to="rapports/", verbose_name="PDF définitif")),
                        ("chiffres_definitifs", models.JSONField(blank=True, editable=False, null=True, verbose_name="chiffres de la version définitive")),
                        ("empreinte_sha256", models.CharField(blank=True, editable=False, max_length=64, verbose_name="empreinte SHA-256 du PDF")),
                        ("programmation", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="rapport", to="programmation.programmation", verbose_name="programmation")),
                    ],
                    options={
                        "verbose_name": "rapport annuel",
                        "verbose_name_plural": "rapports annuels",
                        "ordering": ["-programmation__annee"],
                        "permissions": [("approuver_rapportannuel", "Peut faire avancer et approuver le rapport annuel")],
                        "base_manager_name": "objects",
                        "db_table": "programmation_rapportannuel",
                    },
                ),
                migrations.CreateModel(
                    name="TransitionRapport",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("de", models.CharField(choices=STATUTS, max_length=20, verbose_name="de")),
                        ("vers", models.CharField(choices=STATUTS, max_length=20, verbose_name="vers")),
                        ("le", models.DateTimeField(auto_now_add=True, verbose_name="le")),
                        ("commentaire", models.TextField(blank=True, verbose_name="commentaire")),
                        ("par", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="par")),
                        ("rapport", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="transitions", to="rapport.rapportannuel", verbose_name="rapport")),
                    ],
                    options={
                        "verbose_name": "transition du rapport",
                        "verbose_name_plural": "transitions du rapport",
                        "ordering": ["rapport", "le"],
                        "base_manager_name": "objects",
                        "db_table": "programmation_transitionrapport",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="rapportannuel", table=None),
        migrations.AlterModelTable(name="transitionrapport", table=None),
        migrations.RunPython(vers_rapport, vers_programmation),
    ]
