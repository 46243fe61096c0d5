"""La programmation annuelle : dossiers, lignes de financement et blocs rédigés du rapport."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from contrat_ville.enums import NatureCredits
from contrat_ville.models import Contrat, Financeur, ObjectifQuartier, Pilier, Porteur, Quartier, Thematique
from journal.audit import GestionnaireAudite
from noyau.models import ZERO, Trace, champ_montant

from .enums import OperationEchange, StatutDossier, TypeBloc


class Programmation(models.Model):
    contrat = models.ForeignKey(
        Contrat, verbose_name="contrat", on_delete=models.PROTECT, related_name="programmations"
    )
    annee = models.PositiveSmallIntegerField("année", unique=True)

    class Meta:
        verbose_name = "programmation annuelle"
        verbose_name_plural = "programmations annuelles"
        ordering = ["-annee"]

    def __str__(self):
        return f"Programmation {self.annee}"

    def clean(self):
        """Une année appartient au contrat qui la couvre, et à lui seul (l'année est unique)."""
        super().clean()
        if self.contrat_id and self.annee and not self.contrat.couvre(self.annee):
            annees = self.contrat.annees
            raise ValidationError(
                {"annee": f"Le contrat « {self.contrat} » couvre {annees[0]}-{annees[-1]}, pas {self.annee}."}
            )


class Dossier(Trace):
    programmation = models.ForeignKey(
        Programmation, verbose_name="programmation", on_delete=models.PROTECT, related_name="dossiers"
    )
    numero = models.CharField("n° dossier", max_length=40)
    intitule = models.CharField("intitulé", max_length=300)
    porteur = models.ForeignKey(
        Porteur, verbose_name="porteur", on_delete=models.PROTECT, related_name="dossiers"
    )
    # L'élément du cadre du contrat de l'année : pilier (2015), orientation (2024) ou l'un de leurs sous-niveaux.
    pilier = models.ForeignKey(
        Pilier,
        verbose_name="élément du cadre",
        on_delete=models.PROTECT,
        related_name="dossiers",
        help_text="Le pilier (contrat de 2015), l'orientation (Engagements Quartiers 2030) ou l'un de leurs "
        "sous-niveaux, dans le cadre du contrat de l'année.",
    )
    thematique = models.ForeignKey(
        Thematique,
        verbose_name="thématique ANCT",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    quartiers = models.ManyToManyField(
        Quartier, verbose_name="quartiers", related_name="dossiers", blank=True
    )
    objectifs = models.ManyToManyField(
        ObjectifQuartier,
        verbose_name="objectifs des projets de quartier",
        related_name="dossiers",
        blank=True,
        help_text="Les objectifs des projets de quartier du contrat que l'action poursuit.",
    )
    statut = models.CharField(
        "statut", max_length=20, choices=StatutDossier.choices, default=StatutDossier.DEPOSE
    )
    cout_total = champ_montant("coût total", null=True, blank=True)
    focus = models.BooleanField("action mise en avant (focus)", default=False)
    focus_ordre = models.PositiveSmallIntegerField(
        "rang dans les focus",
        null=True,
        blank=True,
        help_text="Les focus du rapport annuel s'impriment dans cet ordre (1, 2, 3…).",
    )
    focus_operateur = models.CharField(
        "opérateur présenté (focus)",
        max_length=200,
        blank=True,
        help_text="Tel que le rapport le nomme (« CABBALR – Extracité ») ; vide : le nom du porteur.",
    )
    focus_description = models.TextField("description (focus)", blank=True)
    focus_objectif = models.TextField("objectif recherché (focus)", blank=True)
    focus_resultats = models.TextField("résultats (focus)", blank=True)
    beneficiaires_femmes = models.PositiveIntegerField("bénéficiaires femmes", null=True, blank=True)
    beneficiaires_hommes = models.PositiveIntegerField("bénéficiaires hommes", null=True, blank=True)
    # La même action l'année d'avant (reconduction) : suivre une action d'année en année.
    dossier_precedent = models.ForeignKey(
        "self",
        verbose_name="dossier de l'année précédente (reconduction)",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reconductions",
    )

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "dossier"
        verbose_name_plural = "dossiers"
        ordering = ["programmation", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["programmation", "numero"],
                name="dossier_numero_unique_par_annee",
                violation_error_message="Ce numéro de dossier existe déjà pour cette année.",
            ),
            models.CheckConstraint(
                condition=models.Q(cout_total__isnull=True) | models.Q(cout_total__gte=0),
                name="dossier_cout_total_positif",
                violation_error_message="Le coût total ne peut pas être négatif.",
            ),
        ]
        indexes = [models.Index(fields=["programmation", "statut"])]
        permissions = [
            ("importer_programmation", "Peut importer la programmation depuis un classeur"),
            ("exporter_programmation", "Peut exporter la programmation"),
        ]

    def __str__(self):
        return f"{self.numero} – {self.intitule}"


class LigneFinancement(Trace):
    dossier = models.ForeignKey(
        Dossier, verbose_name="dossier", on_delete=models.PROTECT, related_name="lignes_financement"
    )
    financeur = models.ForeignKey(
        Financeur, verbose_name="financeur", on_delete=models.PROTECT, related_name="lignes_financement"
    )
    nature = models.CharField("nature des crédits", max_length=20, choices=NatureCredits.choices, blank=True)
    montant_sollicite = champ_montant("montant sollicité", default=ZERO)
    montant_accorde = champ_montant("montant accordé", default=ZERO)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "ligne de financement"
        verbose_name_plural = "lignes de financement"
        ordering = ["dossier", "financeur__nom"]
        # Pour les contrôles de cohérence (programmation/controles.py) : « retenu sans aucun montant accordé » et
        # « ligne sans nature » se cherchent par dossier dans ces index partiels plutôt qu'en parcourant toutes
        # les lignes de toutes les années (tableau de bord : 25 → 19 ms de PostgreSQL à 5 000 dossiers).
        indexes = [
            models.Index(
                fields=["dossier"],
                condition=models.Q(montant_accorde__gt=0),
                name="ligne_accordee_par_dossier",
            ),
            models.Index(
                fields=["dossier"], condition=models.Q(nature=""), name="ligne_sans_nature_par_dossier"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "financeur", "nature"],
                name="ligne_unique_par_financeur_et_nature",
                violation_error_message="Ce dossier a déjà une ligne pour ce financeur et cette nature.",
            ),
            models.CheckConstraint(
                condition=models.Q(montant_sollicite__gte=0),
                name="ligne_montant_sollicite_positif",
                violation_error_message="Le montant sollicité ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=models.Q(montant_accorde__gte=0),
                name="ligne_montant_accorde_positif",
                violation_error_message="Le montant accordé ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"{self.financeur} – {self.get_nature_display() or 'nature non précisée'}"


class BlocNarratif(Trace):
    programmation = models.ForeignKey(
        Programmation, verbose_name="programmation", on_delete=models.PROTECT, related_name="blocs"
    )
    type = models.CharField("rubrique", max_length=20, choices=TypeBloc.choices)
    titre = models.CharField("titre", max_length=200, blank=True)
    texte = models.TextField(
        "texte", help_text="Texte brut ; les paragraphes sont séparés par une ligne vide."
    )

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "bloc rédigé du rapport"
        verbose_name_plural = "blocs rédigés du rapport"
        ordering = ["programmation", "type"]
        constraints = [
            models.UniqueConstraint(
                fields=["programmation", "type"], name="bloc_unique_par_rubrique_et_annee"
            )
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.programmation.annee}"


class JournalEchange(models.Model):
    """Chaque import et chaque export de classeur : qui, quand, quel fichier, combien de lignes, avec quel issue."""

    operation = models.CharField("opération", max_length=20, choices=OperationEchange.choices)
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    nom_utilisateur = models.CharField("identifiant", max_length=150, blank=True, editable=False)
    le = models.DateTimeField("le", auto_now_add=True, db_index=True)
    source = models.CharField(
        "depuis", max_length=20, default="admin", help_text="admin ou ligne de commande"
    )
    nom_fichier = models.CharField("fichier", max_length=255)
    nb_lignes = models.PositiveIntegerField("lignes")
    reussi = models.BooleanField("réussi")
    resume = models.TextField("compte rendu", blank=True)

    class Meta:
        verbose_name = "import ou export de classeur"
        verbose_name_plural = "journal des imports et exports"
        ordering = ["-le"]

    def __str__(self):
        return f"{self.get_operation_display()} – {self.nom_fichier}"

    def save(self, *args, **kwargs):
        # L'identifiant est copié : le journal reste lisible si le compte est supprimé un jour.
        if self.utilisateur_id and not self.nom_utilisateur:
            self.nom_utilisateur = self.utilisateur.get_username()
        super().save(*args, **kwargs)
