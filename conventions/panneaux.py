"""Le panneau « après le vote » de la fiche d'un dossier, enregistré auprès de `programmation.panneaux`."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .selectors import suivi_du_dossier


def panneau_apres_le_vote(dossier) -> SafeString:
    return render_to_string("conventions/_suivi_dossier.html", {"suivi": suivi_du_dossier(dossier)})
