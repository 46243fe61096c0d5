"""Écritures de l'après-vote : conventions et leurs tranches, versements, bilans, titres de recette.

Chaque service est atomique et nommé ; les écritures passent par les modèles audités (journal d'audit). Les règles
qui portent sur plusieurs lignes vivent ici, sous le verrou de la tranche : un versement ne dépasse jamais ce qui
reste à payer, et le solde attend l'acceptation des bilans de l'année.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from contrat_ville.enums import CodeFinanceur
from fcs.models import AxeFCS, SubventionFCS
from fcs.services import attribuer_subvention
from noyau.empreintes import empreinte
from noyau.models import ZERO
from noyau.nombres import formater_euros
from programmation.enums import StatutDossier
from programmation.models import Dossier, LigneFinancement, Programmation

from .enums import Instance, StatutBilan, TypeBilan, TypeConvention, TypeEcheance
from .models import (
    DUREE_MAX_CPO,
    Bilan,
    Convention,
    Decision,
    Echeance,
    TitreRecette,
    Tranche,
    Versement,
    VersementDeclare,
)


def date_limite_bilan(annee: int) -> datetime.date:
    """Le compte rendu financier est dû dans les six mois qui suivent la fin de l'année financée (CERFA 15059)."""
    return datetime.date(annee + 1, 6, 30)


def _tracer(obj, acteur):
    if obj.pk is None:
        obj.cree_par = acteur
    obj.modifie_par = acteur


def _verifier_tranches(type_convention: str, annee_debut: int, tranches: dict[int, Decimal]) -> list[int]:
    annees = sorted(tranches)
    if not annees:
        raise ValidationError({"tranches": "Saisissez le montant d'au moins une année."})
    if annees[0] != annee_debut:
        raise ValidationError(
            {"tranches": f"La première tranche doit être celle de l'année du dossier ({annee_debut})."}
        )
    if annees != list(range(annee_debut, annee_debut + len(annees))):
        raise ValidationError({"tranches": "Les années d'une convention se suivent sans interruption."})
    if type_convention == TypeConvention.ANNUELLE and len(annees) != 1:
        raise ValidationError(
            {"tranches": "Une convention annuelle n'a qu'une tranche : choisissez une CPO."}
        )
    if len(annees) > DUREE_MAX_CPO:
        raise ValidationError({"tranches": f"Une CPO couvre {DUREE_MAX_CPO} années au plus."})
    for annee, montant in tranches.items():
        if montant is None or montant < 0:
            raise ValidationError({"tranches": f"Le montant de la tranche {annee} ne peut pas être négatif."})
    return annees


def _dossier_de_l_annee(dossier_precedent: Dossier, annee: int, acteur) -> Dossier:
    """Le dossier de `annee` qui reconduit `dossier_precedent` : retrouvé (reconduction, ou même n° du même
    porteur, déjà importé) ou créé retenu, avec les mêmes pilier, thématique et quartiers."""
    programmation, _ = Programmation.objects.get_or_create(
        annee=annee, defaults={"contrat_id": dossier_precedent.programmation.contrat_id}
    )
    dossier = (
        Dossier.objects.filter(programmation=programmation, dossier_precedent=dossier_precedent).first()
        or Dossier.objects.filter(programmation=programmation, numero=dossier_precedent.numero).first()
    )
    if dossier is not None:
        if dossier.porteur_id != dossier_precedent.porteur_id:
            raise ValidationError(
                {
                    "tranches": f"Le dossier {dossier.numero} de {annee} appartient à un autre porteur "
                    f"({dossier.porteur}) : la tranche {annee} ne peut pas y être portée."
                }
            )
        if dossier.dossier_precedent_id != dossier_precedent.pk or dossier.statut != StatutDossier.RETENU:
            dossier.dossier_precedent = dossier_precedent
            dossier.statut = StatutDossier.RETENU
            dossier.modifie_par = acteur
            dossier.save(update_fields=["dossier_precedent", "statut", "modifie_par", "modifie_le"])
        return dossier
    dossier = Dossier(
        programmation=programmation,
        numero=dossier_precedent.numero,
        intitule=dossier_precedent.intitule,
        porteur_id=dossier_precedent.porteur_id,
        pilier_id=dossier_precedent.pilier_id,
        thematique_id=dossier_precedent.thematique_id,
        statut=StatutDossier.RETENU,
        dossier_precedent=dossier_precedent,
    )
    _tracer(dossier, acteur)
    dossier.full_clean()
    dossier.save()
    dossier.quartiers.set(dossier_precedent.quartiers.all())
    return dossier


