"""Export de la programmation au format d'échange, classeur modèle vierge, export par financeur.

Les montants restent des nombres (format « # ##0,00 € ») ; tout texte qui commencerait comme une formule
(`=`, `+`, `-`, `@`, tabulation, retour chariot…) est écrit en cellule texte marquée « préfixe apostrophe » :
un tableur ne l'évalue jamais, ni à l'ouverture ni à la ressaisie, et la valeur réimportée est intacte.
"""

import io
import re
from collections import defaultdict

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from contrat_ville.enums import NatureCredits, TypePorteur
from contrat_ville.models import Contrat, Financeur, Pilier, Quartier, Thematique

from ..enums import StatutDossier
from ..models import Dossier, JournalEchange, LigneFinancement
from ..selectors.repartitions import financements_par_financeur
from .format import (
    COLONNES_DOSSIERS,
    COLONNES_FINANCEMENTS,
    FEUILLE_DOSSIERS,
    FEUILLE_FINANCEMENTS,
    est_dangereux,
)

FORMAT_EUROS = '#,##0.00\\ "€"'
GRAS = Font(bold=True)


def cellule(feuille: Worksheet, valeur, montant: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(feuille, value=valeur)
    if est_dangereux(valeur):
        cell.data_type = "s"  # openpyxl ferait d'un texte commençant par « = » une formule
        cell.quotePrefix = True
    if montant and valeur is not None:
        cell.number_format = FORMAT_EUROS
    return cell


def ecrire_entetes(feuille: Worksheet, titres) -> None:
    entetes = []
    for titre in titres:
        cell = WriteOnlyCell(feuille, value=titre)
        cell.font = GRAS
        entetes.append(cell)
    feuille.append(entetes)


def en_octets(classeur: openpyxl.Workbook) -> bytes:
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def classeur_programmation(dossiers) -> tuple[bytes, int]:
    """Le classeur d'échange des dossiers donnés (un queryset, filtré comme la liste de l'administration)."""
    ids = Dossier.objects.filter(pk__in=dossiers.values("pk")).values("pk")
    classeur = openpyxl.Workbook(write_only=True)
    feuille = classeur.create_sheet(FEUILLE_DOSSIERS)
    ecrire_entetes(feuille, [c.titre for c in COLONNES_DOSSIERS])
    quartiers = defaultdict(list)
    liens = Dossier.quartiers.through.objects.filter(dossier__in=ids).order_by("quartier__code")
    for dossier_id, code in liens.values_list("dossier_id", "quartier__code"):
        quartiers[dossier_id].append(code)
    nb = 0
    for d in (
        Dossier.objects.filter(pk__in=ids)
        .select_related("programmation", "porteur", "pilier", "thematique", "dossier_precedent")
        .order_by("programmation__annee", "numero")
        .iterator(chunk_size=2000)
    ):
        valeurs = [
            d.numero,
            d.programmation.annee,
            d.intitule,
            d.porteur.nom,
            d.porteur.siret,
            d.porteur.get_type_display(),
            str(d.pilier),
            str(d.thematique) if d.thematique else None,
            "; ".join(quartiers.get(d.pk, [])),
            d.get_statut_display(),
        ]
        precedent = d.dossier_precedent.numero if d.dossier_precedent else None
        feuille.append(
            [cellule(feuille, v) for v in valeurs]
            + [cellule(feuille, d.cout_total, montant=True), cellule(feuille, precedent)]
        )
        nb += 1
    feuille = classeur.create_sheet(FEUILLE_FINANCEMENTS)
    ecrire_entetes(feuille, [c.titre for c in COLONNES_FINANCEMENTS])
    lignes = (
        LigneFinancement.objects.filter(dossier__in=ids)
        .select_related("dossier__programmation", "financeur")
        .order_by("dossier__programmation__annee", "dossier__numero", "financeur__nom", "nature")
    )
    for ligne in lignes.iterator(chunk_size=2000):
        valeurs = [
            ligne.dossier.numero,
            ligne.dossier.programmation.annee,
            ligne.financeur.nom,
            ligne.get_nature_display(),
        ]
        montants = [ligne.montant_sollicite, ligne.montant_accorde]
        feuille.append(
            [cellule(feuille, v) for v in valeurs] + [cellule(feuille, m, montant=True) for m in montants]
        )
        nb += 1
    return en_octets(classeur), nb


def classeur_modele() -> bytes:
    """Le classeur vierge : les deux feuilles avec leurs en-têtes, et une feuille d'aide des valeurs admises."""
    classeur = openpyxl.Workbook(write_only=True)
    for nom, colonnes in (
        (FEUILLE_DOSSIERS, COLONNES_DOSSIERS),
        (FEUILLE_FINANCEMENTS, COLONNES_FINANCEMENTS),
    ):
        ecrire_entetes(classeur.create_sheet(nom), [c.titre for c in colonnes])
    aide = classeur.create_sheet("Aide")
    ecrire_entetes(aide, ["Colonne", "Valeurs admises (sans tenir compte de la casse ni des accents)"])
    rangs = [
        ("Type de porteur", ", ".join(TypePorteur.labels)),
        ("Statut", ", ".join(StatutDossier.labels)),
        ("Nature", ", ".join(NatureCredits.labels) + " (vide : la nature habituelle du financeur)"),
        (
            "Montants",
            "nombres, ou texte à la française : 12 500,50 € ; deux décimales au plus, jamais négatifs",
        ),
        ("SIRET", "facultatif, 14 chiffres, espaces admis"),
        ("Quartiers", "codes QPV séparés par des points-virgules, ex. QN06208M; QN06209M"),
        (
            "Dossier précédent",
            "facultatif : le n° du dossier de la même action l'année précédente (reconduction)",
        ),
    ]
    rangs += [
        ("Pilier", f"{p.code} ou {p.libelle}") for p in Pilier.objects.order_by("contrat", "ordre", "code")
    ]
    rangs += [("Thématique", f"{t.code} ou {t.libelle}") for t in Thematique.objects.all()]
    rangs += [("Financeur", f"{f.code} ou {f.nom}") for f in Financeur.objects.order_by("nom")]
    rangs += [("Quartier", f"{q.code} : {q.nom}") for q in Quartier.objects.order_by("code")]
    for rang in rangs:
        aide.append([cellule(aide, v) for v in rang])
    return en_octets(classeur)


def classeur_par_financeur(dossiers) -> tuple[bytes, int]:
    """Pour les partenaires : ce que chaque financeur a accordé aux dossiers retenus, par élément du premier niveau
    du cadre (nommé comme le contrat le nomme : « Par pilier », « Par orientation ») et par quartier."""
    classeur = openpyxl.Workbook(write_only=True)
    nb = 0
    contrats = list(
        Contrat.objects.filter(programmations__dossiers__in=dossiers.order_by().values("pk")).distinct()[:2]
    )
    niveau = contrats[0].libelle_niveau if len(contrats) == 1 else "élément du cadre"
    colonne_cadre = niveau[:1].upper() + niveau[1:]
    for titre, par, colonne in (
        # Un nom de feuille tient en 31 caractères, sans barre oblique, astérisque, « ? », « : » ni crochet.
        (re.sub(r"[\\/*?:\[\]]", " ", f"Par {niveau}")[:31], "pilier", colonne_cadre),
        ("Par quartier", "quartier", "Quartier"),
    ):
        feuille = classeur.create_sheet(titre)
        if par == "quartier":
            feuille.append(
                [
                    "Un dossier qui touche plusieurs quartiers compte dans chacun : "
                    "les montants par quartier ne s'additionnent pas."
                ]
            )
        ecrire_entetes(
            feuille,
            [
                "Financeur",
                f"Code {colonne.lower()}",
                colonne,
                "Dossiers retenus",
                "Droit commun",
                "Crédits spécifiques",
                "Total accordé",
            ],
        )
        for r in financements_par_financeur(dossiers, par):
            texte = [r.financeur, r.code, r.libelle, r.nb_dossiers]
            montants = [r.droit_commun, r.specifiques, r.total]
            feuille.append(
                [cellule(feuille, v) for v in texte] + [cellule(feuille, m, montant=True) for m in montants]
            )
            nb += 1
    return en_octets(classeur), nb


def journaliser_export(
    operation: str, *, utilisateur, nom_fichier: str, nb_lignes: int, source: str = "admin"
):
    JournalEchange.objects.create(
        operation=operation,
        utilisateur=utilisateur if getattr(utilisateur, "pk", None) else None,
        source=source,
        nom_fichier=nom_fichier,
        nb_lignes=nb_lignes,
        reussi=True,
    )
