"""Charge : 50 utilisateurs simulés pendant 5 minutes contre gunicorn (2 workers) et PostgreSQL, sur 127.0.0.1.

Mélange : les communes (40 comptes du portail) lisent leurs pages, téléchargent le projet de rapport et déposent
leur avis avec une délibération PDF de 2 Mo ; les agents (10 sessions) parcourent les listes de l'admin et
téléchargent le rapport 2021. Chaque utilisateur attend 1 à 3 s entre deux actions. Le script s'arrête seul
(durée bornée) et imprime : erreurs serveur, taux d'échec, centiles des temps de réponse par catégorie.

    .venv/bin/python scripts/charge.py            # 50 utilisateurs, 300 s
    .venv/bin/python scripts/charge.py --duree 60 --utilisateurs 20
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.banc import AGENT, RACINE, Gunicorn, Navigateur, centile, pdf_de_taille, preparer_base  # noqa: E402
from scripts.donnees_banc import MOT_DE_PASSE  # noqa: E402

PORT_WEB = 8151
LISTES_ADMIN = [
    "/admin/programmation/dossier/",
    "/admin/programmation/dossier/?programmation__annee__exact=2021&statut__exact=RETENU",
    "/admin/programmation/lignefinancement/",
    "/admin/fcs/subventionfcs/",
    "/admin/avis/avis/",
    "/admin/avis/destinataire/",
]


class Mesures:
    def __init__(self):
        self.verrou = threading.Lock()
        self.temps = defaultdict(list)
        self.statuts = defaultdict(lambda: defaultdict(int))

    def noter(self, categorie, statut, duree):
        with self.verrou:
            self.temps[categorie].append(duree)
            self.statuts[categorie][statut] += 1


def appel(mesures, categorie, fonction, attendus=(200,)):
    t0 = time.monotonic()
    try:
        r = fonction()
        statut = r.status_code
        if r.status_code == 200:
            _ = r.content  # le corps entier est lu, comme un navigateur
    except Exception as exc:  # noqa: BLE001 - une erreur de connexion est un échec à compter
        statut = type(exc).__name__
    mesures.noter(
        categorie, statut if statut in attendus or isinstance(statut, str) else statut, time.monotonic() - t0
    )
    return statut


def utilisateur_portail(url, compte, consultation, pdf, fin, mesures, hasard):
    n = Navigateur(url, timeout=60)
    t0 = time.monotonic()
    n.connecter(compte, MOT_DE_PASSE)
    mesures.noter("connexion", 302, time.monotonic() - t0)
    depose = False
    telecharge = False
    while time.monotonic() < fin:
        time.sleep(hasard.uniform(1, 3))
        if time.monotonic() >= fin:
            break
        tirage = hasard.random()
        if not telecharge and tirage < 0.15:
            appel(
                mesures,
                "téléchargement",
                lambda: n.get(f"/portail/consultations/{consultation}/projet-de-rapport.pdf"),
            )
            telecharge = True
        elif not depose and tirage < 0.25:
            appel(mesures, "dépôt d'avis (2 Mo)", lambda: n.deposer_avis(consultation, pdf), attendus=(302,))
            depose = True
        elif tirage < 0.6:
            appel(mesures, "page", lambda: n.get("/portail/"))
        else:
            appel(mesures, "page", lambda: n.get(f"/portail/consultations/{consultation}/"))


def utilisateur_agent(url, fin, mesures, hasard):
    n = Navigateur(url, timeout=60)
    t0 = time.monotonic()
    n.connecter(*AGENT)
    mesures.noter("connexion", 302, time.monotonic() - t0)
    while time.monotonic() < fin:
        time.sleep(hasard.uniform(1, 3))
        if time.monotonic() >= fin:
            break
        if hasard.random() < 0.04:
            appel(mesures, "téléchargement", lambda: n.get("/rapport-annuel/2021/pdf/"))
        else:
            chemin = hasard.choice(LISTES_ADMIN)
            appel(mesures, "page", lambda chemin=chemin: n.get(chemin))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duree", type=int, default=300, help="secondes de charge (défaut 300)")
    parser.add_argument("--utilisateurs", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=4, help="fils par worker gunicorn (gthread ; 1 = synchrone)"
    )
    options = parser.parse_args()
    nb_agents = max(1, options.utilisateurs // 5)
    nb_portail = options.utilisateurs - nb_agents

    base = f"charge_{int(time.time())}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", base], check=True)
    media = Path(tempfile.mkdtemp(prefix="charge-media-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{base}",
        "MEDIA_ROOT": str(media),
        "LOG_LEVEL": "ERROR",
    }
    (RACINE / "var").mkdir(exist_ok=True)
    t_prep = time.monotonic()
    donnees = preparer_base(env, nb_organismes=nb_portail)
    print(
        f"Préparé en {time.monotonic() - t_prep:.0f} s : {nb_portail} communes, {nb_agents} sessions d'agent"
    )
    pdf = pdf_de_taille(2 * 1024 * 1024)
    mesures = Mesures()
    try:
        with Gunicorn(
            env, PORT_WEB, workers=options.workers, timeout=120, threads=options.threads
        ) as serveur:
            debut = time.monotonic()
            fin = debut + options.duree
            fils = []
            for i, compte in enumerate(donnees["comptes"]):
                fils.append(
                    threading.Thread(
                        target=utilisateur_portail,
                        args=(
                            serveur.url,
                            compte,
                            donnees["consultation"],
                            pdf,
                            fin,
                            mesures,
                            random.Random(i),
                        ),
                    )
                )
            for i in range(nb_agents):
                fils.append(
                    threading.Thread(
                        target=utilisateur_agent, args=(serveur.url, fin, mesures, random.Random(1000 + i))
                    )
                )
            for k, fil in enumerate(fils):  # montée en charge sur 20 s
                fil.start()
                time.sleep(20 / len(fils))
                del k
            for fil in fils:
                fil.join(timeout=options.duree + 120)
            duree = time.monotonic() - debut
    finally:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", base], check=False)
    imprimer(mesures, duree, options)


def imprimer(mesures, duree, options):
    print(
        f"\n== Charge : {options.utilisateurs} utilisateurs, {duree:.0f} s, {options.workers} workers gunicorn × {options.threads} fils =="
    )
    total = echecs = erreurs_serveur = 0
    attendus = {"page": (200,), "téléchargement": (200,), "dépôt d'avis (2 Mo)": (302,), "connexion": (302,)}
    print(
        f"{'catégorie':22} {'requêtes':>9} {'échecs':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuts"
    )
    for categorie, temps in sorted(mesures.temps.items()):
        statuts = dict(mesures.statuts[categorie])
        n = len(temps)
        rates = sum(v for s, v in statuts.items() if s not in attendus.get(categorie, (200,)))
        erreurs_serveur += sum(v for s, v in statuts.items() if isinstance(s, int) and s >= 500)
        total += n
        echecs += rates
        print(
            f"{categorie:22} {n:9d} {rates:7d} {centile(temps, 50) * 1000:8.0f} {centile(temps, 95) * 1000:8.0f} "
            f"{max(temps) * 1000:8.0f}  {statuts}"
        )
    taux = 100 * echecs / total if total else 0
    p95_pages = centile(mesures.temps["page"], 95) * 1000
    print(
        f"\nrequêtes : {total} ({total / duree:.1f}/s), échecs : {echecs} ({taux:.2f} %), erreurs serveur : {erreurs_serveur}"
    )
    print(f"p95 des pages : {p95_pages:.0f} ms (objectif < 800 ms)")
    ok = erreurs_serveur == 0 and taux < 1 and p95_pages < 800
    print("résultat :", "OK" if ok else "objectif NON atteint")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
