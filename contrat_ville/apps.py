from django.apps import AppConfig


class ContratVilleConfig(AppConfig):
    name = "contrat_ville"
    verbose_name = "Référentiel du contrat de ville"

    def ready(self):
        # Le journal lit les modèles : il s'importe une fois le registre des applications prêt.
        from journal import audit

        # Chaque écriture de ces modèles va au journal d'audit (modèle, objet parent dont l'historique la montre).
        for modele, parent in (("Porteur", None),):
            audit.enregistrer(self.get_model(modele), parent=parent)
