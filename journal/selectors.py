"""Lectures du journal d'audit : les entrées d'un objet, et leurs changements rendus lisibles."""

from collections import defaultdict
from contextlib import suppress

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Q

from .audit import champ_du_modele, champs_audites, modeles_audites, resumer
from .models import EntreeJournal


def entrees_de(obj):
    """Le journal d'un objet et des objets qui le désignent comme parent (les lignes d'un dossier)."""
    type_objet = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    parent = f"{obj._meta.label_lower}:{obj.pk}"
    return (
        EntreeJournal.objects.filter(Q(type_objet=type_objet, objet_id=str(obj.pk)) | Q(parent=parent))
        .select_related("type_objet")
        .order_by("-horodatage", "-id")
    )


class _RequeteInterdite(Exception):
    pass


def _bloquer(execute, sql, params, many, context):
    raise _RequeteInterdite


def _nom(obj, using: str) -> str:
    """Le nom d'un objet lié, sans requête de plus : un __str__ qui suivrait une relation non chargée se contente
    du type et du numéro."""
    try:
        with connections[using].execute_wrapper(_bloquer):
            return str(obj)
    except Exception:  # noqa: BLE001 - _RequeteInterdite ou __str__ fragile
        return f"{obj._meta.verbose_name} n° {obj.pk}"


def modeles_lies() -> list:
    """Les modèles que désignent les clés étrangères des modèles audités (porteur, pilier, financeur…)."""
    lies = {
        f.related_model
        for modele in modeles_audites()
        for f in champs_audites(modele)
        if isinstance(f, models.ForeignKey)
    }
    return sorted(lies, key=lambda m: m._meta.label)


def noms_des_objets_lies(entrees, *, chaque_modele: bool = False) -> dict:
    """(modèle, pk en texte) → nom, pour chaque clé étrangère citée par les changements des entrées : une requête
    par modèle lié (porteur, pilier, financeur…), quel que soit le nombre d'entrées.

    `chaque_modele` : une requête pour chaque modèle lié, cité ou non, si bien que la page coûte toujours le même
    nombre de requêtes, quel que soit son contenu (la liste du journal)."""
    cles = defaultdict(set)
    if chaque_modele:
        for modele in modeles_lies():
            cles[modele] = set()
    for entree in entrees:
        modele = entree.type_objet.model_class()
        if modele is None:
            continue
        for nom, valeurs in (entree.changements or {}).items():
            champ = champ_du_modele(modele, nom)
            if not isinstance(champ, models.ForeignKey):
                continue
            for valeur in valeurs:
                if valeur not in (None, ""):
                    cles[champ.related_model].add(str(valeur))
    noms = {}
    for modele, pks in cles.items():
        # Les relations directes chargées d'un coup : un __str__ qui les suit (organisme → commune) reste lisible.
        directes = [f.name for f in modele._meta.concrete_fields if isinstance(f, models.ForeignKey)]
        qs = modele._base_manager.select_related(*directes) if directes else modele._base_manager.all()
        pk = modele._meta.pk
        valides = set()
        for v in pks:
            # Une valeur qui n'est plus une clé valable reste « n° … ».
            with suppress(ValidationError):
                valides.add(pk.to_python(v))
        # Sans clé citée, la même requête sur aucune ligne : le nombre de requêtes ne dépend pas du contenu.
        for obj in qs.filter(pk__in=valides) if valides else qs.filter(pk__isnull=True):
            noms[(modele, str(obj.pk))] = _nom(obj, qs.db)
    return noms


def rendre_lisibles(entrees, *, chaque_modele: bool = False) -> list:
    """Ajoute à chaque entrée `resume_lisible` : les changements avec le nom des objets liés (« porteur :
    Association X → Association Y » et non « n° 12 → n° 67 »). Rend la liste."""
    entrees = list(entrees)
    noms = noms_des_objets_lies(entrees, chaque_modele=chaque_modele)
    for entree in entrees:
        modele = entree.type_objet.model_class()
        entree.resume_lisible = (
            resumer(modele, entree.changements or {}, noms) if entree.changements else entree.resume
        )
    return entrees
