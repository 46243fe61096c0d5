"""Le journal d'audit : une ligne par écriture d'un modèle audité."""

from django.conf import settings
from django.db import models
from django.utils import timezone

# D'où vient une écriture, dit en mots (la colonne `source` garde le code court).
SOURCES = {
    "admin": "saisie dans l'administration",
    "import": "import d'un classeur",
    "portail": "portail des avis (commune ou conseil citoyen)",
    "web": "pages du service (tableau de bord, rapport annuel)",
    "rapport": "étape du cycle du rapport annuel",
    "commande": "commande d'exploitation (démonstration, restauration)",
    "script": "script",
    "systeme": "traitement automatique",
}


class EntreeJournal(models.Model):
    """Une ligne du journal d'audit : qui a créé, modifié ou supprimé quoi, quand, et de quelle valeur à quelle
    valeur. Écrite par `journal.audit`, jamais à la main ; jamais modifiée ensuite."""

    class Action(models.TextChoices):
        CREATION = "creation", "création"
        MODIFICATION = "modification", "modification"
        SUPPRESSION = "suppression", "suppression"

    # Rangé en UTC comme toute date de Django (USE_TZ) ; montré à l'heure de Paris (TIME_ZONE).
    horodatage = models.DateTimeField("le", db_index=True)
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Le nom reste lisible si le compte est supprimé plus tard.
    nom_utilisateur = models.CharField("identifiant", max_length=150, blank=True)
    source = models.CharField("source", max_length=30)
    adresse_ip = models.GenericIPAddressField("adresse", null=True, blank=True)
    action = models.CharField("action", max_length=20, choices=Action.choices)
    type_objet = models.ForeignKey(
        "contenttypes.ContentType", verbose_name="type d'objet", on_delete=models.PROTECT, related_name="+"
    )
    objet_id = models.CharField("identifiant de l'objet", max_length=64, db_index=True)
    objet_repr = models.CharField("objet", max_length=300)
    # « programmation.dossier:12 » pour une ligne de financement : l'historique du dossier la montre aussi.
    parent = models.CharField("objet parent", max_length=100, blank=True, db_index=True)
    changements = models.JSONField("changements", default=dict)
    resume = models.TextField("résumé", blank=True)

    class Meta:
        verbose_name = "entrée du journal d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-horodatage", "-id"]
        indexes = [models.Index(fields=["type_objet", "objet_id"])]

    def __str__(self):
        le = timezone.localtime(self.horodatage)
        return f"{le:%d/%m/%Y %H:%M} {self.nom_utilisateur or 'système'} : {self.get_action_display()} de {self.objet_repr}"

    @property
    def source_lisible(self) -> str:
        return SOURCES.get(self.source, self.source)
