"""La typographie française des textes que les agents saisissent : le rapport (filtre `typographie`) et les
lettres et conventions générées (`noyau.gabarits.en_html`) l'appliquent au rendu.

- espace insécable après « et avant », fine insécable avant ; ! ? et insécable avant : (usage de
  l'Imprimerie nationale) : la ponctuation ne part jamais seule en début de ligne ;
- dans les titres, un nom composé (« Mont-Liébaut », « Bruay-la-Buissière ») ne se coupe pas à son trait
  d'union.
Le texte est échappé d'abord : le résultat est du HTML sûr.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .nombres import ESPACE_FINE, ESPACE_INSECABLE

_ESPACES = r"[ \t\u00a0\u202f]"
_OUVRANT = re.compile(rf"«{_ESPACES}*")
_FERMANT = re.compile(rf"{_ESPACES}*»")
# Avant ; ! ? : une espace saisie (ou aucune après un mot) devient fine insécable ; « !! » et « ?! » restent collés.
_HAUTE = re.compile(rf"(?<=[\w\)»]){_ESPACES}*([;!?])|{_ESPACES}+([;!?])")
# Avant « : » seulement s'il y avait une espace (« 10:30 » et « https:// » restent intacts).
_DEUX_POINTS = re.compile(rf"{_ESPACES}+:")
_COMPOSE = re.compile(r"\b[\w’']+(?:-[\w’']+)+", re.UNICODE)


def typographier(texte: str, *, titre: bool = False) -> SafeString:
    if texte is None:
        return mark_safe("")
    resultat = str(texte)
    resultat = _OUVRANT.sub("«" + ESPACE_INSECABLE, resultat)
    resultat = _FERMANT.sub(ESPACE_INSECABLE + "»", resultat)
    resultat = _HAUTE.sub(lambda m: ESPACE_FINE + (m.group(1) or m.group(2)), resultat)
    resultat = _DEUX_POINTS.sub(ESPACE_INSECABLE + ":", resultat)
    if not titre:
        return escape(resultat)
    # Chaque morceau est échappé ; seuls les noms composés reçoivent un <span> qui ne se coupe pas.
    morceaux = []
    position = 0
    for compose in _COMPOSE.finditer(resultat):
        morceaux.append(str(escape(resultat[position : compose.start()])))
        morceaux.append(f'<span class="sans-coupure">{escape(compose.group(0))}</span>')
        position = compose.end()
    morceaux.append(str(escape(resultat[position:])))
    return mark_safe("".join(morceaux))  # noqa: S308 - chaque morceau est échappé
