import datetime
from decimal import Decimal

import pytest

from contrat_ville.models import Contrat, Quartier
from indicateurs.enums import SensSouhaite
from indicateurs.models import Indicateur, ValeurIndicateur


@pytest.fixture
def contrat_2024(db):
    contrat = Contrat.objects.create(
        nom="Engagements Quartiers 2030",
        epci="CABBALR",
        date_signature=datetime.date(2024, 3, 29),
        date_fin=datetime.date(2030, 12, 31),
        annee_mi_parcours=2027,
        libelle_niveau="orientation",
        libelle_niveau_pluriel="orientations",
    )
    contrat.quartiers.set(Quartier.objects.filter(code__in=["QN06208M", "QN06209M", "QN06210M"]))
    return contrat


def indicateur(
    contrat,
    code="EMP-1",
    *,
    sens=SensSouhaite.HAUSSE,
    reference="40",
    cible="60",
    quartier=None,
    annee_reference=2023,
    valeurs=None,
    **champs,
):
    ind = Indicateur.objects.create(
        contrat=contrat,
        quartier=quartier,
        code=code,
        libelle=champs.pop("libelle", f"Indicateur {code}"),
        definition="Définition de test.",
        unite=champs.pop("unite", "%"),
        source="INSEE",
        sens=sens,
        valeur_reference=Decimal(reference),
        annee_reference=annee_reference,
        cible=Decimal(cible),
        **champs,
    )
    for annee, valeur in (valeurs or {}).items():
        ValeurIndicateur.objects.create(indicateur=ind, annee=annee, valeur=Decimal(valeur))
    return ind
