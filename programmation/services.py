"""Écritures de la programmation : le cycle du rapport annuel (projet → adopté → en consultation → définitif).

Chaque transition est atomique, verrouille la ligne du rapport, vérifie la permission de l'acteur, n'avance
que d'un pas et laisse une `TransitionRapport` (qui, quand). L'approbation fige le rapport : son PDF et les
chiffres qu'il montre sont stockés une fois avec l'empreinte SHA-256 du PDF.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from .enums import StatutRapport
from .models import Programmation, RapportAnnuel, TransitionRapport

PERMISSION_APPROBATION = "programmation.approuver_rapportannuel"
CYCLE = (StatutRapport.PROJET, StatutRapport.ADOPTE, StatutRapport.EN_CONSULTATION, StatutRapport.DEFINITIF)


def statut_suivant(statut: str) -> StatutRapport | None:
    rang = CYCLE.index(statut)
    return CYCLE[rang + 1] if rang + 1 < len(CYCLE) else None


def obtenir_rapport(*, annee: int) -> RapportAnnuel:
    """Le rapport de l'année, créé au statut « projet » s'il n'existe pas encore."""
    programmation = Programmation.objects.filter(annee=annee).first()
    if programmation is None:
        raise ValidationError(f"Aucune programmation n'existe pour l'année {annee}.")
    rapport, _ = RapportAnnuel.objects.get_or_create(programmation=programmation)
    return rapport


def _acteur(par, source):
    """Le journal d'audit écrit sous le nom de l'acteur."""
    from contrat_ville.audit import acteur

    return acteur(par, source=source)


def _figer(rapport: RapportAnnuel, contexte: dict) -> str:
    """Rend le PDF définitif et le stocke avec les chiffres qu'il montre ; rend le nom du fichier écrit."""
    from .rapport import chiffres_du_rapport
    from .rapport.rendu import empreinte, pdf_a_enregistrer

    pdf = pdf_a_enregistrer(contexte, document="Le PDF définitif", sinon="Rien n'a été enregistré")
    # Les délibérations des communes et conseils citoyens suivent l'annexe des avis (application `avis`).
    from avis.rapport import joindre_deliberations

    pdf = joindre_deliberations(pdf, contexte.get("annexe_avis"))
    rapport.chiffres_definitifs = chiffres_du_rapport(contexte)
    rapport.empreinte_sha256 = empreinte(pdf)
    annee = rapport.programmation.annee
    rapport.pdf_definitif.save(
        f"rapport-politique-ville-{annee}-definitif-{rapport.empreinte_sha256[:12]}.pdf",
        ContentFile(pdf),
        save=False,
    )
    return rapport.pdf_definitif.name


def faire_avancer_rapport(
    *,
    rapport: RapportAnnuel,
    vers: str,
    par,
    date: datetime.date | None = None,
    commentaire: str = "",
    en_connaissance_de_cause: bool = False,
    source: str = "rapport",
) -> RapportAnnuel:
    """Fait passer le rapport à l'étape `vers`, la suivante de son cycle, au nom de `par`.

    - « adopté en conseil communautaire » demande la date de la séance ;
    - « définitif » demande la date d'approbation ; si les contrôles de cohérence signalent des points,
      il faut `en_connaissance_de_cause=True` (le directeur a vu la liste), et ils sont notés dans la
      transition.
    """
    from .rapport import contexte_du_rapport, controles_du_rapport

    if not par.has_perm(PERMISSION_APPROBATION):
        raise PermissionDenied("Vous n'avez pas la permission de faire avancer le rapport annuel.")
    fichier_ecrit = None
    try:
        with transaction.atomic(), _acteur(par, source):
            rapport = (
                RapportAnnuel.objects.select_for_update().select_related("programmation").get(pk=rapport.pk)
            )
            de = rapport.statut
            attendu = statut_suivant(de)
            if attendu is None:
                raise ValidationError("Le rapport est définitif : il ne change plus.")
            if vers != attendu:
                raise ValidationError(
                    f"Le rapport est « {StatutRapport(de).label} » : il ne peut passer qu'à "
                    f"« {attendu.label} », jamais revenir en arrière ni sauter une étape."
                )
            champs = ["statut"]
            if vers == StatutRapport.ADOPTE:
                if date is None:
                    raise ValidationError({"date": "Indiquez la date de la séance du conseil communautaire."})
                rapport.date_seance_conseil = date
                champs.append("date_seance_conseil")
            elif vers == StatutRapport.DEFINITIF:
                if date is None:
                    raise ValidationError({"date": "Indiquez la date d'approbation du rapport."})
                if rapport.date_seance_conseil and date < rapport.date_seance_conseil:
                    raise ValidationError(
                        {
                            "date": "La date d'approbation ne peut pas précéder la séance qui a adopté le projet."
                        }
                    )
                rapport.date_approbation = date
                rapport.statut = vers  # la couverture du PDF figé dit « Version définitive »
                contexte = contexte_du_rapport(rapport, pour_pdf=True)
                anomalies = controles_du_rapport(contexte)
                if anomalies and not en_connaissance_de_cause:
                    raise ValidationError(
                        f"{len(anomalies)} point(s) de cohérence restent signalés : confirmez que vous "
                        "approuvez le rapport en connaissance de cause."
                    )
                if anomalies:
                    note = "Approuvé en connaissance de cause malgré : " + " ; ".join(
                        a.libelle for a in anomalies
                    )
                    commentaire = f"{commentaire}\n{note}".strip()
                fichier_ecrit = _figer(rapport, contexte)
                champs += ["date_approbation", "pdf_definitif", "chiffres_definitifs", "empreinte_sha256"]
            rapport.statut = vers
            rapport.save(update_fields=champs)
            TransitionRapport.objects.create(
                rapport=rapport, de=de, vers=vers, par=par, commentaire=commentaire
            )
    except BaseException:
        if fichier_ecrit:  # la transaction est annulée : le PDF écrit ne doit pas rester orphelin
            RapportAnnuel._meta.get_field("pdf_definitif").storage.delete(fichier_ecrit)
        raise
    return rapport
