"""Le rapport et le tableau de bord suivent le cadre du contrat de l'année, sans changement de code.

Un contrat à cinq orientations de trois sous-niveaux chacune est créé comme dans l'administration (le contrat et
ses orientations par le formulaire de l'admin, les sous-niveaux et projets de quartier validés comme l'admin les
valide) ; il succède au contrat de 2015, dont 2023 est la dernière année. Chaque chiffre attendu est calculé à la
main ci-dessous.
"""

import io
import re
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contrat_ville.enums import CodeFinanceur, NatureCredits, TypePorteur
from contrat_ville.models import (
    Commune,
    Contrat,
    Financeur,
    ObjectifQuartier,
    Pilier,
    Porteur,
    ProjetQuartier,
    Quartier,
    Thematique,
)
from conventions.enums import TypeConvention
from conventions.models import Convention, Tranche
from conventions.selectors import part_cpo_associative
from programmation.echange.exportation import classeur_par_financeur
from programmation.enums import StatutDossier
from programmation.models import Dossier, LigneFinancement, Programmation
from programmation.selectors.selections import dossiers_de_l_annee
from rapport.contexte import contexte_du_rapport, controles_du_rapport
from rapport.models import RapportAnnuel
from rapport.rendu import pdf_du_rapport
from tests.pdf import texte_pdf
from tests.rapport.donnees_rapport import rediger_blocs
from tests.rapport.test_views_tableau import utilisateur

pytestmark = pytest.mark.django_db

ORIENTATIONS = [
    ("O1", "Grandir et réussir dans son quartier"),
    ("O2", "Travailler et entreprendre"),
    ("O3", "Habiter un cadre de vie apaisé"),
    ("O4", "Prendre soin de sa santé"),
    ("O5", "Agir ensemble et participer"),
]


def texte_html(reponse) -> str:
    sans_balises = re.sub(r"<[^>]+>", " ", reponse.content.decode())
    return unescape(re.sub(r"\s+", " ", sans_balises)).replace("\u00a0", " ").replace("\u202f", " ")


def creer_contrat_par_l_admin(client, quartiers) -> Contrat:
    """Le contrat et ses cinq orientations par le formulaire d'ajout de l'admin, comme un agent les saisit."""
    client.force_login(User.objects.create_superuser("admin-cadre", password="mot-de-passe-de-test"))
    donnees = {
        "nom": "Contrat de ville – Engagements Quartiers 2030",
        "epci": "Communauté d'agglomération de test",
        "siren_epci": "",
        "quartiers": [q.pk for q in quartiers],
        "date_signature": "28/03/2024",
        "date_fin": "31/12/2030",
        "date_fin_prorogation": "",
        "annee_mi_parcours": "2027",
        "libelle_niveau": "orientation",
        "libelle_niveau_pluriel": "orientations",
        "niveau_feminin": "unknown",
        "libelle_sous_niveau": "objectif opérationnel",
        "cible_part_cpo": "50",
        "contact_nom": "",
        "contact_courriel": "",
        "contact_telephone": "",
        "signataires-TOTAL_FORMS": "1",
        "signataires-INITIAL_FORMS": "0",
        "signataires-0-nom": "Préfecture du Pas-de-Calais",
        "signataires-0-qualite": "Le préfet",
        "signataires-0-ordre": "1",
        "piliers-TOTAL_FORMS": str(len(ORIENTATIONS)),
        "piliers-INITIAL_FORMS": "0",
    }
    for i, (code, libelle) in enumerate(ORIENTATIONS):
        donnees |= {
            f"piliers-{i}-code": code,
            f"piliers-{i}-libelle": libelle,
            f"piliers-{i}-libelle_court": "",
            f"piliers-{i}-ordre": str(i + 1),
        }
    reponse = client.post(reverse("admin:contrat_ville_contrat_add"), donnees)
    assert reponse.status_code == 302, reponse.context and [
        reponse.context["adminform"].form.errors,
        [f.errors for f in reponse.context["inline_admin_formsets"][1].formset],
    ]
    contrat = Contrat.objects.get(nom__startswith="Contrat de ville – Engagements")
    assert contrat.piliers.count() == 5
    return contrat


