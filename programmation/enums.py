"""Choix énumérés de la programmation."""

from django.db import models


class StatutDossier(models.TextChoices):
    DEPOSE = "DEPOSE", "Déposé"
    EN_INSTRUCTION = "EN_INSTRUCTION", "En instruction"
    RETENU = "RETENU", "Retenu"
    REFUSE = "REFUSE", "Refusé"
    ABANDONNE = "ABANDONNE", "Abandonné"


class TypeBloc(models.TextChoices):
    INTRODUCTION = "INTRODUCTION", "Introduction"
    CONTEXTE = "CONTEXTE", "Mise en œuvre de l'année"
    PNRU = "PNRU", "Programme national de renouvellement urbain"
    ORGANISATION = "ORGANISATION", "Organisation du service"
    PERSPECTIVES = "PERSPECTIVES", "Perspectives"


class OperationEchange(models.TextChoices):
    IMPORT = "IMPORT", "Import d'un classeur"
    EXPORT = "EXPORT", "Export de la programmation"
    EXPORT_FINANCEURS = "EXPORT_FINANCEURS", "Export par financeur"
