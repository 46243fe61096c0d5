"""Une sauvegarde restaurée dans une base neuve redonne les mêmes chiffres du rapport et les mêmes fichiers."""

import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from exploitation.sauvegarde import SauvegardeInvalide, lire_archive
from tests.avis.conftest import pdf_octets

RACINE = Path(__file__).resolve().parents[2]

# Les chiffres du rapport 2021, calculés par les sélecteurs, et l'empreinte de chaque fichier déposé.
CHIFFRES = """
import hashlib, json
from pathlib import Path
from django.conf import settings
from fcs.selectors import fonds_de_concours, tableau_fcs
from programmation import selectors as s
d = s.dossiers_de_l_annee(2021)
p = s.piliers_du_contrat(2021)
racine = Path(settings.MEDIA_ROOT)
print(json.dumps({
    "programmation": repr(s.chiffres_programmation(d)),
    "piliers": repr(s.repartition_par_pilier(d, p)),
    "associatifs": repr(s.operateurs_associatifs(d, p)),
    "fcs": repr(tableau_fcs(2021)),
    "fonds": repr(fonds_de_concours(2021)),
    "fichiers": {f.relative_to(racine).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
                 for f in sorted(racine.rglob("*")) if f.is_file()},
}))
"""


def figures_ici(media_root):
    espace = {}
    import contextlib
    import io

    sortie = io.StringIO()
    with contextlib.redirect_stdout(sortie):
        exec(CHIFFRES, espace)  # noqa: S102 - le même code que dans la base restaurée
    return json.loads(sortie.getvalue())


@pytest.fixture
def base_neuve():
    """Une base vide du même moteur que celle des tests (SQLite : un fichier ; PostgreSQL : une base créée)."""
    if connection.vendor == "postgresql":
        import psycopg

        reglages = connection.settings_dict
        nom = f"restauration_{uuid.uuid4().hex[:10]}"
        dsn = (
            f"host={reglages['HOST']} port={reglages['PORT'] or 5432} user={reglages['USER']} dbname=postgres"
        )
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{nom}"')
        yield f"postgres://{reglages['USER']}@{reglages['HOST']}:{reglages['PORT'] or 5432}/{nom}"
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'DROP DATABASE "{nom}" WITH (FORCE)')
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as dossier:
            yield f"sqlite:///{dossier}/restauree.sqlite3"


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=RACINE,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def test_sauvegarder_puis_restaurer_dans_une_base_neuve(donnees_demo, settings, tmp_path, base_neuve):
    settings.MEDIA_ROOT = tmp_path / "media"
    for nom, contenu in {
        "prive/deliberations/1/auchel.pdf": pdf_octets("Auchel"),
        "rapports/rapport-2021.pdf": pdf_octets("Rapport", pages=3),
    }.items():
        (settings.MEDIA_ROOT / nom).parent.mkdir(parents=True, exist_ok=True)
        (settings.MEDIA_ROOT / nom).write_bytes(contenu)
    avant = figures_ici(settings.MEDIA_ROOT)
    assert "total=Decimal('6931463" in avant["programmation"]  # le total 2021 du rapport de référence
    assert len(avant["fichiers"]) == 2

    call_command("sauvegarder", destination=str(tmp_path / "sauvegardes"))
    (archive,) = (tmp_path / "sauvegardes").glob("sauvegarde-*.tar.gz")
    pieces = lire_archive(archive)
    assert {"base.json", "SHA256SUMS", "MANIFESTE.json", "media/prive/deliberations/1/auchel.pdf"} <= set(
        pieces
    )

    env = {"DATABASE_URL": base_neuve, "MEDIA_ROOT": str(tmp_path / "media-restauree")}
    restauration = manage("restaurer", str(archive), env=env)
    assert restauration.returncode == 0, restauration.stderr
    assert "Restauré" in restauration.stdout
    apres = manage("shell", "-c", CHIFFRES, env=env)
    assert apres.returncode == 0, apres.stderr
    assert json.loads(apres.stdout.strip().splitlines()[-1]) == avant

    # Une seconde restauration par-dessus est refusée : on ne mélange pas deux états de la base.
    encore = manage("restaurer", str(archive), env=env)
    assert encore.returncode != 0 and "La base n'est pas vide" in encore.stderr


def test_une_archive_alteree_est_refusee_avant_d_ecrire(tmp_path, db):
    call_command("sauvegarder", destination=str(tmp_path))
    (archive,) = tmp_path.glob("sauvegarde-*.tar.gz")
    with tarfile.open(archive) as tar:
        membres = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    membres["base.json"] = (
        membres["base.json"].replace(b'"FAVORABLE"', b'"DEFAVORABLE"').replace(b"1000", b"9000")
    )
    alteree = tmp_path / "alteree.tar.gz"
    with tarfile.open(alteree, "w:gz") as tar:
        import io

        for nom, contenu in membres.items():
            info = tarfile.TarInfo(nom)
            info.size = len(contenu)
            tar.addfile(info, io.BytesIO(contenu))
    with pytest.raises(SauvegardeInvalide, match="empreinte de base.json ne correspond pas"):
        lire_archive(alteree)