def _ligne_de_l_annee(
    ligne_source: LigneFinancement, dossier: Dossier, montant: Decimal, acteur
) -> LigneFinancement:
    ligne = LigneFinancement.objects.filter(
        dossier=dossier, financeur_id=ligne_source.financeur_id, nature=ligne_source.nature
    ).first()
    if ligne is None:
        ligne = LigneFinancement(
            dossier=dossier,
            financeur_id=ligne_source.financeur_id,
            nature=ligne_source.nature,
            montant_sollicite=montant,
            montant_accorde=montant,
        )
    elif hasattr(ligne, "tranche"):
        raise ValidationError(
            {
                "tranches": f"La ligne de l'agglomération du dossier {dossier.numero} ({dossier.programmation.annee}) "
                "porte déjà une autre convention."
            }
        )
    else:
        ligne.montant_accorde = montant
    _tracer(ligne, acteur)
    ligne.full_clean()
    ligne.save()
    return ligne


def _subvention_de_l_annee(source: SubventionFCS, annee: int, montant: Decimal, acteur) -> SubventionFCS:
    axe = AxeFCS.objects.filter(enveloppe__annee=annee, numero=source.axe.numero).first()
    if axe is None:
        raise ValidationError(
            {
                "tranches": f"Le FCS {annee} n'a pas d'axe n° {source.axe.numero} : créez son enveloppe et ses axes "
                "avant d'y porter la tranche."
            }
        )
    # Le service du FCS vérifie l'enveloppe de l'année sous son verrou.
    return attribuer_subvention(
        axe=axe, porteur=source.porteur, action=source.action, montant=montant, cpo=True, acteur=acteur
    )


def _echeancier(tranche: Tranche, convention: Convention, date_debut: datetime.date) -> None:
    avance = (tranche.montant * convention.taux_avance).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    solde = tranche.montant - avance
    date_avance = max(date_debut, datetime.date(tranche.annee, 1, 1))
    if avance > 0:
        Echeance.objects.create(
            tranche=tranche, type=TypeEcheance.AVANCE, montant=avance, date_prevue=date_avance
        )
    if solde > 0:
        Echeance.objects.create(
            tranche=tranche,
            type=TypeEcheance.SOLDE,
            montant=solde,
            date_prevue=date_limite_bilan(tranche.annee) + datetime.timedelta(days=31),
        )


