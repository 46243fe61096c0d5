from django.apps import AppConfig, apps


class IndicateursConfig(AppConfig):
    name = "indicateurs"
    verbose_name = "Indicateurs de suivi du contrat"

    def ready(self):
        # Le journal lit les modèles : il s'importe une fois le registre des applications prêt.
        from journal import audit

        # Chaque écriture de ces modèles va au journal d'audit (modèle, objet parent dont l'historique la montre).
        for modele, parent in (("Indicateur", None), ("ValeurIndicateur", "indicateur")):
            audit.enregistrer(self.get_model(modele), parent=parent)

        # Les indicateurs en cache (tableau de bord, rapport) sont oubliés à chaque écriture qui les change.
        from django.db.models.signals import post_delete, post_save

        from .selectors import oublier_indicateurs

        modeles = (
            self.get_model("Indicateur"),
            self.get_model("ValeurIndicateur"),
            apps.get_model("contrat_ville", "Contrat"),
            apps.get_model("contrat_ville", "Quartier"),
        )
        for modele in modeles:
            nom = modele._meta.label_lower
            post_save.connect(oublier_indicateurs, sender=modele, dispatch_uid=f"indicateurs-{nom}-save")
            post_delete.connect(oublier_indicateurs, sender=modele, dispatch_uid=f"indicateurs-{nom}-delete")
