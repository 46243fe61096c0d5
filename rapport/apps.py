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

        # La programmation demande un motif pour modifier une année au rapport approuvé : elle l'apprend d'ici.
        from programmation import approbation

        from .apres_approbation import approuvee_le

        approbation.inscrire(approuvee_le)
