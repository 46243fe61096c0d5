"""Le rapport annuel d'une année et son cycle d'approbation (décret n° 2015-1118)."""

from django.conf import settings
from django.db import models

from journal.audit import GestionnaireAudite
from programmation.models import Programmation

from .enums import StatutRapport


class RapportAnnuel(models.Model):
    """Le rapport sur la mise en œuvre de la politique de la ville d'une année, et son cycle d'approbation.

    La version définitive est figée : son PDF et les chiffres qu'il montre sont stockés une fois, avec leur
    empreinte, et servis tels quels ensuite.
    """

    programmation = models.OneToOneField(
        Programmation, verbose_name="programmation", on_delete=models.PROTECT, related_name="rapport"
    )
    statut = models.CharField(
        "statut", max_length=20, choices=StatutRapport.choices, default=StatutRapport.PROJET
    )
    date_seance_conseil = models.DateField("séance du conseil communautaire", null=True, blank=True)
    date_approbation = models.DateField("date d'approbation", null=True, blank=True)
    pdf_definitif = models.FileField("PDF définitif", upload_to="rapports/", blank=True, editable=False)
    chiffres_definitifs = models.JSONField(
        "chiffres de la version définitive", null=True, blank=True, editable=False
    )
    empreinte_sha256 = models.CharField("empreinte SHA-256 du PDF", max_length=64, blank=True, editable=False)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "rapport annuel"
        verbose_name_plural = "rapports annuels"
        ordering = ["-programmation__annee"]
        permissions = [("approuver_rapportannuel", "Peut faire avancer et approuver le rapport annuel")]

    def __str__(self):
        return f"Rapport {self.programmation.annee} ({self.get_statut_display()})"


class TransitionRapport(models.Model):
    """Qui a fait passer le rapport d'un statut à l'autre, et quand."""

    rapport = models.ForeignKey(
        RapportAnnuel, verbose_name="rapport", on_delete=models.PROTECT, related_name="transitions"
    )
    de = models.CharField("de", max_length=20, choices=StatutRapport.choices)
    vers = models.CharField("vers", max_length=20, choices=StatutRapport.choices)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    le = models.DateTimeField("le", auto_now_add=True)
    commentaire = models.TextField("commentaire", blank=True)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "transition du rapport"
        verbose_name_plural = "transitions du rapport"
        ordering = ["rapport", "le"]

    def __str__(self):
        return f"{self.get_de_display()} → {self.get_vers_display()}"