@transaction.atomic
def enregistrer_convention(
    *,
    source: LigneFinancement | SubventionFCS,
    type: str,
    reference: str,
    tranches: dict[int, Decimal],
    decision_date: datetime.date,
    decision_instance: str,
    decision_reference: str,
    objet: str = "",
    date_signature: datetime.date | None = None,
    taux_avance: Decimal = Decimal("0.50"),
    acteur=None,
) -> Convention:
    """La décision et la convention d'une ligne de l'agglomération (dossier retenu) ou d'une subvention du FCS.

    Pour une CPO, la tranche de chaque année suivante est portée une fois pour toutes par la programmation de cette
    année (dossier reconduit et ligne de l'agglomération, ou subvention du FCS sous l'enveloppe de l'année) : les
    chiffres de chaque année la comptent sans qu'on la retape. Échéancier (avance, solde après bilan) et bilans
    attendus sont créés avec elle.
    """
    if isinstance(source, LigneFinancement):
        source = LigneFinancement.objects.select_related(
            "dossier__programmation", "dossier__porteur", "financeur"
        ).get(pk=source.pk)
        dossier = source.dossier
        if source.financeur.code != CodeFinanceur.AGGLO:
            raise ValidationError(
                "Seules les lignes de l'agglomération (et le FCS) reçoivent une décision et une convention de "
                f"l'agglomération : la ligne choisie est celle de « {source.financeur} »."
            )
        if dossier.statut != StatutDossier.RETENU:
            raise ValidationError(f"Le dossier {dossier.numero} n'est pas retenu : pas de convention.")
        annee_debut, porteur, montant_source = (
            dossier.programmation.annee,
            dossier.porteur,
            source.montant_accorde,
        )
        objet = objet or dossier.intitule
        deja = Tranche.objects.filter(ligne=source).exists()
    else:
        source = SubventionFCS.objects.select_related("axe__enveloppe", "porteur").get(pk=source.pk)
        annee_debut, porteur, montant_source = source.axe.enveloppe.annee, source.porteur, source.montant
        objet = objet or source.action
        deja = Tranche.objects.filter(subvention_fcs=source).exists()
    if deja:
        raise ValidationError("Cette subvention a déjà sa convention.")
    annees = _verifier_tranches(type, annee_debut, tranches)
    if tranches[annee_debut] != montant_source:
        raise ValidationError(
            {
                "tranches": f"La tranche {annee_debut} ({formater_euros(tranches[annee_debut])}) doit être le montant "
                f"accordé cette année-là ({formater_euros(montant_source)})."
            }
        )
    if decision_instance not in Instance.values:
        raise ValidationError({"decision_instance": "Choisissez le bureau ou le conseil communautaire."})
    convention = Convention(
        porteur=porteur,
        type=type,
        reference=reference,
        objet=objet[:256],
        annee_debut=annees[0],
        annee_fin=annees[-1],
        date_signature=date_signature,
        taux_avance=taux_avance,
    )
    _tracer(convention, acteur)
    convention.full_clean()
    convention.save()
    decision = Decision(
        convention=convention,
        date=decision_date,
        instance=decision_instance,
        reference=decision_reference,
        montant=sum(tranches.values(), ZERO),
    )
    _tracer(decision, acteur)
    decision.full_clean()
    decision.save()
    precedent = source
    for annee in annees:
        montant = tranches[annee]
        tranche = Tranche(convention=convention, annee=annee, montant=montant)
        if isinstance(source, LigneFinancement):
            if annee == annee_debut:
                tranche.ligne = source
            else:
                dossier_annee = _dossier_de_l_annee(precedent.dossier, annee, acteur)
                tranche.ligne = _ligne_de_l_annee(source, dossier_annee, montant, acteur)
            precedent = tranche.ligne
        else:
            tranche.subvention_fcs = (
                source if annee == annee_debut else _subvention_de_l_annee(source, annee, montant, acteur)
            )
        _tracer(tranche, acteur)
        tranche.save()
        _echeancier(tranche, convention, date_signature or decision_date)
        for type_bilan in TypeBilan.values:
            Bilan.objects.create(tranche=tranche, type=type_bilan, date_limite=date_limite_bilan(annee))
    return convention


# --- Versements ---------------------------------------------------------------------------------------------


def paye_sur_tranche(tranche_id: int) -> Decimal:
    return Versement.objects.filter(echeance__tranche_id=tranche_id).aggregate(s=Sum("montant"))["s"] or ZERO


def bilans_acceptes(tranche: Tranche) -> bool:
    statuts = list(tranche.bilans.values_list("statut", flat=True))
    return bool(statuts) and all(s == StatutBilan.ACCEPTE for s in statuts)


