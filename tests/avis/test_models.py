"""Règles portées par les modèles et la base : délai d'un mois, un avis par organisme, organisme bien typé."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from avis.dates import un_mois_apres
from avis.models import Avis, Consultation, Organisme
from contrat_ville.models import Commune

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("envoi", "attendu"),
    [
        (datetime.date(2022, 10, 7), datetime.date(2022, 11, 7)),
        (datetime.date(2022, 1, 31), datetime.date(2022, 2, 28)),
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)),
        (datetime.date(2022, 12, 15), datetime.date(2023, 1, 15)),
    ],
)
def test_un_mois_apres(envoi, attendu):
    assert un_mois_apres(envoi) == attendu


def test_delai_de_trois_semaines_refuse_avec_un_message_clair(rapport):
    consultation = Consultation(
        programmation=rapport.programmation,
        date_envoi=datetime.date(2022, 10, 7),
        date_limite=datetime.date(2022, 10, 28),
    )
    with pytest.raises(ValidationError) as erreur:
        consultation.full_clean()
    message = " ".join(erreur.value.message_dict["date_limite"])
    assert "ne peut être inférieur à un mois" in message
    assert "07/11/2022" in message


def test_la_base_refuse_aussi_un_delai_de_trois_semaines(rapport):
    with pytest.raises(IntegrityError), transaction.atomic():
        Consultation.objects.create(
            programmation=rapport.programmation,
            date_envoi=datetime.date(2022, 10, 7),
            date_limite=datetime.date(2022, 10, 28),
        )
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("envoi", "limite"),
    [
        (datetime.date(2022, 10, 7), datetime.date(2022, 11, 7)),
        (datetime.date(2022, 1, 31), datetime.date(2022, 2, 28)),
    ],
)
def test_un_mois_tout_juste_est_accepte_par_le_modele_et_la_base(rapport, envoi, limite):
    consultation = Consultation(programmation=rapport.programmation, date_envoi=envoi, date_limite=limite)
    consultation.full_clean()
    consultation.save()
    assert Consultation.objects.get().date_limite == limite


def test_la_base_refuse_la_veille_du_mois(rapport):
    with pytest.raises(IntegrityError), transaction.atomic():
        Consultation.objects.create(
            programmation=rapport.programmation,
            date_envoi=datetime.date(2022, 1, 31),
            date_limite=datetime.date(2022, 2, 27),
        )


def test_un_organisme_est_une_commune_ou_un_conseil_citoyen(mont_liebaut):
    commune = Commune.objects.get(nom="Béthune")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisme.objects.create(commune=commune, conseil_citoyen=mont_liebaut.conseil_citoyen)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisme.objects.create()


def test_un_seul_avis_par_organisme_et_consultation(consultation, bethune, agent):
    champs = {
        "consultation": consultation,
        "organisme": bethune,
        "decision": "FAVORABLE",
        "date_seance": datetime.date(2022, 10, 20),
        "depose_par": agent,
        "depose_le": datetime.datetime(2022, 10, 21, tzinfo=datetime.UTC),
    }
    Avis.objects.create(**champs)
    with pytest.raises(IntegrityError), transaction.atomic():
        Avis.objects.create(**champs)
