"""Stockage privé des bilans déposés et des documents générés (lettres, conventions) : sous `MEDIA_ROOT/prive/`, jamais servi par une URL publique."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="conventions.stockage.StockageBilans")
class StockageBilans(FileSystemStorage):
    @property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "prive")

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Un bilan n'a pas d'URL publique : passer par la vue de téléchargement.")


stockage_bilans = StockageBilans()


def obtenir_stockage_bilans() -> StockageBilans:
    return stockage_bilans


def obtenir_stockage_documents() -> StockageBilans:
    return stockage_bilans