@transaction.atomic
def enregistrer_versement(
    *, echeance: Echeance, date: datetime.date, montant: Decimal, reference_mandat: str, acteur=None
) -> Versement:
    """Un mandat payé : jamais au-delà du reste à payer de la tranche, et le solde seulement après le bilan.

    La ligne de la tranche est verrouillée jusqu'à la fin de la transaction : deux versements saisis en même
    temps passent l'un après l'autre, et le second voit le premier."""
    tranche = Tranche.objects.select_for_update().get(pk=echeance.tranche_id)
    echeance = Echeance.objects.get(pk=echeance.pk)
    if montant is None or montant <= 0:
        raise ValidationError({"montant": "Le montant versé doit être supérieur à zéro."})
    if echeance.type == TypeEcheance.SOLDE and not bilans_acceptes(tranche):
        raise ValidationError(
            f"Le solde de la tranche {tranche.annee} ne peut pas être versé avant l'acceptation du compte rendu "
            "financier et du bilan qualitatif."
        )
    reste = tranche.montant - paye_sur_tranche(tranche.pk)
    if montant > reste:
        raise ValidationError(
            {
                "montant": f"Ce versement ({formater_euros(montant)}) dépasse le reste à payer de la tranche "
                f"{tranche.annee} : {formater_euros(reste)}."
            }
        )
    versement = Versement(echeance=echeance, date=date, montant=montant, reference_mandat=reference_mandat)
    _tracer(versement, acteur)
    versement.full_clean()
    versement.save()
    return versement


@transaction.atomic
def declarer_versement(
    *, ligne: LigneFinancement, date: datetime.date, montant: Decimal, source: str = "", acteur=None
) -> VersementDeclare:
    """Ce qu'un autre financeur déclare avoir versé sur sa ligne : jamais pour l'agglomération (ses versements sont
    ses mandats), jamais au-delà de l'accordé. La ligne est verrouillée : deux déclarations passent l'une après
    l'autre."""
    ligne = (
        LigneFinancement.objects.select_for_update().select_related("financeur", "dossier").get(pk=ligne.pk)
    )
    if ligne.financeur.code == CodeFinanceur.AGGLO:
        raise ValidationError(
            {"ligne": "Les versements de l'agglomération sont ses mandats : enregistrez-les sur l'échéance."}
        )
    if montant is None or montant <= 0:
        raise ValidationError({"montant": "Le montant déclaré versé doit être supérieur à zéro."})
    deja = ligne.versements_declares.aggregate(s=Sum("montant"))["s"] or ZERO
    accorde = ligne.montant_accorde or ZERO
    if deja + montant > accorde:
        raise ValidationError(
            {
                "montant": f"Avec ce versement ({formater_euros(montant)}), {ligne.financeur} aurait versé "
                f"{formater_euros(deja + montant)} sur le dossier {ligne.dossier.numero}, au-delà des "
                f"{formater_euros(accorde)} accordés."
            }
        )
    versement = VersementDeclare(ligne=ligne, date=date, montant=montant, source=source.strip())
    _tracer(versement, acteur)
    versement.full_clean()
    versement.save()
    return versement


# --- Bilans -------------------------------------------------------------------------------------------------

STATUTS_DEPOSABLES = (StatutBilan.ATTENDU, StatutBilan.A_COMPLETER)


@transaction.atomic
def deposer_bilan(
    *,
    bilan: Bilan,
    fichier,
    par,
    montant_depense: Decimal | None = None,
    beneficiaires_femmes: int | None = None,
    beneficiaires_hommes: int | None = None,
    resultats: str = "",
) -> Bilan:
    """Le dépôt d'un bilan par le porteur. Le fichier a déjà passé les contrôles de dépôt du portail."""
    bilan = Bilan.objects.select_for_update().get(pk=bilan.pk)
    if bilan.statut not in STATUTS_DEPOSABLES:
        raise ValidationError(
            f"Ce bilan est « {bilan.get_statut_display().lower()} » : il ne peut plus être déposé de nouveau."
        )
    fichier.seek(0)
    contenu = fichier.read()
    fichier.seek(0)
    ancien = bilan.fichier.name if bilan.fichier else ""
    bilan.fichier.save(f"bilan-{bilan.pk}.pdf", fichier, save=False)
    bilan.fichier_sha256 = empreinte(contenu)
    bilan.depose_le = timezone.now()
    bilan.statut = StatutBilan.DEPOSE
    bilan.montant_depense = montant_depense
    bilan.beneficiaires_femmes = beneficiaires_femmes
    bilan.beneficiaires_hommes = beneficiaires_hommes
    bilan.resultats = (resultats or "").strip()
    bilan.modifie_par = par
    bilan.save()
    if ancien:
        # L'ancien fichier ne s'efface qu'une fois le nouveau dépôt validé en base.
        transaction.on_commit(lambda: bilan.fichier.storage.delete(ancien))
    return bilan


