"""Le texte des PDF que les tests vérifient, lu par pypdf : aucun outil système (poppler) n'est nécessaire."""

import io
import re
from pathlib import Path

from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream

# Espaces insécables (séparateur de milliers, avant « € » et « % ») : une espace simple pour les assertions.
INSECABLES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def texte_pdf(source: bytes | str | Path, mise_en_page: bool = True) -> str:
    """Tout le texte du PDF (octets ou chemin), pages séparées par un saut de page.

    - `mise_en_page=True` : les lignes de chaque page, colonnes alignées par des espaces, comme
      `pdftotext -layout` : une ligne de tableau reste une ligne (`re.sub(r"\\s+", " ", ligne)` la ramène à ses
      valeurs) ; le texte des graphiques et de la carte (SVG, dessinés en XObjects que ce mode de pypdf ne lit
      pas) suit, dans l'ordre du document.
    - `mise_en_page=False` : le texte dans l'ordre du document, comme `pdftotext -raw`, chaque suite d'espaces
      et de sauts de ligne ramenée à une espace, les mots composés coupés en fin de ligne de cellule
      (« Bruay-la- Buissière ») recollés.
    """
    lecteur = PdfReader(source if isinstance(source, str | Path) else io.BytesIO(source))
    if mise_en_page:
        pages = [
            "\n".join([page.extract_text(extraction_mode="layout"), *textes_des_xobjects(page)])
            for page in lecteur.pages
        ]
        return "\f".join(pages).translate(INSECABLES)
    texte = " ".join(page.extract_text() for page in lecteur.pages).translate(INSECABLES)
    return re.sub(r"\s+", " ", texte).strip().replace("- ", "-")


def textes_des_xobjects(page: PageObject) -> list[str]:
    """Le texte de chaque XObject de formulaire que la page dessine (opérateur `Do`), dans l'ordre."""
    xobjects = page.get("/Resources", {}).get("/XObject", {})
    textes = []
    for operandes, operateur in ContentStream(page.get_contents(), page.pdf).operations:
        if operateur == b"Do" and (xobject := xobjects[operandes[0]].get_object()).get("/Subtype") == "/Form":
            textes.append(page.extract_xform_text(xobject, orientations=(0, 90, 180, 270)))
    return textes


def remplissage_des_pages(html: str) -> list[float]:
    """La part (en %) de la hauteur utile de chaque page que son contenu occupe, mesurée sur la mise en page de
    WeasyPrint (le même rendu que le PDF, sans l'écrire) : du haut de la zone de contenu au bas de la dernière ligne,
    image ou rangée de tableau ; en-têtes et pieds de page (boîtes de marge) exclus."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    from noyau import moteur_pdf, pdf

    document = HTML(string=html, base_url=moteur_pdf.BASE_URL, url_fetcher=pdf.recuperateur()).render()
    feuilles = (boxes.LineBox, boxes.ReplacedBox, boxes.TableRowBox)
    parts = []
    for page in document.pages:
        boite = page._page_box
        haut = boite.content_box_y()
        bas = haut
        for enfant in boite.children:
            if isinstance(enfant, boxes.MarginBox):
                continue
            for b in enfant.descendants():
                if isinstance(b, feuilles) or (isinstance(b, boxes.BlockBox) and not b.children):
                    bas = max(bas, b.position_y + b.margin_height())
        parts.append(round((bas - haut) / boite.height * 100, 1))
    return parts
