"""Écritures de la consultation : chacune atomique, prend l'utilisateur qui agit et valide ses règles."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from comptes import roles
from conventions.selectors import bilans_a_relancer
from conventions.services import marquer_relance

# Le journal d'audit : les écritures du portail y sont attribuées à leur auteur.
from journal.audit import acteur
from noyau.empreintes import empreinte, fichier_verifie
from noyau.pdf_hostile import assainir_fichier
from programmation.models import Programmation

from . import courriels
from .models import Avis, Consultation, Contact, Destinataire, Organisme, Reouverture
from .selectors import JOURS_AVANT_RELANCE, consultables_par_defaut, peut_deposer

journal_securite = logging.getLogger("securite")

# --- Organismes et contacts -------------------------------------------------------------------------------


@transaction.atomic
def creer_contact(
    *, organisme: Organisme, email: str, prenom: str = "", nom: str = "", fonction: str = "", par
) -> Contact:
    """Un compte du portail sans mot de passe : il le choisira par le lien de son invitation."""
    User = get_user_model()
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        raise ValidationError({"email": f"Un compte existe déjà pour l'adresse {email}."})
    with acteur(par, source="admin"):
        utilisateur = User(username=email, email=email, first_name=prenom, last_name=nom, is_staff=False)
        utilisateur.set_unusable_password()
        utilisateur.save()
        if organisme.est_porteur:
            role = roles.PORTEUR
        else:
            role = roles.SERVICE_COMMUNE if organisme.est_commune else roles.CONSEIL_CITOYEN
        groupe, _ = Group.objects.get_or_create(name=role)
        utilisateur.groups.add(groupe)
        return Contact.objects.create(
            utilisateur=utilisateur, organisme=organisme, fonction=fonction, cree_par=par, modifie_par=par
        )


@transaction.atomic
def desactiver_contact(*, contact: Contact, par) -> None:
    with acteur(par, source="admin"):
        utilisateur = contact.utilisateur
        utilisateur.is_active = False
        utilisateur.save(update_fields=["is_active"])
        contact.modifie_par = par
        contact.save(update_fields=["modifie_par", "modifie_le"])


@transaction.atomic
def inviter_contact(*, contact: Contact, par) -> None:
    """Envoie (ou renvoie) au contact son lien personnel ; marque l'organisme invité pour les consultations lancées."""
    if not contact.utilisateur.is_active:
        raise ValidationError(f"Le compte de {contact} est désactivé : réactivez-le avant de l'inviter.")
    destinataires = Destinataire.objects.filter(
        organisme_id=contact.organisme_id, consultation__lancee_le__isnull=False
    ).select_related("consultation__programmation")
    consultation = max(destinataires, key=lambda d: d.consultation.date_envoi, default=None)
    _envoyer_invitation(contact, consultation.consultation if consultation else None)
    destinataires.update(invite_le=timezone.now())


def _envoyer_invitation(contact: Contact, consultation: Consultation | None) -> None:
    utilisateur = contact.utilisateur
    courriels.envoyer(
        "invitation",
        utilisateur.email,
        {
            "utilisateur": utilisateur,
            "organisme": contact.organisme,
            "consultation": consultation,
            "lien": courriels.lien_invitation(utilisateur),
            "validite_jours": settings.PASSWORD_RESET_TIMEOUT // 86400,
        },
    )


@transaction.atomic
def marquer_invitation_ouverte(*, utilisateur) -> None:
    contact = Contact.objects.filter(utilisateur=utilisateur).first()
    if contact is None:
        return
    Destinataire.objects.filter(
        organisme_id=contact.organisme_id, invite_le__isnull=False, ouvert_le__isnull=True
    ).update(ouvert_le=timezone.now())


# --- Consultation --------------------------------------------------------------------------------------


