"""Le rapport tel que le directeur le signe : des tableaux qui s'additionnent tels qu'imprimés, un PDF balisé, les
focus dans l'ordre des agents, la typographie française des textes saisis, aucun « Texte à rédiger » adopté."""

import datetime
import io
import re
from decimal import Decimal

import pikepdf
import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError

from contrat_ville.enums import CodeFinanceur, NatureCredits, TypePorteur
from contrat_ville.models import Commune, Contrat
from noyau.nombres import parts, repartir, tableau_arrondi
from noyau.typographie import typographier
from programmation.enums import TypeBloc
from programmation.models import Programmation
from rapport.contexte import nom_organisme
from rapport.enums import StatutRapport
from rapport.models import RapportAnnuel
from rapport.rendu import html_du_rapport, pdf_du_rapport
from rapport.services import blocs_a_rediger, etape_suivante, faire_avancer_rapport
from tests.factories import AxeFCSFactory, EnveloppeFCSFactory, FondsDeConcoursFactory, SubventionFCSFactory
from tests.pdf import texte_pdf
from tests.rapport.donnees_rapport import annee, dossier, porteur, rediger_blocs

pytestmark = pytest.mark.django_db

D = Decimal


def euros(texte: str) -> Decimal:
    return D(texte.replace(" ", "").replace(",", "."))


def lignes(texte: str) -> list[str]:
    return [re.sub(r"\s+", " ", ligne).strip() for ligne in texte.splitlines()]


# --- L'utilitaire d'arrondi --------------------------------------------------------------------------------------


def test_le_plus_fort_reste_fait_le_total_imprime():
    assert repartir([D("0.4"), D("0.4"), D("0.2")]) == [1, 0, 0]
    assert sum(repartir([D("100.50")] * 3)) == 302  # l'arrondi naïf imprime 101 × 3 = 303 à côté de 302
    assert parts([1, 1, 1]) == [D("33.4"), D("33.3"), D("33.3")]
    assert parts([49, 351]) == [
        D("12.2"),
        D("87.8"),
    ]  # naïf : 12,3 + 87,8 = 100,1 ; à reste égal, la plus grande
    assert parts([0, 0]) == [D("0.0"), D("0.0")]
    t = tableau_arrondi([[D("200.25"), D("100.50")]] * 3)
    assert t.total == 902 and sum(t.colonnes) == t.total and sum(t.lignes) == t.total
    for j in range(2):
        assert sum(ligne[j] for ligne in t.cellules) == t.colonnes[j]


# --- Une année dont les centimes casseraient l'arrondi naïf -----------------------------------------------------


@pytest.fixture
def annee_aux_centimes():
    """Trois piliers à 300,75 € (200,25 de droit commun, 100,50 de spécifiques) : arrondis chacun à l'euro, les
    lignes feraient 600 et 303 à côté de totaux de 601 et 302, et les parts 33,3 × 3 = 99,9. Un FCS et des fonds
    de concours à 10,50 €, des bénéficiaires à 12,25 % / 87,75 %."""
    programmation = Programmation.objects.create(annee=2033, contrat=Contrat.objects.get())
    rediger_blocs(programmation)
    for i, pilier in enumerate(["1", "2", "3"]):
        dossier(
            programmation,
            f"2033-{i + 1:03d}",
            pilier=pilier,
            porteur_=porteur(f"Association n° {i + 1}", TypePorteur.ASSOCIATION),
            beneficiaires_femmes=49 if i == 0 else 0,
            beneficiaires_hommes=351 if i == 0 else 0,
            lignes=[
                (CodeFinanceur.COMMUNE, NatureCredits.DROIT_COMMUN, "200.25"),
                (CodeFinanceur.ETAT_ANCT, NatureCredits.SPECIFIQUE, "100.50"),
            ],
        )
    enveloppe = EnveloppeFCSFactory(annee=2033, montant=D("100.50"))
    for numero in (1, 2):
        axe = AxeFCSFactory(enveloppe=enveloppe, numero=numero)
        for _ in range(3):
            SubventionFCSFactory(axe=axe, montant=D("10.50"))
    communes = Commune.objects.filter(nom__in=["Béthune", "Divion", "Auchel"])
    for commune in communes:
        FondsDeConcoursFactory(annee=2033, commune=commune, montant=D("10.50"))
    return RapportAnnuel.objects.create(programmation=programmation)


