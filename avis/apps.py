from django.apps import AppConfig


class AvisConfig(AppConfig):
    name = "avis"
    verbose_name = "Consultation et avis"
