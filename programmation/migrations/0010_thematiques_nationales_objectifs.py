"""Les thématiques deviennent nationales (étape 2 sur 3) : une thématique par code ANCT, les doublons d'un contrat
à l'autre fusionnés (leurs dossiers rattachés à la première) ; les dossiers visent des objectifs de projets de
quartier."""

from django.db import migrations, models


def fusionner_thematiques(apps, schema_editor):
    Thematique = apps.get_model("contrat_ville", "Thematique")
    Dossier = apps.get_model("programmation", "Dossier")
    gardees = {}
    for thematique in Thematique.objects.order_by("pk"):
        gardee = gardees.setdefault(thematique.code, thematique)
        if gardee.pk == thematique.pk:
            continue
        Dossier.objects.filter(thematique=thematique).update(thematique=gardee)
        if thematique.principale and not gardee.principale:
            gardee.principale = True
            gardee.save(update_fields=["principale"])
        thematique.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contrat_ville", "0007_cadre_des_contrats"),
        ("programmation", "0009_dossier_precedent_reconduction"),
    ]

    operations = [
        migrations.RunPython(fusionner_thematiques, migrations.RunPython.noop),
        migrations.AddField(
            model_name="dossier",
            name="objectifs",
            field=models.ManyToManyField(
                blank=True,
                help_text="Les objectifs des projets de quartier du contrat que l'action poursuit.",
                related_name="dossiers",
                to="contrat_ville.objectifquartier",
                verbose_name="objectifs des projets de quartier",
            ),
        ),
        migrations.AlterField(
            model_name="dossier",
            name="pilier",
            field=models.ForeignKey(
                help_text="Le pilier (contrat de 2015), l'orientation (Engagements Quartiers 2030) ou l'un de leurs "
                "sous-niveaux, dans le cadre du contrat de l'année.",
                on_delete=models.deletion.PROTECT,
                related_name="dossiers",
                to="contrat_ville.pilier",
                verbose_name="élément du cadre",
            ),
        ),
        migrations.AlterField(
            model_name="dossier",
            name="thematique",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="dossiers",
                to="contrat_ville.thematique",
                verbose_name="thématique ANCT",
            ),
        ),
    ]
