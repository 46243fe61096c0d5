"""Les thématiques deviennent nationales (étape 3 sur 3) : sans lien au pilier d'un contrat, une par code ANCT."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contrat_ville", "0007_cadre_des_contrats"),
        ("programmation", "0010_thematiques_nationales_objectifs"),
    ]

    operations = [
        migrations.RemoveField(model_name="thematique", name="pilier"),
        migrations.AlterField(
            model_name="thematique",
            name="code",
            field=models.CharField(max_length=10, unique=True, verbose_name="code ANCT"),
        ),
        migrations.AlterModelOptions(
            name="thematique",
            options={"ordering": ["code"], "verbose_name": "thématique ANCT", "verbose_name_plural": "thématiques ANCT"},
        ),
    ]
