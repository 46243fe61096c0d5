"""Écritures du FCS : l'enveloppe d'une année n'est jamais dépassée, même par deux agents qui enregistrent en même
temps. La règle porte sur plusieurs lignes (toutes les subventions de l'année) : elle vit ici, sous le verrou de la
ligne de l'enveloppe, et l'administration passe par elle."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from contrat_ville.models import Porteur
from noyau.nombres import formater_euros

from .models import AxeFCS, EnveloppeFCS, SubventionFCS
from .selectors import montant_attribue_fcs


def verifier_le_reste(*, axe: AxeFCS, montant: Decimal, exclure_pk=None) -> None:
    """Verrouille l'enveloppe de l'axe jusqu'à la fin de la transaction en cours et refuse un montant qui la
    dépasserait. Deux enregistrements simultanés passent ainsi l'un après l'autre, et le second voit le premier."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("verifier_le_reste s'appelle dans la transaction qui enregistre la subvention.")
    enveloppe = EnveloppeFCS.objects.select_for_update().get(pk=axe.enveloppe_id)
    reste = enveloppe.montant - montant_attribue_fcs(enveloppe, exclure_pk=exclure_pk)
    if montant > reste:
        raise ValidationError(
            {
                "montant": f"Ce montant dépasse l'enveloppe du FCS {enveloppe.annee} : "
                f"il reste {formater_euros(reste)} disponibles."
            }
        )


def verifier_l_enveloppe(*, enveloppe: EnveloppeFCS, montant: Decimal) -> None:
    """Une enveloppe ne descend jamais sous ce qui est déjà attribué (verrou jusqu'à la fin de la transaction)."""
    if enveloppe.pk is None:
        return
    EnveloppeFCS.objects.select_for_update().filter(pk=enveloppe.pk).exists()
    attribue = montant_attribue_fcs(enveloppe)
    if montant < attribue:
        raise ValidationError(
            {
                "montant": f"L'enveloppe ne peut pas être inférieure aux {formater_euros(attribue)} déjà attribués."
            }
        )


@transaction.atomic
def attribuer_subvention(
    *, axe: AxeFCS, porteur: Porteur, action: str, montant: Decimal, cpo: bool = False, acteur=None
) -> SubventionFCS:
    subvention = SubventionFCS(axe=axe, porteur=porteur, action=action, montant=montant, cpo=cpo)
    subvention.cree_par = subvention.modifie_par = acteur
    subvention.full_clean()
    verifier_le_reste(axe=axe, montant=montant)
    subvention.save()
    return subvention
