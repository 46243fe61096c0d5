"""Consultation des communes et conseils citoyens sur le projet de rapport annuel (décret n° 2015-1118, art. 4)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from contrat_ville.models import Commune, ConseilCitoyen, Porteur
from journal.audit import GestionnaireAudite
from noyau.models import Trace
from programmation.models import Programmation

from .dates import UnMoisApres, un_mois_apres
from .enums import Decision
from .stockage import obtenir_stockage_prive


class Organisme(models.Model):
    """Un organe qui a accès au portail : le conseil municipal d'une commune ou un conseil citoyen (consultés sur le
    rapport), ou un porteur de projet (qui y dépose les bilans de ses conventions)."""

    commune = models.OneToOneField(
        Commune,
        verbose_name="commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisme",
    )
    conseil_citoyen = models.OneToOneField(
        ConseilCitoyen,
        verbose_name="conseil citoyen",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisme",
    )
    porteur = models.OneToOneField(
        Porteur,
        verbose_name="porteur de projet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisme",
    )

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "organisme consulté"
        verbose_name_plural = "organismes consultés"
        constraints = [
            models.CheckConstraint(
                condition=Q(commune__isnull=False, conseil_citoyen__isnull=True, porteur__isnull=True)
                | Q(commune__isnull=True, conseil_citoyen__isnull=False, porteur__isnull=True)
                | Q(commune__isnull=True, conseil_citoyen__isnull=True, porteur__isnull=False),
                name="organisme_commune_conseil_ou_porteur",
                violation_error_message="Un organisme est soit une commune, soit un conseil citoyen, soit un porteur.",
            )
        ]

    def __str__(self):
        if self.commune_id:
            return f"Commune de {self.commune.nom}"
        if self.porteur_id:
            return self.porteur.nom
        return self.conseil_citoyen.nom

    @property
    def est_porteur(self) -> bool:
        return self.porteur_id is not None

    @property
    def est_commune(self) -> bool:
        return self.commune_id is not None


class Contact(Trace):
    """Un compte du portail, rattaché à un seul organisme (l'utilisateur ne peut en avoir qu'un)."""

    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        on_delete=models.PROTECT,
        related_name="contact_portail",
    )
    organisme = models.ForeignKey(
        Organisme, verbose_name="organisme", on_delete=models.PROTECT, related_name="contacts"
    )
    fonction = models.CharField("fonction", max_length=200, blank=True)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "contact du portail"
        verbose_name_plural = "contacts du portail"
        ordering = ["organisme", "utilisateur__last_name"]

    def __str__(self):
        nom = self.utilisateur.get_full_name() or self.utilisateur.get_username()
        return f"{nom} ({self.organisme})"


def nom_projet(instance, filename):
    return f"projets/{uuid.uuid4().hex}.pdf"


class Consultation(Trace):
    """L'envoi du projet de rapport d'une année aux organismes, avec son délai de réponse."""

    # L'année dont le projet de rapport est soumis ; le rapport lui-même (app `rapport`) est au-dessus.
    programmation = models.OneToOneField(
        Programmation, verbose_name="année", on_delete=models.PROTECT, related_name="consultation"
    )
    date_envoi = models.DateField("date d'envoi")
    date_limite = models.DateField(
        "date limite de réponse",
        help_text="Au moins un mois après l'envoi ; sans réponse, l'avis est réputé favorable.",
    )
    lancee_le = models.DateTimeField("invitations envoyées le", null=True, blank=True, editable=False)
    # Le projet soumis à l'avis est celui du jour du lancement : figé, il ne suit plus les données.
    projet_pdf = models.FileField(
        "projet de rapport transmis (PDF)",
        storage=obtenir_stockage_prive,
        upload_to=nom_projet,
        max_length=200,
        blank=True,
        editable=False,
    )
    projet_sha256 = models.CharField(
        "empreinte SHA-256 du projet transmis", max_length=64, blank=True, editable=False
    )
    organismes = models.ManyToManyField(
        Organisme, verbose_name="organismes consultés", through="Destinataire", related_name="consultations"
    )

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "consultation"
        verbose_name_plural = "consultations"
        ordering = ["-date_envoi"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_limite__gte=UnMoisApres(F("date_envoi"))),
                name="consultation_delai_un_mois",
                violation_error_message="Le délai de réponse ne peut être inférieur à un mois après l'envoi.",
            )
        ]

    def __str__(self):
        return f"Consultation sur le rapport {self.programmation.annee}"

    def clean(self):
        if self.date_envoi and self.date_limite and self.date_limite < un_mois_apres(self.date_envoi):
            raise ValidationError(
                {
                    "date_limite": "Le délai de réponse ne peut être inférieur à un mois après l'envoi "
                    f"(décret n° 2015-1118) : date limite au plus tôt le {un_mois_apres(self.date_envoi):%d/%m/%Y}."
                }
            )


class Destinataire(models.Model):
    """Un organisme consulté pour une consultation : suivi de l'invitation, de la relance, des réouvertures."""

    consultation = models.ForeignKey(
        Consultation, verbose_name="consultation", on_delete=models.CASCADE, related_name="destinataires"
    )
    organisme = models.ForeignKey(
        Organisme, verbose_name="organisme", on_delete=models.PROTECT, related_name="destinataires"
    )
    invite_le = models.DateTimeField("invité le", null=True, blank=True, editable=False)
    ouvert_le = models.DateTimeField("invitation ouverte le", null=True, blank=True, editable=False)
    relance_le = models.DateTimeField("relancé le", null=True, blank=True, editable=False)
    rouvert = models.BooleanField(
        "rouvert par un agent",
        default=False,
        editable=False,
        help_text="L'organisme peut à nouveau déposer ou modifier son avis, même après la date limite.",
    )

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "suivi d'un organisme consulté"
        verbose_name_plural = "suivi des organismes consultés"
        ordering = ["consultation", "organisme__commune__nom", "organisme__conseil_citoyen__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "organisme"],
                name="destinataire_unique",
                violation_error_message="Cet organisme est déjà consulté.",
            )
        ]

    def __str__(self):
        return f"{self.organisme} – {self.consultation}"


