"""Une consultation porte sur l'année (la programmation), non plus sur la ligne du rapport : le rapport, qui
compose la consultation, est au-dessus d'elle. Chaque consultation existante garde son année."""

import django.db.models.deletion
from django.db import migrations, models


def annee_du_rapport(apps, schema_editor):
    Consultation = apps.get_model("avis", "Consultation")
    for consultation in Consultation.objects.using(schema_editor.connection.alias).select_related("rapport"):
        consultation.programmation_id = consultation.rapport.programmation_id
        consultation.save(update_fields=["programmation"])


def rapport_de_l_annee(apps, schema_editor):
    Consultation = apps.get_model("avis", "Consultation")
    RapportAnnuel = apps.get_model("programmation", "RapportAnnuel")
    for consultation in Consultation.objects.using(schema_editor.connection.alias):
        consultation.rapport_id = RapportAnnuel.objects.get(programmation_id=consultation.programmation_id).pk
        consultation.save(update_fields=["rapport"])


class Migration(migrations.Migration):
    dependencies = [
        ("avis", "0003_projet_transmis_fige"),
        ("programmation", "0006_gestionnaire_de_base_audite"),
    ]

    operations = [
        migrations.AddField(
            model_name="consultation",
            name="programmation",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consultation",
                to="programmation.programmation",
                verbose_name="année",
            ),
        ),
        migrations.AlterField(
            model_name="consultation",
            name="rapport",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consultation",
                to="programmation.rapportannuel",
                verbose_name="rapport annuel",
            ),
        ),
        migrations.RunPython(annee_du_rapport, rapport_de_l_annee),
        migrations.RemoveField(model_name="consultation", name="rapport"),
        migrations.AlterField(
            model_name="consultation",
            name="programmation",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consultation",
                to="programmation.programmation",
                verbose_name="année",
            ),
        ),
    ]
