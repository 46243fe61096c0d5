"""Lectures de la consultation : droits du portail, suivi, annexe du rapport. L'avis réputé favorable se déduit
des dates ; aucune tâche ne l'écrit."""

import datetime
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from contrat_ville.models import Commune, ConseilCitoyen

from .models import Avis, Consultation, Contact, Destinataire, Organisme

JOURS_AVANT_RELANCE = 7


# --- Droits du portail : chaque requête est limitée à l'organisme du contact -----------------------------


def contact_du_portail(utilisateur) -> Contact:
    """Le contact actif de l'utilisateur ; un compte sans organisme (agent, directeur) n'a rien à faire ici."""
    contact = (
        Contact.objects.select_related(
            "organisme__commune", "organisme__conseil_citoyen", "organisme__porteur"
        )
        .filter(utilisateur=utilisateur, utilisateur__is_active=True)
        .first()
    )
    if contact is None:
        raise PermissionDenied("Le portail est réservé aux communes et aux conseils citoyens consultés.")
    return contact


def destinataires_du_contact(contact: Contact):
    return (
        Destinataire.objects.filter(organisme_id=contact.organisme_id, consultation__lancee_le__isnull=False)
        .select_related(
            "consultation__programmation__contrat", "organisme__commune", "organisme__conseil_citoyen"
        )
        .order_by("-consultation__date_envoi")
    )


def access_destinataire_by_id(contact: Contact, consultation_id: int) -> Destinataire:
    destinataire = destinataires_du_contact(contact).filter(consultation_id=consultation_id).first()
    if destinataire is None:
        raise Http404("Consultation introuvable.")
    return destinataire


@dataclass(frozen=True)
class ContactService:
    """Qui joindre au service Politique de la Ville pour une consultation : saisi sur le contrat."""

    nom: str
    courriel: str
    telephone: str

    @property
    def telephone_international(self) -> str:
        """Pour un lien `tel:` : « 03 53 01 21 64 » devient « +33353012164 »."""
        chiffres = "".join(c for c in self.telephone if c.isdigit() or c == "+")
        return "+33" + chiffres[1:] if chiffres.startswith("0") else chiffres


def contact_du_service(consultation: Consultation | None) -> ContactService | None:
    """Le contact du service pour le contrat de la consultation (None s'il n'est pas saisi) ; sans requête si le
    contrat est déjà chargé (`destinataires_du_contact`)."""
    if consultation is None:
        return None
    contrat = consultation.programmation.contrat
    if not (contrat.contact_nom or contrat.contact_courriel or contrat.contact_telephone):
        return None
    return ContactService(contrat.contact_nom, contrat.contact_courriel, contrat.contact_telephone)


def access_avis_by_id(utilisateur, avis_id: int) -> Avis:
    """L'avis si l'utilisateur est un contact de son organisme, ou un agent qui peut voir les avis ; sinon 404."""
    avis = Avis.objects.select_related(
        "consultation__programmation__contrat",
        "organisme__commune",
        "organisme__conseil_citoyen",
        "depose_par",
    )
    if not (utilisateur.is_staff and utilisateur.has_perm("avis.view_avis")):
        contact = contact_du_portail(utilisateur) if not utilisateur.is_staff else None
        if contact is None:
            raise Http404("Avis introuvable.")
        avis = avis.filter(organisme_id=contact.organisme_id)
    resultat = avis.filter(pk=avis_id).first()
    if resultat is None:
        raise Http404("Avis introuvable.")
    return resultat


# --- Règles de dépôt ----------------------------------------------------------------------------------


def peut_deposer(
    destinataire: Destinataire, *, avis_depose: bool, aujourdhui: datetime.date | None = None
) -> bool:
    """Un avis se dépose une fois, jusqu'à la date limite incluse ; ensuite seul un agent peut le rouvrir."""
    if destinataire.rouvert:
        return True
    aujourdhui = aujourdhui or timezone.localdate()
    return not avis_depose and aujourdhui <= destinataire.consultation.date_limite


def libelle_reputee_favorable(date_limite: datetime.date) -> str:
    return f"Réputé favorable (sans réponse au {date_limite:%d/%m/%Y})"


# --- Suivi et annexe ----------------------------------------------------------------------------------


