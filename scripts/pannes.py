"""Pannes, contre gunicorn et PostgreSQL sur la boucle locale (127.0.0.1 seulement, durée bornée).

1. PostgreSQL redémarre pendant que des avis (PDF joint) et des pages du portail sont en cours : les requêtes en
   vol échouent proprement (erreur serveur ou connexion coupée, jamais de réponse fausse), les suivantes
   réussissent, et il ne reste ni avis sans fichier ni fichier sans avis.
2. Un worker gunicorn est tué (SIGKILL) pendant le rendu d'un PDF du rapport : les autres requêtes sont servies
   et gunicorn remplace le worker.
3. Sous des workers à fils (gthread, ceux de la charge), un rendu qui dépasse WEASYPRINT_TIMEOUT est interrompu
   dans son fil : la page « réessayez » (503) arrive aussitôt, et les autres fils du même worker servent.

Le script crée sa propre grappe PostgreSQL (port 5433, `pg_createcluster`) pour ne pas redémarrer celle que
d'autres utilisent, une base neuve, et lance gunicorn (2 workers) sur le port 8150. Usage (root, Debian) :

    .venv/bin/python scripts/pannes.py
"""

import concurrent.futures as cf
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.banc import AGENT, RACINE, Gunicorn, Navigateur, pdf_de_taille  # noqa: E402
from scripts.donnees_banc import MOT_DE_PASSE  # noqa: E402

VERSION_PG = sorted(os.listdir("/etc/postgresql"))[-1]
GRAPPE, PORT_PG, PORT_WEB = "pannes", 5433, 8150


def pg(*args):
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", VERSION_PG, GRAPPE, *args], check=True
    )


def grappe_dediee():
    if not Path(f"/etc/postgresql/{VERSION_PG}/{GRAPPE}").exists():
        subprocess.run(
            [
                "pg_createcluster",
                VERSION_PG,
                GRAPPE,
                "-p",
                str(PORT_PG),
                "--",
                "--auth-local=trust",
                "--auth-host=trust",
            ],
            check=True,
            capture_output=True,
        )
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", VERSION_PG, GRAPPE, "start"], capture_output=True
    )
    for _ in range(30):
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(PORT_PG), "-q"]).returncode == 0:
            return
        time.sleep(1)
    raise RuntimeError("la grappe PostgreSQL des pannes ne répond pas")


def psql(sql, base="postgres"):
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(PORT_PG), "-U", "postgres", "-d", base, "-tAc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def etat_avis_et_fichiers(base: str, media: Path, consultation: int) -> tuple[int, int, int, int]:
    """(avis, avis sans fichier sur disque, fichiers sans avis, fichiers) pour la consultation du banc."""
    requete = f"select deliberation from avis_avis where consultation_id={int(consultation)}"  # noqa: S608
    noms = psql(requete, base).splitlines()
    noms = [n for n in noms if n]
    dossier = media / "prive" / "deliberations" / str(consultation)
    fichiers = (
        {f"deliberations/{consultation}/{p.name}" for p in dossier.glob("*")} if dossier.exists() else set()
    )
    sans_fichier = [n for n in noms if n not in fichiers]
    orphelins = fichiers - set(noms)
    return len(noms), len(sans_fichier), len(orphelins), len(fichiers)


