"""Fichiers déposés inutilisables ou piégés : un message clair en français, jamais une erreur serveur."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import openpyxl.xml.functions
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from programmation.echange.importation import importer_classeur
from programmation.models import Dossier, LigneFinancement

from .classeurs import ENTETES_DOSSIERS, ENTETES_FINANCEMENTS, classeur
from .test_admin_echange import TYPE_XLSX, URL_IMPORT
from .test_import import DOSSIERS, FINANCEMENTS


def erreurs(contenu: bytes) -> list[str]:
    rapport = importer_classeur(contenu, nom_fichier="depot.xlsx", ecrire=False)
    return [str(e) for e in rapport.erreurs]


def remplacer_membre(contenu: bytes, nom: str, nouveau: bytes) -> bytes:
    """Le même classeur dont une partie XML est remplacée."""
    sortie = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(contenu)) as source,
        zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as cible,
    ):
        for membre in source.infolist():
            cible.writestr(membre.filename, nouveau if membre.filename == nom else source.read(membre))
    return sortie.getvalue()


def test_openpyxl_lit_le_xml_avec_defusedxml():
    """L'import lit les cellules par expat, DTD refusée ; openpyxl, qui écrit les exports et peut relire des
    classeurs ailleurs dans le projet, passe bien par defusedxml."""
    assert openpyxl.DEFUSEDXML is True
    assert openpyxl.xml.functions.iterparse.__module__.startswith("defusedxml")


@pytest.mark.django_db
def test_pas_un_classeur():
    assert erreurs(b"N dossier;Annee\n2022-001;2022\n") == ["Ce fichier n'est pas un classeur Excel (.xlsx)."]
    assert erreurs(b"") == ["Le fichier est vide."]
    ancien = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    assert erreurs(ancien) == [
        "Ce fichier est au format Excel 97-2003 (.xls) : enregistrez-le au format .xlsx puis recommencez."
    ]
    zip_quelconque = io.BytesIO()
    with zipfile.ZipFile(zip_quelconque, "w") as archive:
        archive.writestr("photo.txt", "pas un classeur")
    assert erreurs(zip_quelconque.getvalue()) == ["Ce fichier n'est pas un classeur Excel (.xlsx)."]


@pytest.mark.django_db
def test_classeur_abime():
    contenu = classeur(DOSSIERS, FINANCEMENTS)
    abime = remplacer_membre(contenu, "xl/workbook.xml", b"<workbook><pas fini")
    assert erreurs(abime) == [
        "Ce classeur Excel est abîmé ou illisible : ouvrez-le et enregistrez-le à nouveau."
    ]


@pytest.mark.django_db
def test_feuille_ou_colonne_absente():
    sans_financements = classeur(feuilles={"Dossiers": [ENTETES_DOSSIERS, *DOSSIERS]})
    assert erreurs(sans_financements) == ["Financements : feuille « Financements » absente du classeur"]
    entetes = [e for e in ENTETES_DOSSIERS if e != "Intitulé"]
    assert erreurs(classeur([], [], entetes_dossiers=entetes)) == [
        "Dossiers, ligne 1, Intitulé : colonne absente"
    ]
    # Les en-têtes se reconnaissent sans casse ni accents, dans n'importe quel ordre ; les noms de feuilles aussi.
    entetes = ["MONTANT ACCORDE", "montant sollicite", "nature", "financeur", "annee", "N° Dossier"]
    lignes = [[f[5], f[4], f[3], f[2], f[1], f[0]] for f in FINANCEMENTS]
    feuilles = {"DOSSIERS": [ENTETES_DOSSIERS, *DOSSIERS], "financements": [entetes, *lignes]}
    assert erreurs(classeur(feuilles=feuilles)) == []


@pytest.mark.django_db
def test_classeur_vide():
    assert erreurs(classeur([], [])) == ["Le classeur ne contient aucune ligne à importer."]
    wb = openpyxl.Workbook()
    wb.create_sheet("Financements")
    wb.active.title = "Dossiers"
    tampon = io.BytesIO()
    wb.save(tampon)
    assert erreurs(tampon.getvalue()) == [
        "Dossiers, ligne 1 : la première ligne doit porter les en-têtes de colonnes",
        "Financements, ligne 1 : la première ligne doit porter les en-têtes de colonnes",
    ]


@pytest.mark.django_db
def test_plus_de_20_mo():
    assert erreurs(b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024)) == [
        "Le fichier pèse 20,0 Mo : la limite est de 20 Mo."
    ]


@pytest.mark.django_db
def test_plus_de_50_000_lignes():
    wb = openpyxl.Workbook(write_only=True)
    dossiers = wb.create_sheet("Dossiers")
    dossiers.append(ENTETES_DOSSIERS)
    for i in range(50_001):
        dossiers.append([f"N{i}", 2022])
    wb.create_sheet("Financements").append(ENTETES_FINANCEMENTS)
    tampon = io.BytesIO()
    wb.save(tampon)
    assert erreurs(tampon.getvalue()) == ["Le classeur dépasse 50\u00a0000 lignes : découpez-le."]


@pytest.mark.django_db
def test_bombe_de_decompression_refusee_avant_openpyxl():
    contenu = classeur(DOSSIERS, FINANCEMENTS)
    bombe = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(contenu)) as source,
        zipfile.ZipFile(bombe, "w", zipfile.ZIP_DEFLATED) as cible,
    ):
        for membre in source.infolist():
            cible.writestr(membre.filename, source.read(membre))
        with cible.open("xl/media/image1.bin", "w") as flux:
            for _ in range(300):
                flux.write(b"\0" * 1024 * 1024)
    assert len(bombe.getvalue()) < 2 * 1024 * 1024
    assert erreurs(bombe.getvalue()) == [
        "Ce classeur se décompresse en un volume anormal (archive piégée) : il est refusé."
    ]


RIRE = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


@pytest.mark.django_db
def test_entites_xml_refusees():
    contenu = classeur(DOSSIERS, FINANCEMENTS)
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        feuille = archive.read("xl/worksheets/sheet1.xml")
    piege = feuille.replace(b"<?xml version='1.0' encoding='UTF-8'?>", b"").replace(
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b""
    )
    piege = RIRE + piege.replace(b"Aide aux devoirs", b"&lol2;")
    assert erreurs(remplacer_membre(contenu, "xl/worksheets/sheet1.xml", piege)) == [
        "Ce classeur contient des déclarations XML interdites (DTD, entités) : il est refusé."
    ]


@pytest.mark.django_db
def test_entites_xml_cachees_apres_un_long_commentaire_arretees_par_defusedxml():
    """Le repérage rapide ne lit que le début des parties ; defusedxml arrête ce qui viendrait plus loin."""
    contenu = classeur(DOSSIERS, FINANCEMENTS)
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        feuille = archive.read("xl/worksheets/sheet1.xml")
    corps = feuille[feuille.index(b"<worksheet") :].replace(b"Aide aux devoirs", b"&lol2;")
    piege = (
        b'<?xml version="1.0"?><!--' + b"x" * 10_000 + b"-->" + RIRE[len(b'<?xml version="1.0"?>') :] + corps
    )
    assert erreurs(remplacer_membre(contenu, "xl/worksheets/sheet1.xml", piege)) == [
        "Ce classeur contient des déclarations XML interdites (DTD, entités) : il est refusé."
    ]


@pytest.mark.django_db
def test_depot_piege_dans_l_admin_sans_erreur_serveur(client, importateur):
    contenu = classeur(DOSSIERS, FINANCEMENTS)
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        feuille = archive.read("xl/worksheets/sheet1.xml")
    piege = remplacer_membre(
        contenu, "xl/worksheets/sheet1.xml", RIRE + feuille[feuille.index(b"<worksheet") :]
    )
    reponse = client.post(
        URL_IMPORT,
        {"import_file": SimpleUploadedFile("piege.xlsx", piege, content_type=TYPE_XLSX), "format": "0"},
    )
    assert reponse.status_code == 200
    assert "déclarations XML interdites" in reponse.content.decode()
    assert "confirm_form" not in reponse.context
    assert Dossier.objects.count() == 0


@pytest.mark.django_db
def test_cellules_en_texte_en_ligne_riche_et_sans_reference_lues_comme_un_tableur_les_montre():
    """Des générateurs écrivent des chaînes « en ligne », du texte riche, des lignes sans numéro : tout se lit."""
    contenu = classeur(DOSSIERS, FINANCEMENTS[:1])
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    entetes = "".join(f'<c t="inlineStr"><is><t>{e}</t></is></c>' for e in ENTETES_FINANCEMENTS)
    feuille = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>'
        f"<row>{entetes}</row>"
        '<row r="4"><c r="A4" t="inlineStr"><is><r><t>2022-</t></r><r><t>001</t></r></is></c>'
        '<c r="B4"><v>2022</v></c><c r="C4" t="str"><v>AGGLO</v></c>'
        '<c r="E4" t="inlineStr"><is><t xml:space="preserve">1 000,50 €</t></is></c><c r="F4"><v>999.5</v></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        noms = archive.namelist()
    chemin = "xl/worksheets/sheet2.xml"
    assert chemin in noms
    rapport = importer_classeur(
        remplacer_membre(contenu, chemin, feuille), nom_fichier="genere.xlsx", ecrire=True
    )
    assert rapport.erreurs == []
    ligne = LigneFinancement.objects.get(dossier__numero="2022-001")
    assert (ligne.financeur.code, ligne.montant_sollicite, ligne.montant_accorde) == (
        "AGGLO",
        Decimal("1000.50"),
        Decimal("999.50"),
    )
