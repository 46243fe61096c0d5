"""Un serveur Django dans un fil, pour les tests Chromium qui écrivent réellement dans la base de test.

Sur SQLite en mémoire, le serveur et le test partagent l'unique connexion : le serveur traite alors une requête
après l'autre (`WSGIServer` sans fils, qui ferme chaque connexion HTTP), car deux requêtes simultanées du
navigateur (page, fichiers statiques, autocomplétion) sur une même connexion sqlite3 se mêlent leurs résultats
(« not enough values to unpack », vu une fois sur cinq suites). Sur PostgreSQL, chaque fil a sa connexion : le
serveur reste à fils, comme celui de Django.
"""

from contextlib import contextmanager

from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler


class FilSansParallelisme(LiveServerThread):
    def _create_server(self, connections_override=None):
        return WSGIServer((self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False)


@contextmanager
def serveur_dans_un_fil(gestionnaire_statique):
    """L'adresse du serveur (http://127.0.0.1:port), arrêté à la sortie ; à appeler base débloquée."""
    partagees = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            conn.inc_thread_sharing()
            partagees[conn.alias] = conn
    classe = FilSansParallelisme if partagees else LiveServerThread
    fil = classe("127.0.0.1", gestionnaire_statique, connections_override=partagees)
    fil.daemon = True
    fil.start()
    fil.is_ready.wait()
    try:
        if fil.error:
            raise fil.error
        yield f"http://127.0.0.1:{fil.port}"
    finally:
        fil.terminate()
        for conn in partagees.values():
            conn.dec_thread_sharing()
