"""Choix énumérés du référentiel du contrat (libellés français)."""

from django.db import models


class TypeQuartier(models.TextChoices):
    QPV = "QPV", "Quartier prioritaire de l'État"
    QPC = "QPC", "Quartier prioritaire communautaire"
    VEILLE = "VEILLE", "Quartier de veille (zone des 300 m)"


class TypePorteur(models.TextChoices):
    ASSOCIATION = "ASSOCIATION", "Association"
    COMMUNE = "COMMUNE", "Commune"
    EPCI = "EPCI", "EPCI"
    BAILLEUR = "BAILLEUR", "Bailleur social"
    ETABLISSEMENT_PUBLIC = "ETABLISSEMENT_PUBLIC", "Établissement public"
    ENTREPRISE = "ENTREPRISE", "Entreprise"
    AUTRE = "AUTRE", "Autre"


class NatureCredits(models.TextChoices):
    DROIT_COMMUN = "DROIT_COMMUN", "Droit commun"
    SPECIFIQUE = "SPECIFIQUE", "Crédits spécifiques"


class CodeFinanceur(models.TextChoices):
    ETAT_ANCT = "ETAT-ANCT", "État – ANCT (BOP 147)"
    AGGLO = "AGGLO", "Agglomération"
    COMMUNE = "COMMUNE", "Commune"
    DEPARTEMENT = "DEPARTEMENT", "Département"
    REGION = "REGION", "Région"
    CAF = "CAF", "Caisse d'allocations familiales"
    BAILLEUR = "BAILLEUR", "Bailleurs sociaux"
    AUTRE = "AUTRE", "Autre financeur"
