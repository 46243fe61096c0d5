"""Les panneaux que les applications du dessus ajoutent à la fiche d'un dossier dans l'admin.

`programmation` ne connaît pas les conventions, qui la suivent dans l'ordre des imports : c'est l'application des
conventions qui enregistre ici, dans le `ready()` de sa configuration, ce que la fiche montre après le vote
(versements, bilans, l'action d'année en année). La fiche les affiche dans l'ordre d'enregistrement.
"""

from collections.abc import Callable

from django.utils.safestring import SafeString

PANNEAUX_DU_DOSSIER: list[Callable[[object], SafeString]] = []


def enregistrer_panneau(panneau: Callable[[object], SafeString]) -> Callable[[object], SafeString]:
    if panneau not in PANNEAUX_DU_DOSSIER:
        PANNEAUX_DU_DOSSIER.append(panneau)
    return panneau
