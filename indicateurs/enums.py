"""Valeurs énumérées des indicateurs de suivi."""

from django.db import models


class SensSouhaite(models.TextChoices):
    HAUSSE = "HAUSSE", "à la hausse"
    BAISSE = "BAISSE", "à la baisse"


class Position(models.TextChoices):
    """Où en est un indicateur face à sa trajectoire linéaire de la référence à la cible."""

    EN_AVANCE = "EN_AVANCE", "en avance"
    DANS_LA_TRAJECTOIRE = "TRAJECTOIRE", "dans la trajectoire"
    EN_RETARD = "EN_RETARD", "en retard"
    SANS_VALEUR = "SANS_VALEUR", "sans valeur"
