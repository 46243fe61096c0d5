"""Journal d'audit : qui a créé, modifié ou supprimé quoi, quand (rangé en UTC, montré à l'heure de Paris), et de
quelle valeur à quelle valeur.

Mode d'emploi pour les autres applications :

- Un modèle audité déclare `objects = GestionnaireAudite()` et s'enregistre une fois, dans le `ready()` de son
  application : `audit.enregistrer(MonModele, parent="dossier")`. Toutes les écritures par l'ORM laissent alors
  une trace : `save()`, `create()`, `delete()` (y compris d'un queryset et en cascade), les ajouts et retraits
  des ManyToMany, et les écritures en masse du queryset (`update()`, `bulk_create()`, `bulk_update()`).
- Dans une requête, `MiddlewareAudit` attribue les écritures à l'utilisateur connecté. Hors requête (import en
  ligne de commande, commandes, services du portail qui veulent préciser la source), on écrit dans
  `with acteur(utilisateur, source="import"):`.
- Le SQL brut et `_base_manager` échappent au journal : ne pas s'en servir pour écrire un modèle audité
  (`tests/journal/test_audit.py` énumère les modèles audités et les chemins d'écriture).
"""

from __future__ import annotations

import contextvars
import datetime
import ipaddress
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from noyau.nombres import formater_euros

from .models import EntreeJournal

# Champs tenus par la classe Trace : l'entrée du journal dit déjà qui et quand.
CHAMPS_IGNORES = frozenset({"cree_le", "cree_par", "modifie_le", "modifie_par"})
MAX_REPR = 300


@dataclass(frozen=True)
class Contexte:
    utilisateur: Any  # un utilisateur, ou un appelable qui le rend (request.user lu au moment d'écrire)
    source: str
    adresse_ip: str | None = None

    def qui(self):
        u = self.utilisateur() if callable(self.utilisateur) else self.utilisateur
        if u is None or not getattr(u, "is_authenticated", False):
            return None
        return u


_contexte: contextvars.ContextVar[Contexte | None] = contextvars.ContextVar("acteur_audit", default=None)


@contextmanager
def acteur(utilisateur, source: str = "script", adresse_ip: str | None = None):
    """Attribue les écritures faites dans le bloc à `utilisateur` (None : le système), venues de `source`."""
    jeton = _contexte.set(Contexte(utilisateur, source, adresse_ip))
    try:
        yield
    finally:
        _contexte.reset(jeton)


_motif: contextvars.ContextVar[str] = contextvars.ContextVar("audit_motif", default="")


@contextmanager
def motif(texte: str):
    """Le motif donné pour les écritures du bloc (par exemple, modifier une année au rapport approuvé) : il
    précède le résumé de chaque entrée du journal."""
    jeton = _motif.set((texte or "").strip())
    try:
        yield
    finally:
        _motif.reset(jeton)


_suspendu: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_suspendu", default=False)


@contextmanager
def suspendu():
    """Pour la seule restauration d'une sauvegarde : remettre les données n'est pas les changer (et le journal
    d'origine est lui-même restauré)."""
    jeton = _suspendu.set(True)
    try:
        yield
    finally:
        _suspendu.reset(jeton)


def contexte_courant() -> Contexte:
    return _contexte.get() or Contexte(None, "systeme")


def _adresse_valide(texte: str) -> str | None:
    try:
        return str(ipaddress.ip_address(texte.strip()))
    except ValueError:
        return None


def adresse_client(request) -> str | None:
    """L'adresse réelle du client, pour le journal d'audit et le frein des connexions.

    Sans proxy configuré, c'est `REMOTE_ADDR`. Derrière un proxy inverse, `ADRESSE_CLIENT_ENTETE` (par exemple
    `X-Forwarded-For`) n'est lu que si la requête vient d'une adresse de `PROXYS_DE_CONFIANCE` : on prend, de
    droite à gauche, la première adresse qui n'est pas un proxy de confiance (celles de gauche, écrites par le
    client, ne sont pas crues). Un en-tête envoyé directement par un client est ignoré.
    """
    directe = _adresse_valide(request.META.get("REMOTE_ADDR") or "")
    entete = getattr(settings, "ADRESSE_CLIENT_ENTETE", "")
    proxys = set(getattr(settings, "PROXYS_DE_CONFIANCE", ()))
    if not entete or directe is None or directe not in proxys:
        return directe
    cle = "HTTP_" + entete.upper().replace("-", "_")
    chaine = [a for a in (request.META.get(cle) or "").split(",") if a.strip()]
    for brute in reversed(chaine):
        adresse = _adresse_valide(brute)
        if adresse is None:
            return directe  # en-tête malformé : on garde l'adresse du proxy plutôt que d'inventer
        if adresse not in proxys:
            return adresse
    return directe


