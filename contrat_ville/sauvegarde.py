"""Sauvegarde et restauration : la base (dumpdata en JSON, clés naturelles, portable SQLite ↔ PostgreSQL) et les
fichiers déposés (MEDIA_ROOT) dans une archive datée, avec l'empreinte SHA-256 de chaque pièce."""

import datetime
import hashlib
import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from . import audit

# Ce qui se recrée (types de contenu, permissions : par `migrate`) ou n'a pas à survivre (sessions,
# tentatives de connexion).
EXCLUS = ["contenttypes", "auth.permission", "sessions", "axes"]
BASE = "base.json"
EMPREINTES = "SHA256SUMS"
MANIFESTE = "MANIFESTE.json"


class SauvegardeInvalide(Exception):
    pass


def sha256(donnees: bytes) -> str:
    return hashlib.sha256(donnees).hexdigest()


def sauvegarder(destination: Path, maintenant: datetime.datetime | None = None) -> Path:
    maintenant = maintenant or datetime.datetime.now(datetime.UTC)
    destination.mkdir(parents=True, exist_ok=True)
    chemin = destination / f"sauvegarde-{maintenant:%Y%m%d-%H%M%S}.tar.gz"
    base = vidage_coherent()
    pieces: dict[str, bytes] = {BASE: base}
    racine = Path(settings.MEDIA_ROOT)
    if racine.exists():
        for fichier in sorted(p for p in racine.rglob("*") if p.is_file()):
            pieces["media/" + fichier.relative_to(racine).as_posix()] = fichier.read_bytes()
    empreintes = {nom: sha256(contenu) for nom, contenu in pieces.items()}
    objets = json.loads(base)
    manifeste = {
        "cree_le": maintenant.isoformat(),
        "base_source": connection.vendor,
        "objets_par_modele": _compter(objets),
        "fichiers": len(pieces) - 1,
    }
    pieces[MANIFESTE] = json.dumps(manifeste, ensure_ascii=False, indent=2).encode()
    empreintes[MANIFESTE] = sha256(pieces[MANIFESTE])
    pieces[EMPREINTES] = "".join(f"{h}  {nom}\n" for nom, h in sorted(empreintes.items())).encode()
    temporaire = chemin.with_suffix(".partiel")
    with tarfile.open(temporaire, "w:gz") as archive:
        for nom, contenu in pieces.items():
            info = tarfile.TarInfo(nom)
            info.size = len(contenu)
            info.mtime = int(maintenant.timestamp())
            info.mode = 0o640
            archive.addfile(info, io.BytesIO(contenu))
    temporaire.rename(chemin)  # une archive à moitié écrite ne porte jamais le nom final
    return chemin


def vidage_coherent() -> bytes:
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as curseur:
                curseur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _dumpdata()
    with transaction.atomic():
        return _dumpdata()


def _dumpdata() -> bytes:
    sortie = io.StringIO()
    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        exclude=EXCLUS,
        format="json",
        stdout=sortie,
    )
    return sortie.getvalue().encode()


def _compter(objets: list[dict]) -> dict[str, int]:
    compte: dict[str, int] = {}
    for o in objets:
        compte[o["model"]] = compte.get(o["model"], 0) + 1
    return dict(sorted(compte.items()))


def lire_archive(chemin: Path) -> dict[str, bytes]:
    """Les pièces de l'archive, après vérification de chaque empreinte (et d'aucune pièce en trop)."""
    pieces: dict[str, bytes] = {}
    with tarfile.open(chemin, "r:gz") as archive:
        for membre in archive.getmembers():
            if not membre.isfile() or membre.name.startswith("/") or ".." in Path(membre.name).parts:
                raise SauvegardeInvalide(f"{chemin.name} : élément refusé dans l'archive : {membre.name}")
            pieces[membre.name] = archive.extractfile(membre).read()
    if EMPREINTES not in pieces or BASE not in pieces:
        raise SauvegardeInvalide(
            f"{chemin.name} n'est pas une sauvegarde de ce produit ({EMPREINTES} absent)."
        )
    attendues = {}
    for ligne in pieces[EMPREINTES].decode().splitlines():
        empreinte, _, nom = ligne.partition("  ")
        attendues[nom] = empreinte
    if set(attendues) != set(pieces) - {EMPREINTES}:
        raise SauvegardeInvalide(f"{chemin.name} : la liste des pièces ne correspond pas à {EMPREINTES}.")
    for nom, empreinte in attendues.items():
        if sha256(pieces[nom]) != empreinte:
            raise SauvegardeInvalide(
                f"{chemin.name} : l'empreinte de {nom} ne correspond pas : archive altérée."
            )
    return pieces


def base_vide() -> bool:
    from django.contrib.auth import get_user_model

    from .models import Commune, EntreeJournal

    return not (
        get_user_model().objects.exists() or Commune.objects.exists() or EntreeJournal.objects.exists()
    )


def restaurer(chemin: Path, stdout=None) -> dict:
    pieces = lire_archive(chemin)
    call_command("migrate", interactive=False, verbosity=0)
    if not base_vide():
        raise SauvegardeInvalide("La base n'est pas vide : la restauration se fait dans une base neuve.")
    racine = Path(settings.MEDIA_ROOT)
    fichiers = {nom[len("media/") :]: contenu for nom, contenu in pieces.items() if nom.startswith("media/")}
    deja = [n for n in fichiers if (racine / n).exists()]
    if deja:
        raise SauvegardeInvalide(f"MEDIA_ROOT contient déjà {deja[0]} : restaurez dans un dossier vide.")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tampon:
        tampon.write(pieces[BASE])
    fixture = Path(tampon.name)
    try:
        # Remettre les données n'est pas les changer : rien n'est écrit au journal d'audit pendant ce temps.
        with audit.suspendu(), transaction.atomic():
            call_command("loaddata", str(fixture), verbosity=0)
    finally:
        fixture.unlink(missing_ok=True)
    for nom, contenu in fichiers.items():
        cible = racine / nom
        cible.parent.mkdir(parents=True, exist_ok=True)
        cible.write_bytes(contenu)
        if sha256(cible.read_bytes()) != sha256(contenu):
            raise SauvegardeInvalide(f"{nom} : le fichier écrit ne correspond pas à l'archive.")
    return json.loads(pieces[MANIFESTE])
