"""Démonstration de l'après-vote, sur des données plausibles **inventées** (signalées dans le README) : décisions,
trois CPO 2020-2021 sur des actions reconduites, des conventions annuelles 2021, des avances versées, des soldes
en attente de bilan, un bilan à compléter, des bilans en retard, une lettre de notification générée et figée.

Les montants sont ceux des lignes de l'agglomération de la démonstration 2020 et 2021 : les chiffres des rapports ne
changent pas. Idempotent : une convention déjà là (même référence) n'est pas recréée.
"""

import datetime
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from pypdf import PdfWriter

from contrat_ville.enums import CodeFinanceur
from journal.audit import acteur
from programmation import demo as demo_programmation
from programmation.enums import StatutDossier
from programmation.models import Dossier, LigneFinancement

from . import documents, services
from .enums import Instance, StatutBilan, TypeBilan, TypeConvention, TypeDocument, TypeEcheance
from .models import Convention, Decision

D = datetime.date

# CPO 2020-2021 : (dossier 2020, dossier 2021 qui le reconduit, nature, référence, état du bilan 2021).
CPO = [
    ("2020-110", "2021-054", "DROIT_COMMUN", "CPO-2020-004", "solde_a_verser"),
    ("2020-033", "2021-102", "DROIT_COMMUN", "CPO-2020-007", "bilan_depose"),
    ("2020-127", "2021-136", "SPECIFIQUE", "CPO-2020-011", "a_completer"),
]
# Conventions annuelles 2021 : (dossier, nature, référence, état).
ANNUELLES = [
    ("2021-002", "DROIT_COMMUN", "CONV-2021-015", "solde_verse"),
    ("2021-055", "SPECIFIQUE", "CONV-2021-016", "solde_verse"),
    ("2021-012", "SPECIFIQUE", "CONV-2021-018", "solde_a_verser"),
    ("2021-031", "SPECIFIQUE", "CONV-2021-021", "bilan_depose"),
    ("2021-046", "DROIT_COMMUN", "CONV-2021-022", "en_retard"),
    ("2021-032", "DROIT_COMMUN", "CONV-2021-023", "en_retard"),
    ("2021-010", "DROIT_COMMUN", "CONV-2021-024", "avance_non_versee"),
]
DECISIONS = {
    2020: (D(2020, 3, 12), Instance.BUREAU, "B-2020-031"),
    2021: (D(2021, 3, 30), Instance.CONSEIL, "DEL-2021-045"),
    2024: (D(2024, 4, 11), Instance.CONSEIL, "DEL-2024-052"),
}
# Contrat Engagements Quartiers 2030 : les CPO 2024-2026 des actions marquées « cpo » dans les fichiers de la
# démonstration (inventées). État du bilan 2025 selon le rang de la CPO ; les autres voient leur solde 2025 versé.
ETATS_2025 = {3: "bilan_depose", 7: "bilan_depose", 11: "bilan_depose", 15: "en_retard"}


def _pdf(titre: str) -> ContentFile:
    ecrivain = PdfWriter()
    ecrivain.add_blank_page(width=595, height=842)
    ecrivain.add_metadata({"/Title": f"{titre} (démonstration)"})
    tampon = io.BytesIO()
    ecrivain.write(tampon)
    return ContentFile(tampon.getvalue(), name="bilan.pdf")


def _ligne(numero: str, nature: str, annee: int | None = None) -> LigneFinancement:
    filtre = {"dossier__programmation__annee": annee} if annee else {}
    return LigneFinancement.objects.select_related("dossier__programmation").get(
        **filtre,
        dossier__numero=numero,
        dossier__statut=StatutDossier.RETENU,
        financeur__code=CodeFinanceur.AGGLO,
        nature=nature,
    )


def _verser(tranche, type_echeance, jour, mandat):
    echeance = tranche.echeances.filter(type=type_echeance).first()
    if echeance is not None:
        services.enregistrer_versement(
            echeance=echeance, date=jour, montant=echeance.montant, reference_mandat=mandat
        )


def _bilans(tranche, etat: str, jour: datetime.date) -> None:
    """Dépôt, examen et solde selon l'état voulu de la tranche."""
    if etat in ("en_retard", "avance_non_versee"):
        return  # rien de déposé : en retard passé le 30 juin de l'année suivante
    for bilan in tranche.bilans.order_by("type"):
        services.deposer_bilan(bilan=bilan, fichier=_pdf(str(bilan)), par=None)
        if etat == "bilan_depose":
            continue  # à examiner : le solde attend
        if etat == "a_completer" and bilan.type == TypeBilan.QUALITATIF:
            services.examiner_bilan(
                bilan=bilan,
                statut=StatutBilan.A_COMPLETER,
                message="Merci de joindre le nombre de participants par sexe et la liste des ateliers tenus.",
            )
        else:
            services.examiner_bilan(bilan=bilan, statut=StatutBilan.ACCEPTE)
    if etat == "solde_verse":
        _verser(tranche, TypeEcheance.SOLDE, jour, f"M-{jour.year}-{tranche.pk:05d}-S")