class MiddlewareAudit:
    """Attribue les écritures d'une requête à son utilisateur (lu au moment de l'écriture : la connexion
    change l'utilisateur en cours de requête)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/"):
            source = "admin"
        elif request.path.startswith("/portail/"):
            source = "portail"
        else:
            source = "web"
        with acteur(
            lambda: getattr(request, "user", None), source=source, adresse_ip=adresse_client(request)
        ):
            return self.get_response(request)


# --- Registre des modèles audités ------------------------------------------------------------------------


@dataclass
class ConfigAudit:
    modele: type[models.Model]
    parent: str | None = None  # nom du ForeignKey vers l'objet dont l'historique montre aussi celui-ci
    exclure: frozenset[str] = field(default_factory=frozenset)

    def champs(self) -> list[models.Field]:
        return [
            f
            for f in self.modele._meta.concrete_fields
            if not f.primary_key and f.name not in CHAMPS_IGNORES and f.name not in self.exclure
        ]


_registre: dict[type[models.Model], ConfigAudit] = {}


def enregistrer(modele: type[models.Model], *, parent: str | None = None, exclure=()) -> None:
    """Fait auditer `modele` ; son gestionnaire par défaut doit être un `GestionnaireAudite`."""
    if not isinstance(modele._default_manager, GestionnaireAudite):
        raise TypeError(
            f"{modele._meta.label} doit déclarer objects = GestionnaireAudite() pour être audité."
        )
    config = ConfigAudit(modele, parent, frozenset(exclure))
    _registre[modele] = config
    uid = f"audit:{modele._meta.label}"
    pre_save.connect(_avant_save, sender=modele, dispatch_uid=uid + ":pre_save")
    post_save.connect(_apres_save, sender=modele, dispatch_uid=uid + ":post_save")
    post_delete.connect(_apres_delete, sender=modele, dispatch_uid=uid + ":post_delete")
    for m2m in modele._meta.local_many_to_many:
        m2m_changed.connect(
            _m2m_change, sender=m2m.remote_field.through, dispatch_uid=f"{uid}:m2m:{m2m.name}"
        )


def modeles_audites() -> list[type[models.Model]]:
    return list(_registre)


def champs_audites(modele) -> list[models.Field]:
    """Les champs dont un modèle audité trace les changements."""
    return _registre[modele].champs()


def est_audite(modele) -> bool:
    return modele in _registre


# --- Valeurs ------------------------------------------------------------------------------------------------


def _normaliser(champ: models.Field, valeur):
    """Valeur comparable et sérialisable en JSON (Decimal au nombre de décimales du champ, dates ISO…)."""
    if valeur is None:
        return None
    if isinstance(valeur, models.expressions.Combinable):
        return None  # F() pas encore évaluée : relue après écriture
    if isinstance(champ, models.FileField):
        return getattr(valeur, "name", valeur) or ""
    if isinstance(champ, models.DecimalField):
        d = Decimal(str(valeur))
        return str(d.quantize(Decimal(1).scaleb(-champ.decimal_places)))
    if isinstance(valeur, datetime.datetime):
        if timezone.is_aware(valeur):
            valeur = valeur.astimezone(datetime.UTC)
        return valeur.isoformat()
    if isinstance(valeur, datetime.date | datetime.time):
        return valeur.isoformat()
    if isinstance(valeur, bool | int | float | str | dict | list):
        return valeur
    return str(valeur)


def _valeurs(config: ConfigAudit, obj, noms: set[str] | None = None) -> dict[str, Any]:
    return {
        f.name: _normaliser(f, getattr(obj, f.attname))
        for f in config.champs()
        if noms is None or f.name in noms or f.attname in noms
    }


def _valeurs_ligne(config: ConfigAudit, ligne: dict) -> dict[str, Any]:
    """Depuis un dict de `.values()` (clés = attname)."""
    return {f.name: _normaliser(f, ligne[f.attname]) for f in config.champs() if f.attname in ligne}


def _difference(avant: dict, apres: dict) -> dict[str, list]:
    return {nom: [avant.get(nom), apres[nom]] for nom in apres if avant.get(nom) != apres[nom]}


def _lisible(champ: models.Field | None, valeur, noms: dict | None = None) -> str:
    """La valeur telle qu'un agent la lit ; `noms` donne le nom des objets liés, (modèle, pk en texte) → nom."""
    if valeur is None or valeur == "":
        return "—"
    if champ is None:
        return ", ".join(map(str, valeur)) if isinstance(valeur, list) else str(valeur)
    if champ.choices:
        return str(dict(champ.flatchoices).get(valeur, valeur))
    if isinstance(champ, models.DecimalField):
        return formater_euros(Decimal(valeur)) if champ.max_digits >= 14 else str(valeur).replace(".", ",")
    if isinstance(champ, models.BooleanField):
        return "oui" if valeur else "non"
    if isinstance(champ, models.ForeignKey):
        nom = (noms or {}).get((champ.related_model, str(valeur)))
        return nom if nom is not None else f"n° {valeur}"
    if isinstance(champ, models.ManyToManyField):
        return ", ".join(map(str, valeur)) or "—"
    return str(valeur)


