"""Le noyau commun des modèles : traçabilité créé/modifié par, champ de montant en euros."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from .formulaires import ChampMontant

ZERO = Decimal("0.00")


class MontantField(models.DecimalField):
    """Un `DecimalField` dont le formulaire se tape à la française (`ChampMontant`, `inputmode="decimal"`)."""

    def formfield(self, **kwargs):
        negatif = f"Le {self.verbose_name} ne peut pas être négatif."
        return super().formfield(**{"form_class": ChampMontant, "message_negatif": negatif, **kwargs})

    def deconstruct(self):
        # Pour les migrations, c'est un DecimalField : la saisie ne change rien au schéma.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def champ_montant(verbose_name: str, **kwargs) -> MontantField:
    # Le message nomme le champ : dans une ligne de tableau (inline), « cette valeur » ne dit pas laquelle.
    positif = MinValueValidator(ZERO, message=f"Le {verbose_name} ne peut pas être négatif.")
    return MontantField(verbose_name, max_digits=14, decimal_places=2, validators=[positif], **kwargs)


class Trace(models.Model):
    """Qui a créé et modifié une ligne, et quand (les détails vont au journal d'audit)."""

    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifié par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True
