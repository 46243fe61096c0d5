"""La section « Indicateurs de suivi » du rapport annuel, le bloc du tableau de bord et la page à mi-parcours :
rendus, et en un nombre de requêtes qui ne dépend pas du nombre d'indicateurs."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptes import roles
from contrat_ville.enums import CodeFinanceur, NatureCredits
from contrat_ville.models import Pilier, Quartier
from indicateurs.enums import SensSouhaite
from programmation.models import Programmation
from rapport.contexte import contexte_du_rapport
from rapport.models import RapportAnnuel
from rapport.rendu import pdf_du_rapport
from tests.comptes import utilisateur
from tests.pdf import texte_pdf
from tests.rapport.donnees_rapport import dossier, rediger_blocs

from .conftest import indicateur

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def annee_2025(contrat_2024):
    Pilier.objects.create(contrat=contrat_2024, code="O1", libelle="Réussir sa vie professionnelle", ordre=1)
    programmation = Programmation.objects.create(annee=2025, contrat=contrat_2024)
    dossier(
        programmation,
        "2025-001",
        pilier="O1",
        lignes=[(CodeFinanceur.ETAT_ANCT, NatureCredits.SPECIFIQUE, "1000.00")],
    )
    rediger_blocs(programmation)
    return RapportAnnuel.objects.create(programmation=programmation)


def plusieurs_indicateurs(contrat, nombre):
    quartiers = list(contrat.quartiers.order_by("code"))
    for i in range(nombre):
        indicateur(
            contrat,
            f"X-{i}",
            quartier=quartiers[i % 3] if i % 2 else None,
            valeurs={2023: "40", 2024: "42", 2025: "44"},
        )


def test_la_section_du_rapport(client, contrat_2024, annee_2025):
    indicateur(
        contrat_2024,
        "EMP-2",
        libelle="Demandeurs d'emploi de catégorie A résidant en QPV",
        unite="personnes",
        sens=SensSouhaite.BAISSE,
        reference="5840",
        cible="4900",
        valeurs={2023: "5840", 2024: "5710", 2025: "5420", 2026: "5000"},
    )
    indicateur(
        contrat_2024,
        "EDU-2",
        libelle="Enfants suivis par la réussite éducative",
        quartier=Quartier.objects.get(code="QN06208M"),
        reference="85",
        cible="140",
        unite="enfants",
        valeurs={2024: "98,5".replace(",", ".")},
    )
    client.force_login(utilisateur("directeur.indic", roles.DIRECTEUR))
    page = client.get("/rapport-annuel/2025/apercu/").content.decode()
    section = page[page.index('<section id="indicateurs"') :]
    section = section[: section.index("</section>")]
    assert "<h2>Indicateurs de suivi</h2>" in section
    texte = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", section)).replace("\u00a0", " "))
    # (5 840 - 5 420) / (5 840 - 4 900) = 44,7 % ; la valeur de 2026, après l'année du rapport, n'est pas montrée.
    assert "2023 : 5 840 2024 : 5 710 2025 : 5 420" in texte and "5 000" not in texte
    assert "44,7 %" in texte
    assert "EDU-2 Enfants suivis par la réussite éducative – Quartier Du Mont Liébaut" in texte
    # (98,5 - 85) / (140 - 85) = 24,5 %
    assert "2024 : 98,5" in texte and "24,5 %" in texte
    assert section.count('role="img"') == 2 and "<title>Demandeurs d&#x27;emploi" in section

    # Et dans le PDF.
    pdf = texte_pdf(pdf_du_rapport(RapportAnnuel.objects.get(pk=annee_2025.pk)), mise_en_page=False)
    pdf = pdf.replace("\u00a0", " ").replace("\u202f", " ")
    assert "Indicateurs de suivi" in pdf
    assert "Demandeurs d'emploi de catégorie A résidant en QPV" in pdf
    assert "44,7 %" in pdf and "24,5 %" in pdf


def test_sans_indicateur_pas_de_section(client, annee_2025):
    client.force_login(utilisateur("directeur.indic", roles.DIRECTEUR))
    page = client.get("/rapport-annuel/2025/apercu/").content.decode()
    assert 'id="indicateurs"' not in page and 'href="#indicateurs"' not in page


def indicateurs_lus(requetes) -> int:
    return sum("indicateurs_indicateur" in q["sql"] for q in requetes.captured_queries)


def test_le_rapport_lit_les_indicateurs_du_cache(contrat_2024, annee_2025):
    rapport = RapportAnnuel.objects.get(pk=annee_2025.pk)
    contexte_du_rapport(rapport)  # met en cache le référentiel et les indicateurs
    with CaptureQueriesContext(connection) as sans:
        contexte_du_rapport(rapport)
    plusieurs_indicateurs(contrat_2024, 15)  # chaque écriture oublie les indicateurs en cache
    with CaptureQueriesContext(connection) as relus:
        contexte_du_rapport(rapport)
    assert indicateurs_lus(relus) == 1 and len(relus) == len(sans) + 1
    with CaptureQueriesContext(connection) as avec:
        contexte = contexte_du_rapport(rapport)
    assert indicateurs_lus(avec) == 0 and len(avec) == len(sans)
    assert len(contexte["indicateurs"].lignes) == 15
    assert ("indicateurs", "Indicateurs de suivi") in contexte["sections"]  # au sommaire


def test_le_bloc_du_tableau_de_bord_ne_coute_aucune_requete_en_cache(client, contrat_2024, annee_2025):
    client.force_login(utilisateur("directeur.indic", roles.DIRECTEUR))
    client.get("/tableau-de-bord/", {"annee": 2025})  # met en cache le référentiel, prolonge la session
    with CaptureQueriesContext(connection) as sans:
        page = client.get("/tableau-de-bord/", {"annee": 2025}).content.decode()
    assert 'id="titre-indicateurs"' not in page
    plusieurs_indicateurs(contrat_2024, 12)
    with CaptureQueriesContext(connection) as relus:
        client.get("/tableau-de-bord/", {"annee": 2025})
    assert indicateurs_lus(relus) == 1  # relus une fois après l'écriture, en une requête
    with CaptureQueriesContext(connection) as avec:
        page = client.get("/tableau-de-bord/", {"annee": 2025}).content.decode()
    assert "Indicateurs de suivi du contrat" in page and page.count('class="indicateur-tendance"') == 12
    assert indicateurs_lus(avec) == 0
    assert len(avec) == len(sans)


def test_la_page_a_mi_parcours(client, contrat_2024, django_assert_max_num_queries):
    indicateur(contrat_2024, "A", libelle="Taux d'emploi", valeurs={2024: "42", 2025: "48"})
    indicateur(contrat_2024, "B", libelle="Réussite au brevet", valeurs={2025: "41"})
    indicateur(
        contrat_2024, "C", libelle="Jeunes suivis", reference="10", cible="5", sens=SensSouhaite.BAISSE
    )
    client.force_login(utilisateur("agent.indic", roles.AGENT))
    client.get("/indicateurs/mi-parcours/")
    with django_assert_max_num_queries(8) as requetes:
        reponse = client.get("/indicateurs/mi-parcours/", {"contrat": contrat_2024.pk})
    texte = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", reponse.content.decode())).replace("\u00a0", " ")
    assert "Évaluation à mi-parcours en 2027" in texte
    assert "1 en avance 0 dans la trajectoire 1 en retard 1 sans valeur" in texte
    assert "En avance (2025 ; trajectoire : 28,6 %)" in texte
    assert "En retard (2025 ; trajectoire : 28,6 %)" in texte
    compte = len(requetes)
    plusieurs_indicateurs(contrat_2024, 20)
    # Après l'écriture, les indicateurs en cache sont relus une fois (une requête), puis plus du tout.
    with django_assert_max_num_queries(compte + 1):
        assert client.get("/indicateurs/mi-parcours/", {"contrat": contrat_2024.pk}).status_code == 200
    with django_assert_max_num_queries(compte):
        assert client.get("/indicateurs/mi-parcours/", {"contrat": contrat_2024.pk}).status_code == 200
    assert client.get("/indicateurs/mi-parcours/", {"contrat": 999999}).status_code == 404


@pytest.mark.parametrize(
    "role, attendu",
    [(roles.DIRECTEUR, 200), (roles.AUDITEUR, 200), (roles.SERVICE_COMMUNE, 403), (None, 302)],
)
def test_qui_voit_la_page_a_mi_parcours(client, contrat_2024, role, attendu):
    if role is not None:
        client.force_login(utilisateur("compte", role, staff=role in roles.ROLES_INTERNES))
    assert client.get("/indicateurs/mi-parcours/").status_code == attendu


def test_le_tableau_de_bord_filtre_sur_un_quartier_montre_ses_indicateurs(client, contrat_2024, annee_2025):
    mlb, autre = Quartier.objects.get(code="QN06208M"), Quartier.objects.get(code="QN06209M")
    indicateur(contrat_2024, "CONTRAT", libelle="Indicateur du contrat")
    indicateur(contrat_2024, "MLB", libelle="Indicateur du Mont-Liébaut", quartier=mlb)
    indicateur(contrat_2024, "AUTRE", libelle="Indicateur d'un autre quartier", quartier=autre)
    client.force_login(utilisateur("directeur.indic", roles.DIRECTEUR))
    tout = client.get("/tableau-de-bord/", {"annee": 2025}).context["indicateurs_suivi"]
    assert [s.indicateur.code for s in tout.lignes] == ["CONTRAT", "AUTRE", "MLB"]
    filtre = client.get("/tableau-de-bord/", {"annee": 2025, "quartier": mlb.pk}).context["indicateurs_suivi"]
    assert [s.indicateur.code for s in filtre.lignes] == ["CONTRAT", "MLB"]
