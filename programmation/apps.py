from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ProgrammationConfig(AppConfig):
    name = "programmation"
    verbose_name = "Programmation annuelle"

    def ready(self):
        # Le journal lit les modèles : il s'importe une fois le registre des applications prêt.
        from journal import audit

        from .selectors.selections import oublier_programmations

        modele = self.get_model("Programmation")
        post_save.connect(oublier_programmations, sender=modele, dispatch_uid="programmations-save")
        post_delete.connect(oublier_programmations, sender=modele, dispatch_uid="programmations-delete")

        # Chaque écriture de ces modèles va au journal d'audit (modèle, objet parent dont l'historique la montre).
        for modele, parent in (
            ("Dossier", None),
            ("LigneFinancement", "dossier"),
            ("BlocNarratif", None),
        ):
            audit.enregistrer(self.get_model(modele), parent=parent)
