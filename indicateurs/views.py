"""La page de l'évaluation à mi-parcours : où en est chaque indicateur du contrat, pour les agents et la direction."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView

from contrat_ville.models import Contrat

from .selectors import vue_mi_parcours

PERMISSION = "indicateurs.view_indicateur"


class MiParcoursView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    template_name = "indicateurs/mi_parcours.html"
    permission_required = PERMISSION

    def has_permission(self):
        # Les comptes du portail (communes, conseils citoyens, porteurs) ne sont jamais du personnel.
        return self.request.user.is_staff and super().has_permission()

    def get_context_data(self, **kwargs):
        contrats = list(Contrat.objects.order_by("-date_signature"))
        choisi = self.request.GET.get("contrat")
        if choisi:
            contrat = next((c for c in contrats if str(c.pk) == choisi), None)
            if contrat is None:
                raise Http404("Ce contrat n'existe pas.")
        else:
            # Le contrat le plus récent qui a une année de mi-parcours, sinon le plus récent.
            contrat = next((c for c in contrats if c.annee_mi_parcours), contrats[0] if contrats else None)
        suivi = vue_mi_parcours(contrat) if contrat else None
        return super().get_context_data(
            contrats=contrats,
            contrat=contrat,
            suivi=suivi,
            **kwargs,
        )
