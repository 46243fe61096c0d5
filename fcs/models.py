"""Fonds de cohésion sociale (enveloppe, axes, subventions) et fonds de concours aux communes."""

from django.db import models

from contrat_ville.models import Commune, Contrat, Porteur
from journal.audit import GestionnaireAudite
from noyau.models import Trace, champ_montant


class EnveloppeFCS(Trace):
    contrat = models.ForeignKey(Contrat, verbose_name="contrat", on_delete=models.PROTECT, related_name="+")
    annee = models.PositiveSmallIntegerField("année", unique=True)
    montant = champ_montant("montant de l'enveloppe")

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "enveloppe du fonds de cohésion sociale"
        verbose_name_plural = "enveloppes du fonds de cohésion sociale"
        ordering = ["-annee"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(montant__gte=0),
                name="fcs_enveloppe_positive",
                violation_error_message="Le montant de l'enveloppe ne peut pas être négatif.",
            )
        ]

    def __str__(self):
        return f"FCS {self.annee}"


class AxeFCS(models.Model):
    enveloppe = models.ForeignKey(
        EnveloppeFCS, verbose_name="enveloppe", on_delete=models.PROTECT, related_name="axes"
    )
    numero = models.PositiveSmallIntegerField("numéro")
    libelle = models.CharField("libellé", max_length=300)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "axe du FCS"
        verbose_name_plural = "axes du FCS"
        ordering = ["enveloppe", "numero"]
        constraints = [models.UniqueConstraint(fields=["enveloppe", "numero"], name="fcs_axe_numero_unique")]

    def __str__(self):
        return f"{self.numero}. {self.libelle}"


class SubventionFCS(Trace):
    axe = models.ForeignKey(AxeFCS, verbose_name="axe", on_delete=models.PROTECT, related_name="subventions")
    porteur = models.ForeignKey(
        Porteur, verbose_name="porteur", on_delete=models.PROTECT, related_name="subventions_fcs"
    )
    action = models.CharField("action", max_length=300)
    montant = champ_montant("montant")
    cpo = models.BooleanField("sous convention pluriannuelle (CPO)", default=False)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "subvention du FCS"
        verbose_name_plural = "subventions du FCS"
        ordering = ["axe", "ordre", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(montant__gte=0),
                name="fcs_subvention_positive",
                violation_error_message="Le montant ne peut pas être négatif.",
            )
        ]

    def __str__(self):
        return f"{self.porteur} – {self.action}"


class FondsDeConcours(Trace):
    commune = models.ForeignKey(
        Commune, verbose_name="commune", on_delete=models.PROTECT, related_name="fonds_de_concours"
    )
    projet = models.CharField("projet", max_length=300)
    montant = champ_montant("montant")
    annee = models.PositiveSmallIntegerField("année")
    date_deliberation = models.DateField("date de la délibération", null=True, blank=True)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "fonds de concours"
        verbose_name_plural = "fonds de concours"
        ordering = ["-annee", "commune__nom"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(montant__gte=0),
                name="fonds_concours_positif",
                violation_error_message="Le montant ne peut pas être négatif.",
            )
        ]

    def __str__(self):
        return f"{self.commune} – {self.projet} ({self.annee})"
