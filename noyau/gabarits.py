"""Gabarits saisis par les agents (lettres, conventions) : un moteur de gabarits Django restreint, et la mise en
HTML de son texte.

Un gabarit tapé dans l'administration est une entrée hostile. Il n'a droit qu'aux conditions, aux boucles et à
quelques filtres de mise en forme : ni `{% load %}`, ni `{% include %}`, ni `{% extends %}` (le moteur n'a ni
chargeur de fichiers ni bibliothèque à charger), ni `{% debug %}`, ni nom commençant par « _ ». Son contexte
n'est fait que de textes, de dictionnaires et de listes : aucune méthode d'un modèle n'est à portée. Le rendu
est du texte, échappé en entier à la mise en HTML ; le balisage permis est celui du texte (titres « # »,
listes « - », gras « ** »), jamais du HTML tapé.

Chaque refus est en français et nomme la ligne : « Ligne 3 : la balise {% load %} n'est pas permise… ».
"""

import re
from types import MappingProxyType

from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import Lexer, TokenType
from django.utils.safestring import SafeString, mark_safe

from .typographie import typographier

# Le module est la seule bibliothèque du moteur restreint (Engine lit sa variable `register`).
register = Library()
register.tag("if", defaulttags.do_if)
register.tag("for", defaulttags.do_for)

FILTRES = {
    "upper": defaultfilters.upper,
    "lower": defaultfilters.lower,
    "capfirst": defaultfilters.capfirst,
    "title": defaultfilters.title,
    "default": defaultfilters.default,
    "length": defaultfilters.length,
    "join": defaultfilters.join,
    "first": defaultfilters.first,
    "last": defaultfilters.last,
    "pluralize": defaultfilters.pluralize,
}
for _nom, _filtre in FILTRES.items():
    register.filter(_nom, _filtre)

BALISES = {"if", "elif", "else", "endif", "for", "empty", "endfor"}
TAILLE_MAX = 20_000  # caractères du gabarit
SORTIE_MAX = 200_000  # caractères du texte rendu
BOUCLES_IMBRIQUEES_MAX = 2
LITTERAL = re.compile(r"""^(?:"[^"]*"|'[^']*'|-?\d+(?:\.\d+)?)$""")


class MoteurRestreint(Engine):
    # Sans `django.template.defaulttags` (load, debug, url, csrf_token…) ni `loader_tags` (include, extends).
    default_builtins = []


MOTEUR = MoteurRestreint(
    dirs=[], app_dirs=False, loaders=[], libraries={}, builtins=["noyau.gabarits"], autoescape=False
)


class GabaritInvalide(ValueError):
    """Un gabarit refusé : le message est en français et nomme la ligne."""


def verifier(texte: str, champs: set[str]) -> None:
    """Refuse (GabaritInvalide) un gabarit qui sort de ce qui est permis ou ne se compile pas.

    `champs` : les noms de premier niveau du contexte (« porteur », « montant_en_lettres »…), pour signaler une
    faute de frappe dès l'enregistrement plutôt qu'un blanc dans la lettre."""
    if len(texte) > TAILLE_MAX:
        raise GabaritInvalide(f"Le modèle dépasse {TAILLE_MAX:,} caractères.".replace(",", "\u202f"))
    variables_de_boucle: set[str] = set()
    profondeur = 0
    for jeton in Lexer(texte).tokenize():
        ligne = jeton.lineno
        if jeton.token_type == TokenType.BLOCK:
            morceaux = jeton.split_contents()
            nom = morceaux[0] if morceaux else ""
            if nom not in BALISES:
                permises = ", ".join(f"{{% {b} %}}" for b in ("if", "elif", "else", "endif", "for", "endfor"))
                raise GabaritInvalide(
                    f"Ligne {ligne} : la balise {{% {nom} %}} n'est pas permise dans un modèle de document "
                    f"(seules {permises} le sont)."
                )
            if nom == "for":
                profondeur += 1
                if profondeur > BOUCLES_IMBRIQUEES_MAX:
                    raise GabaritInvalide(
                        f"Ligne {ligne} : pas plus de {BOUCLES_IMBRIQUEES_MAX} boucles {{% for %}} l'une dans l'autre."
                    )
                if "in" in morceaux:
                    noms = " ".join(morceaux[1 : morceaux.index("in")]).replace(",", " ").split()
                    variables_de_boucle.update(noms)
                    sequence = [m for m in morceaux[morceaux.index("in") + 1 :] if m != "reversed"]
                    _verifier_expression(" ".join(sequence), ligne, champs, variables_de_boucle)
            elif nom == "endfor":
                profondeur = max(0, profondeur - 1)
            elif nom in ("if", "elif"):
                for mot in morceaux[1:]:
                    if mot not in ("and", "or", "not", "in", "is", "==", "!=", "<", ">", "<=", ">=", "None"):
                        _verifier_expression(mot, ligne, champs, variables_de_boucle)
        elif jeton.token_type == TokenType.VAR:
            _verifier_expression(jeton.contents, ligne, champs, variables_de_boucle)
    try:
        MOTEUR.from_string(texte)
    except TemplateSyntaxError as erreur:
        raise GabaritInvalide(_en_francais(str(erreur))) from erreur


