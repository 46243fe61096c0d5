"""Outils communs des scripts de pannes et de charge : une base PostgreSQL à eux, gunicorn sur 127.0.0.1, et un
client HTTP qui se connecte et dépose un avis comme le ferait un navigateur. Rien ne sort de la boucle locale."""

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

RACINE = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
AGENT = ("agent", "Quartiers-Agent-2021!")


def executer(*args, env, **kwargs):
    return subprocess.run(args, cwd=RACINE, env=env, check=True, capture_output=True, text=True, **kwargs)


def preparer_base(env: dict, nb_organismes: int) -> dict:
    """Migre la base de `env`, charge la démonstration et la consultation du banc ; rend consultation et comptes."""
    executer(PYTHON, "manage.py", "migrate", "--noinput", "-v0", env=env)
    sortie = executer(
        PYTHON,
        "manage.py",
        "shell",
        "-c",
        f"from scripts.donnees_banc import preparer; preparer({nb_organismes})",
        env=env,
    ).stdout
    return json.loads(sortie.strip().splitlines()[-1])


class Gunicorn:
    def __init__(self, env: dict, port: int, workers: int = 2, timeout: int = 60, threads: int = 1):
        self.env, self.port, self.workers, self.timeout = env, port, workers, timeout
        # Plusieurs fils par worker : une page n'attend plus derrière un rendu PDF ou un envoi de 2 Mo.
        self.threads = threads
        self.processus = None

    def __enter__(self):
        self.processus = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "contrat_ville.wsgi",
                "-w",
                str(self.workers),
                "-k",
                "sync" if self.threads == 1 else "gthread",
                "--threads",
                str(self.threads),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                str(self.timeout),
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            cwd=RACINE,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(RACINE / "var" / f"gunicorn-{self.port}.log", "w"),  # noqa: SIM115
        )
        limite = time.monotonic() + 120
        while time.monotonic() < limite:
            try:
                requests.get(f"{self.url}/connexion/", timeout=30)
                return self
            except requests.RequestException:
                time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn n'a pas démarré")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def workers_pids(self) -> list[int]:
        enfants = Path(f"/proc/{self.processus.pid}/task/{self.processus.pid}/children").read_text().split()
        return [int(p) for p in enfants]

    def __exit__(self, *exc):
        self.processus.send_signal(signal.SIGTERM)
        try:
            self.processus.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.processus.kill()


def jeton_csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


class Navigateur:
    """Une session HTTP qui se connecte comme un utilisateur et suit ce que le serveur répond."""

    def __init__(self, base: str, timeout: float = 30):
        self.base, self.timeout = base, timeout
        self.session = requests.Session()

    def get(self, chemin, **kw):
        return self.session.get(self.base + chemin, timeout=self.timeout, allow_redirects=False, **kw)

    def connecter(self, identifiant, mot_de_passe):
        page = self.get("/connexion/")
        r = self.session.post(
            self.base + "/connexion/",
            data={
                "username": identifiant,
                "password": mot_de_passe,
                "csrfmiddlewaretoken": jeton_csrf(page.text),
            },
            headers={"Referer": self.base + "/connexion/"},
            timeout=self.timeout,
            allow_redirects=False,
        )
        if r.status_code != 302:
            raise RuntimeError(f"connexion de {identifiant} refusée ({r.status_code})")
        return r

    def deposer_avis(self, consultation: int, pdf: bytes):
        chemin = f"/portail/consultations/{consultation}/"
        page = self.get(chemin)
        page.raise_for_status()
        return self.session.post(
            self.base + chemin,
            data={
                "csrfmiddlewaretoken": jeton_csrf(page.text),
                "decision": "FAVORABLE",
                "date_seance": "2024-05-02",
                "observations": "Avis du banc d'essai.",
            },
            files={"deliberation": ("deliberation.pdf", pdf, "application/pdf")},
            headers={"Referer": self.base + chemin},
            timeout=self.timeout,
            allow_redirects=False,
        )


def pdf_de_taille(octets: int) -> bytes:
    """Un vrai PDF d'environ `octets` octets (une pièce jointe de remplissage)."""
    from pypdf import PdfWriter

    ecrivain = PdfWriter()
    ecrivain.add_blank_page(width=595, height=842)
    ecrivain.add_metadata({"/Title": "Délibération du banc d'essai"})
    ecrivain.add_attachment("annexe.bin", os.urandom(octets))
    tampon = io.BytesIO()
    ecrivain.write(tampon)
    return tampon.getvalue()


def centile(valeurs, p):
    if not valeurs:
        return 0.0
    v = sorted(valeurs)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
