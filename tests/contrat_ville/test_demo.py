"""La commande `demo` : idempotente, elle charge le territoire, les années 2020 à 2022 et les comptes."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.utils import timezone

from avis.models import Consultation
from comptes import roles
from comptes.demo import COMPTES
from contrat_ville.models import ConseilCitoyen, Porteur
from fcs.models import FondsDeConcours, SubventionFCS
from noyau.validators import valider_siret
from programmation import demo as demo_programmation
from programmation.models import BlocNarratif, Dossier, LigneFinancement
from rapport.enums import StatutRapport
from rapport.models import RapportAnnuel


def photographie():
    return (
        Porteur.objects.count(),
        Dossier.objects.count(),
        LigneFinancement.objects.count(),
        Dossier.quartiers.through.objects.count(),
        SubventionFCS.objects.count(),
        FondsDeConcours.objects.count(),
        BlocNarratif.objects.count(),
        get_user_model().objects.count(),
        ConseilCitoyen.objects.count(),
        sorted(LigneFinancement.objects.values_list("montant_accorde", flat=True)),
    )


@pytest.mark.django_db
def test_demo_charge_tout_et_se_relance_sans_rien_dupliquer():
    call_command("demo", stdout=StringIO())
    premiere = photographie()
    # 141 dossiers 2021 (le rapport), 132 en 2020, et l'année 2022 en consultation (fichier de démonstration).
    nb_2022 = len(
        json.loads((settings.BASE_DIR / "fixtures/demo/programmation_2022.json").read_text("utf-8"))
    )
    assert nb_2022 > 100
    assert premiere[1] == 141 + 132 + nb_2022
    assert premiere[4] == 22
    assert premiere[5] == 3
    assert premiere[6] == 5 + 5  # les blocs rédigés de 2021 et de 2022
    assert premiere[8] == 16

    sortie = StringIO()
    call_command("demo", stdout=sortie)
    assert photographie() == premiere
    assert "Données de démonstration chargées." in sortie.getvalue()
    # Le cycle vivant : 2021 reste close, 2022 est en consultation jusqu'après le jour du chargement.
    consultation = Consultation.objects.get(programmation__annee=2022)
    assert consultation.date_limite > timezone.localdate() >= consultation.date_envoi
    assert RapportAnnuel.objects.get(programmation__annee=2022).statut == StatutRapport.EN_CONSULTATION
    assert Consultation.objects.get(programmation__annee=2021).date_limite < timezone.localdate()
    assert (
        Consultation.objects.filter(programmation__annee=2022).count() == 1
    )  # relancée, la démo ne relance rien

    attendus = {
        "agent": (roles.AGENT, True),
        "directeur": (roles.DIRECTEUR, True),
        "commune.bethune": (roles.SERVICE_COMMUNE, False),
        "cc.mont-liebaut": (roles.CONSEIL_CITOYEN, False),
    }
    for compte in COMPTES:
        user = authenticate(username=compte.identifiant, password=compte.mot_de_passe)
        assert user is not None, compte.identifiant
        groupe, staff = attendus[compte.identifiant]
        assert list(user.groups.values_list("name", flat=True)) == [groupe]
        assert user.is_staff is staff
        assert not user.is_superuser


@pytest.mark.django_db
def test_demo_remet_les_dossiers_de_demonstration_dans_l_etat_du_rapport(donnees_demo):
    ligne = LigneFinancement.objects.filter(montant_accorde__gt=0).order_by("pk").first()
    montant = ligne.montant_accorde
    ligne.montant_accorde += 1000
    ligne.save()
    ajoutee = LigneFinancement.objects.create(
        dossier=ligne.dossier, financeur=ligne.financeur, nature="", montant_accorde=5
    )
    demo_programmation.charger()
    ligne.refresh_from_db()
    assert ligne.montant_accorde == montant
    assert not LigneFinancement.objects.filter(pk=ajoutee.pk).exists()


def test_le_readme_publie_les_mots_de_passe_de_demonstration():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    for compte in COMPTES:
        assert f"`{compte.identifiant}`" in readme
        assert f"`{compte.mot_de_passe}`" in readme


def test_les_siret_des_porteurs_de_demonstration_ont_une_cle_valide():
    porteurs = json.loads((settings.BASE_DIR / "fixtures/demo/porteurs.json").read_text(encoding="utf-8"))
    avec_siret = [p for p in porteurs if p["siret"]]
    assert len(avec_siret) == 14
    for p in avec_siret:
        valider_siret(p["siret"])
