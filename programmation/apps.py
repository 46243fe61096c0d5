from django.apps import AppConfig


class ProgrammationConfig(AppConfig):
    name = "programmation"
    verbose_name = "Programmation annuelle"

    def ready(self):
        # Le journal lit les modèles : il s'importe une fois le registre des applications prêt.
        from journal import audit

        # Chaque écriture de ces modèles va au journal d'audit (modèle, objet parent dont l'historique la montre).
        for modele, parent in (
            ("Dossier", None),
            ("LigneFinancement", "dossier"),
            ("BlocNarratif", None),
        ):
            audit.enregistrer(self.get_model(modele), parent=parent)
