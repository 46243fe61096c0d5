"""Stockage privé des délibérations : hors de toute URL publique, lu seulement par des vues qui vérifient les droits."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="avis.stockage.StockagePrive")
class StockagePrive(FileSystemStorage):
    """Sous `MEDIA_ROOT/prive/` (MEDIA n'est servi par aucune URL), relu à chaque appel pour suivre les réglages."""

    sous_dossier = "prive"

    @property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, self.sous_dossier)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(
            "Les fichiers privés n'ont pas d'URL publique : passer par la vue de téléchargement."
        )


stockage_prive = StockagePrive()


def obtenir_stockage_prive() -> StockagePrive:
    return stockage_prive