def champ_du_modele(modele, nom: str) -> models.Field | None:
    try:
        return modele._meta.get_field(nom)
    except Exception:  # noqa: BLE001 - champ retiré depuis (ou modèle disparu) : on garde le nom brut
        return None


def resumer(modele, changements: dict, noms: dict | None = None) -> str:
    morceaux = []
    for nom, (avant, apres) in changements.items():
        champ = champ_du_modele(modele, nom) if modele is not None else None
        libelle = str(champ.verbose_name) if champ is not None else nom
        morceaux.append(f"{libelle} : {_lisible(champ, avant, noms)} → {_lisible(champ, apres, noms)}")
    return " ; ".join(morceaux)


def _repr(obj) -> str:
    try:
        texte = str(obj)
    except Exception:  # noqa: BLE001 - un __str__ qui suit une relation supprimée ne doit pas bloquer l'écriture
        texte = f"{obj._meta.verbose_name} n° {obj.pk}"
    return texte[:MAX_REPR]


class _RequeteInterdite(Exception):
    pass


def _bloquer(execute, sql, params, many, context):
    raise _RequeteInterdite


def _repr_sans_requete(obj, using: str) -> str:
    """Pour les écritures en masse : un __str__ qui suivrait une relation non chargée ferait une requête par
    objet ; on le refuse et on se contente du type et du numéro."""
    try:
        with connections[using].execute_wrapper(_bloquer):
            return str(obj)[:MAX_REPR]
    except _RequeteInterdite:
        return f"{obj._meta.verbose_name} n° {obj.pk}"
    except Exception:  # noqa: BLE001
        return f"{obj._meta.verbose_name} n° {obj.pk}"


def _parent(config: ConfigAudit, obj=None, ligne: dict | None = None) -> str:
    if not config.parent:
        return ""
    champ = config.modele._meta.get_field(config.parent)
    valeur = ligne.get(champ.attname) if ligne is not None else getattr(obj, champ.attname, None)
    if valeur is None:
        return ""
    return f"{champ.related_model._meta.label_lower}:{valeur}"