@transaction.atomic
def creer_consultation(
    *,
    programmation: Programmation,
    date_envoi: datetime.date,
    date_limite: datetime.date,
    projet_pdf: bytes,
    organismes: list[Organisme] | None = None,
    par,
) -> Consultation:
    """Ouvre la consultation d'une année sur le projet de rapport `projet_pdf`, déjà rendu et figé : le range avec
    son empreinte, inscrit les organismes consultés et, une fois la transaction validée, leur envoie l'invitation.

    C'est une étape du cycle du rapport (`rapport.services.faire_avancer_rapport`), seul à savoir quand le projet
    peut être soumis ; l'appelant supprime le fichier rangé si sa propre transaction est annulée ensuite.
    """
    if Consultation.objects.filter(programmation=programmation).exists():
        raise ValidationError(f"Le projet de rapport {programmation.annee} a déjà été soumis à consultation.")
    consultation = Consultation(
        programmation=programmation,
        date_envoi=date_envoi,
        date_limite=date_limite,
        lancee_le=timezone.now(),
        cree_par=par,
        modifie_par=par,
    )
    consultation.full_clean(exclude=["projet_pdf", "projet_sha256"])
    consultation.projet_pdf.save("projet.pdf", ContentFile(projet_pdf), save=False)
    consultation.projet_sha256 = empreinte(projet_pdf)
    try:
        with acteur(par, source="web"):
            consultation.save()
            ajouter_destinataires(consultation=consultation, organismes=organismes, par=par)
    except BaseException:
        _supprimer_fichier(consultation.projet_pdf)
        raise
    return consultation


def organismes_par_defaut(programmation: Programmation) -> list[Organisme]:
    """Chaque commune qui porte une partie d'un quartier du contrat, et chaque conseil citoyen de ces quartiers."""
    communes, conseils = consultables_par_defaut(programmation)
    organismes = [Organisme.objects.get_or_create(commune=c)[0] for c in communes]
    organismes += [Organisme.objects.get_or_create(conseil_citoyen=c)[0] for c in conseils]
    return organismes


def ajouter_destinataires(
    *, consultation: Consultation, organismes: list[Organisme] | None = None, par=None, inviter: bool = True
) -> list[Organisme]:
    """Inscrit des organismes à une consultation (par défaut, ceux du contrat) ; une fois la transaction validée,
    ceux qui viennent d'être inscrits reçoivent l'invitation (sauf `inviter=False` : données historiques de la
    démonstration). Rend les organismes ajoutés."""
    if organismes is None:
        organismes = organismes_par_defaut(consultation.programmation)
    deja = set(consultation.destinataires.values_list("organisme_id", flat=True))
    nouveaux = [o for o in organismes if o.pk not in deja]
    Destinataire.objects.bulk_create([Destinataire(consultation=consultation, organisme=o) for o in nouveaux])
    if inviter and nouveaux and consultation.lancee_le is not None:
        ids = [o.pk for o in nouveaux]
        # Après validation, et sans faire échouer la requête : un courriel qui ne part pas laisse l'organisme « non
        # invité » dans le suivi, d'où l'agent renvoie l'invitation.
        transaction.on_commit(
            lambda: inviter_organismes(consultation=consultation, organismes=ids, par=par), robust=True
        )
    return nouveaux


def inviter_organismes(*, consultation: Consultation, organismes: list[int] | None = None, par=None) -> int:
    """Envoie l'invitation à chaque contact actif des organismes consultés (tous, ou ceux de `organismes`), puis
    les marque invités ; rend le nombre de courriels. Hors de toute transaction : un envoi lent ne tient aucun
    verrou, et chaque organisme n'est marqué invité qu'après son envoi."""
    destinataires = consultation.destinataires.all()
    if organismes is not None:
        destinataires = destinataires.filter(organisme_id__in=organismes)
    contacts = Contact.objects.filter(
        organisme__in=destinataires.values("organisme"), utilisateur__is_active=True
    ).select_related("utilisateur", "organisme__commune", "organisme__conseil_citoyen")
    invites = set()
    for contact in contacts:
        _envoyer_invitation(contact, consultation)
        invites.add(contact.organisme_id)
    if invites:
        with acteur(par, source="web"):
            consultation.destinataires.filter(organisme_id__in=invites).update(invite_le=timezone.now())
    return len(contacts)


def projet_transmis(consultation: Consultation) -> bytes:
    """Le PDF figé au lancement, tel qu'il a été transmis (empreinte vérifiée)."""
    return fichier_verifie(
        consultation.projet_pdf,
        consultation.projet_sha256,
        f"Le projet de rapport transmis pour la {str(consultation).lower()}",
    )


# --- Avis -------------------------------------------------------------------------------------------------


def _supprimer_fichier(champ) -> None:
    if champ and champ.name:
        champ.storage.delete(champ.name)


