"""Le cycle du rapport annuel, une seule machine : projet → adopté → en consultation → définitif.

Chaque étape vérifie la permission de l'acteur, n'avance que d'un pas, verrouille la ligne du rapport le temps
d'écrire et laisse une `TransitionRapport` (qui, quand). Deux étapes font un long travail, fait avant le verrou :
- « en consultation » lance la consultation (décret n° 2015-1118, art. 4) : le projet est rendu puis figé, les
  organismes sont inscrits, le délai de réponse est d'au moins un mois, les invitations partent après validation ;
- « définitif » n'est possible qu'une fois la consultation close (délai échu, ou tous les avis rendus) ; il fige
  le PDF et les chiffres qu'il montre, avec l'empreinte SHA-256 du PDF.
Un rendu trop long ou une règle non tenue n'écrit rien.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from avis import selectors as avis_selectors
from avis import services as avis_services
from avis.dates import un_mois_apres
from journal.audit import acteur
from noyau.empreintes import empreinte
from programmation.enums import TypeBloc
from programmation.models import BlocNarratif, Programmation

from .contexte import chiffres_du_rapport, contexte_du_rapport, controles_du_rapport
from .deliberations import joindre_deliberations, verifier_budget
from .enums import StatutRapport
from .models import RapportAnnuel, TransitionRapport
from .rendu import pdf_a_enregistrer

PERMISSION_APPROBATION = "rapport.approuver_rapportannuel"
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


def blocs_a_rediger(programmation: Programmation) -> list[str]:
    """Les blocs narratifs du rapport encore vides, dans l'ordre du rapport : un rapport adopté n'imprime aucun
    « Texte à rédiger »."""
    rediges = {
        type_
        for type_, texte in BlocNarratif.objects.filter(programmation=programmation).values_list(
            "type", "texte"
        )
        if texte.strip()
    }
    return [libelle for valeur, libelle in TypeBloc.choices if valeur not in rediges]


def _empechement_adoption(rapport: RapportAnnuel) -> str:
    manquants = blocs_a_rediger(rapport.programmation)
    if not manquants:
        return ""
    return (
        f"Le projet ne peut pas être adopté : {len(manquants)} texte{'s' if len(manquants) > 1 else ''} du rapport "
        f"{'restent' if len(manquants) > 1 else 'reste'} à rédiger (blocs narratifs de la programmation "
        f"{rapport.programmation.annee}) : " + ", ".join(f"« {m} »" for m in manquants) + "."
    )


@dataclass(frozen=True)
class Etape:
    """Ce que l'étape suivante fera, dit avant de la franchir (page de confirmation)."""

    vers: StatutRapport
    effets: tuple[str, ...]
    empechement: str = ""  # non vide : l'étape n'est pas encore possible, et pourquoi


def etape_suivante(rapport: RapportAnnuel, *, aujourdhui: datetime.date | None = None) -> Etape | None:
    """L'étape que le rapport peut franchir maintenant, ce qu'elle fera et ce qui l'empêche encore."""
    vers = statut_suivant(rapport.statut)
    if vers is None:
        return None
    aujourdhui = aujourdhui or timezone.localdate()
    if vers == StatutRapport.ADOPTE:
        return Etape(
            vers,
            (
                "La date de la séance du conseil communautaire qui a adopté le projet est enregistrée.",
                "Le projet reste modifiable jusqu'au lancement de la consultation.",
            ),
            _empechement_adoption(rapport),
        )
    if vers == StatutRapport.EN_CONSULTATION:
        nb = avis_selectors.nombre_d_organismes_par_defaut(rapport.programmation)
        return Etape(
            vers,
            (
                "Le projet de rapport est figé tel qu'il est aujourd'hui : c'est lui que les organismes consultés "
                "recevront et sur lequel ils rendront leur avis.",
                f"{nb} organisme{'s' if nb > 1 else ''} (communes et conseils citoyens des quartiers du contrat) "
                "sont consultés ; leurs contacts reçoivent une invitation par courriel.",
                "Le délai de réponse est d'au moins un mois (décret n° 2015-1118) ; sans réponse à la date limite, "
                "l'avis est réputé favorable.",
            ),
        )
    etat = avis_selectors.etat_consultation(rapport.programmation, aujourdhui=aujourdhui)
    empechement = _empechement_approbation(etat, aujourdhui)
    return Etape(
        vers,
        (
            "Le PDF du rapport, avec l'annexe des avis et les délibérations jointes, est figé et stocké avec son "
            "empreinte SHA-256 ; il ne changera plus, même si la programmation change.",
            "Les chiffres qu'il montre sont enregistrés avec lui.",
        ),
        empechement,
    )


