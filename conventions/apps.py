from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "conventions"
    verbose_name = "Après le vote : conventions, versements, bilans"

    def ready(self):
        # Le journal lit les modèles : il s'importe une fois le registre des applications prêt.
        from journal import audit

        for modele, parent in (
            ("Convention", None),
            ("Decision", "convention"),
            ("Tranche", "convention"),
            ("Echeance", "tranche"),
            ("Versement", "echeance"),
            ("Bilan", "tranche"),
            ("TitreRecette", "tranche"),
            ("ModeleDocument", None),
            ("DocumentGenere", "decision"),
            ("VersementDeclare", None),
        ):
            audit.enregistrer(self.get_model(modele), parent=parent)
