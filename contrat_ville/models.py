"""Référentiel du contrat de ville : contrats, territoire, piliers, financeurs et porteurs."""

from django.db import models
from django.db.models.functions import Lower

from journal.audit import GestionnaireAudite
from noyau.models import Trace
from noyau.validators import normaliser_siret, valider_siret

from .enums import CodeFinanceur, NatureCredits, TypePorteur, TypeQuartier


class Contrat(models.Model):
    nom = models.CharField("nom", max_length=200)
    epci = models.CharField("EPCI signataire", max_length=200)
    siren_epci = models.CharField("SIREN de l'EPCI", max_length=9, blank=True)
    date_signature = models.DateField("date de signature")
    date_fin = models.DateField("date de fin initiale")
    date_fin_prorogation = models.DateField(
        "prorogé jusqu'au", null=True, blank=True, help_text="Date de fin après prorogation, le cas échéant."
    )
    quartiers = models.ManyToManyField(
        "Quartier", verbose_name="quartiers", related_name="contrats", blank=True
    )
    # Le contact que le portail donne aux communes et conseils citoyens consultés : une donnée du service.
    contact_nom = models.CharField(
        "contact du service (nom)",
        max_length=200,
        blank=True,
        help_text="Montré sur le portail des avis, par ex. « Camille Lefebvre, service Politique de la Ville ».",
    )
    contact_courriel = models.EmailField("contact du service (courriel)", blank=True)
    contact_telephone = models.CharField("contact du service (téléphone)", max_length=30, blank=True)

    class Meta:
        verbose_name = "contrat de ville"
        verbose_name_plural = "contrats de ville"
        ordering = ["-date_signature"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_fin__gt=models.F("date_signature")),
                name="contrat_fin_apres_signature",
                violation_error_message="La date de fin doit suivre la date de signature.",
            ),
            models.CheckConstraint(
                condition=models.Q(date_fin_prorogation__isnull=True)
                | models.Q(date_fin_prorogation__gt=models.F("date_fin")),
                name="contrat_prorogation_apres_fin",
                violation_error_message="La prorogation doit aller au-delà de la date de fin initiale.",
            ),
        ]

    def __str__(self):
        return self.nom

    @property
    def date_fin_effective(self):
        return self.date_fin_prorogation or self.date_fin

    def couvre(self, annee: int) -> bool:
        return self.date_signature.year <= annee <= self.date_fin_effective.year


class Commune(models.Model):
    code_insee = models.CharField("code INSEE", max_length=5, unique=True)
    nom = models.CharField("nom", max_length=150)
    longitude = models.DecimalField("longitude", max_digits=9, decimal_places=5, null=True, blank=True)
    latitude = models.DecimalField("latitude", max_digits=9, decimal_places=5, null=True, blank=True)
    contour = models.JSONField("contour (GeoJSON, WGS84)", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Quartier(models.Model):
    code = models.CharField("code", max_length=20, unique=True, help_text="Code QPV de l'État, ex. QN06208M.")
    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=10, choices=TypeQuartier.choices, default=TypeQuartier.QPV)
    communes = models.ManyToManyField(Commune, verbose_name="communes", related_name="quartiers")
    contour = models.JSONField("contour (GeoJSON, WGS84)", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "quartier"
        verbose_name_plural = "quartiers"
        ordering = ["code"]

    def __str__(self):
        return f"{self.nom} ({self.code})"


class ConseilCitoyen(models.Model):
    nom = models.CharField("nom", max_length=200, unique=True)
    quartier = models.ForeignKey(
        Quartier, verbose_name="quartier", on_delete=models.PROTECT, related_name="conseils_citoyens"
    )

    class Meta:
        verbose_name = "conseil citoyen"
        verbose_name_plural = "conseils citoyens"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Pilier(models.Model):
    """Un pilier (ou axe) du cadre d'un contrat : les cadres diffèrent d'un contrat à l'autre."""

    contrat = models.ForeignKey(
        Contrat, verbose_name="contrat", on_delete=models.PROTECT, related_name="piliers"
    )
    code = models.CharField("code ANCT", max_length=10)
    libelle = models.CharField("libellé", max_length=200)
    libelle_court = models.CharField("libellé court", max_length=80, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre dans le rapport", default=0)

    class Meta:
        verbose_name = "pilier"
        verbose_name_plural = "piliers"
        ordering = ["contrat", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["contrat", "code"], name="pilier_code_unique_par_contrat")
        ]

    def __str__(self):
        return f"{self.code}. {self.libelle}"


class Thematique(models.Model):
    pilier = models.ForeignKey(
        Pilier, verbose_name="pilier", on_delete=models.PROTECT, related_name="thematiques"
    )
    code = models.CharField("code ANCT", max_length=10)
    libelle = models.CharField("libellé", max_length=200)
    principale = models.BooleanField(
        "thématique principale",
        default=False,
        help_text="Comptée dans la part des crédits des thématiques principales du rapport annuel.",
    )

    class Meta:
        verbose_name = "thématique"
        verbose_name_plural = "thématiques"
        ordering = ["pilier", "code"]
        constraints = [
            models.UniqueConstraint(fields=["pilier", "code"], name="thematique_code_unique_par_pilier")
        ]

    def __str__(self):
        return f"{self.code} {self.libelle}"


class Financeur(models.Model):
    code = models.CharField("code", max_length=20, unique=True, choices=CodeFinanceur.choices)
    nom = models.CharField("nom", max_length=200)
    nature_par_defaut = models.CharField(
        "nature par défaut", max_length=20, choices=NatureCredits.choices, default=NatureCredits.DROIT_COMMUN
    )

    class Meta:
        verbose_name = "financeur"
        verbose_name_plural = "financeurs"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Porteur(Trace):
    nom = models.CharField("nom", max_length=255)
    type = models.CharField("type de porteur", max_length=30, choices=TypePorteur.choices)
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[valider_siret])
    commune = models.ForeignKey(
        Commune,
        verbose_name="commune du siège",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = GestionnaireAudite()

    class Meta:
        # Les écritures internes de Django (mises à NULL en cascade…) passent aussi par le journal.
        base_manager_name = "objects"
        verbose_name = "porteur"
        verbose_name_plural = "porteurs"
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                condition=~models.Q(siret=""),
                name="porteur_siret_unique",
                violation_error_message="Un porteur porte déjà ce SIRET.",
            ),
            models.UniqueConstraint(
                Lower("nom"),
                condition=models.Q(siret=""),
                name="porteur_nom_unique_sans_siret",
                violation_error_message="Un porteur sans SIRET porte déjà ce nom.",
            ),
        ]

    def __str__(self):
        return self.nom

    def clean(self):
        self.siret = normaliser_siret(self.siret)
