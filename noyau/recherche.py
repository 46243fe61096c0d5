"""Recherche sans accents ni casse : « mont liebaut » trouve « Mont-Liébaut », sur PostgreSQL comme sur SQLite.

Le transform `sansaccents` (enregistré sur les champs texte) compare des textes réduits : sans accents, en
minuscules, tirets et apostrophes changés en espaces. PostgreSQL le calcule par `unaccent` (extension créée par
la migration `noyau.0001`), SQLite par une fonction Python enregistrée à chaque connexion.
"""

import re
import unicodedata

from django.db import models

LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
SEPARATEURS = re.compile(r"[-'’‐‑–—_]")


def sans_accents(texte: str | None) -> str | None:
    """`Mont-Liébaut` → `mont liebaut` ; la même réduction des deux côtés de la comparaison."""
    if texte is None:
        return None
    decompose = unicodedata.normalize("NFKD", str(texte).translate(LIGATURES))
    sans = "".join(c for c in decompose if not unicodedata.combining(c))
    return SEPARATEURS.sub(" ", sans.casefold())


def mots_recherches(terme: str) -> list[str]:
    """Les mots d'une recherche, réduits comme les textes cherchés (« Mont-Liébaut » → mont, liebaut)."""
    return (sans_accents(terme) or "").split()


class SansAccents(models.Transform):
    lookup_name = "sansaccents"
    output_field = models.TextField()

    def as_sql(self, compiler, connection):  # tout autre moteur : la casse seulement
        sql, params = compiler.compile(self.lhs)
        return f"LOWER({sql})", params

    def as_sqlite(self, compiler, connection):
        sql, params = compiler.compile(self.lhs)
        return f"sans_accents({sql})", params

    def as_postgresql(self, compiler, connection):
        sql, params = compiler.compile(self.lhs)
        return f"TRANSLATE(LOWER(UNACCENT(({sql})::text)), '-''’‐‑–—_', '       ')", params


def enregistrer_fonction_sqlite(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("sans_accents", 1, sans_accents, deterministic=True)
