"""Import d'un classeur de programmation : tout est lu et validé avant la moindre écriture, puis tout est écrit
en une transaction, par insertions et mises à jour groupées.

Pourquoi pas le chemin d'écriture de django-import-export : il sauve ligne par ligne (~86 lignes/s sur
PostgreSQL, mesuré par `bench/bench_import.py`), ne valide pas les modèles par défaut (`clean_model_instances`),
perd les liens plusieurs-à-plusieurs en mode groupé (`use_bulk`), et ne connaît qu'une feuille par fichier
alors que le format d'échange en a deux qui se répondent (un financement pointe un dossier). On garde la
bibliothèque pour l'administration (boutons, formulaires, stockage temporaire) et l'on fait ici le travail lourd :
caches en mémoire du référentiel et des dossiers existants, `full_clean` sur chaque ligne, règles entre lignes
(n° de dossier en double, financement d'un dossier inconnu), puis `bulk_create` / `bulk_update`.
"""

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from contrat_ville.enums import NatureCredits, TypePorteur
from contrat_ville.models import Contrat, Financeur, ObjectifQuartier, Pilier, Porteur, Quartier, Thematique
from journal.audit import acteur, tracer_liens
from noyau.models import ZERO
from noyau.nombres import formater_euros
from noyau.validators import normaliser_siret, valider_siret

from ..enums import OperationEchange, StatutDossier
from ..models import Dossier, JournalEchange, LigneFinancement, Programmation
from .format import (
    COLONNES_DOSSIERS_LUES,
    COLONNES_FINANCEMENTS,
    FEUILLE_DOSSIERS,
    FEUILLE_FINANCEMENTS,
    ValeurInvalide,
    lire_annee,
    lire_codes,
    lire_montant,
    lire_texte,
    normaliser,
)
from .lecture import CelluleFormule, ClasseurLu, ErreurImport, FichierRefuse, lire_classeur

TITRES_DOSSIERS = {c.cle: c.titre for c in COLONNES_DOSSIERS_LUES}
TITRES_FINANCEMENTS = {c.cle: c.titre for c in COLONNES_FINANCEMENTS}
# Champ du modèle → colonne du classeur, pour situer les erreurs de `full_clean`.
CHAMPS_DOSSIER = {"numero": "numero", "intitule": "intitule", "statut": "statut", "cout_total": "cout_total"}
CHAMPS_LIGNE = {
    "nature": "nature",
    "montant_sollicite": "montant_sollicite",
    "montant_accorde": "montant_accorde",
}
CHAMPS_PORTEUR = {"nom": "porteur", "siret": "siret", "type": "type_porteur"}
CHAMPS_DOSSIER_IMPORTES = ["intitule", "porteur", "pilier", "thematique", "statut", "cout_total"]


def choix_normalises(choices, *alias) -> dict[str, str]:
    correspondance = {}
    for valeur, libelle in choices:
        correspondance[normaliser(valeur)] = valeur
        correspondance[normaliser(libelle)] = valeur
    for texte, valeur in alias:
        correspondance[normaliser(texte)] = valeur
    return correspondance


STATUTS = choix_normalises(StatutDossier.choices)
TYPES_PORTEUR = choix_normalises(TypePorteur.choices)
NATURES = choix_normalises(
    NatureCredits.choices,
    ("Spécifique", NatureCredits.SPECIFIQUE),
    ("Spécifiques", NatureCredits.SPECIFIQUE),
    ("Crédits de droit commun", NatureCredits.DROIT_COMMUN),
)


def attendus(choices) -> str:
    return ", ".join(str(libelle) for _, libelle in choices)


@dataclass(frozen=True)
class Changement:
    """Une ligne de l'aperçu : ce qui sera créé ou modifié, dit comme un agent le lirait."""

    objet: str
    detail: str = ""