def _empechement_approbation(etat, aujourdhui: datetime.date) -> str:
    if etat is None:
        return "Le rapport ne peut être approuvé qu'après la consultation des communes et conseils citoyens."
    if etat.close:
        return ""
    consultation = etat.consultation
    return (
        f"La consultation court jusqu'au {consultation.date_limite:%d/%m/%Y} : {etat.avis_recus} avis reçu"
        f"{'s' if etat.avis_recus > 1 else ''} sur {etat.consultes} organismes consultés. Le rapport pourra être "
        f"approuvé à partir du {consultation.date_limite + datetime.timedelta(days=1):%d/%m/%Y}, ou dès que "
        "chaque organisme aura rendu son avis."
    )


def faire_avancer_rapport(
    *,
    rapport: RapportAnnuel,
    vers: str,
    par,
    date: datetime.date | None = None,
    date_limite: datetime.date | None = None,
    commentaire: str = "",
    en_connaissance_de_cause: bool = False,
    source: str = "rapport",
) -> RapportAnnuel:
    """Fait passer le rapport à l'étape `vers`, la suivante de son cycle, au nom de `par`.

    - « adopté en conseil communautaire » demande la date de la séance (`date`) ;
    - « en consultation » lance la consultation : date d'envoi (`date`, par défaut aujourd'hui) et date limite
      de réponse (`date_limite`, au moins un mois après l'envoi) ;
    - « définitif » demande la date d'approbation (`date`) et une consultation close ; si les contrôles de
      cohérence signalent des points, il faut `en_connaissance_de_cause=True` (le directeur a vu la liste), et
      ils sont notés dans la transition.
    """
    if not par.has_perm(PERMISSION_APPROBATION):
        raise PermissionDenied("Vous n'avez pas la permission de faire avancer le rapport annuel.")
    rapport = RapportAnnuel.objects.select_related("programmation__contrat").get(pk=rapport.pk)
    _verifier_le_pas(rapport.statut, vers)
    aujourdhui = timezone.localdate()
    champs = ["statut"]
    prepare = {}  # ce que le long travail, fait hors verrou, laisse à écrire
    if vers == StatutRapport.ADOPTE:
        if date is None:
            raise ValidationError({"date": "Indiquez la date de la séance du conseil communautaire."})
        if empechement := _empechement_adoption(rapport):
            raise ValidationError(empechement)
        rapport.date_seance_conseil = date
        champs.append("date_seance_conseil")
    elif vers == StatutRapport.EN_CONSULTATION:
        date = date or aujourdhui
        if date_limite is None:
            raise ValidationError(
                {"date_limite": "Indiquez la date limite de réponse des organismes consultés."}
            )
        if date_limite < un_mois_apres(date):
            raise ValidationError(
                {
                    "date_limite": "Le délai de réponse ne peut être inférieur à un mois après l'envoi "
                    f"(décret n° 2015-1118) : date limite au plus tôt le {un_mois_apres(date):%d/%m/%Y}."
                }
            )
        # Le projet transmis est rendu avant tout verrou : il est long, et rien n'est écrit s'il échoue.
        prepare["projet"] = pdf_a_enregistrer(
            contexte_du_rapport(rapport, pour_pdf=True),
            document="Le projet de rapport",
            sinon="La consultation n'a pas été lancée et aucune invitation n'est partie",
        )
    elif vers == StatutRapport.DEFINITIF:
        if date is None:
            raise ValidationError({"date": "Indiquez la date d'approbation du rapport."})
        if rapport.date_seance_conseil and date < rapport.date_seance_conseil:
            raise ValidationError(
                {"date": "La date d'approbation ne peut pas précéder la séance qui a adopté le projet."}
            )
        empechement = _empechement_approbation(
            avis_selectors.etat_consultation(rapport.programmation, aujourdhui=aujourdhui), aujourdhui
        )
        if empechement:
            raise ValidationError(empechement)
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
            note = "Approuvé en connaissance de cause malgré : " + " ; ".join(a.libelle for a in anomalies)
            commentaire = f"{commentaire}\n{note}".strip()
        pdf = pdf_a_enregistrer(contexte, document="Le PDF définitif", sinon="Rien n'a été enregistré")
        # Les délibérations des communes et conseils citoyens suivent l'annexe des avis.
        prepare["definitif"] = joindre_deliberations(pdf, contexte["deliberations"])
        verifier_budget(prepare["definitif"])  # avant de figer : pages et taille bornées
        prepare["chiffres"] = chiffres_du_rapport(contexte)
        champs += ["date_approbation", "pdf_definitif", "chiffres_definitifs", "empreinte_sha256"]
    return _ecrire_le_pas(rapport, vers, par, champs, prepare, date, date_limite, commentaire, source)


