"""Écritures du FCS : l'attribution d'une subvention verrouille l'enveloppe pour ne jamais la dépasser."""

from decimal import Decimal

from django.db import transaction

from contrat_ville.models import Porteur

from .models import AxeFCS, EnveloppeFCS, SubventionFCS


@transaction.atomic
def attribuer_subvention(
    *, axe: AxeFCS, porteur: Porteur, action: str, montant: Decimal, cpo: bool = False, acteur=None
) -> SubventionFCS:
    # Le verrou sur l'enveloppe sérialise deux attributions simultanées sur la même année.
    EnveloppeFCS.objects.select_for_update().get(pk=axe.enveloppe_id)
    subvention = SubventionFCS(axe=axe, porteur=porteur, action=action, montant=montant, cpo=cpo)
    subvention.cree_par = subvention.modifie_par = acteur
    subvention.full_clean()
    subvention.save()
    return subvention