@pytest.fixture
def pdf_aux_centimes(annee_aux_centimes):
    return pdf_du_rapport(annee_aux_centimes)


def test_chaque_tableau_imprime_s_additionne(pdf_aux_centimes):
    texte = texte_pdf(pdf_aux_centimes)
    toutes = lignes(texte)
    montant = r"(\d[\d ]*) €"

    # Droit commun / spécifiques : chaque colonne et chaque ligne, telles qu'imprimées.
    rangees = [
        [euros(m) for m in re.findall(montant, ligne)]
        for ligne in toutes
        if re.match(
            rf"^(Cohésion sociale|Cadre de vie|Emploi & attractivité(?: économique)?|Pilotage du contrat) {montant}",
            ligne,
        )
        and len(re.findall(montant, ligne)) == 3
    ]
    total = next(
        [euros(m) for m in re.findall(montant, ligne)]
        for ligne in toutes
        if re.match(rf"^Total {montant} {montant} {montant}$", ligne)
    )
    assert len(rangees) == 4
    for dc, spe, tot in rangees:
        assert dc + spe == tot
    assert [sum(r[j] for r in rangees) for j in range(3)] == total
    # Naïf : 601 (600,75) et 302 (301,50) à côté de 902 (902,25), et 200 × 3 = 600 ≠ 601, 101 × 3 = 303 ≠ 302.
    assert total == [D(601), D(301), D(902)]

    # Parts des piliers : les quatre taux font le 100,0 imprimé.
    taux = [
        D(m[2].replace(",", "."))
        for ligne in toutes
        if (
            m := re.match(
                r"^(Cohésion sociale|Cadre de vie, renouvellement urbain|Emploi et développement "
                r"économique|Pilotage, qualification des acteurs, évaluation) [\d ]+,\d\d € (\d+,\d)$",
                ligne,
            )
        )
    ]
    assert len(taux) == 4 and sum(taux) == 100
    assert any(re.match(r"^Total 902,25 € 100,0$", ligne) for ligne in toutes)

    # Opérateurs associatifs : la ligne « Part (%) » fait 100,0.
    part = next(ligne for ligne in toutes if ligne.startswith("Part (%)"))
    valeurs = [D(v.replace(",", ".")) for v in re.findall(r"\d+,\d", part)]
    assert valeurs[0] == 100 and sum(valeurs[1:]) == 100

    # Bénéficiaires par sexe : 12,3 + 87,7 (naïf : 12,3 + 87,8 = 100,1).
    femmes = next(ligne for ligne in toutes if ligne.startswith("Femmes "))
    hommes = next(ligne for ligne in toutes if ligne.startswith("Hommes "))
    assert D(femmes.split()[-2].replace(",", ".")) + D(hommes.split()[-2].replace(",", ".")) == 100

    # FCS : les subventions de chaque axe font le sous-total imprimé, les sous-totaux le total imprimé.
    debut = texte.index("Fonds de cohésion sociale 2033")
    fin = texte.index("Total du fonds de cohésion sociale 2033")
    corps = lignes(texte[debut:fin])
    sous_totaux = [euros(m[1]) for ligne in corps if (m := re.match(rf"^Total \d\. .* {montant}$", ligne))]
    subventions = [
        euros(m[1])
        for ligne in corps
        if not ligne.startswith("Total") and (m := re.match(rf"^.*Projet de quartier.* {montant}$", ligne))
    ]
    total_fcs = euros(re.search(rf"Total du fonds de cohésion sociale 2033 {montant}", " ".join(toutes))[1])
    assert len(sous_totaux) == 2 and len(subventions) == 6
    assert sum(subventions) == sum(sous_totaux) == total_fcs == 63  # naïf : 6 × 11 = 66 à côté de 63
    assert "Reste de l'enveloppe (101 €) 38 €" in " ".join(toutes)

    # Fonds de concours : trois lignes à 10,50 € (31,50 €) impriment 11 + 11 + 10 = 32 (naïf : 33 à côté de 32).
    fonds = [
        euros(m[2]) for ligne in toutes if (m := re.match(rf"^(Béthune|Divion|Auchel) .* {montant}$", ligne))
    ]
    total_fonds = next(euros(m[1]) for ligne in toutes if (m := re.match(rf"^Total {montant}$", ligne)))
    assert len(fonds) == 3 and sum(fonds) == total_fonds == 32

    # La règle est dite sous les tableaux.
    assert texte.count("méthode du plus fort reste") >= 5