@transaction.atomic
def examiner_bilan(*, bilan: Bilan, statut: str, message: str = "", acteur=None) -> Bilan:
    """L'examen d'un bilan déposé par un agent : accepté, à compléter (avec un message) ou rejeté."""
    bilan = Bilan.objects.select_for_update().get(pk=bilan.pk)
    if bilan.statut != StatutBilan.DEPOSE:
        raise ValidationError("Seul un bilan déposé et pas encore examiné peut être examiné.")
    if statut not in (StatutBilan.ACCEPTE, StatutBilan.A_COMPLETER, StatutBilan.REJETE):
        raise ValidationError({"statut": "Choisissez : accepté, à compléter ou rejeté."})
    if statut == StatutBilan.A_COMPLETER and not message.strip():
        raise ValidationError({"message": "Dites au porteur ce qui manque à son bilan."})
    bilan.statut = statut
    bilan.message = message.strip()
    bilan.examine_le = timezone.now()
    bilan.modifie_par = acteur
    bilan.full_clean()
    bilan.save()
    if statut == StatutBilan.ACCEPTE:
        reporter_au_dossier(bilan, acteur)
    return bilan


def reporter_au_dossier(bilan: Bilan, acteur=None) -> None:
    """Un bilan accepté nourrit le dossier de sa tranche, dans la même transaction : ses bénéficiaires par sexe et,
    pour une action mise en avant, ses résultats. Le rapport annuel les lit sur le dossier (une seule source) ;
    le journal garde l'ancienne valeur. Ce que le bilan ne dit pas ne change pas."""
    ligne = bilan.tranche.ligne
    if ligne is None:
        return  # une subvention du FCS : pas de dossier de programmation
    dossier = Dossier.objects.select_for_update().get(pk=ligne.dossier_id)
    champs = []
    for champ in ("beneficiaires_femmes", "beneficiaires_hommes"):
        valeur = getattr(bilan, champ)
        if valeur is not None and getattr(dossier, champ) != valeur:
            setattr(dossier, champ, valeur)
            champs.append(champ)
    if bilan.resultats and dossier.focus and dossier.focus_resultats != bilan.resultats:
        dossier.focus_resultats = bilan.resultats
        champs.append("focus_resultats")
    if champs:
        dossier.modifie_par = acteur
        dossier.save(update_fields=[*champs, "modifie_par", "modifie_le"])


@transaction.atomic
def emettre_titre_recette(
    *, tranche: Tranche, date: datetime.date, montant: Decimal, reference: str, motif: str = "", acteur=None
) -> TitreRecette:
    """Ce qui n'a pas été dépensé est repris : jamais plus que ce qui a été versé sur la tranche."""
    tranche = Tranche.objects.select_for_update().get(pk=tranche.pk)
    deja = tranche.titres_recette.aggregate(s=Sum("montant"))["s"] or ZERO
    verse = paye_sur_tranche(tranche.pk)
    if montant > verse - deja:
        raise ValidationError(
            {
                "montant": f"Le titre ({formater_euros(montant)}) dépasse ce qui a été versé et non repris : "
                f"{formater_euros(verse - deja)}."
            }
        )
    titre = TitreRecette(tranche=tranche, date=date, montant=montant, reference=reference, motif=motif)
    _tracer(titre, acteur)
    titre.full_clean()
    titre.save()
    return titre


@transaction.atomic
def marquer_relance(*, bilan: Bilan, moment: str) -> None:
    """Note la relance (« avant » ou « apres » l'échéance) : une seule de chaque sorte par bilan."""
    champ = {"avant": "relance_avant_le", "apres": "relance_apres_le"}[moment]
    Bilan.objects.filter(pk=bilan.pk).update(**{champ: timezone.now()})
