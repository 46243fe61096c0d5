"""Référentiel du contrat de ville : contrats, territoire, piliers, financeurs et porteurs."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from journal.audit import GestionnaireAudite
from noyau.models import Trace
from noyau.validators import normaliser_siret, valider_siret

from .enums import CodeFinanceur, NatureCredits, TypePorteur, TypeQuartier

# Les terminaisons des noms féminins, pour accorder le rapport au nom que le contrat donne à son premier niveau.
TERMINAISONS_FEMININES = ("tion", "sion", "té", "ance", "ence", "ure", "ie", "ique")


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
    # Le territoire de l'EPCI signataire : sa limite se dessine sur les cartes du rapport et du tableau de bord.
    communes = models.ManyToManyField(
        "Commune",
        verbose_name="communes du territoire",
        related_name="contrats",
        blank=True,
        help_text="Les communes membres de l'EPCI signataire ; la limite de l'agglomération en est tirée.",
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
    # Le cadre du contrat est une donnée : le nom de son premier niveau (« pilier » en 2015, « orientation »
    # dans les contrats Engagements Quartiers 2030), ses éléments (`Pilier`), ses projets de quartier.
    libelle_niveau = models.CharField(
        "nom du premier niveau du cadre",
        max_length=40,
        default="pilier",
        help_text="Au singulier, comme le contrat le nomme : « pilier », « orientation », « axe »…",
    )
    libelle_niveau_pluriel = models.CharField(
        "nom du premier niveau (pluriel)", max_length=40, default="piliers"
    )
    niveau_feminin = models.BooleanField(
        "nom du premier niveau au féminin",
        null=True,
        blank=True,
        help_text="Accorde les phrases du rapport (« l'orientation … Elle représente »). Vide : déduit du nom "
        "(« orientation », « priorité » au féminin ; « pilier », « axe » au masculin).",
    )
    libelle_sous_niveau = models.CharField(
        "nom du second niveau",
        max_length=40,
        default="axe",
        help_text="Le nom des éléments rangés sous un élément du premier niveau, s'il y en a.",
    )
    cadre_national = models.BooleanField(
        "cadre des piliers nationaux",
        default=False,
        help_text="Contrats de 2015 : le premier niveau est celui des piliers de l'ANCT, et la thématique d'un "
        "dossier doit relever de son pilier.",
    )
    cible_part_cpo = models.DecimalField(
        "part visée des financements associatifs sous CPO (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="50 dans les contrats Engagements Quartiers 2030 (circulaire du 31 août 2023).",
    )
    annee_mi_parcours = models.PositiveSmallIntegerField(
        "année de l'évaluation à mi-parcours",
        null=True,
        blank=True,
        help_text="2027 pour les contrats 2024-2030.",
    )

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
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

    @property
    def annees(self) -> range:
        """Les années que couvre le contrat, prorogation comprise."""
        return range(self.date_signature.year, self.date_fin_effective.year + 1)

    def clean(self):
        """Une année n'appartient qu'à un contrat : deux contrats de l'agglomération ne couvrent pas la même année."""
        super().clean()
        if not (self.date_signature and self.date_fin):
            return
        for autre in Contrat.objects.exclude(pk=self.pk):
            communes = set(self.annees) & set(autre.annees)
            if communes:
                raise ValidationError(
                    f"La période de ce contrat ({self.annees[0]}-{self.annees[-1]}) chevauche celle du contrat "
                    f"« {autre} » ({autre.annees[0]}-{autre.annees[-1]}) : l'année {min(communes)} appartiendrait "
                    "aux deux. Terminez l'un (date de fin ou prorogation) avant l'autre."
                )

    def libelle_niveau_capitalise(self) -> str:
        return self.libelle_niveau[:1].upper() + self.libelle_niveau[1:]

    def libelle_niveau_pluriel_capitalise(self) -> str:
        return self.libelle_niveau_pluriel[:1].upper() + self.libelle_niveau_pluriel[1:]

    @property
    def niveau_au_feminin(self) -> bool:
        if self.niveau_feminin is not None:
            return self.niveau_feminin
        return self.libelle_niveau.lower().endswith(TERMINAISONS_FEMININES)

    @property
    def le_niveau(self) -> str:
        """« le pilier », « l'orientation », « la priorité » : l'article défini accordé et élidé."""
        nom = self.libelle_niveau
        if nom[:1].lower() in "aeiouyàâéèêîôû":
            return f"l'{nom}"
        return f"la {nom}" if self.niveau_au_feminin else f"le {nom}"

    @property
    def pronom_niveau(self) -> str:
        return "Elle" if self.niveau_au_feminin else "Il"


