"""PDF hostiles fabriqués par les tests (bombe d'arbre de pages, JavaScript, chiffré) et leur détecteur, par pypdf."""

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)


def bombe_arbre_pages(branches: int = 17, niveaux: int = 4) -> bytes:
    """Environ 1 ko qui déclare branches**niveaux pages (83 521) : chaque nœud cite 17 fois le même enfant."""
    objets = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for niveau in range(niveaux):
        numero = 2 + niveau
        enfant = f"{numero + 1} 0 R ".encode() * branches
        count = branches ** (niveaux - niveau)
        objets.append(b"<< /Type /Pages /Kids [" + enfant + b"] /Count " + str(count).encode() + b" >>")
    objets.append(f"<< /Type /Page /Parent {1 + niveaux} 0 R /MediaBox [0 0 595 842] >>".encode())
    sortie = bytearray(b"%PDF-1.4\n")
    positions = []
    for numero, corps in enumerate(objets, start=1):
        positions.append(len(sortie))
        sortie += f"{numero} 0 obj\n".encode() + corps + b"\nendobj\n"
    debut_xref = len(sortie)
    sortie += f"xref\n0 {len(objets) + 1}\n0000000000 65535 f \n".encode()
    for position in positions:
        sortie += f"{position:010d} 00000 n \n".encode()
    sortie += f"trailer\n<< /Size {len(objets) + 1} /Root 1 0 R >>\nstartxref\n{debut_xref}\n%%EOF\n".encode()
    return bytes(sortie)


def _action_js(ecrivain: PdfWriter, code: str) -> IndirectObject:
    return ecrivain._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Action"),
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(code),
            }
        )
    )


def pdf_javascript(pages: int = 2) -> bytes:
    """/OpenAction JavaScript, arbre /Names/JavaScript, annotation lien JavaScript, lien Launch, lien file://,
    fichier incorporé, plus un lien https légitime qui doit survivre."""
    ecrivain = PdfWriter()
    for _ in range(pages):
        ecrivain.add_blank_page(width=595, height=842)
    ecrivain._root_object[NameObject("/OpenAction")] = _action_js(ecrivain, "app.alert('OpenAction');")
    ecrivain.add_attachment("charge.exe", b"MZ pas un vrai programme")
    noms = ecrivain._root_object["/Names"].get_object()
    noms[NameObject("/JavaScript")] = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("js1"), _action_js(ecrivain, "app.alert('Names JavaScript');")]
            )
        }
    )

    def lien(action: DictionaryObject, y: int) -> IndirectObject:
        return ecrivain._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Link"),
                    NameObject("/Rect"): ArrayObject(
                        [FloatObject(50), FloatObject(y), FloatObject(300), FloatObject(y + 20)]
                    ),
                    NameObject("/Border"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(0)]),
                    NameObject("/A"): action,
                }
            )
        )

    annotations = ArrayObject(
        [
            lien(
                DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/JavaScript"),
                        NameObject("/JS"): TextStringObject("app.launchURL('http://exemple.invalid');"),
                    }
                ),
                700,
            ),
            lien(
                DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/Launch"),
                        NameObject("/F"): TextStringObject("C:\\Windows\\System32\\calc.exe"),
                    }
                ),
                650,
            ),
            lien(
                DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/URI"),
                        NameObject("/URI"): TextStringObject("file:///etc/passwd"),
                    }
                ),
                600,
            ),
            lien(
                DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/URI"),
                        NameObject("/URI"): TextStringObject("https://www.bethune-bruay.fr/"),
                    }
                ),
                550,
            ),
        ]
    )
    ecrivain.pages[0][NameObject("/Annots")] = annotations
    ecrivain.pages[0][NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): _action_js(ecrivain, "app.beep(0);")}
    )
    tampon = io.BytesIO()
    ecrivain.write(tampon)
    return tampon.getvalue()


def pdf_chiffre(mot_de_passe: str = "secret") -> bytes:
    ecrivain = PdfWriter()
    ecrivain.add_blank_page(width=595, height=842)
    ecrivain.encrypt(user_password=mot_de_passe, owner_password="proprietaire", algorithm="RC4-128")
    tampon = io.BytesIO()
    ecrivain.write(tampon)
    return tampon.getvalue()


def pdf_chiffre_sans_mot_de_passe() -> bytes:
    """Chiffré avec un mot de passe d'ouverture vide : lisible, mais protégé."""
    return pdf_chiffre(mot_de_passe="")


CLES_ACTIVES = {
    "/JavaScript",
    "/JS",
    "/OpenAction",
    "/EmbeddedFiles",
    "/EmbeddedFile",
    "/EF",
    "/Launch",
    "/AA",
    "/XFA",
}


def contenu_actif(contenu: bytes) -> list[str]:
    """Chaque clé ou action active trouvée par pypdf en parcourant tout le document depuis le catalogue."""
    lecteur = PdfReader(io.BytesIO(contenu))
    trouve: list[str] = []
    vus: set[int] = set()
    pile = [lecteur.trailer["/Root"]]
    while pile:
        objet = pile.pop()
        if isinstance(objet, IndirectObject):
            if objet.idnum in vus:
                continue
            vus.add(objet.idnum)
            objet = objet.get_object()
        if isinstance(objet, DictionaryObject | StreamObject):
            for cle, valeur in objet.items():
                if cle in CLES_ACTIVES:
                    trouve.append(cle)
                if cle == "/S" and valeur in {
                    "/JavaScript",
                    "/Launch",
                    "/SubmitForm",
                    "/ImportData",
                    "/GoToR",
                }:
                    trouve.append(f"action {valeur}")
                if cle == "/URI" and not str(valeur).lower().startswith(("http://", "https://")):
                    trouve.append(f"lien {valeur}")
                if cle != "/Parent":
                    pile.append(valeur)
        elif isinstance(objet, ArrayObject):
            pile.extend(objet)
    return trouve


def liens_http(contenu: bytes) -> list[str]:
    lecteur = PdfReader(io.BytesIO(contenu))
    liens = []
    for page in lecteur.pages:
        for annotation in page.get("/Annots", []) or []:
            action = annotation.get_object().get("/A")
            if action is not None and action.get_object().get("/S") == "/URI":
                liens.append(str(action.get_object()["/URI"]))
    return liens