def valide(objet):
    """Ce que l'admin fait d'un objet saisi : le valider entièrement, puis l'enregistrer."""
    objet.full_clean()
    objet.save()
    return objet


@pytest.fixture
def cadre(client):
    """2023 sous le contrat de 2015 ; 2024 sous le nouveau contrat, avec un quartier de la nouvelle géographie."""
    qa = Quartier.objects.get(code="QN06208M")
    qb = Quartier.objects.get(code="QN06204M")
    nouveau = Quartier.objects.create(code="QN06299N", nom="Quartier Neuf")
    nouveau.communes.set(qa.communes.all()[:1] or Commune.objects.all()[:1])
    contrat = creer_contrat_par_l_admin(client, [qa, qb, nouveau])
    orientations = {p.code: p for p in contrat.piliers.all()}
    for code, orientation in orientations.items():
        for n in (1, 2, 3):
            valide(
                Pilier(
                    contrat=contrat,
                    parent=orientation,
                    code=f"{code}.{n}",
                    libelle=f"Objectif opérationnel {code}.{n}",
                    ordre=n,
                )
            )
    projets = {
        q.code: valide(ProjetQuartier(contrat=contrat, quartier=q, intitule=f"Projet de quartier {q.nom}"))
        for q in (qa, qb)
    }
    objectifs = {
        code: valide(ObjectifQuartier(projet=projets[projet], code=code, libelle=libelle, ordre=i))
        for i, (projet, code, libelle) in enumerate(
            [
                ("QN06208M", "A-1", "Favoriser la réussite éducative des enfants"),
                ("QN06208M", "A-2", "Rapprocher les habitants de l'emploi"),
                ("QN06204M", "B-1", "Ouvrir le quartier sur la ville"),
                ("QN06204M", "B-2", "Rénover les espaces publics"),
            ]
        )
    }

    thematique_1 = Thematique.objects.get(code="1.1")
    thematique_2 = Thematique.objects.get(code="2.1")
    alpha = Porteur.objects.create(nom="Association Alpha", type=TypePorteur.ASSOCIATION)
    beta = Porteur.objects.create(nom="Association Bêta", type=TypePorteur.ASSOCIATION)
    ville = Porteur.objects.create(nom="Commune Test Cadre", type=TypePorteur.COMMUNE)
    financeurs = {f.code: f for f in Financeur.objects.all()}
    etat, agglo, commune = CodeFinanceur.ETAT_ANCT, CodeFinanceur.AGGLO, CodeFinanceur.COMMUNE
    spe, dc = NatureCredits.SPECIFIQUE, NatureCredits.DROIT_COMMUN

    def dossier(prog, numero, pilier, porteur, quartiers, lignes, *, statut=StatutDossier.RETENU, **champs):
        d = Dossier.objects.create(
            programmation=prog,
            numero=numero,
            intitule=f"Action {numero}",
            porteur=porteur,
            pilier=pilier,
            statut=statut,
            **champs,
        )
        d.quartiers.set(quartiers)
        d.lignes = {}
        for code, nature, montant in lignes:
            d.lignes[code] = LigneFinancement.objects.create(
                dossier=d,
                financeur=financeurs[code],
                nature=nature,
                montant_sollicite=Decimal(montant),
                montant_accorde=Decimal(montant),
            )
        return d

    # 2023, dernière année du contrat de 2015 (piliers nationaux).
    ancien = Contrat.objects.get(siren_epci="200072460")
    p2023 = Programmation.objects.create(contrat=ancien, annee=2023)
    dossier(
        p2023,
        "2023-001",
        Pilier.objects.get(contrat=ancien, code="1"),
        alpha,
        [qa],
        [(etat, spe, "4000.00"), (commune, dc, "1000.00")],
        thematique=thematique_1,
    )

    # 2024, première année du nouveau contrat.
    p2024 = Programmation.objects.create(contrat=contrat, annee=2024)
    a1 = dossier(
        p2024,
        "2024-001",
        orientations["O1"],
        alpha,
        [qa],
        [(etat, spe, "10000.50"), (agglo, dc, "5000.00")],
        thematique=thematique_1,
    )
    a2 = dossier(
        p2024,
        "2024-002",
        Pilier.objects.get(code="O2.1", contrat=contrat),
        ville,
        [qb],
        [(etat, spe, "7000.25")],
        thematique=thematique_2,
    )
    a3 = dossier(
        p2024,
        "2024-003",
        Pilier.objects.get(code="O1.2", contrat=contrat),
        beta,
        [qa, nouveau],
        [(agglo, dc, "3000.00"), (commune, dc, "1500.00")],
        thematique=thematique_1,
    )
    a4 = dossier(
        p2024,
        "2024-004",
        Pilier.objects.get(code="O5.3", contrat=contrat),
        alpha,
        [qb],
        [(agglo, dc, "9999.00")],
        statut=StatutDossier.REFUSE,
    )
    dossier(
        p2024,
        "2024-005",
        Pilier.objects.get(code="O5.3", contrat=contrat),
        beta,
        [qb],
        [(etat, spe, "2000.00")],
        thematique=thematique_1,
    )
    a1.objectifs.set([objectifs["A-1"]])
    a2.objectifs.set([objectifs["B-1"]])
    a3.objectifs.set([objectifs["A-1"], objectifs["A-2"]])
    a4.objectifs.set([objectifs["B-2"]])  # refusé : ne compte nulle part

    # La CPO 2024-2026 d'Alpha porte sa ligne de l'agglomération ; celle du dossier refusé ne compte pas ; la
    # convention annuelle de Bêta n'est pas une CPO.
    cpo = Convention.objects.create(
        porteur=alpha,
        type=TypeConvention.CPO,
        reference="CPO-2024-01",
        objet="CPO",
        annee_debut=2024,
        annee_fin=2026,
    )
    Tranche.objects.create(convention=cpo, annee=2024, montant=Decimal("5000.00"), ligne=a1.lignes[agglo])
    cpo_refusee = Convention.objects.create(
        porteur=alpha,
        type=TypeConvention.CPO,
        reference="CPO-2024-02",
        objet="CPO",
        annee_debut=2024,
        annee_fin=2026,
    )
    Tranche.objects.create(
        convention=cpo_refusee, annee=2024, montant=Decimal("9999.00"), ligne=a4.lignes[agglo]
    )
    annuelle = Convention.objects.create(
        porteur=beta,
        type=TypeConvention.ANNUELLE,
        reference="CA-2024-01",
        objet="Annuelle",
        annee_debut=2024,
        annee_fin=2024,
    )
    Tranche.objects.create(
        convention=annuelle, annee=2024, montant=Decimal("3000.00"), ligne=a3.lignes[agglo]
    )
    rediger_blocs(p2024)
    return contrat