def _entree(modele, action: str, objet_id, objet_repr: str, changements: dict, parent: str = ""):
    ctx = contexte_courant()
    qui = ctx.qui()
    return EntreeJournal(
        horodatage=timezone.now(),
        utilisateur=qui,
        nom_utilisateur=qui.get_username() if qui else "",
        source=ctx.source,
        adresse_ip=ctx.adresse_ip,
        action=action,
        type_objet=ContentType.objects.get_for_model(modele, for_concrete_model=False),
        objet_id="" if objet_id is None else str(objet_id),
        objet_repr=objet_repr,
        parent=parent,
        changements=changements,
        resume=(f"Motif : {_motif.get()}. " if _motif.get() else "") + resumer(modele, changements),
    )


def _ecrire(entrees: list, using: str) -> None:
    if entrees and not _suspendu.get():
        EntreeJournal.objects.using(using).bulk_create(entrees)


# --- Écritures une à une (signaux) -------------------------------------------------------------------------

_AVANT = "_audit_avant"


def _avant_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    if raw:
        return
    qui = contexte_courant().qui()
    if qui is not None and hasattr(instance, "modifie_par_id"):
        # Les imports et services n'ont pas à renseigner créé par / modifié par : l'acteur courant le fait.
        if instance._state.adding and instance.cree_par_id is None:
            instance.cree_par = qui
        instance.modifie_par = qui
    if instance._state.adding or instance.pk is None:
        return
    config = _registre[sender]
    noms = [f.attname for f in config.champs()]
    ligne = sender._base_manager.using(using).filter(pk=instance.pk).values(*noms).first()
    instance.__dict__[_AVANT] = None if ligne is None else _valeurs_ligne(config, ligne)


def _apres_save(sender, instance, created, raw=False, using=None, update_fields=None, **kwargs):
    if raw:
        return
    config = _registre[sender]
    if created:
        apres = _valeurs(config, instance)
        changements = {nom: [None, v] for nom, v in apres.items() if v not in (None, "")}
        action = EntreeJournal.Action.CREATION
    else:
        avant = instance.__dict__.pop(_AVANT, None) or {}
        apres = _valeurs(config, instance, set(update_fields) if update_fields else None)
        changements = _difference(avant, apres)
        if not changements:
            return
        action = EntreeJournal.Action.MODIFICATION
    _ecrire(
        [_entree(sender, action, instance.pk, _repr(instance), changements, _parent(config, instance))], using
    )


def _apres_delete(sender, instance, using=None, origin=None, **kwargs):
    config = _registre[sender]
    avant = _valeurs(config, instance)
    changements = {nom: [v, None] for nom, v in avant.items() if v not in (None, "")}
    _ecrire(
        [
            _entree(
                sender,
                EntreeJournal.Action.SUPPRESSION,
                instance.pk,
                _repr(instance),
                changements,
                _parent(config, instance),
            )
        ],
        using,
    )


def _m2m_change(sender, instance, action, reverse, model, pk_set, using=None, **kwargs):
    """Ajouts et retraits d'un ManyToMany : « quartiers : A, B → A, B, C »."""
    if reverse:
        # quartier.dossiers.add(dossier) : on trace côté dossier, chacun des objets audités touchés.
        if action not in ("post_add", "post_remove") or not pk_set or not est_audite(model):
            return
        champ = next(
            f for f in model._meta.local_many_to_many if f.remote_field.through is sender
        )  # le champ du modèle audité
        libelle = _repr(instance)
        sens = [None, libelle] if action == "post_add" else [libelle, None]
        config = _registre[model]
        entrees = [
            _entree(
                model,
                EntreeJournal.Action.MODIFICATION,
                pk,
                _repr(obj),
                {champ.name: sens},
                _parent(config, obj),
            )
            for pk, obj in model._base_manager.using(using).in_bulk(pk_set).items()
        ]
        _ecrire(entrees, using)
        return
    modele = type(instance)
    if not est_audite(modele):
        return
    champ = next(f for f in modele._meta.local_many_to_many if f.remote_field.through is sender)
    cle = f"_audit_m2m_{champ.name}"
    if action in ("pre_add", "pre_remove", "pre_clear"):
        instance.__dict__[cle] = sorted(_repr(o) for o in getattr(instance, champ.name).all())
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    avant = instance.__dict__.pop(cle, [])
    # add(), remove() et clear() vident le cache de prefetch_related : all() relit la base.
    apres = sorted(_repr(o) for o in getattr(instance, champ.name).all())
    if avant == apres:
        return
    config = _registre[modele]
    _ecrire(
        [
            _entree(
                modele,
                EntreeJournal.Action.MODIFICATION,
                instance.pk,
                _repr(instance),
                {champ.name: [avant, apres]},
                _parent(config, instance),
            )
        ],
        using,
    )


