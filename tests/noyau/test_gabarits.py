"""Les textes des lettres et conventions, mis en HTML : échappés, en typographie française."""

from noyau.gabarits import en_html


def test_le_texte_rendu_suit_la_typographie_francaise():
    html = en_html("pour l'action « Ateliers d'aide » : **31 800,00 €** ; merci !")
    # Les guillemets et la ponctuation haute ne partent jamais seuls en début de ligne ; rien n'est interprété.
    assert "«\u00a0Ateliers d&#x27;aide\u00a0»\u00a0:" in html
    assert "<strong>31 800,00 €</strong>\u202f;" in html and "merci\u202f!" in html
    assert "<script>" not in en_html("<script>alert(1)</script>")