def test_la_part_sous_cpo_contre_un_decompte_independant(cadre):
    # Le décompte à la main : chaque ligne de 2024, lue une à une.
    associatif = sous_cpo = Decimal(0)
    for ligne in LigneFinancement.objects.filter(dossier__programmation__annee=2024):
        dossier = ligne.dossier
        if dossier.statut != StatutDossier.RETENU or dossier.porteur.type != TypePorteur.ASSOCIATION:
            continue
        associatif += ligne.montant_accorde
        tranche = getattr(ligne, "tranche", None)
        if tranche is not None and tranche.convention.type == TypeConvention.CPO:
            sous_cpo += ligne.montant_accorde
    # A1 (10 000,50 + 5 000,00) + A3 (3 000,00 + 1 500,00) + A5 (2 000,00) ; sous CPO : la ligne de l'agglomération
    # de A1 ; A2 (commune) et A4 (refusé, bien que sous CPO) n'y sont pas.
    assert (associatif, sous_cpo) == (Decimal("21500.50"), Decimal("5000.00"))

    part = part_cpo_associative(dossiers_de_l_annee(2024), cible=cadre.cible_part_cpo)
    assert (part.associatif, part.sous_cpo) == (associatif, sous_cpo)
    assert part.taux == Decimal("23.3")  # 5 000 / 21 500,50 = 23,255… %
    assert part.cible == Decimal("50")
    assert part.atteinte is False
    assert part.taux + part.taux_hors_cpo == Decimal("100.0")


