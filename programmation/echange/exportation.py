"""Export de la programmation au format d'échange, classeur modèle vierge, export par financeur.

Les montants restent des nombres (format « # ##0,00 € ») ; tout texte qui commencerait comme une formule
(`=`, `+`, `-`, `@`, tabulation, retour chariot…) est écrit en cellule texte marquée « préfixe apostrophe » :
un tableur ne l'évalue jamais, ni à l'ouverture ni à la ressaisie, et la valeur réimportée est intacte.
"""

import datetime
import io
import re
from collections import defaultdict

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from contrat_ville.enums import NatureCredits, TypePorteur
from contrat_ville.models import Contrat, Financeur, ObjectifQuartier, Pilier, Quartier, Thematique

from ..enums import StatutDossier
from ..models import Dossier, JournalEchange, LigneFinancement
from ..selectors.repartitions import financements_par_financeur
from .format import (
    COLONNES_FINANCEMENTS,
    FEUILLE_DOSSIERS,
    FEUILLE_FINANCEMENTS,
    capitaliser,
    colonnes_dossiers,
    est_dangereux,
    titre_commun,
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


def colonnes_des_contrats(contrats: list[Contrat]):
    """Les colonnes de la feuille Dossiers pour des années de ces contrats : le premier niveau nommé comme ils le
    nomment ; le second niveau et les objectifs de quartier seulement si l'un d'eux en a (le format de 2015 reste
    celui d'un contrat à piliers)."""
    ids = [c.pk for c in contrats]
    avec_sous_niveaux = set(
        Pilier.objects.filter(contrat__in=ids, parent__isnull=False).values_list("contrat_id", flat=True)
    )
    sous_niveau = titre_commun(c.libelle_sous_niveau for c in contrats if c.pk in avec_sous_niveaux)
    return colonnes_dossiers(
        niveau=titre_commun(c.libelle_niveau for c in contrats) or "Pilier",
        sous_niveau=sous_niveau or None,
        objectifs=ObjectifQuartier.objects.filter(projet__contrat__in=ids).exists(),
    )


def classeur_programmation(dossiers) -> tuple[bytes, int]:
    """Le classeur d'échange des dossiers donnés (un queryset, filtré comme la liste de l'administration)."""
    ids = Dossier.objects.filter(pk__in=dossiers.values("pk")).values("pk")
    contrats = list(
        Contrat.objects.filter(programmations__dossiers__in=ids).distinct().order_by("date_signature")
    )
    colonnes = colonnes_des_contrats(contrats)
    cles = {c.cle for c in colonnes}
    classeur = openpyxl.Workbook(write_only=True)
    feuille = classeur.create_sheet(FEUILLE_DOSSIERS)
    ecrire_entetes(feuille, [c.titre for c in colonnes])
    quartiers = defaultdict(list)
    liens = Dossier.quartiers.through.objects.filter(dossier__in=ids).order_by("quartier__code")
    for dossier_id, code in liens.values_list("dossier_id", "quartier__code"):
        quartiers[dossier_id].append(code)
    objectifs = defaultdict(list)
    if "objectifs" in cles:
        liens = Dossier.objectifs.through.objects.filter(dossier__in=ids).order_by(
            "objectifquartier__projet__quartier__code", "objectifquartier__ordre", "objectifquartier__code"
        )
        for dossier_id, code in liens.values_list("dossier_id", "objectifquartier__code"):
            objectifs[dossier_id].append(code)
    nb = 0
    for d in (
        Dossier.objects.filter(pk__in=ids)
        .select_related("programmation", "porteur", "pilier__parent", "thematique", "dossier_precedent")
        .order_by("programmation__annee", "numero")
        .iterator(chunk_size=2000)
    ):
        # Avec la colonne du second niveau, un axe s'écrit sous son orientation ; sans elle, tel quel (2015).
        premier, sous = d.pilier, None
        if "sous_niveau" in cles and d.pilier.parent_id:
            premier, sous = d.pilier.parent, d.pilier
        valeurs = {
            "numero": d.numero,
            "annee": d.programmation.annee,
            "intitule": d.intitule,
            "porteur": d.porteur.nom,
            "siret": d.porteur.siret,
            "type_porteur": d.porteur.get_type_display(),
            "pilier": str(premier),
            "sous_niveau": str(sous) if sous else None,
            "thematique": str(d.thematique) if d.thematique else None,
            "quartiers": "; ".join(quartiers.get(d.pk, [])),
            "objectifs": "; ".join(objectifs.get(d.pk, [])),
            "statut": d.get_statut_display(),
            "cout_total": d.cout_total,
            "dossier_precedent": d.dossier_precedent.numero if d.dossier_precedent else None,
        }
        feuille.append([cellule(feuille, valeurs[c.cle], montant=c.cle == "cout_total") for c in colonnes])
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


def contrat_du_modele(annee: int | None = None) -> Contrat | None:
    """Le contrat dont le classeur modèle prend les colonnes : celui de l'année demandée, sinon celui en vigueur
    aujourd'hui, sinon le plus récent."""
    contrats = list(Contrat.objects.order_by("-date_signature"))
    annee = annee or datetime.date.today().year
    return next((c for c in contrats if c.couvre(annee)), contrats[0] if contrats else None)


def classeur_modele(contrat: Contrat | None = None) -> bytes:
    """Le classeur vierge : les deux feuilles avec leurs en-têtes (le premier niveau nommé comme le contrat le
    nomme), et une feuille d'aide des valeurs admises."""
    contrat = contrat or contrat_du_modele()
    classeur = openpyxl.Workbook(write_only=True)
    for nom, colonnes in (
        (FEUILLE_DOSSIERS, colonnes_des_contrats([contrat] if contrat else [])),
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
        (
            "Objectifs de quartier",
            "facultatif : codes des objectifs des projets de quartier du contrat de l'année, séparés par des "
            "virgules ou des points-virgules, ex. QN06208M-1; QN06208M-2",
        ),
        (
            "Sous-niveau",
            "facultatif : l'élément du second niveau (un axe d'une orientation) ; la colonne du premier niveau "
            "porte alors son orientation",
        ),
    ]
    for p in Pilier.objects.select_related("contrat", "parent").order_by(
        "contrat__date_signature", "ordre", "code"
    ):
        if p.parent_id:
            rangs.append(
                (
                    capitaliser(p.contrat.libelle_sous_niveau),
                    f"{p.code} ou {p.libelle} (sous {p.parent.code}, contrat « {p.contrat} »)",
                )
            )
        else:
            rangs.append(
                (capitaliser(p.contrat.libelle_niveau), f"{p.code} ou {p.libelle} (contrat « {p.contrat} »)")
            )
    rangs += [
        (
            "Objectif de quartier",
            f"{o.code} : {o.libelle} ({o.projet.quartier.nom}, contrat « {o.projet.contrat} »)",
        )
        for o in ObjectifQuartier.objects.select_related("projet__quartier", "projet__contrat").order_by(
            "projet__contrat__date_signature", "projet__quartier__code", "ordre", "code"
        )
    ]
    rangs += [("Thématique", f"{t.code} ou {t.libelle}") for t in Thematique.objects.all()]
    rangs += [("Financeur", f"{f.code} ou {f.nom}") for f in Financeur.objects.order_by("nom")]
    rangs += [("Quartier", f"{q.code} : {q.nom}") for q in Quartier.objects.order_by("code")]
    for rang in rangs:
        aide.append([cellule(aide, v) for v in rang])
    return en_octets(classeur)


def classeur_par_financeur(dossiers) -> tuple[bytes, int]:
    """Pour les partenaires : ce que chaque financeur a accordé aux dossiers retenus, par élément du premier niveau
    du cadre (nommé comme le contrat le nomme : « Par pilier », « Par orientation ») et par quartier.

    Année par année : une sélection de plusieurs années (ou de deux contrats) ne mélange jamais leurs montants ;
    chaque ligne dit son année. Une requête par année et par feuille."""
    classeur = openpyxl.Workbook(write_only=True)
    nb = 0
    annees = sorted(
        set(dossiers.order_by().values_list("programmation__annee", flat=True).distinct()), reverse=True
    )
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
                "Année",
                "Financeur",
                f"Code {colonne.lower()}",
                colonne,
                "Dossiers retenus",
                "Droit commun",
                "Crédits spécifiques",
                "Total accordé",
            ],
        )
        for annee in annees:
            for r in financements_par_financeur(dossiers.filter(programmation__annee=annee), par):
                texte = [annee, r.financeur, r.code, r.libelle, r.nb_dossiers]
                montants = [r.droit_commun, r.specifiques, r.total]
                feuille.append(
                    [cellule(feuille, v) for v in texte]
                    + [cellule(feuille, m, montant=True) for m in montants]
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
