from django.apps import AppConfig

# Modèles dont chaque écriture va au journal d'audit (« app.Modele », nom du ForeignKey parent ou None).
# Une application qui ajoute un modèle à auditer lui donne `objects = GestionnaireAudite()` et l'ajoute ici.
MODELES_AUDITES = [
    ("contrat_ville.Porteur", None),
    ("programmation.Dossier", None),
    ("programmation.LigneFinancement", "dossier"),
    ("programmation.BlocNarratif", None),
    ("programmation.RapportAnnuel", None),
    ("programmation.TransitionRapport", "rapport"),
    ("fcs.EnveloppeFCS", None),
    ("fcs.AxeFCS", "enveloppe"),
    ("fcs.SubventionFCS", None),
    ("fcs.FondsDeConcours", None),
    ("avis.Organisme", None),
    ("avis.Contact", "organisme"),
    ("avis.Consultation", None),
    ("avis.Destinataire", "consultation"),
    ("avis.Avis", "consultation"),
    ("avis.Reouverture", "destinataire"),
]


class ContratVilleConfig(AppConfig):
    name = "contrat_ville"
    verbose_name = "Référentiel du contrat de ville"

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from . import audit, roles, securite  # noqa: F401 - securite branche ses récepteurs

        for label, parent in MODELES_AUDITES:
            audit.enregistrer(apps.get_model(label), parent=parent)
        post_migrate.connect(roles.apres_migration, dispatch_uid="contrat_ville.roles")