def test_le_projet_est_un_pdf_balise_titre_langue_et_signets(pdf_aux_centimes):
    with pikepdf.open(io.BytesIO(pdf_aux_centimes)) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "fr"
        assert str(pdf.docinfo.Title).startswith(
            "Rapport sur la mise en œuvre de la politique de la ville – 2033"
        )
        assert str(pdf.docinfo.Author) and str(pdf.docinfo.Subject)
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        titres = [item.title for item in pdf.open_outline().root]
        assert "Sommaire" in titres and "Perspectives" in titres
        # Les tableaux ont des cellules d'en-tête et une légende, les figures un texte alternatif.
        types, alts = set(), []

        def parcourir(element):
            if isinstance(element, pikepdf.Dictionary) and "/S" in element:
                types.add(str(element.S))
                if str(element.S) == "/Figure":
                    alts.append(str(element.get("/Alt", "")))
                enfants = element.get("/K")
                for enfant in enfants if isinstance(enfants, pikepdf.Array) else [enfants]:
                    parcourir(enfant)

        for element in pdf.Root.StructTreeRoot.K:
            parcourir(element)
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Caption", "/Figure"} <= types
    assert alts and all(alts)


def test_chaque_tableau_du_rapport_a_une_legende_et_des_en_tetes(annee_aux_centimes):
    html = html_du_rapport(annee_aux_centimes)
    tableaux = re.findall(r"<table.*?</table>", html, re.S)
    assert len(tableaux) >= 9
    for tableau in tableaux:
        assert "<caption>" in tableau and 'scope="col"' in tableau, tableau[:200]


# --- Focus, typographie, élision ------------------------------------------------------------------------------


def test_les_focus_dans_l_ordre_des_agents_et_l_operateur_une_fois():
    rapport = annee(2034, 0)
    programmation = rapport.programmation
    for numero, ordre, operateur in [
        ("2034-001", 2, ""),
        ("2034-002", 1, "CABBALR – Extracité"),
        ("2034-003", None, ""),
    ]:
        dossier(
            programmation,
            numero,
            focus=True,
            focus_ordre=ordre,
            focus_operateur=operateur,
            intitule=f"Action {numero[-1]}",
            focus_description="Texte : avec « guillemets » ; et plus !",
        )
    html = html_du_rapport(rapport)
    positions = [html.index(f"– Action {n}</h3>") for n in "213"]
    assert positions == sorted(positions)
    assert html.count("Opérateur&nbsp;: CABBALR – Extracité") == 1
    assert "Texte\u00a0: avec «\u00a0guillemets\u00a0»\u202f; et plus\u202f!" in html