def _enregistrer_avis(
    *, destinataire: Destinataire, par, decision, date_seance, observations, deliberation, courrier: bool
) -> Avis:
    # Le fichier est hostile : analysé et assaini avant toute écriture (refus en français, rien d'écrit).
    assaini = None
    if deliberation is not None:
        try:
            assaini = assainir_fichier(deliberation)
        except ValidationError as erreur:
            raise ValidationError({"deliberation": erreur.messages}) from erreur
    avis = Avis.objects.filter(
        consultation_id=destinataire.consultation_id, organisme_id=destinataire.organisme_id
    ).first()
    anciens = [c.name for c in (avis.deliberation, avis.deliberation_originale) if c] if avis else []
    if avis is None:
        avis = Avis(consultation_id=destinataire.consultation_id, organisme_id=destinataire.organisme_id)
    avis.decision = decision
    avis.date_seance = date_seance
    avis.observations = observations
    avis.depose_par = par
    avis.depose_le = timezone.now()
    avis.recu_par_courrier = courrier
    nouveaux = []
    try:
        with transaction.atomic():
            if assaini is not None:
                deliberation.seek(0)
                avis.deliberation_originale.save("original.pdf", deliberation, save=False)
                nouveaux.append(avis.deliberation_originale.name)
                avis.deliberation.save("deliberation.pdf", ContentFile(assaini.contenu), save=False)
                nouveaux.append(avis.deliberation.name)
            avis.full_clean(exclude=["deliberation", "deliberation_originale"])
            with acteur(par, source="admin" if courrier else "portail"):
                avis.save()
                if destinataire.rouvert:
                    destinataire.rouvert = False
                    destinataire.save(update_fields=["rouvert"])
    except BaseException:
        # La base a tout annulé : les fichiers écrits ne doivent pas rester orphelins dans le stockage.
        for nom in nouveaux:
            avis.deliberation.storage.delete(nom)
        raise
    if assaini is not None and assaini.retraits:
        journal_securite.warning(
            "délibération assainie avis=%s retiré=%s", avis.pk, ", ".join(assaini.retraits)
        )
    perimes = [nom for nom in anciens if nom and nouveaux and nom not in nouveaux]
    if perimes:
        stockage = avis.deliberation.storage
        transaction.on_commit(lambda: [stockage.delete(nom) for nom in perimes])
    return avis


@transaction.atomic
def deposer_avis(
    *, destinataire: Destinataire, par, decision, date_seance, observations="", deliberation=None
) -> Avis:
    """L'organisme dépose son avis sur le portail ; ensuite il ne peut plus le changer sauf réouverture."""
    destinataire = (
        Destinataire.objects.select_for_update(of=("self",))
        .select_related("consultation__programmation", "organisme")
        .get(pk=destinataire.pk)
    )
    contact = Contact.objects.filter(utilisateur=par, organisme_id=destinataire.organisme_id).first()
    if contact is None or not par.is_active:
        raise ValidationError("Seul un contact actif de l'organisme peut déposer son avis.")
    deja = Avis.objects.filter(
        consultation_id=destinataire.consultation_id, organisme_id=destinataire.organisme_id
    ).exists()
    if not peut_deposer(destinataire, avis_depose=deja):
        raise ValidationError(
            "L'avis ne peut plus être déposé ni modifié (déjà déposé ou délai dépassé) : "
            "contactez le service Politique de la Ville pour le faire rouvrir."
        )
    if deliberation is None:
        raise ValidationError({"deliberation": "Joignez la délibération signée au format PDF."})
    avis = _enregistrer_avis(
        destinataire=destinataire,
        par=par,
        decision=decision,
        date_seance=date_seance,
        observations=observations,
        deliberation=deliberation,
        courrier=False,
    )
    taille_ko = max(1, round(deliberation.size / 1024))
    transaction.on_commit(
        lambda: (
            courriels.envoyer("accuse", par.email, {"avis": avis, "taille_ko": taille_ko})
            if par.email
            else None
        )
    )
    return avis


@transaction.atomic
def enregistrer_avis_courrier(
    *,
    consultation: Consultation,
    organisme: Organisme,
    par,
    decision,
    date_seance,
    observations="",
    document=None,
) -> Avis:
    """Un agent saisit l'avis reçu par courrier, pour le compte de l'organisme, avec le document numérisé."""
    destinataire = (
        Destinataire.objects.select_for_update(of=("self",))
        .filter(consultation=consultation, organisme=organisme)
        .order_by()
        .first()
    )
    if destinataire is None:
        raise ValidationError({"organisme": f"{organisme} n'est pas consulté pour cette consultation."})
    deja = Avis.objects.filter(consultation=consultation, organisme=organisme).exists()
    if deja and not destinataire.rouvert:
        raise ValidationError(
            {
                "organisme": f"{organisme} a déjà rendu son avis : rouvrez-le depuis le suivi avant de le remplacer."
            }
        )
    return _enregistrer_avis(
        destinataire=destinataire,
        par=par,
        decision=decision,
        date_seance=date_seance,
        observations=observations,
        deliberation=document,
        courrier=True,
    )


