"""Ce que la consultation ajoute au rapport définitif : les délibérations signées, après l'annexe des avis.

Le rapport est rendu en PDF/UA (balisé) par WeasyPrint. Joindre des pages avec pypdf perdrait son titre, sa langue
et son arbre de structure ; on procède donc autrement :
1. avant le rendu, on compte les pages de chaque délibération (`deliberations_jointes`) ;
2. le gabarit annonce chacune par une page séparatrice (un titre, donc un signet et une entrée du sommaire), suivie
   d'autant de pages réservées, qui portent l'en-tête et le pied « page X / Y » du rapport : le nombre de pages
   imprimé est juste ;
3. après le rendu, pikepdf (qpdf) garde le document tel quel — structure, métadonnées, signets — et pose chaque
   page de la délibération dans la zone de texte de sa page réservée, marquée comme figure de la structure avec son
   texte alternatif.
Le fichier joint est le champ `deliberation` de l'avis, la copie assainie au dépôt.
"""

import io
from dataclasses import dataclass

import pikepdf
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from avis.selectors import AnnexeAvis
from noyau.pdf_hostile import assainir_pdf

# La zone de texte des pages du rapport (marges de `static/css/rapport.css`, @page), en points.
MM = 72 / 25.4
MARGES = {"haut": 22 * MM, "droite": 17 * MM, "bas": 20 * MM, "gauche": 17 * MM}


@dataclass(frozen=True)
class DeliberationJointe:
    """Une délibération à joindre au définitif : son titre (signet, sommaire), son contenu et son nombre de pages."""

    avis: object
    titre: str
    description: str
    contenu: bytes
    nb_pages: int

    @property
    def pages(self) -> range:
        return range(1, self.nb_pages + 1)


def deliberations_jointes(annexe: AnnexeAvis | None, nom_organisme) -> tuple[DeliberationJointe, ...]:
    """Chaque délibération jointe de l'annexe, dans son ordre, lue et comptée ; une délibération illisible
    arrête la production du définitif avec un message qui la nomme."""
    if annexe is None:
        return ()
    jointes = []
    for avis in annexe.deliberations:
        organisme = nom_organisme(avis.organisme)
        titre = f"Délibération – {organisme} ({avis.date_seance:%d/%m/%Y})"
        with avis.deliberation.open("rb") as fichier:
            # Déjà assainie au dépôt ; l'analyse est refaite ici (fichier ancien ou changé sur le disque).
            contenu = assainir_pdf(fichier.read(), nom=f"délibération – {organisme}").contenu
        try:
            with pikepdf.open(io.BytesIO(contenu)) as pdf:
                nb_pages = len(pdf.pages)
        except pikepdf.PdfError as erreur:
            raise ValidationError(
                f"La délibération de {organisme} (séance du {avis.date_seance:%d/%m/%Y}) n'est pas un PDF lisible : "
                "déposez-en de nouveau une copie avant d'approuver le rapport."
            ) from erreur
        if not nb_pages:
            raise ValidationError(f"La délibération de {organisme} ne contient aucune page.")
        jointes.append(
            DeliberationJointe(
                avis=avis,
                titre=titre,
                description=(
                    f"Délibération signée de {organisme}, séance du {avis.date_seance:%d/%m/%Y} : avis "
                    f"{avis.get_decision_display().lower()} sur le projet de rapport ({nb_pages} page"
                    f"{'s' if nb_pages > 1 else ''}, document numérisé)."
                ),
                contenu=contenu,
                nb_pages=nb_pages,
            )
        )
    return tuple(jointes)