def test_la_typographie_francaise_d_un_texte_saisi():
    assert typographier("Le « Mont-Liébaut » : oui ; non ! quoi ?") == (
        "Le «\u00a0Mont-Liébaut\u00a0»\u00a0: oui\u202f; non\u202f! quoi\u202f?"
    )
    assert typographier("https://exemple.fr à 10:30") == "https://exemple.fr à 10:30"
    assert typographier("<script>") == "&lt;script&gt;"
    titre = typographier("Le Mont-Liébaut à Bruay-la-Buissière", titre=True)
    assert '<span class="sans-coupure">Mont-Liébaut</span>' in titre
    assert '<span class="sans-coupure">Bruay-la-Buissière</span>' in titre


def test_l_elision_des_communes():
    from avis.models import Organisme

    auchel = Organisme.objects.get_or_create(commune=Commune.objects.get(nom="Auchel"))[0]
    isbergues = Organisme.objects.get_or_create(commune=Commune.objects.get(nom="Isbergues"))[0]
    bethune = Organisme.objects.get_or_create(commune=Commune.objects.get(nom="Béthune"))[0]
    assert nom_organisme(auchel) == "Commune d'Auchel"
    assert nom_organisme(isbergues) == "Commune d'Isbergues"
    assert nom_organisme(bethune) == "Commune de Béthune"


# --- Aucun espace réservé dans un rapport adopté ---------------------------------------------------------------


def test_l_adoption_est_refusee_tant_qu_un_texte_manque():
    directeur = User.objects.create_user("directrice", is_staff=True)
    directeur.user_permissions.add(Permission.objects.get(codename="approuver_rapportannuel"))
    directeur = User.objects.get(pk=directeur.pk)
    rapport = annee(2035, 1)
    programmation = rapport.programmation
    programmation.blocs.filter(type__in=[TypeBloc.PNRU, TypeBloc.PERSPECTIVES]).delete()
    assert blocs_a_rediger(programmation) == ["Programme national de renouvellement urbain", "Perspectives"]
    assert "Texte à rédiger" in html_du_rapport(rapport)
    etape = etape_suivante(rapport)
    assert "« Programme national de renouvellement urbain », « Perspectives »" in etape.empechement
    with pytest.raises(ValidationError) as erreur:
        faire_avancer_rapport(
            rapport=rapport, vers=StatutRapport.ADOPTE, par=directeur, date=datetime.date(2035, 9, 1)
        )
    assert "2 textes du rapport restent à rédiger" in str(erreur.value)
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.PROJET

    rediger_blocs(programmation, sauf=[TypeBloc.INTRODUCTION, TypeBloc.CONTEXTE, TypeBloc.ORGANISATION])
    rapport = faire_avancer_rapport(
        rapport=rapport, vers=StatutRapport.ADOPTE, par=directeur, date=datetime.date(2035, 9, 1)
    )
    assert rapport.statut == StatutRapport.ADOPTE
    assert "Texte à rédiger" not in html_du_rapport(rapport)


# --- Couverture : logos vérifiés et bloc de signature ----------------------------------------------------------


def _png(largeur=120, hauteur=60) -> bytes:
    from PIL import Image

    tampon = io.BytesIO()
    Image.new("RGB", (largeur, hauteur), "#1d3f72").save(tampon, format="PNG")
    return tampon.getvalue()


def test_un_logo_doit_etre_une_vraie_image_png_ou_jpeg():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rapport.models import valider_logo

    valider_logo(SimpleUploadedFile("etat.png", _png()))
    for nom, contenu, message in [
        (
            "etat.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "PNG ou JPEG",
        ),
        ("etat.svg", b"<svg/>", "PNG ou JPEG"),
        ("etat.jpg", _png(), "sous une extension .jpg"),
        ("etat.png", _png()[:40], "PNG ou JPEG"),
    ]:
        with pytest.raises(ValidationError) as erreur:
            valider_logo(SimpleUploadedFile(nom, contenu))
        assert message in str(erreur.value) and nom in str(erreur.value)


