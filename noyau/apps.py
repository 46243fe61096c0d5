from django.apps import AppConfig

from . import convertisseurs


class NoyauConfig(AppConfig):
    name = "noyau"
    verbose_name = "Noyau commun"

    def ready(self):
        convertisseurs.enregistrer()  # les convertisseurs de chemin bornés, une fois pour toutes
