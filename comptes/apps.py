from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComptesConfig(AppConfig):
    name = "comptes"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from . import roles, securite  # noqa: F401 - securite branche ses récepteurs de connexion

        post_migrate.connect(roles.apres_migration, dispatch_uid="comptes.roles")