def test_le_rapport_suit_les_orientations_et_n_imprime_aucun_pilier(cadre):
    rapport = RapportAnnuel.objects.create(programmation=Programmation.objects.get(annee=2024))
    contexte = contexte_du_rapport(rapport)
    # Par orientation (premier niveau) : les sous-niveaux comptent dans leur orientation.
    montants = {ligne.pilier.code: ligne.montant for ligne in contexte["repartition"].lignes}
    assert montants == {
        "O1": Decimal("19500.50"),  # A1 sur O1, A3 sur O1.2
        "O2": Decimal("7000.25"),  # A2 sur O2.1
        "O3": Decimal("0"),
        "O4": Decimal("0"),
        "O5": Decimal("2000.00"),  # A5 sur O5.3 ; A4 refusé
    }
    assert contexte["chiffres"].total == contexte["repartition"].total == Decimal("28500.75")
    assert sum(ligne.taux for ligne in contexte["repartition"].lignes) == Decimal("100.0")
    assert [ligne.nombre for ligne in contexte["operateurs"].lignes] == [2, 0, 0, 0, 1]

    pdf = pdf_du_rapport(rapport)
    texte = texte_pdf(pdf, mise_en_page=False)
    assert "pilier" not in texte.lower()
    for _code, libelle in ORIENTATIONS:
        assert libelle in texte
    assert "Répartition financière par orientation – programmation 2024" in texte
    assert "Orientations du contrat de ville" in texte
    # Accordé à l'orientation : « L'orientation … Elle représente ».
    assert "L'orientation « Grandir et réussir dans son quartier » mobilise 68,4 %" in texte
    assert "Elle représente 53 % des crédits de l'État" in texte  # 10 000,50 / 19 000,75
    # Droit commun et spécifiques, arrondis au plus fort reste : la ligne O1 et le total.
    assert re.search(r"Grandir et réussir dans son quartier 9 500 € 10 001 € 19 501 €", texte)
    # 2023 relève de l'ancien contrat : son total seul, pas ses piliers.
    assert "2023 relève du contrat précédent" in texte

    # La part sous CPO face à la cible du contrat.
    assert "Le contrat vise 50,0 % des financements associatifs sous CPO ; en 2024, 23,3 %" in texte
    assert "la cible n'est pas atteinte" in texte

    # Un projet de quartier par quartier qui en a un : objectifs, actions de l'année et montants.
    assert "Les projets de quartier" in texte
    assert "A-1 – Favoriser la réussite éducative des enfants 19 500,50 €" in texte
    assert "2024-003 Action 2024-003 Association Bêta 4 500,00 €" in texte
    assert "B-2 – Rénover les espaces publics 0,00 €" in texte
    assert "Aucune action retenue en 2024 ne vise cet objectif." in texte
    assert "2024-004" not in texte  # refusé

    # Les crédits de l'État par thématique ANCT, comparés à 2023 (autre contrat, même nomenclature).
    t11 = Thematique.objects.get(code="1.1").libelle
    assert re.search(rf"1\.1 {re.escape(t11)} 2 12 000,50 € 63,2 4 000,00 €", texte)
    assert re.search(r"Total 19 000,75 € 100,0 4 000,00 €", texte)

    # Par quartier, comparé à 2023 ; le quartier de la nouvelle géographie n'a pas d'année précédente.
    assert re.search(r"Quartier Neuf 1 4 500,00 € –", texte)


