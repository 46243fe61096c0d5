from django.apps import AppConfig


class FcsConfig(AppConfig):
    name = "fcs"
    verbose_name = "Fonds de cohésion sociale et fonds de concours"
