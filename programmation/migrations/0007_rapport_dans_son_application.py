"""Le rapport annuel et ses transitions vivent désormais dans l'application `rapport` (tables renommées là-bas,
rien n'est supprimé)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("avis", "0004_consultation_de_l_annee"),
        ("programmation", "0006_gestionnaire_de_base_audite"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="TransitionRapport"),
                migrations.DeleteModel(name="RapportAnnuel"),
            ]
        ),
    ]