def test_le_tableau_de_bord_suit_les_orientations_en_requetes_bornees(
    client, cadre, django_assert_max_num_queries
):
    # Un agent du service (ni superutilisateur ni portail), comme la preuve des 12 requêtes du tableau de 2015.
    client.force_login(utilisateur("agent-cadre"))
    url = reverse("tableau:tableau_de_bord")
    client.get(url, {"annee": 2024})  # remet le référentiel en cache
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as requetes:
        reponse = client.get(url, {"annee": 2024})
    assert reponse.status_code == 200
    texte = texte_html(reponse)
    assert "pilier" not in texte.lower()
    for _code, libelle in ORIENTATIONS:
        assert libelle in texte
    assert "Par orientation" in texte
    assert "Répartition financière par orientation – programmation 2024" in texte
    # Pas d'« année précédente » par orientation : 2023 est d'un autre contrat.
    assert "2023 relève d'un autre contrat, au cadre différent" in texte
    tableau = reponse.context["tableau"]
    assert not tableau.meme_contrat_que_precedente
    assert [ligne.montant for ligne in tableau.piliers.lignes] == [
        Decimal("19500.50"),
        Decimal("7000.25"),
        Decimal("0"),
        Decimal("0"),
        Decimal("2000.00"),
    ]
    # La même part sous CPO que le rapport.
    assert reponse.context["part_cpo"].taux == Decimal("23.3")
    assert "Part des financements associatifs sous CPO 23,3 %" in texte
    # Thématiques ANCT et quartiers comparés à 2023.
    lignes = {ligne.thematique.code: (ligne.montant, ligne.precedent) for ligne in tableau.thematiques.lignes}
    assert lignes == {
        "1.1": (Decimal("12000.50"), Decimal("4000.00")),
        "2.1": (Decimal("7000.25"), Decimal("0")),
    }
    quartiers = {ligne.quartier.code: (ligne.montant, ligne.precedent) for ligne in tableau.quartiers.lignes}
    assert quartiers == {
        "QN06208M": (Decimal("19500.50"), Decimal("5000.00")),
        "QN06204M": (Decimal("9000.25"), Decimal("0")),
        "QN06299N": (Decimal("4500.00"), None),
    }
    # Les projets de quartier, en une requête.
    projets = {s.projet.quartier.code: (s.nb_actions, s.montant) for s in tableau.projets}
    assert projets == {"QN06208M": (2, Decimal("19500.50")), "QN06204M": (1, Decimal("7000.25"))}
    assert len(requetes) <= 12


def test_le_lien_d_une_orientation_montre_aussi_les_dossiers_de_ses_sous_niveaux(client, cadre):
    reponse = client.get(reverse("tableau:tableau_de_bord"), {"annee": 2024})
    ligne, lien = reponse.context["piliers"][0]
    assert ligne.pilier.code == "O1"
    admin = client.get(lien)
    assert sorted(d.numero for d in admin.context["cl"].result_list) == ["2024-001", "2024-003"]
    # Le filtre de la page porte le nom du premier niveau et retient les sous-niveaux.
    filtre = client.get(reverse("tableau:tableau_de_bord"), {"annee": 2024, "pilier": ligne.pilier.pk})
    assert filtre.context["tableau"].chiffres.nb_retenus == 2
    assert "Filtres appliqués : Orientation : O1. Grandir et réussir dans son quartier." in texte_html(filtre)


def test_l_export_par_financeur_nomme_les_orientations(cadre):
    classeur = openpyxl.load_workbook(io.BytesIO(classeur_par_financeur(dossiers_de_l_annee(2024))[0]))
    assert classeur.sheetnames == ["Par orientation", "Par quartier"]
    cellules = [
        str(c) for feuille in classeur for ligne in feuille.iter_rows(values_only=True) for c in ligne
    ]
    assert not any("pilier" in c.lower() for c in cellules)
    lignes = list(classeur["Par orientation"].iter_rows(values_only=True))
    assert lignes[0][:4] == ("Année", "Financeur", "Code orientation", "Orientation")
    # L'agglomération : A1 sur O1 et A3 sur O1.2 comptent tous deux dans O1 ; le dossier refusé n'y est pas.
    agglo = [r for r in lignes if r[1] == Financeur.objects.get(code=CodeFinanceur.AGGLO).nom]
    assert [(r[0], r[2], r[4], Decimal(str(r[7]))) for r in agglo] == [(2024, "O1", 2, Decimal("8000"))]


