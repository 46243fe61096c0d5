"""La démonstration de l'après-vote : plausible, idempotente, sans toucher aux chiffres du rapport 2021."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from conventions import selectors
from conventions.enums import StatutBilan, TypeConvention, TypeEcheance
from conventions.models import Bilan, Convention, DocumentGenere, Versement
from programmation.models import Dossier
from programmation.selectors.chiffres import chiffres_par_annee

pytestmark = pytest.mark.django_db


def test_la_demo_montre_chaque_etat_de_l_apres_vote_sans_changer_2021():
    call_command("demo", stdout=StringIO())
    assert chiffres_par_annee(Dossier.objects.all())[2021].total == Decimal("6931463.00")

    assert Convention.objects.filter(type=TypeConvention.CPO, annee_debut=2020, annee_fin=2021).count() == 3
    assert Versement.objects.filter(echeance__type=TypeEcheance.AVANCE).exists()
    # Le solde attend le bilan, un bilan est à compléter, d'autres sont en retard.
    assert Bilan.objects.filter(statut=StatutBilan.DEPOSE).exists()
    assert Bilan.objects.filter(statut=StatutBilan.A_COMPLETER).exclude(message="").count() == 1
    assert Bilan.objects.filter(statut=StatutBilan.ATTENDU, date_limite__lt=datetime.date.today()).exists()
    suivi = selectors.suivi_financier(selectors.tranches_de_l_annee(2021))
    assert Decimal("0") < suivi.paye < suivi.accorde and suivi.en_retard > 0
    # La tranche 2021 d'une CPO est portée par le dossier 2021 qui reconduit celui de 2020.
    cpo = Convention.objects.get(reference="CPO-2020-004")
    assert (
        cpo.tranches.get(annee=2021).ligne.dossier.dossier_precedent
        == cpo.tranches.get(annee=2020).ligne.dossier
    )

    # Une lettre de notification générée et figée, une seule même après un second chargement.
    assert DocumentGenere.objects.get().decision.convention == cpo

    nombre = (Convention.objects.count(), Versement.objects.count(), Bilan.objects.count())
    call_command("demo", stdout=StringIO())
    assert (Convention.objects.count(), Versement.objects.count(), Bilan.objects.count()) == nombre
    assert DocumentGenere.objects.count() == 1
