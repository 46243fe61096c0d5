"""Export open data des subventions de l'agglomération au format SCDL « subventions » 2.1.0 (décret 2017-779,
arrêté du 17 novembre 2017) : une ligne par tranche annuelle d'une convention, chaque ligne validée contre les
motifs du schéma avant que le fichier soit écrit."""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Q

from contrat_ville.models import Contrat, Porteur
from noyau.validators import valider_siret
from programmation.models import LigneFinancement

from .models import Tranche
from .selectors import premiere_decision

COLONNES = (
    "multiFinanceur",
    "identifiantSubvention",
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
)

DATE = r"\d{4}-\d{2}-\d{2}"
MOTIFS = {
    "multiFinanceur": r"true|false",
    "identifiantSubvention": r".{1,255}",
    "nomAttribuant": r".+",
    "idAttribuant": r"\d{14}",
    "dateConvention": DATE,
    "referenceDecision": r".*",
    "nomBeneficiaire": r".+",
    "idBeneficiaire": r"\d{14}",
    "objet": r"(?s).{1,256}",
    "montant": r"\d+(\.\d{1,2})?",
    "nature": r"aide en numéraire|aide en nature|aide en numéraire;aide en nature|aide en nature;aide en numéraire",
    "conditionsVersement": r"unique|échelonné|autre",
    "datesPeriodeVersement": rf"{DATE}(/{DATE})?",
    "idRAE": r".{0,5}",
    "notificationUE": r"oui|non",
    "pourcentageSubvention": r"(0\.(0[1-9]|[1-9]\d?)|1(\.0+)?)",
}


class ExportRefuse(Exception):
    """L'export n'est pas écrit : le message dit en français quoi compléter."""


@dataclass(frozen=True)
class ExportSCDL:
    contenu: bytes
    nb_lignes: int


def _erreurs_ligne(ligne: dict) -> list[str]:
    return [
        f"{colonne} « {ligne[colonne]} » ne respecte pas le format SCDL"
        for colonne, motif in MOTIFS.items()
        if not re.fullmatch(motif, ligne[colonne])
    ]


def siret_attribuant(contrat: Contrat | None) -> str:
    """Le réglage SIRET_ATTRIBUANT, sinon le SIRET du référentiel dont le SIREN est celui de l'EPCI du contrat
    (l'agglomération est aussi porteur de projets : le fichier des postes de l'État donne son SIRET)."""
    if settings.SIRET_ATTRIBUANT or contrat is None or not contrat.siren_epci:
        return settings.SIRET_ATTRIBUANT
    porteur = Porteur.objects.filter(siret__startswith=contrat.siren_epci).order_by("siret").first()
    return porteur.siret if porteur else ""


def exporter_scdl(annee: int) -> ExportSCDL:
    """Les subventions de l'agglomération de l'année (tranches de ses conventions), en CSV SCDL 2.1.0 UTF-8."""
    contrat = Contrat.objects.order_by("-date_signature").first()
    siret_agglo = siret_attribuant(contrat)
    try:
        valider_siret(siret_agglo)
    except ValidationError as exc:
        raise ExportRefuse(
            "Le SIRET de l'agglomération manque ou est invalide (réglage SIRET_ATTRIBUANT, ou porteur du "
            "référentiel au SIREN de l'EPCI) : l'export open data ne peut pas nommer l'attribuant."
        ) from exc
    tranches = list(
        Tranche.objects.filter(annee=annee)
        .select_related("convention__porteur", "ligne__dossier", "subvention_fcs")
        .annotate(
            nb_echeances=Count("echeances", distinct=True),
            premiere_echeance=Min("echeances__date_prevue"),
            derniere_echeance=Max("echeances__date_prevue"),
        )
        .order_by("convention__reference")
    )
    sans_siret = sorted({t.convention.porteur.nom for t in tranches if not t.convention.porteur.siret})
    if sans_siret:
        raise ExportRefuse(
            f"Export open data {annee} refusé : le SIRET manque pour {len(sans_siret)} porteur(s) à compléter "
            f"dans le référentiel : {', '.join(sans_siret)}."
        )
    sans_signature = sorted({t.convention.reference for t in tranches if t.convention.date_signature is None})
    if sans_signature:
        raise ExportRefuse(
            f"Export open data {annee} refusé : date de signature manquante pour les conventions "
            f"{', '.join(sans_signature)}."
        )
    decisions = premiere_decision({t.convention_id for t in tranches})
    dossiers = [t.ligne.dossier_id for t in tranches if t.ligne_id]
    # Un dossier qui a d'autres financeurs accordés au-dessus de zéro est multi-financeur.
    multi = set(
        LigneFinancement.objects.filter(dossier__in=dossiers)
        .values("dossier")
        .annotate(n=Count("financeur", distinct=True, filter=Q(montant_accorde__gt=0)))
        .filter(n__gt=1)
        .values_list("dossier", flat=True)
    )
    nom_attribuant = contrat.epci if contrat else ""
    lignes, erreurs = [], []
    for t in tranches:
        convention = t.convention
        decision = decisions.get(convention.pk)
        echelonne = t.nb_echeances > 1
        debut = t.premiere_echeance or convention.date_signature
        fin = t.derniere_echeance or debut
        ligne = {
            "multiFinanceur": "true" if t.ligne_id and t.ligne.dossier_id in multi else "false",
            "identifiantSubvention": f"{convention.reference}-{t.annee}",
            "nomAttribuant": nom_attribuant,
            "idAttribuant": siret_agglo,
            "dateConvention": convention.date_signature.isoformat(),
            "referenceDecision": decision.reference if decision else "",
            "nomBeneficiaire": convention.porteur.nom,
            "idBeneficiaire": convention.porteur.siret,
            "objet": convention.objet[:256],
            "montant": f"{t.montant:.2f}",
            "nature": "aide en numéraire",
            "conditionsVersement": "échelonné" if echelonne else "unique",
            "datesPeriodeVersement": (
                f"{debut.isoformat()}/{fin.isoformat()}" if echelonne and fin != debut else debut.isoformat()
            ),
            "idRAE": "",
            "notificationUE": "non",
            "pourcentageSubvention": f"{Decimal('1.00'):.2f}",
        }
        erreurs += [f"{ligne['identifiantSubvention']} : {e}" for e in _erreurs_ligne(ligne)]
        lignes.append(ligne)
    if erreurs:
        raise ExportRefuse("Export open data refusé, lignes non conformes :\n" + "\n".join(erreurs))
    tampon = io.StringIO()
    ecrivain = csv.DictWriter(tampon, fieldnames=COLONNES, delimiter=",", lineterminator="\r\n")
    ecrivain.writeheader()
    ecrivain.writerows(lignes)
    return ExportSCDL(contenu=tampon.getvalue().encode("utf-8"), nb_lignes=len(lignes))
