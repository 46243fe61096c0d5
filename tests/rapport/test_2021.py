"""Le rapport 2021 sur les données de démonstration : chaque chiffre de DOMAIN.md, lu dans le texte du PDF."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command

from programmation.models import LigneFinancement
from rapport.enums import StatutRapport
from rapport.rendu import html_du_rapport
from rapport.services import faire_avancer_rapport, obtenir_rapport
from tests.pdf import remplissage_des_pages

from .test_rendu import texte_pdf

ENVOI = datetime.date(2022, 10, 7)
LIMITE = datetime.date(2022, 11, 7)


def lignes(texte: str) -> list[str]:
    """Les lignes du PDF, espaces répétés ramenés à un seul (le texte mis en page aligne les colonnes)."""
    return [re.sub(r"\s+", " ", ligne).strip() for ligne in texte.splitlines()]


def une_ligne(texte: str, motif: str) -> bool:
    return any(re.search(motif, ligne) for ligne in lignes(texte))


@pytest.fixture
def texte_2021(donnees_demo, tmp_path):
    sortie = tmp_path / "r.pdf"
    call_command("rapport_annuel", "2021", "--output", str(sortie))
    return texte_pdf(sortie.read_bytes(), tmp_path)


@pytest.mark.django_db
def test_aucune_page_a_moitie_vide_hors_couverture_sommaire_et_fin(donnees_demo):
    """Les sections courtes s'enchaînent : hors la couverture, le sommaire (une page à lui seul) et la fin de
    l'annexe, chaque page du rapport 2021 est remplie au moins à moitié."""
    remplissage = remplissage_des_pages(html_du_rapport(obtenir_rapport(annee=2021)))
    assert len(remplissage) >= 10, remplissage
    exceptions = {1, 2, len(remplissage)}
    assert {n: r for n, r in enumerate(remplissage, 1) if r < 50 and n not in exceptions} == {}, remplissage


@pytest.mark.django_db
def test_rapport_2021_contient_chaque_chiffre_du_rapport_de_reference(texte_2021):
    t = " ".join(lignes(texte_2021))
    # 1. Territoire
    assert "21 quartiers concernés sur le territoire, dont 16 QPV reconnus par l'État" in t
    # 2. Programmation
    assert "montant total de 6 931 463,00 €" in t
    assert "Sur les 141 projets déposés" in t
    assert "122 actions ont été soutenues au titre des crédits" in t
    assert "mobilisent 72 % des crédits de la programmation (69 % en 2020)" in t
    # 3. Par pilier, montant et taux sur la même ligne du tableau
    for motif in [
        r"^Cohésion sociale 4 734 927,00 € 68,3$",
        r"^Cadre de vie, renouvellement urbain 724 721,00 € 10,5$",
        r"^Emploi et développement économique 1 407 515,00 € 20,3$",
        r"^Pilotage, qualification des acteurs, évaluation 64 300,00 € 0,9$",
        r"^Total 6 931 463,00 € 100,0$",
    ]:
        assert une_ligne(texte_2021, motif), motif
    assert "Il représente 87 % des crédits de l'État" in t
    # 4. Droit commun / spécifiques par pilier
    for motif in [
        r"^Cohésion sociale 2 030 892 € 2 704 035 € 4 734 927 €$",
        r"^Cadre de vie 52 050 € 672 671 € 724 721 €$",
        r"^Emploi & attractivité 704 966 € 702 549 € 1 407 515 €$",
        r"^Pilotage du contrat 11 025 € 53 275 € 64 300 €$",
    ]:
        assert une_ligne(texte_2021, motif), motif
    assert "59,6 % des crédits de la programmation sont des crédits spécifiques" in t
    assert "soit 4 132 530,00 €" in t
    # 5. Opérateurs associatifs (colonnes dans l'ordre des piliers du contrat : CS, cadre de vie, emploi, pilotage)
    assert une_ligne(texte_2021, r"^2021 75 54 2 18 1$")
    assert une_ligne(texte_2021, r"^Part \(%\) 100,0 72,0 2,7 24,0 1,3$")
    # 6. FCS
    assert "Une enveloppe FCS de 92 921 € a permis de soutenir 22 projets" in t
    assert "selon 5 axes d'intervention" in t
    for sous_total in ["6 750 €", "18 246 €", "19 350 €", "33 575 €", "15 000 €"]:
        assert re.search(rf"Total \d\. [^€]*? {sous_total}", t), sous_total
    assert "Total du fonds de cohésion sociale 2021 92 921 €" in t
    # 7. Fonds de concours
    assert "169 541 € ont été attribués à 3 communes" in t
    # Les colonnes ont la taille de leur contenu : le nom de la commune ne se coupe plus (« Bruay-la-/Buissière »).
    for commune, montant in [
        ("Divion", "68 049 €"),
        ("Bruay-la-Buissière", "32 111 €"),
        ("Hersin-Coupigny", "69 381 €"),
    ]:
        assert une_ligne(texte_2021, rf"^{commune} .* {montant}$"), commune
    # 8. Focus, PNRU, organisation, géographie, perspectives
    assert "Focus 4" in t and "Focus 5" not in t
    assert "42 aidants numériques" in t
    for titre in [
        "Le Programme National de Renouvellement Urbain",
        "Le service « Politique de la Ville » de l'agglomération",
        "Géographie de la politique de la ville",
        "Perspectives",
    ]:
        assert titre.lower() in t.lower(), titre
    # Le chiffre faux du rapport fait à la main n'apparaît jamais.
    assert "6 931 143" not in t
    assert "6931143" not in t.replace(" ", "")