def tracer_liens(modele, champ: str, changements, using: str = "default") -> None:
    """Trace des liens ManyToMany écrits directement dans la table de liaison (import en masse) : une entrée
    « champ : avant → après » par objet dont les liens ont changé, comme le fait le signal m2m_changed.

    `changements` : itérable de (objet, libellés avant, libellés après)."""
    config = _registre.get(modele)
    if config is None:
        return
    entrees = []
    for obj, avant, apres in changements:
        avant, apres = sorted(avant), sorted(apres)
        if avant == apres:
            continue
        entrees.append(
            _entree(
                modele,
                EntreeJournal.Action.MODIFICATION,
                obj.pk,
                _repr_sans_requete(obj, using),
                {champ: [avant, apres]},
                _parent(config, obj),
            )
        )
    _ecrire(entrees, using)


# --- Écritures en masse (queryset) --------------------------------------------------------------------------


class QuerySetAudite(models.QuerySet):
    """QuerySet dont les écritures en masse laissent une trace par objet touché, dans la même transaction.

    `delete()` n'a rien à faire ici : dès qu'un modèle a des récepteurs `post_delete`, le Collector de Django
    renonce à la suppression rapide et envoie le signal pour chaque objet, qu'on trace.
    """

    def update(self, **kwargs):
        config = _registre.get(self.model)
        if config is None:
            return super().update(**kwargs)
        noms = [f.attname for f in config.champs()]
        parent_attname = []
        if config.parent:
            parent_attname = [self.model._meta.get_field(config.parent).attname]
        using = self.db
        with transaction.atomic(using=using, savepoint=False):
            # On fige la liste des lignes touchées (verrouillées), puis on met à jour exactement celles-là :
            # la trace et l'écriture portent sur les mêmes objets.
            pks = list(self.order_by().values_list("pk", flat=True))
            if not pks:
                return 0
            cibles = models.QuerySet(self.model, using=using).filter(pk__in=pks)
            avant = {
                ligne["pk"]: ligne
                for ligne in cibles.select_for_update().values("pk", *noms, *parent_attname).order_by()
            }
            nombre = cibles.update(**kwargs)
            apres = self.model._base_manager.using(using).filter(pk__in=list(avant)).in_bulk()
            entrees = []
            for pk, obj in apres.items():
                changements = _difference(_valeurs_ligne(config, avant[pk]), _valeurs(config, obj))
                if changements:
                    entrees.append(
                        _entree(
                            self.model,
                            EntreeJournal.Action.MODIFICATION,
                            pk,
                            _repr_sans_requete(obj, using),
                            changements,
                            _parent(config, obj),
                        )
                    )
            _ecrire(entrees, using)
        return nombre

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        config = _registre.get(self.model)
        if config is None:
            return super().bulk_create(objs, *args, **kwargs)
        using = self.db
        with transaction.atomic(using=using, savepoint=False):
            crees = super().bulk_create(objs, *args, **kwargs)
            entrees = []
            for obj in crees:
                apres = _valeurs(config, obj)
                entrees.append(
                    _entree(
                        self.model,
                        EntreeJournal.Action.CREATION,
                        obj.pk,
                        _repr_sans_requete(obj, using),
                        {nom: [None, v] for nom, v in apres.items() if v not in (None, "")},
                        _parent(config, obj),
                    )
                )
            _ecrire(entrees, using)
        return crees

    bulk_create.alters_data = True

    # bulk_update() n'a pas besoin d'être redéfini : Django l'exécute en `self.filter(pk__in=…).update(…)` sur
    # ce même QuerySet, dont update() trace chaque objet (les valeurs relues après l'écriture).


class GestionnaireAudite(models.Manager.from_queryset(QuerySetAudite)):
    """Gestionnaire par défaut des modèles audités."""
