from django.apps import AppConfig


class FcsConfig(AppConfig):
    name = "fcs"
    verbose_name = "Fonds de cohésion sociale et fonds de concours"

    def ready(self):
        # Le journal lit les modèles : il s'importe une fois le registre des applications prêt.
        from journal import audit

        # Chaque écriture de ces modèles va au journal d'audit (modèle, objet parent dont l'historique la montre).
        for modele, parent in (
            ("EnveloppeFCS", None),
            ("AxeFCS", "enveloppe"),
            ("SubventionFCS", None),
            ("FondsDeConcours", None),
        ):
            audit.enregistrer(self.get_model(modele), parent=parent)