@pytest.mark.django_db
def test_definitif_2021_inchange_apres_modification_et_projet_2020_change(
    donnees_demo, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    directeur = User.objects.create_user("directeur", is_staff=True)
    directeur.user_permissions.add(
        *Permission.objects.filter(codename__in=["approuver_rapportannuel", "view_rapportannuel"])
    )
    rapport = obtenir_rapport(annee=2021)
    rapport = faire_avancer_rapport(
        rapport=rapport, vers=StatutRapport.ADOPTE, par=directeur, date=datetime.date(2022, 9, 27)
    )
    rapport = faire_avancer_rapport(
        rapport=rapport, vers=StatutRapport.EN_CONSULTATION, par=directeur, date=ENVOI, date_limite=LIMITE
    )
    rapport = faire_avancer_rapport(
        rapport=rapport,
        vers=StatutRapport.DEFINITIF,
        par=directeur,
        date=datetime.date(2022, 12, 6),
        en_connaissance_de_cause=True,
    )
    assert rapport.chiffres_definitifs["total"] == "6931463.00"
    client.force_login(directeur)
    definitif_avant = client.get("/rapport-annuel/2021/pdf/").content
    projet_2020_avant = client.get("/rapport-annuel/2020/pdf/").content
    texte = " ".join(lignes(texte_pdf(definitif_avant, tmp_path)))
    assert "Version définitive" in texte and "Approuvé le 6 décembre 2022" in texte

    for annee in (2021, 2020):
        ligne = LigneFinancement.objects.filter(
            dossier__programmation__annee=annee, dossier__statut="RETENU", montant_accorde__gt=0
        ).first()
        ligne.montant_accorde += Decimal("1000.00")
        ligne.save()

    assert client.get("/rapport-annuel/2021/pdf/").content == definitif_avant
    projet_2020_apres = client.get("/rapport-annuel/2020/pdf/").content

    def total(pdf):
        texte = " ".join(lignes(texte_pdf(pdf, tmp_path)))
        return Decimal(
            re.search(r"montant total de ([\d ]+,\d\d) €", texte)[1].replace(" ", "").replace(",", ".")
        )

    # Le projet 2020 se recalcule (un PDF diffère de toute façon par sa date : on compare ses chiffres).
    assert total(projet_2020_apres) == total(projet_2020_avant) + 1000
