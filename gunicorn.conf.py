"""Réglages de gunicorn pour la production : `gunicorn contrat_ville.wsgi` les lit depuis la racine du projet.

Les options de la ligne de commande l'emportent (les scripts de pannes et de charge fixent ainsi leurs ports et
leur nombre de workers, le reste venant d'ici).
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Des fils : une page ne fait pas la queue derrière le rendu d'un PDF ou l'envoi d'une délibération de 10 Mo.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Plus long que le temps qu'un utilisateur met entre deux clics : sinon le serveur ferme la connexion au moment
# où le client la réutilise, et la requête échoue côté client (mesuré par scripts/charge.py avec 2 s).
keepalive = 5
timeout = 120
graceful_timeout = 30


def post_worker_init(worker):
    # Ce que Django a chargé au démarrage ne change plus : le ramasse-miettes cesse de le parcourir à chaque
    # collecte complète, qui faisait la traîne des temps de réponse.
    gc.freeze()
