"""Choix énumérés du rapport annuel."""

from django.db import models


class StatutRapport(models.TextChoices):
    """Cycle du rapport annuel (décret n° 2015-1118) ; on n'y revient jamais en arrière."""

    PROJET = "PROJET", "Projet"
    ADOPTE = "ADOPTE", "Adopté en conseil communautaire"
    EN_CONSULTATION = "EN_CONSULTATION", "En consultation"
    DEFINITIF = "DEFINITIF", "Définitif"
