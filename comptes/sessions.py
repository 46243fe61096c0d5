"""Expiration des sessions à l'inactivité, sans écrire la session à chaque requête.

`SESSION_SAVE_EVERY_REQUEST` réécrit la session (une transaction : BEGIN, UPDATE, COMMIT) à chaque page vue,
pour repousser son échéance. Ici, elle n'est réécrite que si sa dernière prolongation date de plus de
RENOUVELLEMENT_SESSION secondes : une session inactive expire entre SESSION_COOKIE_AGE - RENOUVELLEMENT_SESSION
et SESSION_COOKIE_AGE après la dernière requête, et une page vue ne coûte plus d'écriture.
"""

import time

from django.conf import settings

CLE = "_prolongee_le"


class MiddlewareProlongationSession:
    """Après `SessionMiddleware` : marque la session modifiée quand il est temps de repousser son échéance."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        # Une session existante seulement : un visiteur anonyme n'en reçoit pas une pour autant.
        if session.session_key is not None:
            maintenant = int(time.time())
            if maintenant - session.get(CLE, 0) >= settings.RENOUVELLEMENT_SESSION:
                session[CLE] = maintenant
        return self.get_response(request)
