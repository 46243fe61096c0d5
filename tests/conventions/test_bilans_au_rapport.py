"""Un bilan accepté nourrit le rapport : ses bénéficiaires par sexe et les résultats d'une action mise en avant."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conventions import services
from conventions.enums import StatutBilan, TypeBilan
from programmation.models import Dossier
from programmation.selectors.contenus import actions_focus
from programmation.selectors.repartitions import beneficiaires_par_sexe
from programmation.selectors.selections import dossiers_de_l_annee

from .factories import convention, ligne_agglo

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n%%EOF"
)


def deposer(bilan, **chiffres):
    fichier = SimpleUploadedFile("bilan.pdf", PDF, content_type="application/pdf")
    return services.deposer_bilan(bilan=bilan, fichier=fichier, par=None, **chiffres)


def test_le_bilan_accepte_devient_les_chiffres_du_rapport():
    ligne = ligne_agglo(
        2047,
        Decimal("8000.00"),
        statut="RETENU",
        focus=True,
        focus_ordre=1,
        focus_description="Ateliers de parentalité",
        beneficiaires_femmes=10,
        beneficiaires_hommes=10,
    )
    tranche = convention(
        ligne, {2047: Decimal("8000.00")}, date_signature=datetime.date(2047, 4, 2)
    ).tranches.get()
    qualitatif = tranche.bilans.get(type=TypeBilan.QUALITATIF)
    deposer(
        qualitatif, beneficiaires_femmes=64, beneficiaires_hommes=36, resultats="36 familles accompagnées."
    )

    # Déposé, pas encore accepté : le rapport garde les chiffres du dossier.
    assert beneficiaires_par_sexe(dossiers_de_l_annee(2047)).femmes == 10
    # « À compléter » ne change rien non plus.
    services.examiner_bilan(bilan=qualitatif, statut=StatutBilan.A_COMPLETER, message="Signez le bilan.")
    assert Dossier.objects.get(pk=ligne.dossier_id).beneficiaires_femmes == 10

    deposer(
        qualitatif, beneficiaires_femmes=64, beneficiaires_hommes=36, resultats="36 familles accompagnées."
    )
    services.examiner_bilan(bilan=qualitatif, statut=StatutBilan.ACCEPTE)
    beneficiaires = beneficiaires_par_sexe(dossiers_de_l_annee(2047))
    assert (beneficiaires.femmes, beneficiaires.hommes) == (64, 36)
    (focus,) = actions_focus(dossiers_de_l_annee(2047))
    assert focus.focus_resultats == "36 familles accompagnées."


def test_un_bilan_sans_chiffres_ne_vide_pas_ceux_du_dossier():
    ligne = ligne_agglo(2048, Decimal("5000.00"), beneficiaires_femmes=12, beneficiaires_hommes=8)
    tranche = convention(
        ligne, {2048: Decimal("5000.00")}, date_signature=datetime.date(2048, 4, 2)
    ).tranches.get()
    financier = tranche.bilans.get(type=TypeBilan.FINANCIER)
    deposer(financier)
    services.examiner_bilan(bilan=financier, statut=StatutBilan.ACCEPTE)
    dossier = Dossier.objects.get(pk=ligne.dossier_id)
    assert (dossier.beneficiaires_femmes, dossier.beneficiaires_hommes) == (12, 8)
    with pytest.raises(ValidationError):
        services.examiner_bilan(bilan=financier, statut=StatutBilan.ACCEPTE)  # déjà examiné
