"""Versements : jamais au-delà du reste à payer ; le solde attend l'acceptation des bilans de l'année."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conventions import selectors, services
from conventions.enums import StatutBilan, TypeEcheance
from conventions.models import Versement

from .factories import convention, ligne_agglo

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n%%EOF"
)


@pytest.fixture
def tranche():
    ligne = ligne_agglo(2024, Decimal("30000.00"))
    return convention(
        ligne, {2024: Decimal("30000.00")}, date_signature=datetime.date(2024, 4, 2)
    ).tranches.get()


def verser(echeance, montant, ref):
    return services.enregistrer_versement(
        echeance=echeance, date=datetime.date(2024, 5, 1), montant=Decimal(montant), reference_mandat=ref
    )


def accepter_les_bilans(tranche):
    for bilan in tranche.bilans.all():
        fichier = SimpleUploadedFile("bilan.pdf", PDF, content_type="application/pdf")
        services.deposer_bilan(bilan=bilan, fichier=fichier, par=None)
        services.examiner_bilan(bilan=bilan, statut=StatutBilan.ACCEPTE)


def test_avance_versee_puis_reste_a_payer(tranche):
    avance = tranche.echeances.get(type=TypeEcheance.AVANCE)
    assert avance.montant == Decimal("15000.00")

    verser(avance, "15000.00", "M-2024-001")

    suivi = selectors.suivi_financier(
        selectors.tranches_de_l_annee(2024), aujourdhui=datetime.date(2024, 6, 1)
    )
    assert (suivi.accorde, suivi.paye, suivi.reste) == (
        Decimal("30000.00"),
        Decimal("15000.00"),
        Decimal("15000.00"),
    )
    assert suivi.en_retard == Decimal("0.00")
    # Décision le 15/03/2024, premier versement le 01/05/2024 : 47 jours.
    assert suivi.delai_median_jours == Decimal("47")


def test_un_versement_au_dela_du_reste_est_refuse_et_rien_n_est_ecrit(tranche):
    avance = tranche.echeances.get(type=TypeEcheance.AVANCE)
    verser(avance, "15000.00", "M-2024-001")
    accepter_les_bilans(tranche)
    solde = tranche.echeances.get(type=TypeEcheance.SOLDE)

    with pytest.raises(ValidationError) as erreur:
        verser(solde, "15000.01", "M-2024-002")

    assert erreur.value.message_dict["montant"] == [
        "Ce versement (15\u00a0000,01\u00a0€) dépasse le reste à payer de la tranche 2024 : 15\u00a0000,00\u00a0€."
    ]
    assert Versement.objects.filter(echeance__tranche=tranche).count() == 1
    verser(solde, "15000.00", "M-2024-002")
    assert selectors.reste_a_payer(tranche) == Decimal("0.00")


def test_le_solde_ne_peut_pas_etre_paye_avant_l_acceptation_du_bilan(tranche):
    solde = tranche.echeances.get(type=TypeEcheance.SOLDE)
    with pytest.raises(ValidationError, match="avant l'acceptation du compte rendu financier"):
        verser(solde, "100.00", "M-2024-003")
    # Un bilan déposé, ou à compléter, ne suffit pas.
    financier, qualitatif = tranche.bilans.order_by("type")
    services.deposer_bilan(bilan=financier, fichier=SimpleUploadedFile("b.pdf", PDF), par=None)
    services.examiner_bilan(bilan=financier, statut=StatutBilan.ACCEPTE)
    services.deposer_bilan(bilan=qualitatif, fichier=SimpleUploadedFile("b.pdf", PDF), par=None)
    services.examiner_bilan(
        bilan=qualitatif, statut=StatutBilan.A_COMPLETER, message="Joindre la liste des ateliers."
    )
    with pytest.raises(ValidationError, match="avant l'acceptation"):
        verser(solde, "100.00", "M-2024-003")
    assert not Versement.objects.exists()

    services.deposer_bilan(bilan=qualitatif, fichier=SimpleUploadedFile("b.pdf", PDF), par=None)
    services.examiner_bilan(bilan=qualitatif, statut=StatutBilan.ACCEPTE)
    assert verser(solde, "100.00", "M-2024-003").montant == Decimal("100.00")


def test_avance_echue_non_versee_est_en_retard(tranche):
    suivi = selectors.suivi_financier(
        selectors.tranches_de_l_annee(2024), aujourdhui=datetime.date(2024, 5, 1)
    )
    assert suivi.en_retard == Decimal("15000.00")
    avant = selectors.suivi_financier(
        selectors.tranches_de_l_annee(2024), aujourdhui=datetime.date(2024, 4, 1)
    )
    assert avant.en_retard == Decimal("0.00")


def test_titre_de_recette_borne_par_ce_qui_a_ete_verse(tranche):
    verser(tranche.echeances.get(type=TypeEcheance.AVANCE), "15000.00", "M-2024-001")
    with pytest.raises(ValidationError, match="dépasse ce qui a été versé"):
        services.emettre_titre_recette(
            tranche=tranche, date=datetime.date(2025, 9, 1), montant=Decimal("15000.01"), reference="T-1"
        )
    services.emettre_titre_recette(
        tranche=tranche, date=datetime.date(2025, 9, 1), montant=Decimal("2500.00"), reference="T-1"
    )
    suivi = selectors.suivi_financier(
        selectors.tranches_de_l_annee(2024), aujourdhui=datetime.date(2025, 9, 2)
    )
    assert suivi.recouvre == Decimal("2500.00")


def test_suivi_financier_en_une_requete(tranche, django_assert_num_queries):
    for annee in (2024,):
        ligne = ligne_agglo(annee, Decimal("1000.00"))
        convention(ligne, {annee: Decimal("1000.00")})
    with django_assert_num_queries(1):
        suivi = selectors.suivi_financier(selectors.tranches_de_l_annee(2024))
    assert len(suivi.lignes) == 2