def test_la_couverture_porte_les_logos_deposes_et_le_bloc_de_signature(settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rapport.models import LogoRapport, PresentationRapport

    settings.MEDIA_ROOT = tmp_path / "media"
    rapport = annee(2036, 1)
    presentation = PresentationRapport.objects.create(
        contrat=rapport.programmation.contrat,
        signataire_qualite="Le Vice-Président délégué à la Politique de la Ville",
        signataire_nom="Camille Martin",
    )
    LogoRapport.objects.create(
        presentation=presentation,
        nom="Préfecture du Pas-de-Calais",
        image=SimpleUploadedFile("etat.png", _png()),
    )
    pdf = pdf_du_rapport(rapport)
    premiere = re.sub(r"\s+", " ", texte_pdf(pdf).split("\f")[0])
    assert (
        "Par délégation du Président, Le Vice-Président délégué à la Politique de la Ville Camille Martin"
        in (premiere)
    )
    with pikepdf.open(io.BytesIO(pdf)) as document:
        images = [
            xobjet
            for xobjet in document.pages[0].Resources.get("/XObject", {}).values()
            if xobjet.get("/Subtype") == "/Image"
        ]
        alts = []

        def parcourir(element):
            if isinstance(element, pikepdf.Dictionary) and "/S" in element:
                if str(element.S) == "/Figure":
                    alts.append(str(element.get("/Alt", "")))
                enfants = element.get("/K")
                for enfant in enfants if isinstance(enfants, pikepdf.Array) else [enfants]:
                    parcourir(enfant)

        for element in document.Root.StructTreeRoot.K:
            parcourir(element)
    assert len(images) == 1
    assert "Logo : Préfecture du Pas-de-Calais" in alts


def test_le_tableau_de_bord_imprime_des_parts_qui_font_100(client, annee_aux_centimes):
    directeur = User.objects.create_user("directeur-tdb", is_staff=True)
    directeur.user_permissions.set(
        Permission.objects.filter(codename__in=["view_dossier", "view_rapportannuel"])
    )
    client.force_login(directeur)
    html = client.get("/tableau-de-bord/", {"annee": 2033}).content.decode()
    for legende in (
        "Montants programmés par pilier",
        "Montants accordés par financeur",
        r"Crédits de l'État \(BOP 147\) accordés aux dossiers retenus par thématique ANCT",
    ):
        tableau = re.search(rf"<caption>{legende}.*?</table>", html, re.S)[0]
        corps = re.search(r"<tbody>.*?</tbody>", tableau, re.S)[0]
        parts_imprimees = [
            D(re.findall(r'<td class="montant">(\d+,\d)\xa0%</td>', rangee)[0].replace(",", "."))
            for rangee in re.findall(r"<tr>.*?</tr>", corps, re.S)
            if re.search(r"\d+,\d\xa0%", rangee)
        ]
        assert sum(parts_imprimees) == 100, (legende, parts_imprimees)
    assert html.count("méthode du plus fort reste") == 3


def test_l_organisation_du_service_et_l_annee_precedente_sont_des_donnees():
    from rapport.models import PresentationRapport, ReferentTerritorial

    precedente = annee(2037, 3)
    rapport = annee(2038, 1)
    presentation = PresentationRapport.objects.create(contrat=rapport.programmation.contrat)
    referent = ReferentTerritorial.objects.create(presentation=presentation, nom="Carole Warembourg")
    referent.communes.set(Commune.objects.filter(nom__in=["Divion", "Auchel", "Bruay-la-Buissière"]))
    html = html_du_rapport(rapport)
    assert re.search(r"Carole Warembourg.*?<td>Auchel, Bruay-la-Buissière, Divion</td>", html, re.S)
    # Le tableau des opérateurs associatifs montre la ligne de l'année précédente à laquelle le texte compare.
    assert re.search(r'<th scope="row">2037</th><td class="nombre">3</td>', html)
    assert "contre 3 en 2037" in html
    assert precedente.programmation.annee == 2037
