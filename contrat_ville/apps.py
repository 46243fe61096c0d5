from django.apps import AppConfig


class ContratVilleConfig(AppConfig):
    name = "contrat_ville"
    verbose_name = "Référentiel du contrat de ville"