@dataclass
class RapportImport:
    nom_fichier: str
    nb_lignes: int = 0
    erreurs: list[ErreurImport] = field(default_factory=list)
    programmations_creees: list[int] = field(default_factory=list)
    porteurs_crees: list[Changement] = field(default_factory=list)
    porteurs_modifies: list[Changement] = field(default_factory=list)
    dossiers_crees: list[Changement] = field(default_factory=list)
    dossiers_modifies: list[Changement] = field(default_factory=list)
    dossiers_inchanges: int = 0
    lignes_creees: list[Changement] = field(default_factory=list)
    lignes_modifiees: list[Changement] = field(default_factory=list)
    lignes_inchangees: int = 0
    annees: list[int] = field(default_factory=list)
    # Formules des colonnes de montant ou de code : montrées dans l'aperçu, écrites seulement si confirmées.
    formules: list[CelluleFormule] = field(default_factory=list)
    ecrit: bool = False

    @property
    def valide(self) -> bool:
        return not self.erreurs

    @property
    def nb_modifications(self) -> int:
        return (
            len(self.programmations_creees)
            + len(self.porteurs_crees)
            + len(self.porteurs_modifies)
            + len(self.dossiers_crees)
            + len(self.dossiers_modifies)
            + len(self.lignes_creees)
            + len(self.lignes_modifiees)
        )

    def bilan(self) -> list[str]:
        """Les chiffres de l'import, une phrase par objet."""
        lignes = []
        if self.programmations_creees:
            annees = ", ".join(str(a) for a in self.programmations_creees)
            lignes.append(f"Programmations créées : {annees}")
        lignes += [
            f"Porteurs : {len(self.porteurs_crees)} créés, {len(self.porteurs_modifies)} modifiés",
            f"Dossiers : {len(self.dossiers_crees)} créés, {len(self.dossiers_modifies)} modifiés, "
            f"{self.dossiers_inchanges} inchangés",
            f"Lignes de financement : {len(self.lignes_creees)} créées, {len(self.lignes_modifiees)} modifiées, "
            f"{self.lignes_inchangees} inchangées",
        ]
        return lignes

    def texte(self) -> str:
        if self.erreurs:
            entete = f"Import refusé : {len(self.erreurs)} erreur(s) dans « {self.nom_fichier} », rien n'a été écrit."
            return "\n".join([entete, *(f"- {e}" for e in self.erreurs)])
        verbe = "Import réussi" if self.ecrit else "Vérification réussie (rien n'a été écrit)"
        return "\n".join([f"{verbe} : « {self.nom_fichier} », {self.nb_lignes} lignes lues.", *self.bilan()])