def nom_deliberation(instance, filename):
    # Le nom déposé n'est jamais repris : il pourrait contenir n'importe quoi.
    return f"deliberations/{instance.consultation_id}/{uuid.uuid4().hex}.pdf"


def nom_original(instance, filename):
    return f"originaux/{instance.consultation_id}/{uuid.uuid4().hex}.pdf"


class Avis(models.Model):
    """L'avis d'un organisme sur le projet de rapport, avec sa délibération signée."""

    consultation = models.ForeignKey(
        Consultation, verbose_name="consultation", on_delete=models.PROTECT, related_name="avis"
    )
    organisme = models.ForeignKey(
        Organisme, verbose_name="organisme", on_delete=models.PROTECT, related_name="avis"
    )
    decision = models.CharField("décision", max_length=20, choices=Decision.choices)
    date_seance = models.DateField("date de la séance")
    observations = models.TextField("observations", blank=True)
    # La copie assainie (noyau.pdf_hostile) : la seule servie et jointe au rapport définitif.
    deliberation = models.FileField(
        "délibération signée (PDF)",
        storage=obtenir_stockage_prive,
        upload_to=nom_deliberation,
        max_length=200,
        blank=True,
    )
    # Le fichier tel que déposé, gardé pour mémoire ; jamais servi ni joint.
    deliberation_originale = models.FileField(
        "fichier déposé (original, non servi)",
        storage=obtenir_stockage_prive,
        upload_to=nom_original,
        max_length=200,
        blank=True,
        editable=False,
    )
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    depose_le = models.DateTimeField("déposé le")
    recu_par_courrier = models.BooleanField(
        "reçu par courrier", default=False, help_text="Saisi par un agent pour le compte de l'organisme."
    )

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "avis"
        verbose_name_plural = "avis"
        ordering = ["consultation", "depose_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "organisme"],
                name="avis_unique_par_organisme",
                violation_error_message="Cet organisme a déjà rendu son avis sur cette consultation.",
            )
        ]

    def __str__(self):
        return f"Avis {self.get_decision_display().lower()} – {self.organisme}"


class Reouverture(models.Model):
    """Trace d'un agent qui rouvre l'avis d'un organisme (après dépôt ou après la date limite)."""

    destinataire = models.ForeignKey(
        Destinataire, verbose_name="organisme consulté", on_delete=models.CASCADE, related_name="reouvertures"
    )
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    le = models.DateTimeField("le", auto_now_add=True)
    motif = models.TextField("motif", blank=True)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "réouverture d'un avis"
        verbose_name_plural = "réouvertures d'avis"
        ordering = ["destinataire", "le"]

    def __str__(self):
        return f"Réouverture le {self.le:%d/%m/%Y} – {self.destinataire.organisme}"
