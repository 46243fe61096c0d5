from django.apps import AppConfig


class AvisConfig(AppConfig):
    name = "avis"
    verbose_name = "Consultation et avis"

    def ready(self):
        # Le journal lit les modèles : il s'importe une fois le registre des applications prêt.
        from journal import audit

        # Chaque écriture de ces modèles va au journal d'audit (modèle, objet parent dont l'historique la montre).
        for modele, parent in (
            ("Organisme", None),
            ("Contact", "organisme"),
            ("Consultation", None),
            ("Destinataire", "consultation"),
            ("Avis", "consultation"),
            ("Reouverture", "destinataire"),
        ):
            audit.enregistrer(self.get_model(modele), parent=parent)
