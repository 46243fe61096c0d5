from django.apps import AppConfig


class RapportConfig(AppConfig):
    name = "rapport"
    verbose_name = "Rapport annuel"

    def ready(self):
        # Le journal lit les modèles : il s'importe une fois le registre des applications prêt.
        from journal import audit

        # Chaque écriture de ces modèles va au journal d'audit (modèle, objet parent dont l'historique la montre).
        for modele, parent in (
            ("RapportAnnuel", None),
            ("TransitionRapport", "rapport"),
            ("PresentationRapport", None),
            ("LogoRapport", "presentation"),
            ("ReferentTerritorial", "presentation"),
        ):
            audit.enregistrer(self.get_model(modele), parent=parent)
