"""Banc de l'administration et des données de démonstration.

Mesure : le chargement des années de démonstration (`programmation.demo.charger`, objectif < 5 s) ; la liste des
dossiers de l'admin sur une année synthétique de 20 000 dossiers / 20 000 lignes, brute, filtrée par quartier et
triée par montant accordé (objectif < 1 s par page, médiane de 5), avec son nombre de requêtes.
Utilise la base de DATABASE_URL (SQLite par défaut, migrée) ; tout est écrit dans une transaction annulée.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contrat_ville.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from contrat_ville.models import Quartier  # noqa: E402
from contrat_ville.referentiel import charger_referentiel  # noqa: E402
from programmation import demo  # noqa: E402
from programmation.synthetique import creer_annee_synthetique  # noqa: E402

REPETITIONS = 5


class Annuler(Exception):
    pass


def page(client, url, libelle, objectif=1.0):
    client.get(url, HTTP_HOST="localhost")  # tour de chauffe
    durees = []
    for _ in range(REPETITIONS):
        debut = time.perf_counter()
        with CaptureQueriesContext(connection) as requetes:
            reponse = client.get(url, HTTP_HOST="localhost")
        durees.append(time.perf_counter() - debut)
        assert reponse.status_code == 200, reponse.status_code
    duree = statistics.median(durees)
    tenu = duree < objectif
    print(
        f"{libelle} : {duree * 1000:.0f} ms (objectif < {objectif * 1000:.0f} ms : {'tenu' if tenu else 'MANQUÉ'}) ; "
        f"{len(requetes.captured_queries)} requêtes"
    )
    return tenu


def main() -> int:
    ok = True
    try:
        with transaction.atomic():
            charger_referentiel()
            debut = time.perf_counter()
            bilan = demo.charger()
            duree = time.perf_counter() - debut
            ok &= duree < 5
            print(
                f"Chargement des années de démonstration ({bilan.dossiers} dossiers, {bilan.lignes} lignes) : "
                f"{duree:.2f} s (objectif < 5 s : {'tenu' if duree < 5 else 'MANQUÉ'})"
            )
            debut = time.perf_counter()
            creer_annee_synthetique(2090, nb_dossiers=20_000, nb_lignes=20_000)
            print(f"Année synthétique de 20 000 dossiers créée en {time.perf_counter() - debut:.1f} s")
            user = get_user_model().objects.create_superuser("banc-admin", "banc@example.org", None)
            client = Client()
            client.force_login(user)
            liste = reverse("admin:programmation_dossier_changelist")
            quartier = Quartier.objects.get(code="QN06208M")
            ok &= page(client, f"{liste}?programmation__annee=2090", "Liste des dossiers, 20 000 dossiers")
            ok &= page(
                client,
                f"{liste}?programmation__annee=2090&quartiers__id__exact={quartier.pk}",
                "Liste filtrée par quartier",
            )
            ok &= page(client, f"{liste}?programmation__annee=2090&o=-7", "Liste triée par montant accordé")
            ok &= page(
                client,
                reverse("admin:programmation_lignefinancement_changelist"),
                "Liste des lignes de financement",
            )
            raise Annuler
    except Annuler:
        pass
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