@transaction.atomic
def rouvrir_avis(*, destinataire: Destinataire, par, motif: str = "") -> Reouverture:
    """Permet à nouveau à l'organisme de déposer ou modifier son avis ; la réouverture est tracée."""
    destinataire = Destinataire.objects.select_for_update(of=("self",)).get(pk=destinataire.pk)
    with acteur(par, source="admin"):
        destinataire.rouvert = True
        destinataire.save(update_fields=["rouvert"])
        return Reouverture.objects.create(destinataire=destinataire, par=par, motif=motif)


def relancer(*, aujourdhui: datetime.date | None = None) -> int:
    """Relance une fois les organismes sans avis, dans les 7 jours qui précèdent la date limite.

    Chaque organisme est d'abord marqué relancé (transaction courte, ligne verrouillée), puis ses courriels
    partent, hors de toute transaction : relancer deux fois, ou en même temps, n'envoie rien de plus. Si l'envoi
    échoue, la marque est retirée : la relance du lendemain le retentera.
    """
    aujourdhui = aujourdhui or timezone.localdate()
    envoyes = 0
    a_relancer = (
        Destinataire.objects.filter(
            consultation__lancee_le__isnull=False,
            consultation__date_limite__gte=aujourdhui,
            consultation__date_limite__lte=aujourdhui + datetime.timedelta(days=JOURS_AVANT_RELANCE),
            relance_le__isnull=True,
        )
        .exclude(
            Exists(
                Avis.objects.filter(consultation=OuterRef("consultation"), organisme=OuterRef("organisme"))
            )
        )
        .values_list("pk", flat=True)
    )
    for pk in list(a_relancer):
        with transaction.atomic():
            destinataire = (
                Destinataire.objects.select_for_update(of=("self",))
                .select_related("consultation__programmation", "organisme")
                .get(pk=pk)
            )
            if destinataire.relance_le is not None:
                continue
            contacts = list(
                Contact.objects.filter(
                    organisme_id=destinataire.organisme_id, utilisateur__is_active=True
                ).select_related("utilisateur")
            )
            if not contacts:  # sans contact, rien ne part : on relancera quand un contact existera
                continue
            destinataire.relance_le = timezone.now()
            destinataire.save(update_fields=["relance_le"])
        try:
            for contact in contacts:
                courriels.envoyer(
                    "relance",
                    contact.utilisateur.email,
                    {
                        "utilisateur": contact.utilisateur,
                        "organisme": destinataire.organisme,
                        "consultation": destinataire.consultation,
                    },
                )
                envoyes += 1
        except Exception:
            Destinataire.objects.filter(pk=pk).update(relance_le=None)
            raise
    return envoyes


# --- Bilans des porteurs ---------------------------------------------------------------------------------


def relancer_bilans(aujourdhui: datetime.date | None = None) -> tuple[int, int]:
    """Un courriel à chaque contact actif du porteur pour chaque bilan attendu : une relance avant l'échéance (dans
    les 30 jours), une après ; la date de relance est écrite pour ne jamais relancer deux fois."""
    aujourdhui = aujourdhui or timezone.localdate()
    avant, apres = bilans_a_relancer(aujourdhui)
    comptes = []
    for moment, bilans in (("avant", avant), ("apres", apres)):
        envoyes = 0
        for bilan in bilans:
            porteur = bilan.tranche.convention.porteur
            adresses = list(
                Contact.objects.filter(organisme__porteur=porteur, utilisateur__is_active=True).values_list(
                    "utilisateur__email", flat=True
                )
            )
            if not adresses:
                continue
            with transaction.atomic():
                marquer_relance(bilan=bilan, moment=moment)
                for adresse in adresses:
                    contexte = {"bilan": bilan, "porteur": porteur, "en_retard": moment == "apres"}
                    transaction.on_commit(
                        lambda adresse=adresse, contexte=contexte: courriels.envoyer(
                            "relance_bilan", adresse, contexte
                        )
                    )
            envoyes += 1
        comptes.append(envoyes)
    return comptes[0], comptes[1]
