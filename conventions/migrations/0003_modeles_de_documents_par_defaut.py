"""Les modèles de documents de départ (notification, convention annuelle, CPO) : le service les adapte ensuite."""

from django.db import migrations

from conventions.modeles_par_defaut import MODELES, SIGNATAIRE_NOM, SIGNATAIRE_QUALITE


def charger(apps, schema_editor):
    ModeleDocument = apps.get_model("conventions", "ModeleDocument")
    for type_document, (titre, corps) in MODELES.items():
        ModeleDocument.objects.get_or_create(
            type=type_document,
            defaults={
                "titre": titre,
                "corps": corps,
                "signataire_nom": SIGNATAIRE_NOM,
                "signataire_qualite": SIGNATAIRE_QUALITE,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("conventions", "0002_modeles_et_documents_generes")]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
