"""Relire un formulaire HTML rendu (l'admin) pour le renvoyer tel qu'un navigateur le ferait."""

from html.parser import HTMLParser


class _Lecteur(HTMLParser):
    def __init__(self, form_id=None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.dans_form = form_id is None
        self.donnees: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None
        self._texte = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.form_id is not None:
            self.dans_form = a.get("id") == self.form_id
        if not self.dans_form:
            return
        nom = a.get("name")
        if tag == "input" and nom:
            type_ = a.get("type", "text")
            if type_ in ("submit", "button", "image", "file", "reset"):
                return
            if type_ in ("checkbox", "radio") and "checked" not in a:
                return
            self.donnees.setdefault(nom, []).append(a.get("value", "on" if type_ == "checkbox" else ""))
        elif tag == "select" and nom:
            self._select = nom
            self.donnees.setdefault(nom, [])
        elif tag == "option" and self._select and "selected" in a:
            self.donnees[self._select].append(a.get("value", ""))
        elif tag == "textarea" and nom:
            self._textarea = nom
            self._texte = []

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            texte = "".join(self._texte)
            self.donnees.setdefault(self._textarea, []).append(texte[1:] if texte.startswith("\n") else texte)
            self._textarea = None
        elif tag == "form" and self.form_id is not None:
            self.dans_form = False

    def handle_data(self, data):
        if self._textarea:
            self._texte.append(data)


def donnees_du_formulaire(html: str, form_id: str | None = None) -> dict:
    """Les valeurs que le navigateur enverrait (champs à valeur multiple en listes)."""
    lecteur = _Lecteur(form_id)
    lecteur.feed(html)
    return {k: (v if len(v) != 1 else v[0]) for k, v in lecteur.donnees.items()}
