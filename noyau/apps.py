from django.apps import AppConfig
from django.db import models
from django.db.backends.signals import connection_created

from . import convertisseurs
from .recherche import SansAccents, enregistrer_fonction_sqlite


class NoyauConfig(AppConfig):
    name = "noyau"
    verbose_name = "Noyau commun"

    def ready(self):
        convertisseurs.enregistrer()  # les convertisseurs de chemin bornés, une fois pour toutes
        models.CharField.register_lookup(SansAccents)
        models.TextField.register_lookup(SansAccents)
        connection_created.connect(enregistrer_fonction_sqlite, dispatch_uid="noyau_sans_accents")