@transaction.atomic
def charger() -> str:
    with acteur(None, source="demo"):
        crees = 0
        for n2020, n2021, nature, reference, etat in CPO:
            if Convention.objects.filter(reference=reference).exists():
                continue
            source, suite = _ligne(n2020, nature), _ligne(n2021, nature)
            # La reconduction : l'action 2021 est celle de 2020 (le service y porte la tranche 2021).
            Dossier.objects.filter(pk=suite.dossier_id).update(dossier_precedent=source.dossier_id)
            date_decision, instance, ref_decision = DECISIONS[2020]
            cpo = services.enregistrer_convention(
                source=source,
                type=TypeConvention.CPO,
                reference=reference,
                tranches={2020: source.montant_accorde, 2021: suite.montant_accorde},
                decision_date=date_decision,
                decision_instance=instance,
                decision_reference=ref_decision,
                date_signature=D(2020, 4, 6),
                taux_avance=Decimal("0.60"),
            )
            t2020, t2021 = cpo.tranches.order_by("annee")
            _verser(t2020, TypeEcheance.AVANCE, D(2020, 5, 4), f"M-2020-{t2020.pk:05d}-A")
            _bilans(t2020, "solde_verse", D(2021, 7, 19))
            _verser(t2021, TypeEcheance.AVANCE, D(2021, 2, 22), f"M-2021-{t2021.pk:05d}-A")
            _bilans(t2021, etat, D(2022, 7, 18))
            crees += 1
        for numero, nature, reference, etat in ANNUELLES:
            if Convention.objects.filter(reference=reference).exists():
                continue
            ligne = _ligne(numero, nature)
            date_decision, instance, ref_decision = DECISIONS[2021]
            convention = services.enregistrer_convention(
                source=ligne,
                type=TypeConvention.ANNUELLE,
                reference=reference,
                tranches={2021: ligne.montant_accorde},
                decision_date=date_decision,
                decision_instance=instance,
                decision_reference=ref_decision,
                date_signature=D(2021, 4, 15),
            )
            tranche = convention.tranches.get()
            if etat != "avance_non_versee":
                _verser(tranche, TypeEcheance.AVANCE, D(2021, 5, 10), f"M-2021-{tranche.pk:05d}-A")
            _bilans(tranche, etat, D(2022, 7, 18))
            crees += 1
        crees += charger_cpo_2024()
        # Une lettre de notification déjà générée et figée : l'agent la retrouve sur la fiche de la CPO.
        decision = Decision.objects.get(convention__reference=CPO[0][3])
        if not decision.documents.exists():
            documents.generer_document(decision=decision, type_document=TypeDocument.NOTIFICATION)
    return f"{crees} convention(s) créée(s), {Convention.objects.count()} en tout"


def charger_cpo_2024() -> int:
    """Les CPO 2024-2026 du contrat Engagements Quartiers 2030 : chaque tranche portée par la ligne de
    l'agglomération du dossier reconduit de son année (fichiers `programmation_2024/2025/2026.json`)."""
    if not Dossier.objects.filter(programmation__annee=2024).exists():
        return 0
    par_annee = {a: demo_programmation.lire(f"programmation_{a}.json") for a in (2024, 2025, 2026)}
    suites = {a: {r["dossier_precedent"]: r["numero"] for r in par_annee[a]} for a in (2025, 2026)}
    crees = 0
    for rang, row in enumerate((r for r in par_annee[2024] if r.get("cpo")), start=1):
        reference = f"CPO-2024-{rang:03d}"
        if Convention.objects.filter(reference=reference).exists():
            continue
        n2025 = suites[2025][row["numero"]]
        n2026 = suites[2026][n2025]
        lignes = {
            annee: _ligne(numero, "SPECIFIQUE", annee)
            for annee, numero in ((2024, row["numero"]), (2025, n2025), (2026, n2026))
        }
        date_decision, instance, ref_decision = DECISIONS[2024]
        cpo = services.enregistrer_convention(
            source=lignes[2024],
            type=TypeConvention.CPO,
            reference=reference,
            tranches={annee: ligne.montant_accorde for annee, ligne in lignes.items()},
            decision_date=date_decision,
            decision_instance=instance,
            decision_reference=ref_decision,
            date_signature=D(2024, 5, 2),
            taux_avance=Decimal("0.60"),
        )
        t2024, t2025, t2026 = cpo.tranches.order_by("annee")
        _verser(t2024, TypeEcheance.AVANCE, D(2024, 5, 21), f"M-2024-{t2024.pk:05d}-A")
        _bilans(t2024, "solde_verse", D(2025, 7, 17))
        _verser(t2025, TypeEcheance.AVANCE, D(2025, 2, 18), f"M-2025-{t2025.pk:05d}-A")
        _bilans(t2025, ETATS_2025.get(rang, "solde_verse"), D(2026, 7, 16))
        _verser(t2026, TypeEcheance.AVANCE, D(2026, 2, 17), f"M-2026-{t2026.pk:05d}-A")
        crees += 1
    return crees