def cle_alphabetique(texte: str) -> str:
    """Béthune avant Bruay : l'ordre du dictionnaire, sans égard aux accents ni à la casse."""
    decompose = unicodedata.normalize("NFKD", texte.replace("œ", "oe").replace("Œ", "Oe"))
    return "".join(c for c in decompose if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class LigneSuivi:
    destinataire_id: int
    organisme: Organisme
    invite_le: datetime.datetime | None
    ouvert_le: datetime.datetime | None
    relance_le: datetime.datetime | None
    rouvert: bool
    avis: Avis | None
    reputee_favorable: bool
    decision: str  # libellé affiché : décision, « réputé favorable (…) » ou « en attente »
    date: datetime.date | None  # date de la séance, ou date limite pour un avis réputé favorable

    @property
    def repondu(self) -> bool:
        return self.avis is not None


def decision_affichee(
    avis: Avis | None, date_limite: datetime.date, aujourdhui: datetime.date
) -> tuple[str, bool]:
    if avis is not None:
        return avis.get_decision_display(), False
    if aujourdhui > date_limite:
        return libelle_reputee_favorable(date_limite), True
    return "En attente", False


def suivi_consultation(
    consultation: Consultation, *, aujourdhui: datetime.date | None = None
) -> list[LigneSuivi]:
    """Une ligne par organisme consulté, en deux requêtes quel que soit leur nombre."""
    aujourdhui = aujourdhui or timezone.localdate()
    destinataires = consultation.destinataires.select_related(
        "organisme__commune", "organisme__conseil_citoyen"
    ).order_by("organisme__conseil_citoyen__nom", "organisme__commune__nom")
    avis = {
        a.organisme_id: a for a in Avis.objects.filter(consultation=consultation).select_related("depose_par")
    }
    lignes = []
    for d in destinataires:
        a = avis.get(d.organisme_id)
        libelle, reputee = decision_affichee(a, consultation.date_limite, aujourdhui)
        lignes.append(
            LigneSuivi(
                destinataire_id=d.pk,
                organisme=d.organisme,
                invite_le=d.invite_le,
                ouvert_le=d.ouvert_le,
                relance_le=d.relance_le,
                rouvert=d.rouvert,
                avis=a,
                reputee_favorable=reputee,
                decision=libelle,
                date=a.date_seance if a else (consultation.date_limite if reputee else None),
            )
        )
    # Les communes d'abord, puis les conseils citoyens, chacun par ordre alphabétique.
    lignes.sort(key=lambda ligne: (not ligne.organisme.est_commune, cle_alphabetique(str(ligne.organisme))))
    return lignes


@dataclass(frozen=True)
class AnnexeAvis:
    consultation: Consultation
    lignes: list[LigneSuivi]

    @property
    def deliberations(self) -> list[Avis]:
        """Les avis dont la délibération est jointe, dans l'ordre de l'annexe."""
        return [ligne.avis for ligne in self.lignes if ligne.avis is not None and ligne.avis.deliberation]


def annexe_avis(programmation, *, aujourdhui: datetime.date | None = None) -> AnnexeAvis | None:
    """L'annexe du rapport d'une année : chaque organisme consulté, son avis, sa date et sa décision (réputé
    favorable compris).

    Trois requêtes quel que soit le nombre d'organismes ; None si le projet n'a pas (encore) été soumis.
    """
    consultation = Consultation.objects.filter(programmation=programmation).first()
    if consultation is None:
        return None
    return AnnexeAvis(
        consultation=consultation, lignes=suivi_consultation(consultation, aujourdhui=aujourdhui)
    )


@dataclass(frozen=True)
class EtatConsultation:
    """Où en est la consultation d'une année : ce que la fiche du rapport montre et ce que l'approbation exige."""

    consultation: Consultation
    consultes: int
    avis_recus: int
    reputes_favorables: int
    delai_echu: bool

    @property
    def en_attente(self) -> int:
        return self.consultes - self.avis_recus - self.reputes_favorables

    @property
    def tous_ont_repondu(self) -> bool:
        return self.consultes > 0 and self.avis_recus == self.consultes

    @property
    def close(self) -> bool:
        """L'avis de chacun est acquis : rendu, ou réputé favorable parce que le délai est passé."""
        return self.delai_echu or self.tous_ont_repondu


def etat_consultation(programmation, *, aujourdhui: datetime.date | None = None) -> EtatConsultation | None:
    """Les comptes de la consultation d'une année (deux requêtes) ; None si elle n'a pas été lancée."""
    consultation = Consultation.objects.filter(programmation=programmation).first()
    if consultation is None:
        return None
    aujourdhui = aujourdhui or timezone.localdate()
    consultes = consultation.destinataires.count()
    recus = Avis.objects.filter(
        consultation=consultation, organisme__in=consultation.destinataires.values("organisme")
    ).count()
    delai_echu = aujourdhui > consultation.date_limite
    return EtatConsultation(
        consultation=consultation,
        consultes=consultes,
        avis_recus=recus,
        reputes_favorables=(consultes - recus) if delai_echu else 0,
        delai_echu=delai_echu,
    )


def consultables_par_defaut(programmation):
    """Les communes qui portent une partie d'un quartier du contrat de l'année, et les conseils citoyens de ces
    quartiers : ceux qu'une consultation inscrit par défaut."""
    contrat = programmation.contrat
    return (
        Commune.objects.filter(quartiers__contrats=contrat).distinct(),
        ConseilCitoyen.objects.filter(quartier__contrats=contrat).distinct(),
    )


def nombre_d_organismes_par_defaut(programmation) -> int:
    """Combien d'organismes une consultation de l'année inscrirait par défaut (deux requêtes, rien d'écrit)."""
    communes, conseils = consultables_par_defaut(programmation)
    return communes.count() + conseils.count()
