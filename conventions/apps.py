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

        # La fiche d'un dossier (programmation, en dessous) montre le suivi après le vote.
        from programmation.panneaux import enregistrer_panneau

        from .panneaux import panneau_apres_le_vote

        enregistrer_panneau(panneau_apres_le_vote)