def main():
    debut = time.monotonic()
    grappe_dediee()
    base = f"pannes_{int(time.time())}"
    psql(f'create database "{base}"')
    media = Path(tempfile.mkdtemp(prefix="pannes-media-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PORT_PG}/{base}",
        "MEDIA_ROOT": str(media),
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "ERROR",
    }
    (RACINE / "var").mkdir(exist_ok=True)
    from scripts.banc import preparer_base

    donnees = preparer_base(env, nb_organismes=40)
    consultation, comptes = donnees["consultation"], donnees["comptes"]
    print(
        f"Préparé en {time.monotonic() - debut:.0f} s : consultation {consultation}, {len(comptes)} comptes du portail"
    )
    pdf = pdf_de_taille(300_000)

    with Gunicorn(env, PORT_WEB, workers=2) as serveur:
        # --- 1. PostgreSQL redémarre pendant des dépôts d'avis ---------------------------------------------
        navigateurs = []
        for compte in comptes[:30]:
            n = Navigateur(serveur.url)
            n.connecter(compte, MOT_DE_PASSE)
            navigateurs.append(n)
        resultats = {"avant": [], "pendant": [], "apres": []}
        phase = {"nom": "avant"}
        verrou = threading.Lock()

        def deposer(n):
            t0 = time.monotonic()
            try:
                r = n.deposer_avis(consultation, pdf)
                issue = r.status_code
            except Exception as exc:  # noqa: BLE001 - une connexion coupée est une issue à compter
                issue = type(exc).__name__
            with verrou:
                resultats[phase["nom"]].append((issue, time.monotonic() - t0))

        def page(n):
            try:
                return n.get("/portail/").status_code
            except Exception as exc:  # noqa: BLE001
                return type(exc).__name__

        with cf.ThreadPoolExecutor(12) as pool:
            for n in navigateurs[:5]:
                pool.submit(deposer, n)
            time.sleep(1.5)
            phase["nom"] = "pendant"
            en_vol = [pool.submit(deposer, n) for n in navigateurs[5:20]]
            time.sleep(0.3)
            t_redemarrage = time.monotonic()
            pg("restart")
            duree_redemarrage = time.monotonic() - t_redemarrage
            cf.wait(en_vol)
        pages_pendant = []
        phase["nom"] = "apres"
        time.sleep(1)
        with cf.ThreadPoolExecutor(10) as pool:
            pages_apres = list(pool.map(page, navigateurs[20:30]))
            list(pool.map(deposer, navigateurs[20:30]))
        nb_avis, sans_fichier, orphelins, nb_fichiers = etat_avis_et_fichiers(base, media, consultation)

        def compte(liste):
            issues = {}
            for issue, _ in liste:
                issues[str(issue)] = issues.get(str(issue), 0) + 1
            return issues

        print("\n== 1. Redémarrage de PostgreSQL pendant des dépôts d'avis (PDF de 300 Ko) ==")
        print(f"redémarrage de PostgreSQL : {duree_redemarrage:.1f} s")
        print(f"dépôts avant la panne      : {compte(resultats['avant'])}")
        print(f"dépôts en vol pendant      : {compte(resultats['pendant'])}")
        print(f"pages du portail après     : { {str(s): pages_apres.count(s) for s in set(pages_apres)} }")
        print(f"dépôts après la panne      : {compte(resultats['apres'])}")
        print(
            f"avis en base : {nb_avis}, fichiers : {nb_fichiers}, avis sans fichier : {sans_fichier}, "
            f"fichiers sans avis : {orphelins}"
        )
        ok_1 = (
            sans_fichier == 0
            and orphelins == 0
            and all(i == 302 for i, _ in resultats["apres"])
            and all(s == 200 for s in pages_apres)
            and all(i in (302, 500) or isinstance(i, str) for i, _ in resultats["pendant"])
        )
        print("résultat :", "OK" if ok_1 else "ÉCHEC")
        del pages_pendant

        # --- 2. Un worker tué pendant le rendu d'un PDF ----------------------------------------------------
        agent = Navigateur(serveur.url, timeout=90)
        agent.connecter(*AGENT)
        portail = navigateurs[0]
        pids_avant = serveur.workers_pids()
        issues_pdf, issues_pages = [], []

        def rendre_pdf():
            t0 = time.monotonic()
            try:
                r = agent.get("/rapport-annuel/2021/pdf/")
                issues_pdf.append(
                    (r.status_code, round(time.monotonic() - t0, 1), r.headers.get("Content-Type"))
                )
            except Exception as exc:  # noqa: BLE001
                issues_pdf.append((type(exc).__name__, round(time.monotonic() - t0, 1), None))

        def pages_en_continu(arret):
            while not arret.is_set():
                t0 = time.monotonic()
                try:
                    s = portail.get("/portail/").status_code
                except Exception as exc:  # noqa: BLE001
                    s = type(exc).__name__
                issues_pages.append((s, time.monotonic() - t0))
                time.sleep(0.1)

        arret = threading.Event()
        fil_pages = threading.Thread(target=pages_en_continu, args=(arret,))
        fil_pages.start()
        fils_pdf = [threading.Thread(target=rendre_pdf) for _ in range(2)]
        for f in fils_pdf:
            f.start()
        time.sleep(1.0)  # les deux workers rendent chacun un PDF
        victime = pids_avant[0]
        os.kill(victime, 9)
        t_kill = time.monotonic()
        for f in fils_pdf:
            f.join()
        time.sleep(3)
        rendre_pdf()  # un rendu après la panne
        arret.set()
        fil_pages.join()
        pids_apres = serveur.workers_pids()
        apres_kill = [s for s, t in issues_pages[-10:]]
        print("\n== 2. Worker gunicorn tué (SIGKILL) pendant le rendu du PDF du rapport 2021 ==")
        print(f"workers avant : {pids_avant}, tué : {victime}, après : {pids_apres}")
        print(f"rendus PDF (statut, secondes, type) : {issues_pdf}")
        print(
            f"pages du portail pendant l'épisode : {len(issues_pages)} requêtes, "
            f"{sum(1 for s, _ in issues_pages if s == 200)} en 200, "
            f"{sum(1 for s, _ in issues_pages if s != 200)} autres ({sorted({str(s) for s, _ in issues_pages})})"
        )
        ok_2 = (
            victime not in pids_apres
            and len(pids_apres) == 2
            and issues_pdf[-1][0] == 200
            and all(s == 200 for s in apres_kill)
            and sum(1 for s, *_ in issues_pdf[:2] if s == 200) >= 1
        )
        print(
            f"worker remplacé en moins de {time.monotonic() - t_kill:.0f} s ; résultat :",
            "OK" if ok_2 else "ÉCHEC",
        )

    # --- 3. Un rendu au-delà de sa limite, dans un worker à fils -----------------------------------------------
    with Gunicorn({**env, "WEASYPRINT_TIMEOUT": "0.3"}, PORT_WEB + 1, workers=1, threads=4) as serveur:
        agent = Navigateur(serveur.url, timeout=90)
        agent.connecter(*AGENT)
        portail = Navigateur(serveur.url)
        portail.connecter(comptes[30], MOT_DE_PASSE)
        pages, rendus = [], []

        def rendre_trop_long():
            t0 = time.monotonic()
            try:
                r = agent.get("/rapport-annuel/2021/pdf/")
                rendus.append((r.status_code, round(time.monotonic() - t0, 1), "réessayez" in r.text))
            except Exception as exc:  # noqa: BLE001
                rendus.append((type(exc).__name__, round(time.monotonic() - t0, 1), False))

        with cf.ThreadPoolExecutor(3) as pool:
            en_cours = [pool.submit(rendre_trop_long) for _ in range(2)]
            while not all(f.done() for f in en_cours):
                pages.append(portail.get("/portail/").status_code)
                time.sleep(0.05)
        pages.append(portail.get("/portail/").status_code)
        print(
            "\n== 3. Rendu au-delà de WEASYPRINT_TIMEOUT=0,3 s dans un worker gthread (1 worker × 4 fils) =="
        )
        print(f"rendus PDF (statut, secondes, page « réessayez ») : {rendus}")
        print(f"pages du portail servies par le même worker : {len(pages)}, statuts {sorted(set(pages))}")
        ok_3 = all(s == 503 and t < 10 and texte for s, t, texte in rendus) and set(pages) == {200}
        print("résultat :", "OK" if ok_3 else "ÉCHEC")

    psql(f'drop database "{base}" with (force)')
    shutil.rmtree(media, ignore_errors=True)
    print(f"\nDurée totale : {time.monotonic() - debut:.0f} s")
    sys.exit(0 if ok_1 and ok_2 and ok_3 else 1)


if __name__ == "__main__":
    main()
