import datetime
import hashlib

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied, ValidationError

from contrat_ville.enums import CodeFinanceur
from noyau.empreintes import FichierAltere
from programmation.models import LigneFinancement
from rapport.enums import StatutRapport
from rapport.models import RapportAnnuel, TransitionRapport
from rapport.rendu import pdf_du_rapport
from rapport.services import faire_avancer_rapport

from .donnees_rapport import annee, dossier

ENVOI = datetime.date(2022, 10, 7)
LIMITE = datetime.date(2022, 11, 7)
SEANCE = datetime.date(2022, 9, 27)
APPROBATION = datetime.date(2022, 12, 6)


@pytest.fixture
def directeur(db):
    user = User.objects.create_user("directrice", is_staff=True, first_name="Claire", last_name="Dubois")
    user.user_permissions.add(
        Permission.objects.get(codename="approuver_rapportannuel"),
        Permission.objects.get(codename="view_rapportannuel"),
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def approuver(rapport, par, **options):
    rapport = faire_avancer_rapport(rapport=rapport, vers=StatutRapport.ADOPTE, par=par, date=SEANCE)
    rapport = faire_avancer_rapport(
        rapport=rapport, vers=StatutRapport.EN_CONSULTATION, par=par, date=ENVOI, date_limite=LIMITE
    )
    return faire_avancer_rapport(
        rapport=rapport, vers=StatutRapport.DEFINITIF, par=par, date=APPROBATION, **options
    )


@pytest.mark.django_db
def test_cycle_complet_trace_qui_et_quand(directeur):
    rapport = approuver(annee(2040), directeur)
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.DEFINITIF
    assert rapport.date_seance_conseil == SEANCE and rapport.date_approbation == APPROBATION
    transitions = list(rapport.transitions.order_by("le"))
    assert [(t.de, t.vers) for t in transitions] == [
        (StatutRapport.PROJET, StatutRapport.ADOPTE),
        (StatutRapport.ADOPTE, StatutRapport.EN_CONSULTATION),
        (StatutRapport.EN_CONSULTATION, StatutRapport.DEFINITIF),
    ]
    assert all(t.par == directeur and t.le is not None for t in transitions)


@pytest.mark.django_db
def test_jamais_en_arriere_ni_par_saut(directeur):
    rapport = annee(2041)
    with pytest.raises(ValidationError, match="jamais revenir en arrière"):
        faire_avancer_rapport(rapport=rapport, vers=StatutRapport.DEFINITIF, par=directeur, date=APPROBATION)
    rapport = faire_avancer_rapport(rapport=rapport, vers=StatutRapport.ADOPTE, par=directeur, date=SEANCE)
    with pytest.raises(ValidationError):
        faire_avancer_rapport(rapport=rapport, vers=StatutRapport.PROJET, par=directeur)
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.ADOPTE
    assert rapport.transitions.count() == 1


@pytest.mark.django_db
def test_adoption_demande_la_date_de_seance(directeur):
    rapport = annee(2042)
    with pytest.raises(ValidationError) as erreur:
        faire_avancer_rapport(rapport=rapport, vers=StatutRapport.ADOPTE, par=directeur)
    assert "séance" in str(erreur.value)
    assert not TransitionRapport.objects.filter(rapport=rapport).exists()


@pytest.mark.django_db
def test_sans_la_permission_d_approuver_rien_ne_bouge(directeur):
    agent = User.objects.create_user("agent", is_staff=True)
    rapport = annee(2043)
    with pytest.raises(PermissionDenied):
        faire_avancer_rapport(rapport=rapport, vers=StatutRapport.ADOPTE, par=agent, date=SEANCE)
    assert RapportAnnuel.objects.get(pk=rapport.pk).statut == StatutRapport.PROJET


@pytest.mark.django_db
def test_definitif_fige_pdf_et_chiffres_un_autre_projet_change(directeur):
    rapport = approuver(annee(2044, nb_dossiers=2), directeur)
    autre = annee(2045, nb_dossiers=2)
    definitif_avant = pdf_du_rapport(RapportAnnuel.objects.get(pk=rapport.pk))
    projet_avant = pdf_du_rapport(autre)
    assert hashlib.sha256(definitif_avant).hexdigest() == rapport.empreinte_sha256
    assert rapport.chiffres_definitifs["total"] == "3001.00"

    for ligne in LigneFinancement.objects.filter(dossier__programmation__annee__in=[2044, 2045]):
        ligne.montant_accorde += 1000
        ligne.save()

    assert pdf_du_rapport(RapportAnnuel.objects.get(pk=rapport.pk)) == definitif_avant
    assert RapportAnnuel.objects.get(pk=rapport.pk).chiffres_definitifs["total"] == "3001.00"
    assert pdf_du_rapport(autre) != projet_avant


@pytest.mark.django_db
def test_pdf_definitif_altere_est_refuse(directeur):
    rapport = approuver(annee(2046, nb_dossiers=1), directeur)
    chemin = rapport.pdf_definitif.path
    with open(chemin, "ab") as fichier:
        fichier.write(b"%ajout")
    with pytest.raises(FichierAltere, match="empreinte"):
        pdf_du_rapport(RapportAnnuel.objects.get(pk=rapport.pk))


@pytest.mark.django_db
def test_approbation_en_connaissance_de_cause_des_anomalies(directeur):
    rapport = annee(2047, nb_dossiers=1)
    dossier(rapport.programmation, "2047-VIDE", lignes=[], quartiers=())
    dossier(rapport.programmation, "2047-NAT", lignes=[(CodeFinanceur.CAF, "", "250")])
    rapport = faire_avancer_rapport(rapport=rapport, vers=StatutRapport.ADOPTE, par=directeur, date=SEANCE)
    rapport = faire_avancer_rapport(
        rapport=rapport, vers=StatutRapport.EN_CONSULTATION, par=directeur, date=ENVOI, date_limite=LIMITE
    )
    with pytest.raises(ValidationError, match="en connaissance de cause"):
        faire_avancer_rapport(rapport=rapport, vers=StatutRapport.DEFINITIF, par=directeur, date=APPROBATION)
    assert RapportAnnuel.objects.get(pk=rapport.pk).statut == StatutRapport.EN_CONSULTATION
    assert not RapportAnnuel.objects.get(pk=rapport.pk).pdf_definitif

    rapport = faire_avancer_rapport(
        rapport=rapport,
        vers=StatutRapport.DEFINITIF,
        par=directeur,
        date=APPROBATION,
        en_connaissance_de_cause=True,
    )
    derniere = rapport.transitions.order_by("le").last()
    assert "Dossiers retenus sans aucun montant accordé" in derniere.commentaire
    assert "sans nature" in derniere.commentaire
    assert "Dossiers retenus sans quartier" in derniere.commentaire


@pytest.mark.django_db
def test_approbation_avant_la_seance_refusee(directeur):
    rapport = annee(2048, nb_dossiers=1)
    rapport = faire_avancer_rapport(rapport=rapport, vers=StatutRapport.ADOPTE, par=directeur, date=SEANCE)
    rapport = faire_avancer_rapport(
        rapport=rapport, vers=StatutRapport.EN_CONSULTATION, par=directeur, date=ENVOI, date_limite=LIMITE
    )
    with pytest.raises(ValidationError, match="précéder"):
        faire_avancer_rapport(
            rapport=rapport, vers=StatutRapport.DEFINITIF, par=directeur, date=datetime.date(2022, 1, 1)
        )


@pytest.mark.django_db
def test_couverture_du_definitif(directeur, tmp_path):
    from .test_rendu import texte_pdf

    rapport = approuver(annee(2049, nb_dossiers=1), directeur)
    texte = texte_pdf(pdf_du_rapport(rapport), tmp_path)
    assert "Version définitive" in texte
    assert "Approuvé le 6 décembre 2022" in texte
