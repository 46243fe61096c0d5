"""Choix énumérés de l'après-vote : instances de décision, conventions, échéances, bilans."""

from django.db import models


class Instance(models.TextChoices):
    BUREAU = "BUREAU", "Bureau communautaire"
    CONSEIL = "CONSEIL", "Conseil communautaire"


class TypeConvention(models.TextChoices):
    ANNUELLE = "ANNUELLE", "Convention annuelle"
    CPO = "CPO", "Convention pluriannuelle d'objectifs (CPO)"


class TypeEcheance(models.TextChoices):
    AVANCE = "AVANCE", "Avance à la signature"
    SOLDE = "SOLDE", "Solde après le bilan"
    AUTRE = "AUTRE", "Autre échéance (selon la convention)"


class TypeBilan(models.TextChoices):
    FINANCIER = "FINANCIER", "Compte rendu financier (CERFA 15059)"
    QUALITATIF = "QUALITATIF", "Bilan qualitatif"


class StatutBilan(models.TextChoices):
    ATTENDU = "ATTENDU", "Attendu"
    DEPOSE = "DEPOSE", "Déposé, à examiner"
    ACCEPTE = "ACCEPTE", "Accepté"
    A_COMPLETER = "A_COMPLETER", "À compléter"
    REJETE = "REJETE", "Rejeté"


class TypeDocument(models.TextChoices):
    NOTIFICATION = "NOTIFICATION", "Lettre de notification"
    CONVENTION_ANNUELLE = "CONVENTION", "Convention annuelle"
    CPO = "CPO", "Convention pluriannuelle d'objectifs (CPO)"