class Analyse:
    """Valide le classeur ligne à ligne contre le référentiel et la base, et prépare les écritures groupées."""

    def __init__(self, classeur: ClasseurLu, rapport: RapportImport, utilisateur=None):
        self.classeur = classeur
        self.rapport = rapport
        self.utilisateur = utilisateur if getattr(utilisateur, "pk", None) else None
        self.nouvelles_programmations: dict[int, Programmation] = {}
        self.porteurs_nouveaux: list[Porteur] = []
        self.porteurs_modifies: dict[int, Porteur] = {}
        self.type_demande: dict[int, tuple[str, int]] = {}
        self.dossiers_nouveaux: list[Dossier] = []
        self.dossiers_modifies: list[Dossier] = []
        self.quartiers_voulus: dict[
            int, set[int]
        ] = {}  # id(dossier) → quartiers voulus, pour ceux qui changent
        self.dossiers_du_classeur: dict[tuple[int, str], Dossier] = {}
        self.lignes_dossiers: dict[tuple[int, str], int] = {}
        self.lignes_nouvelles: list[LigneFinancement] = []
        self.lignes_modifiees: list[LigneFinancement] = []
        # Reconductions demandées : (dossier, année, n° du dossier de l'année précédente, ligne du classeur).
        self.reconductions: list[tuple[Dossier, int, str, int]] = []
        self.liens_precedents: list[tuple[Dossier, Dossier]] = []
        self.objectifs_voulus: dict[
            int, set[int]
        ] = {}  # id(dossier) → objectifs voulus, pour ceux qui changent

    # --- référentiel et existant, chargés une fois -------------------------------------------------------------

    def charger(self) -> None:
        annees = set()
        for feuille in self.classeur.feuilles.values():
            for _, valeurs in feuille.lignes:
                with contextlib.suppress(ValeurInvalide):
                    annees.add(lire_annee(valeurs.get("annee")))
        self.programmations = {p.annee: p for p in Programmation.objects.select_related("contrat")}
        self.contrats = list(Contrat.objects.order_by("-date_signature"))
        self.piliers: dict[int, dict[str, Pilier]] = defaultdict(dict)
        for pilier in Pilier.objects.select_related("contrat", "parent"):
            for cle in (pilier.code, pilier.libelle, pilier.libelle_court, str(pilier)):
                if cle:
                    self.piliers[pilier.contrat_id].setdefault(normaliser(cle), pilier)
        self.thematiques: dict[str, Thematique] = {}
        for thematique in Thematique.objects.all():
            for cle in (thematique.code, thematique.libelle, str(thematique)):
                self.thematiques.setdefault(normaliser(cle), thematique)
        self.quartiers = {q.code.upper(): q for q in Quartier.objects.only("pk", "code", "nom")}
        # Objectifs des projets de quartier, par code (les codes sont uniques dans un projet, pas d'un projet à
        # l'autre : un code que deux projets du contrat partagent est signalé comme ambigu).
        self.objectifs: dict[str, list[ObjectifQuartier]] = defaultdict(list)
        for objectif in ObjectifQuartier.objects.select_related("projet__contrat", "projet__quartier"):
            self.objectifs[objectif.code.upper()].append(objectif)
        self.financeurs: dict[str, Financeur] = {}
        for financeur in Financeur.objects.all():
            for cle in (financeur.code, financeur.nom, financeur.get_code_display()):
                self.financeurs.setdefault(normaliser(cle), financeur)
        self.porteurs_par_siret: dict[str, Porteur] = {}
        self.porteurs_par_nom: dict[str, list[Porteur]] = defaultdict(list)
        for porteur in Porteur.objects.all():
            self.indexer_porteur(porteur)
        self.dossiers_existants = {
            (d.programmation.annee, d.numero): d
            for d in Dossier.objects.filter(programmation__annee__in=annees).select_related(
                "programmation", "porteur", "pilier", "thematique"
            )
        }
        ids = [d.pk for d in self.dossiers_existants.values()]
        self.quartiers_existants: dict[int, set[int]] = defaultdict(set)
        liens = Dossier.quartiers.through.objects.filter(dossier__programmation__annee__in=annees)
        for dossier_id, quartier_id in liens.values_list("dossier_id", "quartier_id"):
            self.quartiers_existants[dossier_id].add(quartier_id)
        self.objectifs_existants: dict[int, set[int]] = defaultdict(set)
        liens = Dossier.objectifs.through.objects.filter(dossier__programmation__annee__in=annees)
        for dossier_id, objectif_id in liens.values_list("dossier_id", "objectifquartier_id"):
            self.objectifs_existants[dossier_id].add(objectif_id)
        self.lignes_existantes = {
            (ligne.dossier_id, ligne.financeur_id, ligne.nature): ligne
            for ligne in LigneFinancement.objects.filter(dossier__programmation__annee__in=annees)
        }
        self.nb_dossiers_existants = len(ids)

    def indexer_porteur(self, porteur: Porteur) -> None:
        if porteur.siret:
            self.porteurs_par_siret[porteur.siret] = porteur
        self.porteurs_par_nom[normaliser(porteur.nom)].append(porteur)

    # --- lecture ligne à ligne ------------------------------------------------------------------------------

    def executer(self) -> None:
        self.charger()
        self.lire_dossiers()
        self.lire_reconductions()
        self.lire_financements()
        self.rapport.annees = sorted(
            {annee for annee, _ in self.lignes_dossiers} | set(self.annees_financees)
        )

    def programmation_de(self, annee: int) -> Programmation | None:
        if annee in self.programmations:
            return self.programmations[annee]
        if annee not in self.nouvelles_programmations:
            contrat = next((c for c in self.contrats if c.couvre(annee)), None)
            if contrat is None:
                return None
            self.nouvelles_programmations[annee] = Programmation(annee=annee, contrat=contrat)
            self.rapport.programmations_creees.append(annee)
        return self.nouvelles_programmations[annee]

    def lire_dossiers(self) -> None:
        feuille = self.classeur.feuilles[FEUILLE_DOSSIERS]
        for ligne, valeurs in feuille.lignes:
            erreurs: list[ErreurImport] = []

            def erreur(cle: str | None, message: str, ligne=ligne, erreurs=erreurs) -> None:
                titre = (feuille.titres.get(cle) or TITRES_DOSSIERS.get(cle)) if cle else None
                erreurs.append(ErreurImport(FEUILLE_DOSSIERS, ligne, titre, message))

            numero = lire_texte(valeurs.get("numero"))
            if not numero:
                erreur("numero", "le numéro de dossier est obligatoire")
            annee = programmation = None
            try:
                annee = lire_annee(valeurs.get("annee"))
            except ValeurInvalide as exc:
                erreur("annee", str(exc) if lire_texte(valeurs.get("annee")) else "l'année est obligatoire")
            if annee is not None:
                programmation = self.programmation_de(annee)
                if programmation is None:
                    erreur("annee", f"aucun contrat de ville ne couvre l'année {annee}")
            if numero and annee is not None:
                deja = self.lignes_dossiers.get((annee, numero))
                if deja is not None:
                    erreur("numero", f"le dossier {numero} ({annee}) figure déjà ligne {deja}")
                else:
                    self.lignes_dossiers[(annee, numero)] = ligne
            intitule = lire_texte(valeurs.get("intitule"))
            if not intitule:
                erreur("intitule", "l'intitulé est obligatoire")
            nom_porteur = lire_texte(valeurs.get("porteur"))
            if not nom_porteur:
                erreur("porteur", "le nom du porteur est obligatoire")
            siret = normaliser_siret(lire_texte(valeurs.get("siret")))
            if siret:
                try:
                    valider_siret(siret)
                except ValidationError as exc:
                    erreur("siret", " ".join(exc.messages))
            type_porteur = self.choix(valeurs, "type_porteur", TYPES_PORTEUR, TypePorteur.choices, erreur)
            statut = self.choix(valeurs, "statut", STATUTS, StatutDossier.choices, erreur)
            pilier = thematique = None
            if programmation is not None:
                pilier = self.element_du_cadre(programmation, valeurs, erreur)
            elif not lire_texte(valeurs.get("pilier")):
                erreur("pilier", "valeur obligatoire")
            texte_thematique = lire_texte(valeurs.get("thematique"))
            if texte_thematique and programmation is not None:
                thematique = self.thematiques.get(normaliser(texte_thematique))
                if thematique is None:
                    erreur("thematique", f"thématique « {texte_thematique} » inconnue")
                elif pilier is not None and pilier.refuse_thematique(thematique):
                    erreur(
                        "thematique",
                        f"la thématique « {texte_thematique} » relève du pilier {thematique.pilier_anct}, "
                        f"pas du pilier {(pilier.parent or pilier).code}",
                    )
            quartiers = []
            inconnus = []
            for code in lire_codes(valeurs.get("quartiers")):
                quartier = self.quartiers.get(code)
                (quartiers if quartier else inconnus).append(quartier or code)
            if inconnus:
                erreur("quartiers", f"quartier inconnu : {', '.join(inconnus)}")
            objectifs = None  # colonne absente : les objectifs en base ne changent pas
            if "objectifs" in feuille.colonnes and programmation is not None:
                objectifs = self.objectifs_de(programmation, valeurs.get("objectifs"), erreur)
            cout_total = self.montant(valeurs, "cout_total", erreur)
            precedent = lire_texte(valeurs.get("dossier_precedent"))

            porteur = None
            if not erreurs:
                porteur = self.trouver_porteur(nom_porteur, siret, type_porteur, ligne, erreur)
            if erreurs:
                self.rapport.erreurs += erreurs
                continue
            self.preparer_dossier(
                ligne,
                annee,
                numero,
                programmation,
                {
                    "intitule": intitule,
                    "porteur": porteur,
                    "pilier": pilier,
                    "thematique": thematique,
                    "statut": statut,
                    "cout_total": cout_total,
                },
                {q.pk for q in quartiers},
                erreur,
                objectifs,
            )
            if precedent:
                self.reconductions.append(
                    (self.dossiers_du_classeur[(annee, numero)], annee, precedent, ligne)
                )
            self.rapport.erreurs += erreurs

    def element_du_cadre(self, programmation: Programmation, valeurs: dict, erreur) -> Pilier | None:
        """L'élément du cadre du contrat de l'année : la colonne du premier niveau (« Pilier », « Orientation »), et
        celle du second niveau (un axe de l'orientation) si le classeur l'a. Un sous-niveau nommé directement dans
        la colonne du premier niveau est admis (les classeurs d'avant la colonne du second niveau)."""
        contrat = programmation.contrat
        texte = lire_texte(valeurs.get("pilier"))
        texte_sous = lire_texte(valeurs.get("sous_niveau"))
        elements = self.piliers[contrat.id]
        if not texte:
            if contrat.cadre_national:
                erreur("pilier", f"le {contrat.libelle_niveau} est obligatoire")
            else:
                erreur(
                    "pilier",
                    f"valeur obligatoire : l'un des éléments du cadre ({contrat.libelle_niveau_pluriel}) du "
                    f"contrat « {contrat} »",
                )
            return None
        element = elements.get(normaliser(texte))
        if element is None:
            if contrat.cadre_national:  # le message du format de 2015, inchangé
                erreur("pilier", f"{contrat.libelle_niveau} « {texte} » inconnu dans le cadre du contrat")
            else:
                connus = ", ".join(p.code for p in self.premiers_niveaux(contrat.id))
                erreur(
                    "pilier",
                    f"« {texte} » ne figure pas parmi les {contrat.libelle_niveau_pluriel} du contrat « {contrat} » "
                    f"({programmation.annee}) : {connus}",
                )
            return None
        if not texte_sous:
            return element
        sous = elements.get(normaliser(texte_sous))
        premier = element.parent or element
        if sous is None or (sous.parent_id != premier.pk and sous.pk != element.pk):
            enfants = {p.pk: p for p in elements.values() if p.parent_id == premier.pk}
            attendus_sous = ", ".join(
                p.code for p in sorted(enfants.values(), key=lambda p: (p.ordre, p.code))
            )
            erreur(
                "sous_niveau",
                f"« {texte_sous} » ne figure pas sous « {premier} » dans le cadre du contrat"
                + (
                    f" (possibles : {attendus_sous})"
                    if attendus_sous
                    else " : cet élément n'a pas de sous-niveau"
                ),
            )
            return None
        return sous

    def premiers_niveaux(self, contrat_id: int) -> list[Pilier]:
        vus = {p.pk: p for p in self.piliers[contrat_id].values() if p.parent_id is None}
        return sorted(vus.values(), key=lambda p: (p.ordre, p.code))

    def objectifs_de(self, programmation: Programmation, valeur, erreur) -> set[int] | None:
        """Les objectifs des projets de quartier nommés par leurs codes (séparés par des virgules ou des
        points-virgules), dans le contrat de l'année."""
        contrat = programmation.contrat
        retenus, fautes = set(), []
        for code in lire_codes(valeur, separateurs=";,\n"):
            candidats = self.objectifs.get(code, [])
            du_contrat = [o for o in candidats if o.projet.contrat_id == contrat.id]
            if len(du_contrat) == 1:
                retenus.add(du_contrat[0].pk)
            elif len(du_contrat) > 1:
                projets = ", ".join(sorted(str(o.projet.quartier) for o in du_contrat))
                fautes.append(f"« {code} » est ambigu : plusieurs projets du contrat l'emploient ({projets})")
            elif candidats:
                autre = candidats[0].projet.contrat
                fautes.append(
                    f"l'objectif « {code} » appartient au contrat « {autre} », pas à celui de {programmation.annee} "
                    f"(« {contrat} »)"
                )
            else:
                fautes.append(
                    f"objectif « {code} » inconnu dans les projets de quartier du contrat « {contrat} »"
                )
        for faute in fautes:
            erreur("objectifs", faute)
        return None if fautes else retenus

    def lire_reconductions(self) -> None:
        """Le dossier de l'année précédente nommé par la colonne « Dossier précédent » : dans le classeur ou en base
        (une requête pour tous), sinon une erreur qui nomme la ligne."""
        if not self.reconductions:
            return
        voulus = {(annee - 1, numero) for _, annee, numero, _ in self.reconductions}
        en_base = {
            (d.programmation.annee, d.numero): d
            for d in Dossier.objects.filter(
                programmation__annee__in={a for a, _ in voulus}, numero__in={n for _, n in voulus}
            ).select_related("programmation")
        }
        for dossier, annee, numero, ligne in self.reconductions:
            precedent = self.dossiers_du_classeur.get((annee - 1, numero)) or en_base.get((annee - 1, numero))
            if precedent is None:
                self.rapport.erreurs.append(
                    ErreurImport(
                        FEUILLE_DOSSIERS,
                        ligne,
                        TITRES_DOSSIERS["dossier_precedent"],
                        f"aucun dossier {numero} en {annee - 1}",
                    )
                )
                continue
            if dossier.dossier_precedent_id is None or dossier.dossier_precedent_id != precedent.pk:
                self.liens_precedents.append((dossier, precedent))

    def choix(self, valeurs, cle, correspondance, choices, erreur):
        texte = lire_texte(valeurs.get(cle))
        if not texte:
            erreur(cle, "valeur obligatoire")
            return None
        valeur = correspondance.get(normaliser(texte))
        if valeur is None:
            erreur(cle, f"« {texte} » inconnu (valeurs possibles : {attendus(choices)})")
        return valeur

    def montant(self, valeurs, cle, erreur):
        try:
            return lire_montant(valeurs.get(cle))
        except ValeurInvalide as exc:
            erreur(cle, str(exc))
            return None

    def trouver_porteur(self, nom: str, siret: str, type_porteur: str, ligne: int, erreur) -> Porteur | None:
        """Par SIRET, puis par nom (sans casse ni accents) ; créé s'il est nouveau."""
        cle_nom = normaliser(nom)
        porteur = None
        if siret:
            porteur = self.porteurs_par_siret.get(siret)
            if porteur is None:
                sans_siret = [p for p in self.porteurs_par_nom.get(cle_nom, []) if not p.siret]
                if len(sans_siret) == 1:
                    porteur = sans_siret[0]
                    porteur.siret = siret
                    self.porteurs_par_siret[siret] = porteur
                    self.marquer_modifie(porteur, f"SIRET {siret} ajouté")
        else:
            homonymes = self.porteurs_par_nom.get(cle_nom, [])
            if len(homonymes) > 1:
                homonymes = [p for p in homonymes if not p.siret] or homonymes
            if len(homonymes) > 1:
                erreur("siret", f"plusieurs porteurs s'appellent « {nom} » : précisez le SIRET")
                return None
            porteur = homonymes[0] if homonymes else None
        if porteur is None:
            porteur = Porteur(nom=nom, siret=siret, type=type_porteur)
            self.porteurs_nouveaux.append(porteur)
            self.indexer_porteur(porteur)
            self.type_demande[id(porteur)] = (type_porteur, ligne)
            self.rapport.porteurs_crees.append(
                Changement(nom, f"{TypePorteur(type_porteur).label}" + (f", SIRET {siret}" if siret else ""))
            )
            return porteur
        demande = self.type_demande.get(id(porteur))
        if demande is not None and demande[0] != type_porteur:
            erreur(
                "type_porteur",
                f"« {TypePorteur(type_porteur).label} » alors que la ligne {demande[1]} donne "
                f"« {TypePorteur(demande[0]).label} » pour le porteur « {porteur.nom} »",
            )
            return None
        self.type_demande[id(porteur)] = (type_porteur, ligne)
        if porteur.type != type_porteur:
            ancien = porteur.get_type_display()
            porteur.type = type_porteur
            self.marquer_modifie(porteur, f"type : {ancien} → {porteur.get_type_display()}")
        return porteur

    def marquer_modifie(self, porteur: Porteur, detail: str) -> None:
        if porteur.pk is None:
            return
        self.porteurs_modifies[porteur.pk] = porteur
        self.rapport.porteurs_modifies.append(Changement(porteur.nom, detail))

    def preparer_dossier(
        self, ligne, annee, numero, programmation, voulu, quartiers, erreur, objectifs=None
    ) -> None:
        dossier = self.dossiers_existants.get((annee, numero))
        libelle = f"{numero} ({annee})"
        if dossier is None:
            dossier = Dossier(programmation=programmation, numero=numero, **voulu)
            self.dossiers_nouveaux.append(dossier)
            self.quartiers_voulus[id(dossier)] = quartiers
            if objectifs:
                self.objectifs_voulus[id(dossier)] = objectifs
            self.rapport.dossiers_crees.append(Changement(libelle, voulu["intitule"]))
        else:
            changes = []
            for champ, valeur in voulu.items():
                actuel = getattr(dossier, champ)
                if actuel != valeur:
                    changes.append(self.decrire(dossier, champ, actuel, valeur))
                    setattr(dossier, champ, valeur)
            if quartiers != self.quartiers_existants.get(dossier.pk, set()):
                changes.append("quartiers")
                self.quartiers_voulus[id(dossier)] = quartiers
            if objectifs is not None and objectifs != self.objectifs_existants.get(dossier.pk, set()):
                changes.append("objectifs de quartier")
                self.objectifs_voulus[id(dossier)] = objectifs
            if changes:
                self.dossiers_modifies.append(dossier)
                self.rapport.dossiers_modifies.append(Changement(libelle, " ; ".join(changes)))
            else:
                self.rapport.dossiers_inchanges += 1
        self.dossiers_du_classeur[(annee, numero)] = dossier
        self.valider(dossier, ["programmation", "porteur", "pilier", "thematique"], CHAMPS_DOSSIER, erreur)
        porteur = voulu["porteur"]
        if porteur.pk is None or porteur.pk in self.porteurs_modifies:
            self.valider(porteur, ["commune"], CHAMPS_PORTEUR, erreur)

    @staticmethod
    def decrire(dossier, champ, actuel, valeur) -> str:
        titre = dossier._meta.get_field(champ).verbose_name
        if champ == "cout_total":
            return f"{titre} : {formater_euros(actuel) or 'vide'} → {formater_euros(valeur) or 'vide'}"
        if champ == "statut":
            return f"{titre} : {StatutDossier(actuel).label} → {StatutDossier(valeur).label}"
        return f"{titre} : {actuel or 'vide'} → {valeur or 'vide'}"

    def valider(self, objet, exclus, colonnes, erreur) -> None:
        """`full_clean` sans les requêtes par ligne : clés étrangères résolues par les caches, unicité et
        contraintes vérifiées en mémoire ici et par la base à l'écriture (dans la même transaction)."""
        try:
            objet.full_clean(
                exclude=[*exclus, "cree_par", "modifie_par"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for champ, messages in exc.message_dict.items():
                cle = colonnes.get(champ) if champ != NON_FIELD_ERRORS else None
                for message in messages:
                    erreur(cle, message.rstrip("."))

    def lire_financements(self) -> None:
        feuille = self.classeur.feuilles[FEUILLE_FINANCEMENTS]
        vues: dict[tuple, int] = {}
        self.annees_financees: set[int] = set()
        for ligne, valeurs in feuille.lignes:
            erreurs: list[ErreurImport] = []

            def erreur(cle: str | None, message: str, ligne=ligne, erreurs=erreurs) -> None:
                titre = TITRES_FINANCEMENTS.get(cle) if cle else None
                erreurs.append(ErreurImport(FEUILLE_FINANCEMENTS, ligne, titre, message))

            numero = lire_texte(valeurs.get("numero"))
            if not numero:
                erreur("numero", "le numéro de dossier est obligatoire")
            annee = None
            try:
                annee = lire_annee(valeurs.get("annee"))
            except ValeurInvalide as exc:
                erreur("annee", str(exc) if lire_texte(valeurs.get("annee")) else "l'année est obligatoire")
            dossier = None
            if numero and annee is not None:
                self.annees_financees.add(annee)
                cle_dossier = (annee, numero)
                dossier = self.dossiers_du_classeur.get(cle_dossier) or self.dossiers_existants.get(
                    cle_dossier
                )
                if dossier is None and cle_dossier not in self.lignes_dossiers:
                    erreur(
                        "numero",
                        f"le dossier {numero} ({annee}) n'existe pas : ni dans la feuille Dossiers, ni en base",
                    )
            financeur = None
            texte_financeur = lire_texte(valeurs.get("financeur"))
            if not texte_financeur:
                erreur("financeur", "le financeur est obligatoire")
            else:
                financeur = self.financeurs.get(normaliser(texte_financeur))
                if financeur is None:
                    erreur("financeur", f"financeur « {texte_financeur} » inconnu")
            nature = None
            texte_nature = lire_texte(valeurs.get("nature"))
            if texte_nature:
                nature = NATURES.get(normaliser(texte_nature))
                if nature is None:
                    erreur(
                        "nature",
                        f"« {texte_nature} » inconnu (valeurs possibles : {attendus(NatureCredits.choices)})",
                    )
            elif financeur is not None:
                nature = financeur.nature_par_defaut
            sollicite = self.montant(valeurs, "montant_sollicite", erreur)
            accorde = self.montant(valeurs, "montant_accorde", erreur)
            if numero and annee is not None and financeur is not None and nature:
                cle = (annee, numero, financeur.pk, nature)
                if cle in vues:
                    erreur(
                        "financeur",
                        f"ligne en double : même dossier, financeur et nature que la ligne {vues[cle]}",
                    )
                else:
                    vues[cle] = ligne
            if erreurs or dossier is None:
                self.rapport.erreurs += erreurs
                continue
            self.preparer_ligne(dossier, financeur, nature, sollicite or ZERO, accorde or ZERO, erreur)
            self.rapport.erreurs += erreurs

    def preparer_ligne(self, dossier, financeur, nature, sollicite, accorde, erreur) -> None:
        existante = self.lignes_existantes.get((dossier.pk, financeur.pk, nature)) if dossier.pk else None
        libelle = f"{dossier.numero} ({dossier.programmation.annee}) – {financeur.nom}, {NatureCredits(nature).label}"
        if existante is None:
            ligne = LigneFinancement(
                dossier=dossier,
                financeur=financeur,
                nature=nature,
                montant_sollicite=sollicite,
                montant_accorde=accorde,
            )
            self.lignes_nouvelles.append(ligne)
            self.rapport.lignes_creees.append(
                Changement(
                    libelle, f"sollicité {formater_euros(sollicite)}, accordé {formater_euros(accorde)}"
                )
            )
        else:
            ligne = existante
            changes = []
            for champ, valeur in (("montant_sollicite", sollicite), ("montant_accorde", accorde)):
                actuel = getattr(ligne, champ)
                if actuel != valeur:
                    titre = ligne._meta.get_field(champ).verbose_name
                    changes.append(f"{titre} : {formater_euros(actuel)} → {formater_euros(valeur)}")
                    setattr(ligne, champ, valeur)
            if changes:
                self.lignes_modifiees.append(ligne)
                self.rapport.lignes_modifiees.append(Changement(libelle, " ; ".join(changes)))
            else:
                self.rapport.lignes_inchangees += 1
        self.valider(ligne, ["dossier", "financeur"], CHAMPS_LIGNE, erreur)

    # --- écriture ------------------------------------------------------------------------------------------

    def ecrire(self) -> None:
        """Écrit le plan validé ; à appeler dans la transaction qui a fait l'analyse."""
        maintenant = timezone.now()
        auteur = self.utilisateur
        for programmation in self.nouvelles_programmations.values():
            programmation.save()
        for porteur in self.porteurs_nouveaux:
            porteur.cree_par = porteur.modifie_par = auteur
        Porteur.objects.bulk_create(self.porteurs_nouveaux, batch_size=1000)
        for porteur in self.porteurs_modifies.values():
            porteur.modifie_par, porteur.modifie_le = auteur, maintenant
        Porteur.objects.bulk_update(
            list(self.porteurs_modifies.values()),
            ["type", "siret", "modifie_par", "modifie_le"],
            batch_size=500,
        )
        for dossier in self.dossiers_nouveaux:
            dossier.cree_par = dossier.modifie_par = auteur
        Dossier.objects.bulk_create(self.dossiers_nouveaux, batch_size=1000)
        for dossier in self.dossiers_modifies:
            dossier.modifie_par, dossier.modifie_le = auteur, maintenant
        Dossier.objects.bulk_update(
            self.dossiers_modifies, [*CHAMPS_DOSSIER_IMPORTES, "modifie_par", "modifie_le"], batch_size=500
        )
        self.ecrire_quartiers()
        self.ecrire_objectifs()
        self.ecrire_reconductions()
        for ligne in self.lignes_nouvelles:
            ligne.cree_par = ligne.modifie_par = auteur
        LigneFinancement.objects.bulk_create(self.lignes_nouvelles, batch_size=2000)
        for ligne in self.lignes_modifiees:
            ligne.modifie_par, ligne.modifie_le = auteur, maintenant
        LigneFinancement.objects.bulk_update(
            self.lignes_modifiees,
            ["montant_sollicite", "montant_accorde", "modifie_par", "modifie_le"],
            batch_size=500,
        )

    def ecrire_reconductions(self) -> None:
        """Après la création des dossiers (un dossier et son précédent peuvent être nouveaux tous les deux)."""
        for dossier, precedent in self.liens_precedents:
            dossier.dossier_precedent_id = precedent.pk
        Dossier.objects.bulk_update(
            [d for d, _ in self.liens_precedents], ["dossier_precedent"], batch_size=500
        )

    def ecrire_quartiers(self) -> None:
        """Les quartiers d'un dossier sont ceux de sa cellule : on n'ajoute et ne retire que la différence."""
        lien = Dossier.quartiers.through
        par_id = {id(d): d for d in [*self.dossiers_nouveaux, *self.dossiers_modifies]}
        a_retirer: dict[int, list[int]] = defaultdict(list)  # quartier → dossiers
        a_ajouter = []
        for cle, voulus in self.quartiers_voulus.items():
            dossier = par_id[cle]
            actuels = self.quartiers_existants.get(dossier.pk, set())
            for quartier_id in actuels - voulus:
                a_retirer[quartier_id].append(dossier.pk)
            a_ajouter += [lien(dossier_id=dossier.pk, quartier_id=q) for q in voulus - actuels]
        for quartier_id, dossiers in a_retirer.items():
            lien.objects.filter(quartier_id=quartier_id, dossier_id__in=dossiers).delete()
        lien.objects.bulk_create(a_ajouter, batch_size=2000)
        # La table de liaison est écrite directement (sans signal m2m_changed) : la trace est faite ici.
        noms = {q.pk: str(q) for q in self.quartiers.values()}
        tracer_liens(
            Dossier,
            "quartiers",
            [
                (
                    par_id[cle],
                    [noms.get(pk, str(pk)) for pk in self.quartiers_existants.get(par_id[cle].pk, set())],
                    [noms.get(pk, str(pk)) for pk in voulus],
                )
                for cle, voulus in self.quartiers_voulus.items()
            ],
        )

    def ecrire_objectifs(self) -> None:
        """Comme les quartiers : les objectifs d'un dossier sont ceux de sa cellule, écrits par différence."""
        lien = Dossier.objectifs.through
        par_id = {id(d): d for d in [*self.dossiers_nouveaux, *self.dossiers_modifies]}
        a_retirer, a_ajouter, traces = [], [], []
        noms = {o.pk: str(o) for liste in self.objectifs.values() for o in liste}
        for cle, voulus in self.objectifs_voulus.items():
            dossier = par_id[cle]
            actuels = self.objectifs_existants.get(dossier.pk, set())
            a_retirer += [(dossier.pk, o) for o in actuels - voulus]
            a_ajouter += [
                lien(dossier_id=dossier.pk, objectifquartier_id=o) for o in sorted(voulus - actuels)
            ]
            traces.append(
                (
                    dossier,
                    [noms.get(o, str(o)) for o in sorted(actuels)],
                    [noms.get(o, str(o)) for o in sorted(voulus)],
                )
            )
        for dossier_id, objectif_id in a_retirer:
            lien.objects.filter(dossier_id=dossier_id, objectifquartier_id=objectif_id).delete()
        lien.objects.bulk_create(a_ajouter, batch_size=2000)
        tracer_liens(Dossier, "objectifs", traces)


def alias_des_contrats() -> dict[str, list[str]]:
    """Les en-têtes que les contrats donnent à leurs niveaux (« Orientation », « Axe »…), admis à l'import."""
    niveaux = Contrat.objects.values_list("libelle_niveau", "libelle_sous_niveau")
    return {"pilier": [n for n, _ in niveaux], "sous_niveau": [s for _, s in niveaux if s]}


def importer_classeur(
    contenu: bytes,
    *,
    nom_fichier: str,
    utilisateur=None,
    ecrire: bool = True,
    source: str = "admin",
    formules_confirmees: bool = False,
) -> RapportImport:
    """Valide tout le classeur puis, s'il n'y a aucune erreur et si `ecrire`, écrit tout en une transaction.

    L'analyse est refaite dans la transaction d'écriture : un aperçu validé plus tôt ne dispense pas de
    revérifier contre la base telle qu'elle est au moment de confirmer.
    """
    rapport = RapportImport(nom_fichier=nom_fichier)
    try:
        classeur = lire_classeur(contenu, alias_des_contrats())
    except FichierRefuse as exc:
        rapport.erreurs.append(exc.erreur)
    else:
        rapport.nb_lignes = classeur.nb_lignes
        rapport.erreurs += classeur.erreurs
        rapport.formules = classeur.formules
        if ecrire and classeur.formules and not formules_confirmees:
            rapport.erreurs.append(
                ErreurImport(
                    None,
                    None,
                    None,
                    f"{len(classeur.formules)} cellule(s) de montant ou de code contiennent une formule "
                    f"({', '.join(c.reference for c in classeur.formules[:10])}"
                    f"{'…' if len(classeur.formules) > 10 else ''}) : vérifiez leurs valeurs dans l'aperçu et "
                    "confirmez-les, ou remplacez les formules par leurs valeurs.",
                )
            )
        if not rapport.erreurs:
            try:
                # Le journal d'audit attribue chaque ligne écrite à la personne qui importe.
                with acteur(utilisateur, source="import"), transaction.atomic():
                    analyse = Analyse(classeur, rapport, utilisateur)
                    analyse.executer()
                    if ecrire and not rapport.erreurs:
                        analyse.ecrire()
                        rapport.ecrit = True
                        journaliser_import(rapport, utilisateur, source)
            except DatabaseError as exc:
                rapport.ecrit = False
                rapport.erreurs.append(
                    ErreurImport(
                        None,
                        None,
                        None,
                        "La base de données a refusé l'écriture (une saisie ou un import concurrent ?) : "
                        f"rien n'a été écrit. Détail : {exc}",
                    )
                )
    if ecrire and not rapport.ecrit:
        journaliser_import(rapport, utilisateur, source)
    return rapport


def journaliser_import(rapport: RapportImport, utilisateur, source: str) -> None:
    JournalEchange.objects.create(
        operation=OperationEchange.IMPORT,
        utilisateur=utilisateur if getattr(utilisateur, "pk", None) else None,
        source=source,
        nom_fichier=rapport.nom_fichier[:255],
        nb_lignes=rapport.nb_lignes,
        reussi=rapport.ecrit,
        resume=rapport.texte()[:20_000],
    )
