"""Choix énumérés de la consultation."""

from django.db import models


class Decision(models.TextChoices):
    FAVORABLE = "FAVORABLE", "Favorable"
    RESERVES = "RESERVES", "Favorable avec réserves"
    DEFAVORABLE = "DEFAVORABLE", "Défavorable"
