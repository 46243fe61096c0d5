"""Le cadre de chaque contrat devient une donnée : nom de ses niveaux, sous-niveaux, signataires, projets de
quartier et leurs objectifs ; les thématiques deviennent la nomenclature nationale de l'ANCT (étape 1 sur 3 :
les champs nationaux sont remplis depuis le pilier de chaque thématique ; `programmation 0010` fusionne les
doublons, `0008` retire le lien au pilier)."""

import django.db.models.deletion
from django.db import migrations, models


def remplir_cadre(apps, schema_editor):
    Contrat = apps.get_model("contrat_ville", "Contrat")
    Thematique = apps.get_model("contrat_ville", "Thematique")
    # Les contrats existants sont ceux de 2015 : le cadre des quatre piliers de l'ANCT.
    Contrat.objects.update(cadre_national=True)
    for thematique in Thematique.objects.select_related("pilier"):
        thematique.pilier_anct = thematique.pilier.code
        thematique.pilier_anct_libelle = thematique.pilier.libelle
        thematique.save(update_fields=["pilier_anct", "pilier_anct_libelle"])


class Migration(migrations.Migration):
    dependencies = [("contrat_ville", "0006_contact_du_service")]

    operations = [
        migrations.AddField(
            model_name="contrat",
            name="libelle_niveau",
            field=models.CharField(
                default="pilier",
                help_text="Au singulier, comme le contrat le nomme : « pilier », « orientation », « axe »…",
                max_length=40,
                verbose_name="nom du premier niveau du cadre",
            ),
        ),
        migrations.AddField(
            model_name="contrat",
            name="libelle_niveau_pluriel",
            field=models.CharField(default="piliers", max_length=40, verbose_name="nom du premier niveau (pluriel)"),
        ),
        migrations.AddField(
            model_name="contrat",
            name="libelle_sous_niveau",
            field=models.CharField(
                default="axe",
                help_text="Le nom des éléments rangés sous un élément du premier niveau, s'il y en a.",
                max_length=40,
                verbose_name="nom du second niveau",
            ),
        ),
        migrations.AddField(
            model_name="contrat",
            name="cadre_national",
            field=models.BooleanField(
                default=False,
                help_text="Contrats de 2015 : le premier niveau est celui des piliers de l'ANCT, et la thématique "
                "d'un dossier doit relever de son pilier.",
                verbose_name="cadre des piliers nationaux",
            ),
        ),
        migrations.AddField(
            model_name="contrat",
            name="cible_part_cpo",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="50 dans les contrats Engagements Quartiers 2030 (circulaire du 31 août 2023).",
                max_digits=5,
                null=True,
                verbose_name="part visée des financements associatifs sous CPO (%)",
            ),
        ),
        migrations.AddField(
            model_name="contrat",
            name="annee_mi_parcours",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="2027 pour les contrats 2024-2030.",
                null=True,
                verbose_name="année de l'évaluation à mi-parcours",
            ),
        ),
        migrations.CreateModel(
            name="Signataire",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("nom", models.CharField(max_length=200, verbose_name="signataire")),
                ("qualite", models.CharField(blank=True, max_length=200, verbose_name="représenté par")),
                ("ordre", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                (
                    "contrat",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="signataires",
                        to="contrat_ville.contrat",
                        verbose_name="contrat",
                    ),
                ),
            ],
            options={
                "verbose_name": "signataire",
                "verbose_name_plural": "signataires",
                "ordering": ["contrat", "ordre", "nom"],
            },
        ),
        migrations.AlterModelOptions(
            name="pilier",
            options={
                "ordering": ["contrat", "ordre", "code"],
                "verbose_name": "élément du cadre",
                "verbose_name_plural": "éléments du cadre (piliers, orientations…)",
            },
        ),
        migrations.AlterField(
            model_name="pilier", name="code", field=models.CharField(max_length=10, verbose_name="code")
        ),
        migrations.AddField(
            model_name="pilier",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                help_text="Vide pour un élément du premier niveau (pilier, orientation).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sous_niveaux",
                to="contrat_ville.pilier",
                verbose_name="élément de premier niveau",
            ),
        ),
        migrations.CreateModel(
            name="ProjetQuartier",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("intitule", models.CharField(max_length=300, verbose_name="intitulé")),
                ("presentation", models.TextField(blank=True, verbose_name="présentation")),
                (
                    "contrat",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="projets_quartier",
                        to="contrat_ville.contrat",
                        verbose_name="contrat",
                    ),
                ),
                (
                    "quartier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="projets",
                        to="contrat_ville.quartier",
                        verbose_name="quartier",
                    ),
                ),
            ],
            options={
                "verbose_name": "projet de quartier",
                "verbose_name_plural": "projets de quartier",
                "ordering": ["contrat", "quartier__nom"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("contrat", "quartier"),
                        name="projet_quartier_unique_par_contrat",
                        violation_error_message="Ce quartier a déjà son projet dans ce contrat.",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ObjectifQuartier",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "code",
                    models.CharField(
                        help_text="Court et unique dans le projet, ex. « MLB-1 ».", max_length=20, verbose_name="code"
                    ),
                ),
                ("libelle", models.CharField(max_length=300, verbose_name="objectif")),
                ("ordre", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                (
                    "projet",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="objectifs",
                        to="contrat_ville.projetquartier",
                        verbose_name="projet de quartier",
                    ),
                ),
            ],
            options={
                "verbose_name": "objectif de projet de quartier",
                "verbose_name_plural": "objectifs de projet de quartier",
                "ordering": ["projet", "ordre", "code"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("projet", "code"),
                        name="objectif_code_unique_par_projet",
                        violation_error_message="Ce code d'objectif existe déjà dans ce projet.",
                    )
                ],
            },
        ),
        # Thématiques : étape 1, les champs nationaux remplis depuis le pilier.
        migrations.AddField(
            model_name="thematique",
            name="pilier_anct",
            field=models.CharField(default="", max_length=10, verbose_name="pilier national (code)"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="thematique",
            name="pilier_anct_libelle",
            field=models.CharField(default="", max_length=200, verbose_name="pilier national"),
            preserve_default=False,
        ),
        migrations.RemoveConstraint(model_name="thematique", name="thematique_code_unique_par_pilier"),
        migrations.AlterField(
            model_name="thematique",
            name="pilier",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="thematiques",
                to="contrat_ville.pilier",
                verbose_name="pilier",
            ),
        ),
        migrations.RunPython(remplir_cadre, migrations.RunPython.noop),
    ]