class Signataire(models.Model):
    """Un signataire du contrat (l'État, l'EPCI, les communes, les partenaires)."""

    contrat = models.ForeignKey(
        Contrat, verbose_name="contrat", on_delete=models.CASCADE, related_name="signataires"
    )
    nom = models.CharField("signataire", max_length=200)
    qualite = models.CharField("représenté par", max_length=200, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "signataire"
        verbose_name_plural = "signataires"
        ordering = ["contrat", "ordre", "nom"]

    def __str__(self):
        return self.nom


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

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
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

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "conseil citoyen"
        verbose_name_plural = "conseils citoyens"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Pilier(models.Model):
    """Un élément du cadre d'un contrat : pilier en 2015, orientation en 2024, ou ce que le contrat nomme
    (`Contrat.libelle_niveau`). Un élément peut en ranger d'autres (`parent`), sur deux niveaux."""

    contrat = models.ForeignKey(
        Contrat, verbose_name="contrat", on_delete=models.PROTECT, related_name="piliers"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="élément de premier niveau",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sous_niveaux",
        help_text="Vide pour un élément du premier niveau (pilier, orientation).",
    )
    code = models.CharField("code", max_length=10)
    libelle = models.CharField("libellé", max_length=200)
    libelle_court = models.CharField("libellé court", max_length=80, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre dans le rapport", default=0)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "élément du cadre"
        verbose_name_plural = "éléments du cadre (piliers, orientations…)"
        ordering = ["contrat", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["contrat", "code"], name="pilier_code_unique_par_contrat")
        ]

    def __str__(self):
        return f"{self.code}. {self.libelle}"

    def clean(self):
        super().clean()
        if self.parent_id is None:
            return
        if self.parent.contrat_id != self.contrat_id:
            raise ValidationError({"parent": "L'élément de premier niveau doit appartenir au même contrat."})
        if self.parent.parent_id is not None:
            raise ValidationError(
                {"parent": "Le cadre a deux niveaux : choisissez un élément du premier niveau."}
            )

    @property
    def premier_niveau_id(self) -> int:
        return self.parent_id or self.pk

    def refuse_thematique(self, thematique: "Thematique | None") -> bool:
        """Dans un cadre national (2015), la thématique ANCT d'un dossier relève de son pilier.

        Ailleurs (orientations locales), toute thématique convient : l'État code ses crédits indépendamment du
        cadre du contrat."""
        if thematique is None or not self.contrat.cadre_national:
            return False
        return thematique.pilier_anct != (self.parent or self).code


class Thematique(models.Model):
    """Une thématique de la nomenclature nationale de l'ANCT : l'État y code ses crédits (BOP 147) quel que
    soit le cadre du contrat, ce qui rend les années comparables d'un contrat à l'autre."""

    code = models.CharField("code ANCT", max_length=10, unique=True)
    libelle = models.CharField("libellé", max_length=200)
    pilier_anct = models.CharField("pilier national (code)", max_length=10)
    pilier_anct_libelle = models.CharField("pilier national", max_length=200)
    principale = models.BooleanField(
        "thématique principale",
        default=False,
        help_text="Comptée dans la part des crédits des thématiques principales du rapport annuel.",
    )

    class Meta:
        verbose_name = "thématique ANCT"
        verbose_name_plural = "thématiques ANCT"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.libelle}"


class ProjetQuartier(models.Model):
    """Le projet de quartier d'un QPV dans un contrat (Engagements Quartiers 2030) : ses objectifs propres."""

    contrat = models.ForeignKey(
        Contrat, verbose_name="contrat", on_delete=models.PROTECT, related_name="projets_quartier"
    )
    quartier = models.ForeignKey(
        "Quartier", verbose_name="quartier", on_delete=models.PROTECT, related_name="projets"
    )
    intitule = models.CharField("intitulé", max_length=300)
    presentation = models.TextField("présentation", blank=True)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "projet de quartier"
        verbose_name_plural = "projets de quartier"
        ordering = ["contrat", "quartier__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["contrat", "quartier"],
                name="projet_quartier_unique_par_contrat",
                violation_error_message="Ce quartier a déjà son projet dans ce contrat.",
            )
        ]

    def __str__(self):
        return self.intitule

    def clean(self):
        super().clean()
        if (
            self.contrat_id
            and self.quartier_id
            and not self.contrat.quartiers.filter(pk=self.quartier_id).exists()
        ):
            raise ValidationError({"quartier": "Ce quartier n'est pas un quartier du contrat."})


class ObjectifQuartier(models.Model):
    projet = models.ForeignKey(
        ProjetQuartier, verbose_name="projet de quartier", on_delete=models.CASCADE, related_name="objectifs"
    )
    code = models.CharField("code", max_length=20, help_text="Court et unique dans le projet, ex. « MLB-1 ».")
    libelle = models.CharField("objectif", max_length=300)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "objectif de projet de quartier"
        verbose_name_plural = "objectifs de projet de quartier"
        ordering = ["projet", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["projet", "code"],
                name="objectif_code_unique_par_projet",
                violation_error_message="Ce code d'objectif existe déjà dans ce projet.",
            )
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
