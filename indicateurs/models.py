"""Les indicateurs de suivi d'un contrat (Engagements Quartiers 2030) : définis à la signature, avec leur valeur
de référence et leur cible, puis renseignés chaque année pour les bilans annuels et l'évaluation à mi-parcours."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from contrat_ville.models import Contrat, Quartier
from journal.audit import GestionnaireAudite
from noyau.models import Trace

from .enums import SensSouhaite

ZERO = Decimal("0")


def champ_valeur(verbose_name: str, **kwargs) -> models.DecimalField:
    # Saisie à la française par le champ texte de `forms.ChampValeur` (admin) et lue par `analyser_montant`.
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class Indicateur(Trace):
    contrat = models.ForeignKey(
        Contrat, verbose_name="contrat", on_delete=models.PROTECT, related_name="indicateurs"
    )
    quartier = models.ForeignKey(
        Quartier,
        verbose_name="quartier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicateurs",
        help_text="Vide pour un indicateur de tout le contrat.",
    )
    code = models.CharField(
        "code",
        max_length=20,
        help_text="Court, ex. « EMP-1 » ; le même code peut servir au contrat et à chaque quartier.",
    )
    libelle = models.CharField("libellé", max_length=300)
    definition = models.TextField("définition", help_text="Ce qui est compté, et comment.")
    unite = models.CharField("unité", max_length=40, help_text="Ex. « % », « personnes », « logements ».")
    source = models.CharField(
        "source", max_length=200, help_text="Ex. « INSEE, Filosofi », « France Travail »."
    )
    sens = models.CharField("sens souhaité", max_length=10, choices=SensSouhaite.choices)
    valeur_reference = champ_valeur("valeur de référence")
    annee_reference = models.PositiveSmallIntegerField("année de la valeur de référence")
    cible = champ_valeur("cible")
    annee_cible = models.PositiveSmallIntegerField(
        "année de la cible", blank=True, help_text="Vide : l'année de fin du contrat (2030)."
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "indicateur de suivi"
        verbose_name_plural = "indicateurs de suivi"
        ordering = ["contrat", "ordre", "code", "quartier__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["contrat", "code"],
                condition=models.Q(quartier__isnull=True),
                name="indicateur_code_unique_contrat",
                violation_error_message="Ce contrat a déjà un indicateur de ce code pour tout le contrat.",
            ),
            models.UniqueConstraint(
                fields=["contrat", "code", "quartier"],
                condition=models.Q(quartier__isnull=False),
                name="indicateur_code_unique_quartier",
                violation_error_message="Ce contrat a déjà un indicateur de ce code pour ce quartier.",
            ),
            models.CheckConstraint(
                condition=models.Q(valeur_reference__gte=0) & models.Q(cible__gte=0),
                name="indicateur_valeurs_positives",
                violation_error_message="La valeur de référence et la cible ne peuvent pas être négatives.",
            ),
            models.CheckConstraint(
                condition=models.Q(annee_cible__gt=models.F("annee_reference")),
                name="indicateur_cible_apres_reference",
                violation_error_message="L'année de la cible doit suivre celle de la valeur de référence.",
            ),
        ]

    def __str__(self):
        portee = self.quartier.nom if self.quartier_id else "tout le contrat"
        return f"{self.code} {self.libelle} ({portee})"

    def clean(self):
        super().clean()
        if self.annee_cible is None and self.contrat_id:
            self.annee_cible = self.contrat.date_fin.year
        erreurs = {}
        if (
            self.quartier_id
            and self.contrat_id
            and not self.contrat.quartiers.filter(pk=self.quartier_id).exists()
        ):
            erreurs["quartier"] = "Ce quartier n'est pas un quartier du contrat."
        if self.valeur_reference is not None and self.cible is not None and self.sens:
            if self.cible == self.valeur_reference:
                erreurs["cible"] = "La cible doit différer de la valeur de référence."
            elif self.sens == SensSouhaite.HAUSSE and self.cible < self.valeur_reference:
                erreurs["cible"] = "Pour un indicateur à la hausse, la cible dépasse la valeur de référence."
            elif self.sens == SensSouhaite.BAISSE and self.cible > self.valeur_reference:
                erreurs["cible"] = "Pour un indicateur à la baisse, la cible est sous la valeur de référence."
        if erreurs:
            raise ValidationError(erreurs)

    def save(self, *args, **kwargs):
        if self.annee_cible is None:
            self.annee_cible = self.contrat.date_fin.year
        super().save(*args, **kwargs)


class ValeurIndicateur(Trace):
    indicateur = models.ForeignKey(
        Indicateur, verbose_name="indicateur", on_delete=models.CASCADE, related_name="valeurs"
    )
    annee = models.PositiveSmallIntegerField("année")
    valeur = champ_valeur("valeur")
    commentaire = models.CharField("commentaire", max_length=300, blank=True)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "valeur annuelle"
        verbose_name_plural = "valeurs annuelles"
        ordering = ["indicateur", "annee"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "annee"],
                name="valeur_indicateur_unique_par_annee",
                violation_error_message="Cet indicateur a déjà une valeur pour cette année.",
            ),
            models.CheckConstraint(
                condition=models.Q(valeur__gte=0),
                name="valeur_indicateur_positive",
                violation_error_message="Une valeur d'indicateur ne peut pas être négative.",
            ),
        ]

    def __str__(self):
        return f"{self.annee}"
