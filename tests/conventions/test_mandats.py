"""Import des mandats payés depuis l'export des finances : aperçu, tout ou rien, erreurs situées, pas de double compte."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comptes import roles
from conventions import mandats
from conventions.models import Versement
from tests.comptes import utilisateur

from .factories import convention, ligne_agglo

pytestmark = pytest.mark.django_db

ENTETE = "N° de mandat;Date du mandat;Montant;Référence;SIRET\n"


@pytest.fixture
def cpo():
    ligne = ligne_agglo(2024, Decimal("30000.00"), porteur__nom="Association Rebonds", porteur__siret="")
    return convention(
        ligne,
        {2024: Decimal("30000.00"), 2025: Decimal("20000.00")},
        reference="CPO-2024-001",
        date_signature=datetime.date(2024, 4, 2),
    )


def csv(*lignes: str) -> bytes:
    return (ENTETE + "\n".join(lignes) + "\n").encode("utf-8")


def test_l_import_enregistre_les_avances_sur_la_tranche_de_l_annee(cpo):
    contenu = csv(
        "M2024-0101;15/05/2024;15 000,00;CPO-2024-001;", "M2025-0007;2025-02-03;10000;CPO-2024-001;"
    )
    apercu = mandats.analyser("mandats.csv", contenu)
    assert not apercu.erreurs
    assert [(ligne.ligne, ligne.tranche.annee) for ligne in apercu.a_importer] == [(2, 2024), (3, 2025)]
    assert apercu.total == Decimal("25000.00")
    assert not Versement.objects.exists()  # l'aperçu n'écrit rien
    mandats.importer("mandats.csv", contenu)
    assert sorted(
        Versement.objects.values_list("reference_mandat", "montant", "echeance__tranche__annee")
    ) == [
        ("M2024-0101", Decimal("15000.00"), 2024),
        ("M2025-0007", Decimal("10000.00"), 2025),
    ]
    # Le même fichier de nouveau : rien n'est compté deux fois.
    apercu = mandats.analyser("mandats.csv", contenu)
    assert not apercu.erreurs and not apercu.a_importer
    assert [m for _, m in apercu.deja_importes] == ["M2024-0101", "M2025-0007"]
    mandats.importer("mandats.csv", contenu)
    assert Versement.objects.count() == 2


def test_une_ligne_fautive_est_nommee_avec_sa_colonne_et_rien_n_est_ecrit(cpo):
    contenu = csv(
        "M1;15/05/2024;1 000,00;CPO-2024-001;",
        "M2;16/05/2024;-50;CPO-2024-001;",
        "M3;32/05/2024;100;CPO-2024-001;",
        "M4;16/05/2024;100;CPO-INCONNUE;",
        "M1;17/05/2024;100;CPO-2024-001;",
    )
    apercu = mandats.analyser("mandats.csv", contenu)
    assert [str(e) for e in apercu.erreurs] == [
        "ligne 3, Montant : « -50 » : un montant ne peut pas être négatif ; écrivez les chiffres de 0 à 9, des "
        "espaces entre les milliers et une virgule avant les centimes, par exemple « 3 500,50 » ou « 12 000 ».",
        "ligne 4, Date du mandat : « 32/05/2024 » n'est pas une date (JJ/MM/AAAA)",
        "ligne 5, Référence : aucune convention ni dossier conventionné « CPO-INCONNUE »",
        "ligne 6, N° de mandat : le mandat M1 figure déjà ligne 2",
    ]
    with pytest.raises(Exception, match="ligne 3, Montant"):
        mandats.importer("mandats.csv", contenu)
    assert not Versement.objects.exists()


def test_un_versement_au_dela_du_reste_a_payer_est_refuse_en_comptant_les_lignes_du_fichier(cpo):
    # Avance 2024 : 15 000 € ; le solde (15 000 €) attend les bilans : au-delà de l'avance, la ligne est refusée.
    contenu = csv("M1;15/05/2024;15 000;CPO-2024-001;", "M2;16/05/2024;6 000;CPO-2024-001;")
    apercu = mandats.analyser("mandats.csv", contenu)
    assert [str(e) for e in apercu.erreurs] == [
        "ligne 3, Montant : ce versement entame le solde de la tranche 2024 de la convention CPO-2024-001, qui ne "
        "peut pas être versé avant l'acceptation du compte rendu financier et du bilan qualitatif"
    ]
    contenu = csv("M1;15/05/2024;30 000,01;CPO-2024-001;")
    assert [str(e).replace("\xa0", " ") for e in mandats.analyser("mandats.csv", contenu).erreurs] == [
        "ligne 2, Montant : ce versement (30 000,01 €) dépasse le reste à payer de la tranche 2024 de la convention "
        "CPO-2024-001 : 30 000,00 €"
    ]
    assert not Versement.objects.exists()


def test_le_siret_doit_etre_celui_du_porteur_et_le_dossier_sert_de_reference(cpo):
    porteur = cpo.porteur
    porteur.siret = "73282932000074"
    porteur.save()
    numero = cpo.tranches.get(annee=2024).ligne.dossier.numero
    contenu = csv(
        f"M1;15/05/2024;100;{numero};35600000000048", f"M2;15/05/2024;100;{numero};732 829 320 00074"
    )
    apercu = mandats.analyser("mandats.csv", contenu)
    assert [str(e) for e in apercu.erreurs] == [
        "ligne 2, SIRET : le SIRET 35600000000048 n'est pas celui de Association Rebonds (73282932000074), "
        "titulaire de la convention CPO-2024-001"
    ]


def test_un_fichier_xlsx_sans_colonne_obligatoire_est_refuse():
    classeur = openpyxl.Workbook()
    classeur.active.append(["N° de mandat", "Date du mandat", "SIRET"])
    tampon = io.BytesIO()
    classeur.save(tampon)
    apercu = mandats.analyser("export.xlsx", tampon.getvalue())
    assert [str(e) for e in apercu.erreurs] == [
        "ligne 1, Montant : colonne absente",
        "ligne 1, Référence : colonne absente",
    ]


def test_un_fichier_xlsx_avec_dates_excel(cpo):
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(["Numéro de mandat", "Date", "Montant payé", "Convention"])
    feuille.append(["M-XL-1", datetime.date(2024, 5, 15), 1500.5, "CPO-2024-001"])
    tampon = io.BytesIO()
    classeur.save(tampon)
    apercu = mandats.analyser("export.xlsx", tampon.getvalue())
    assert not apercu.erreurs
    ligne = apercu.a_importer[0]
    assert (ligne.mandat, ligne.date, ligne.montant) == (
        "M-XL-1",
        datetime.date(2024, 5, 15),
        Decimal("1500.50"),
    )


def test_la_page_d_import_montre_l_apercu_puis_enregistre(client, cpo):
    client.force_login(utilisateur("a.agent", roles.AGENT))
    url = reverse("admin:conventions_versement_importer")
    assert client.get(url).status_code == 200
    fichier = SimpleUploadedFile("mandats.csv", csv("M1;15/05/2024;1 000;CPO-2024-001;"))
    apercu = client.post(url, {"fichier": fichier})
    page = apercu.content.decode().replace("\xa0", " ")
    assert apercu.status_code == 200 and "Aperçu" in page and "1 000,00 €" in page
    assert not Versement.objects.exists()
    contenu = page.split('name="contenu" value="')[1].split('"')[0]
    reponse = client.post(url, {"confirmer": "1", "nom": "mandats.csv", "contenu": contenu})
    assert reponse.status_code == 302
    assert Versement.objects.get().reference_mandat == "M1"

    fautif = SimpleUploadedFile("mandats.csv", csv("M2;15/05/2024;abc;CPO-2024-001;"))
    reponse = client.post(url, {"fichier": fautif})
    assert reponse.status_code == 422 and "ligne 2, Montant" in reponse.content.decode()