def joindre_deliberations(pdf: bytes, jointes: tuple[DeliberationJointe, ...]) -> bytes:
    """Pose les pages des délibérations sur les pages réservées à la fin du rapport (les dernières, dans l'ordre),
    sans rien perdre du document balisé : titre, auteur, sujet, langue, signets, arbre de structure."""
    if not jointes:
        return pdf
    total = sum(j.nb_pages for j in jointes)
    sortie = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as rapport:
        if len(rapport.pages) < total:
            raise ValueError("Le rapport rendu n'a pas réservé les pages des délibérations.")
        rang = len(rapport.pages) - total
        for jointe in jointes:
            with pikepdf.open(io.BytesIO(jointe.contenu)) as deliberation:
                for page in deliberation.pages:
                    _poser(rapport, rapport.pages[rang], page, jointe.description)
                    rang += 1
        rapport.save(sortie)
    return sortie.getvalue()


# Le budget du rapport définitif, vérifié avant de le figer : un rapport de 60 à 120 pages et, au pire, une
# délibération de 30 pages (noyau.pdf_hostile.LIMITE_PAGES) pour chacun des quelque 40 organismes consultés.
BUDGET_PAGES = 1_500
BUDGET_OCTETS = 80 * 1024 * 1024


def verifier_budget(pdf: bytes) -> None:
    """ValidationError en français si le PDF définitif dépasse son budget de pages ou de taille."""
    if len(pdf) > BUDGET_OCTETS:
        mega = len(pdf) // (1024 * 1024)
        raise ValidationError(
            f"Le PDF définitif pèserait {mega} Mo : {BUDGET_OCTETS // (1024 * 1024)} Mo au plus. "
            "Rien n'a été enregistré ; vérifiez les délibérations jointes."
        )
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    if pages > BUDGET_PAGES:
        raise ValidationError(
            f"Le PDF définitif compterait {pages} pages : {BUDGET_PAGES} au plus. "
            "Rien n'a été enregistré ; vérifiez les délibérations jointes."
        )


def _poser(rapport: pikepdf.Pdf, reservee: pikepdf.Page, page: pikepdf.Page, description: str) -> None:
    """La page de délibération, réduite à la zone de texte de la page réservée, balisée comme figure."""
    x0, y0, x1, y1 = (float(v) for v in reservee.mediabox)
    zone = pikepdf.Rectangle(
        x0 + MARGES["gauche"], y0 + MARGES["bas"], x1 - MARGES["droite"], y1 - MARGES["haut"]
    )
    mcid = _figure(rapport, reservee, description)
    reservee.contents_add(f"/Figure <</MCID {mcid}>> BDC\n".encode(), prepend=False)
    reservee.add_overlay(rapport.copy_foreign(page.obj) if page.obj.is_indirect else page, zone)
    reservee.contents_add(b"\nEMC\n", prepend=False)


def _figure(rapport: pikepdf.Pdf, page: pikepdf.Page, description: str) -> int:
    """Ajoute à l'arbre de structure un élément Figure (texte alternatif `description`) pour le contenu marqué
    que la page va recevoir, et l'inscrit dans l'arbre des parents ; rend son identifiant de contenu (MCID)."""
    racine = rapport.Root.StructTreeRoot
    parents = racine.ParentTree
    nums = parents.Nums
    if "/StructParents" not in page.obj:
        cle = int(racine.get("/ParentTreeNextKey", len(nums) // 2))
        page.obj.StructParents = cle
        nums.append(cle)
        nums.append(rapport.make_indirect(pikepdf.Array()))
        racine.ParentTreeNextKey = cle + 1
    cle = int(page.obj.StructParents)
    tableau = next(nums[i + 1] for i in range(0, len(nums), 2) if int(nums[i]) == cle)
    mcid = len(tableau)
    document = racine.K if isinstance(racine.K, pikepdf.Dictionary) else racine.K[0]
    figure = rapport.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem,
            S=pikepdf.Name.Figure,
            P=document,
            Pg=page.obj,
            Alt=pikepdf.String(description),
            K=mcid,
        )
    )
    if not isinstance(document.K, pikepdf.Array):
        document.K = pikepdf.Array([document.K])
    document.K.append(figure)
    tableau.append(figure)
    return mcid