def _verifier_le_pas(de: str, vers: str) -> None:
    attendu = statut_suivant(de)
    if attendu is None:
        raise ValidationError("Le rapport est définitif : il ne change plus.")
    if vers != attendu:
        raise ValidationError(
            f"Le rapport est « {StatutRapport(de).label} » : il ne peut passer qu'à "
            f"« {attendu.label} », jamais revenir en arrière ni sauter une étape."
        )


def _ecrire_le_pas(rapport, vers, par, champs, prepare, date, date_limite, commentaire, source):
    """L'écriture de l'étape, courte et atomique : verrou, nouvelle vérification du pas, fichiers, transition."""
    fichiers_ecrits = []
    try:
        with transaction.atomic(), acteur(par, source):
            de = RapportAnnuel.objects.select_for_update().values_list("statut", flat=True).get(pk=rapport.pk)
            # Un autre a pu franchir l'étape pendant le rendu : on revérifie sous le verrou.
            _verifier_le_pas(de, vers)
            if "projet" in prepare:
                consultation = avis_services.creer_consultation(
                    programmation=rapport.programmation,
                    date_envoi=date,
                    date_limite=date_limite,
                    projet_pdf=prepare["projet"],
                    par=par,
                )
                fichiers_ecrits.append(consultation.projet_pdf)
            if "definitif" in prepare:
                pdf = prepare["definitif"]
                rapport.chiffres_definitifs = prepare["chiffres"]
                rapport.empreinte_sha256 = empreinte(pdf)
                annee = rapport.programmation.annee
                rapport.pdf_definitif.save(
                    f"rapport-politique-ville-{annee}-definitif-{rapport.empreinte_sha256[:12]}.pdf",
                    ContentFile(pdf),
                    save=False,
                )
                fichiers_ecrits.append(rapport.pdf_definitif)
            rapport.statut = vers
            rapport.save(update_fields=champs)
            TransitionRapport.objects.create(
                rapport=rapport, de=de, vers=vers, par=par, commentaire=commentaire
            )
    except BaseException:
        for (
            fichier
        ) in fichiers_ecrits:  # la transaction est annulée : les fichiers écrits ne restent pas orphelins
            if fichier.name:
                fichier.storage.delete(fichier.name)
        raise
    return rapport