def _verifier_expression(expression: str, ligne: int, champs: set[str], boucle: set[str]) -> None:
    morceaux = expression.strip().split("|")
    variable = morceaux[0].strip()
    for filtre in morceaux[1:]:
        nom = filtre.split(":", 1)[0].strip()
        if nom not in FILTRES:
            raise GabaritInvalide(
                f"Ligne {ligne} : le filtre « {nom} » n'est pas permis (permis : {', '.join(sorted(FILTRES))})."
            )
    if not variable or LITTERAL.match(variable):
        return
    if variable[:1] == "_" or "._" in variable:
        raise GabaritInvalide(f"Ligne {ligne} : « {variable} » : un nom ne commence jamais par « _ ».")
    racine = variable.split(".", 1)[0]
    if racine not in champs and racine not in boucle and racine != "forloop":
        raise GabaritInvalide(
            f"Ligne {ligne} : « {variable} » n'est pas un champ du document (champs : {', '.join(sorted(champs))})."
        )


def _en_francais(message: str) -> str:
    """Les erreurs de syntaxe de Django, dites en français (elles ne sont pas traduites)."""
    if m := re.match(r"Unclosed tag on line (\d+): '(\w+)'", message):
        return f"Ligne {m[1]} : la balise {{% {m[2]} %}} n'est jamais fermée (il manque {{% end{m[2]} %}})."
    if m := re.match(r"Invalid block tag on line (\d+): '(\w+)'", message):
        return f"Ligne {m[1]} : la balise {{% {m[2]} %}} est mal placée ou n'en ferme aucune autre."
    if m := re.search(r"line (\d+)", message):
        return f"Ligne {m[1]} : le modèle est mal formé ({message})."
    return f"Le modèle est mal formé : {message}"


def rendre(texte: str, contexte: dict) -> str:
    """Le texte d'un gabarit vérifié, rendu avec un contexte de textes, dictionnaires et listes."""
    sortie = MOTEUR.from_string(texte).render(Context(_en_lecture_seule(contexte), autoescape=False))
    if len(sortie) > SORTIE_MAX:
        raise GabaritInvalide("Le document rendu est démesuré : vérifiez les boucles du modèle.")
    return sortie


def _en_lecture_seule(valeur):
    """Dictionnaires et listes figés : un gabarit ne peut appeler aucune méthode qui les modifie (`pop`, `clear`)."""
    if isinstance(valeur, dict):
        return MappingProxyType({cle: _en_lecture_seule(v) for cle, v in valeur.items()})
    if isinstance(valeur, list | tuple):
        return tuple(_en_lecture_seule(v) for v in valeur)
    return valeur


GRAS = re.compile(r"\*\*(.+?)\*\*")


def en_html(texte: str) -> SafeString:
    """Le texte rendu, mis en HTML : tout est échappé, puis les paragraphes (ligne vide), titres (« # », « ## »),
    listes (« - ») et gras (« **…** ») deviennent des balises. Aucun HTML tapé ne passe."""
    blocs = []
    for bloc in re.split(r"\n\s*\n", texte.replace("\r\n", "\n").strip()):
        lignes = [ligne.rstrip() for ligne in bloc.strip("\n").split("\n") if ligne.strip()]
        if not lignes:
            continue
        if len(lignes) == 1 and lignes[0].startswith("## "):
            blocs.append(f"<h3>{_en_ligne(lignes[0][3:])}</h3>")
        elif len(lignes) == 1 and lignes[0].startswith("# "):
            blocs.append(f"<h2>{_en_ligne(lignes[0][2:])}</h2>")
        elif all(ligne.lstrip().startswith("- ") for ligne in lignes):
            items = "".join(f"<li>{_en_ligne(ligne.lstrip()[2:])}</li>" for ligne in lignes)
            blocs.append(f"<ul>{items}</ul>")
        else:
            blocs.append(f"<p>{'<br>'.join(_en_ligne(ligne) for ligne in lignes)}</p>")
    return mark_safe("\n".join(blocs))  # noqa: S308 - chaque morceau de texte est échappé par _en_ligne


def _en_ligne(texte: str) -> str:
    """Échappée, en typographie française (espaces insécables dans « » et avant : ; ! ?), puis le gras."""
    return GRAS.sub(r"<strong>\1</strong>", typographier(texte.strip()))
