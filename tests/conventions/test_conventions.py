"""Décision et convention : une CPO saisie une fois compte sa tranche dans la programmation de chaque année."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contrat_ville.enums import CodeFinanceur
from conventions.enums import StatutBilan, TypeBilan, TypeEcheance
from conventions.models import Bilan, Tranche
from journal.models import EntreeJournal
from programmation.models import Dossier, LigneFinancement, Programmation
from programmation.selectors.chiffres import chiffres_par_annee
from rapport.contexte import contexte_du_rapport, controles_du_rapport
from rapport.models import RapportAnnuel
from tests.factories import LigneFinancementFactory

from .factories import convention, ligne_agglo

pytestmark = pytest.mark.django_db

TRANCHES = {2024: Decimal("30000.00"), 2025: Decimal("32000.00"), 2026: Decimal("35000.00")}


def test_une_cpo_2024_2026_compte_sa_tranche_dans_chaque_annee_de_la_programmation():
    ligne = ligne_agglo(2024, TRANCHES[2024], quartiers=["QN06208M"])
    LigneFinancementFactory(
        dossier=ligne.dossier, montant_accorde=Decimal("10000.00")
    )  # l'État, la même année

    cpo = convention(ligne, TRANCHES)

    assert (cpo.annee_debut, cpo.annee_fin, cpo.periode) == (2024, 2026, "2024-2026")
    assert cpo.decisions.get().montant == Decimal("97000.00")
    # La seule agrégation par année compte chaque tranche dans son année, sans qu'on l'ait retapée.
    points = chiffres_par_annee(Dossier.objects.filter(programmation__annee__in=[2024, 2025, 2026]))
    assert points[2024].total == Decimal("40000.00")
    assert points[2025].total == Decimal("32000.00")
    assert points[2026].total == Decimal("35000.00")
    assert points[2025].nb_retenus == points[2026].nb_retenus == 1
    # Le dossier 2025 reconduit celui de 2024, celui de 2026 celui de 2025, avec les mêmes quartiers.
    d2026 = Dossier.objects.get(programmation__annee=2026, numero=ligne.dossier.numero)
    assert d2026.dossier_precedent.dossier_precedent == ligne.dossier
    assert list(d2026.quartiers.values_list("code", flat=True)) == ["QN06208M"]
    ligne_2026 = LigneFinancement.objects.get(dossier=d2026)
    assert (ligne_2026.financeur.code, ligne_2026.montant_accorde) == (CodeFinanceur.AGGLO, TRANCHES[2026])
    assert ligne_2026.tranche.convention == cpo


def test_le_rapport_de_l_annee_2025_compte_la_tranche_2025_sans_anomalie_bloquante():
    ligne = ligne_agglo(2024, TRANCHES[2024], quartiers=["QN06208M"])
    convention(ligne, TRANCHES)
    rapport = RapportAnnuel.objects.create(programmation=Programmation.objects.get(annee=2025))

    contexte = contexte_du_rapport(rapport)

    assert contexte["chiffres"].total == Decimal("32000.00")
    assert contexte["repartition"].total == Decimal("32000.00")
    assert not [a for a in controles_du_rapport(contexte) if a.bloquante]


def test_echeancier_et_bilans_attendus_sont_crees_avec_la_convention():
    ligne = ligne_agglo(2024, Decimal("30000.00"))
    cpo = convention(
        ligne, {2024: Decimal("30000.00"), 2025: Decimal("20000.01")}, taux_avance=Decimal("0.60")
    )

    tranche = cpo.tranches.get(annee=2025)
    echeances = {e.type: e.montant for e in tranche.echeances.all()}
    assert echeances == {TypeEcheance.AVANCE: Decimal("12000.01"), TypeEcheance.SOLDE: Decimal("8000.00")}
    bilans = Bilan.objects.filter(tranche=tranche)
    assert {b.type for b in bilans} == set(TypeBilan.values)
    assert {b.date_limite for b in bilans} == {datetime.date(2026, 6, 30)}
    assert {b.statut for b in bilans} == {StatutBilan.ATTENDU}


def test_la_convention_et_ses_tranches_vont_au_journal():
    ligne = ligne_agglo(2024, Decimal("30000.00"))
    cpo = convention(ligne, {2024: Decimal("30000.00")})
    tranche = cpo.tranches.get()
    for modele, pk in (("convention", cpo.pk), ("tranche", tranche.pk), ("bilan", tranche.bilans.first().pk)):
        assert EntreeJournal.objects.filter(
            type_objet__model=modele, objet_id=str(pk), action=EntreeJournal.Action.CREATION
        ).exists(), modele


@pytest.mark.parametrize(
    "tranches, message",
    [
        ({2024: Decimal("29999.00")}, "doit être le montant accordé"),
        ({2025: Decimal("30000.00")}, "première tranche"),
        ({2024: Decimal("30000.00"), 2026: Decimal("1.00")}, "se suivent"),
        ({2024: Decimal("30000.00"), 2025: Decimal("1"), 2026: Decimal("1"), 2027: Decimal("1")}, "3 années"),
    ],
)
def test_tranches_incoherentes_refusees_sans_rien_ecrire(tranches, message):
    ligne = ligne_agglo(2024, Decimal("30000.00"))
    avant = Dossier.objects.count()
    with pytest.raises(ValidationError, match=message):
        convention(ligne, tranches)
    assert Dossier.objects.count() == avant
    assert not Tranche.objects.exists()


def test_une_ligne_de_l_etat_n_a_pas_de_convention_de_l_agglomeration():
    ligne = LigneFinancementFactory(montant_accorde=Decimal("5000.00"))
    with pytest.raises(ValidationError, match="Seules les lignes de l'agglomération"):
        convention(ligne, {ligne.dossier.programmation.annee: Decimal("5000.00")})