@pytest.mark.parametrize(
    ("libelle", "feminin", "article", "pronom"),
    [
        ("pilier", None, "le pilier", "Il"),
        ("orientation", None, "l'orientation", "Elle"),
        ("priorité", None, "la priorité", "Elle"),
        ("axe", None, "l'axe", "Il"),
        ("défi", None, "le défi", "Il"),
        ("ambition", None, "l'ambition", "Elle"),
        ("volet", None, "le volet", "Il"),
        ("cible", True, "la cible", "Elle"),  # un féminin que le nom ne dit pas : la saisie l'emporte
    ],
)
def test_le_nom_du_premier_niveau_s_accorde(libelle, feminin, article, pronom):
    contrat = Contrat(libelle_niveau=libelle, niveau_feminin=feminin)
    assert (contrat.le_niveau, contrat.pronom_niveau) == (article, pronom)


def test_une_annee_du_meme_contrat_se_compare_element_par_element(client, cadre):
    """2025 suit 2024 dans le même contrat : ses orientations se comparent, ses contrôles se recoupent."""
    p2025 = Programmation.objects.create(contrat=cadre, annee=2025)
    rediger_blocs(p2025)
    Dossier.objects.create(
        programmation=p2025,
        numero="2025-001",
        intitule="Action 2025",
        porteur=Porteur.objects.get(nom="Association Alpha"),
        pilier=Pilier.objects.get(contrat=cadre, code="O4.2"),
        statut=StatutDossier.RETENU,
    ).lignes_financement.create(
        financeur=Financeur.objects.get(code=CodeFinanceur.ETAT_ANCT),
        nature=NatureCredits.SPECIFIQUE,
        montant_sollicite=Decimal("1234.56"),
        montant_accorde=Decimal("1234.56"),
    )
    contexte = contexte_du_rapport(RapportAnnuel.objects.create(programmation=p2025))
    assert contexte["meme_contrat_que_precedente"]
    # 2024 par orientation, sur la ligne de l'année précédente : A1, A3 (O1) et A5 (O5) sont associatifs.
    assert [ligne.nombre for ligne in contexte["operateurs_precedents"].lignes] == [2, 0, 0, 0, 1]
    assert [ligne.nombre for ligne in contexte["operateurs"].lignes] == [0, 0, 0, 1, 0]
    # Tous les quartiers du contrat se comparent à 2024.
    assert all(ligne.precedent is not None for ligne in contexte["quartiers"].lignes)
    assert [
        (a.code, a.bloquante) for a in controles_du_rapport(contexte) if a.code.startswith("totaux")
    ] == []
    assert contexte["thematiques"].total == contexte["repartition"].total_etat == Decimal("1234.56")

    reponse = client.get(reverse("tableau:tableau_de_bord"), {"annee": 2025})
    assert reponse.context["tableau"].meme_contrat_que_precedente
    assert "relève d'un autre contrat" not in texte_html(reponse)
    # Les années du contrat, et elles seules : 2023 (contrat de 2015) n'est pas dans la courbe.
    assert [p.annee for p in reponse.context["tableau"].tendance] == [2024, 2025]


def test_la_fiche_du_rapport_et_son_apercu_n_impriment_aucun_pilier(client, cadre):
    RapportAnnuel.objects.create(programmation=Programmation.objects.get(annee=2024))
    for url in ("/rapport-annuel/2024/", "/rapport-annuel/2024/apercu/"):
        reponse = client.get(url)
        assert reponse.status_code == 200
        texte = texte_html(reponse)
        assert "pilier" not in texte.lower(), url
    assert "Répartition financière par orientation – programmation 2024" in texte  # l'aperçu HTML du rapport


def test_le_lien_d_une_thematique_montre_les_dossiers_que_l_etat_y_finance(client, cadre):
    reponse = client.get(reverse("tableau:tableau_de_bord"), {"annee": 2024})
    liens = {ligne.thematique.code: lien for ligne, lien in reponse.context["thematiques"]}
    admin = client.get(liens["1.1"])
    # A1 et A5 ; A3 (thématique 1.1, sans crédit de l'État) n'est pas compté par la ligne, ni montré.
    assert sorted(d.numero for d in admin.context["cl"].result_list) == ["2024-001", "2024-005"]
