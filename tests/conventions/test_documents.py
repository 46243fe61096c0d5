"""Lettres de notification et conventions en PDF : modèles éditables et hostiles, aperçu, génération figée, comité."""

import datetime
import html
import io
import zipfile
from decimal import Decimal

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from comptes import roles
from conventions import documents
from conventions.enums import Instance, TypeDocument
from conventions.models import CHAMPS_DES_DOCUMENTS, DocumentGenere, ModeleDocument
from journal.concurrence import CHAMP_JETON
from noyau import gabarits
from noyau.empreintes import FichierAltere, empreinte
from noyau.nombres import montant_en_lettres
from tests.comptes import utilisateur
from tests.pdf import texte_pdf

from .factories import convention, ligne_agglo

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client):
    compte = utilisateur("a.agent", roles.AGENT)
    client.force_login(compte)
    return compte


def _convention(montant="3500.50", porteur="Association Les Petits Débrouillards de l'Artois", **kwargs):
    ligne = ligne_agglo(2024, Decimal(montant), porteur__nom=porteur)
    return convention(ligne, {2024: Decimal(montant)}, **kwargs)


@pytest.mark.parametrize(
    "montant, attendu",
    [
        ("3500.50", "trois mille cinq cents euros et cinquante centimes"),
        ("1", "un euro"),
        ("0.01", "un centime"),
        ("71", "soixante et onze euros"),
        ("80", "quatre-vingts euros"),
        ("200", "deux cents euros"),
        ("1000000", "un million d'euros"),
        ("2000000.80", "deux millions d'euros et quatre-vingts centimes"),
        ("4734927", "quatre millions sept cent trente-quatre mille neuf cent vingt-sept euros"),
    ],
)
def test_montant_en_lettres(montant, attendu):
    assert montant_en_lettres(Decimal(montant)) == attendu


def test_les_modeles_par_defaut_sont_charges_et_valides():
    modeles = {m.type: m for m in ModeleDocument.objects.all()}
    assert set(modeles) == set(TypeDocument.values)
    for modele in modeles.values():
        modele.full_clean()  # ne cite que des champs connus, sans balise interdite


@pytest.mark.parametrize(
    "corps, message",
    [
        ("{% load static %}{% static 'x' %}", "Ligne 1 : la balise {% load %} n'est pas permise"),
        ("Bonjour\n{% include 'admin/base.html' %}", "Ligne 2 : la balise {% include %} n'est pas permise"),
        ("{% extends 'admin/base.html' %}", "la balise {% extends %} n'est pas permise"),
        ("{% debug %}", "la balise {% debug %} n'est pas permise"),
        ("{{ porteur.__class__ }}", "un nom ne commence jamais par « _ »"),
        ("{{ porteur.nom|safe }}", "le filtre « safe » n'est pas permis"),
        ("Cher {{ porteur.nmo }}\n\n{{ montnat }}", "Ligne 3 : « montnat » n'est pas un champ du document"),
        ("{% if convention.pluriannuelle %}CPO", "Ligne 1 : la balise {% if %} n'est jamais fermée"),
    ],
)
def test_un_modele_hostile_ou_fautif_est_refuse_en_francais_a_l_enregistrement(client, agent, corps, message):
    modele = ModeleDocument.objects.get(type=TypeDocument.NOTIFICATION)
    avant = modele.corps
    reponse = _enregistrer_modele(client, modele, corps)
    assert reponse.status_code == 200
    assert message in html.unescape(reponse.content.decode())
    modele.refresh_from_db()
    assert modele.corps == avant


def _enregistrer_modele(client, modele, corps):
    url = reverse("admin:conventions_modeledocument_change", args=[modele.pk])
    page = client.get(url).content.decode()
    jeton = page.split(f'name="{CHAMP_JETON}" value="')[1].split('"')[0]
    donnees = {
        "titre": modele.titre,
        "corps": corps,
        "signataire_nom": modele.signataire_nom,
        "signataire_qualite": modele.signataire_qualite,
        CHAMP_JETON: jeton,
    }
    return client.post(url, donnees)


def test_un_modele_valide_est_enregistre_et_sert_a_la_lettre(client, agent):
    modele = ModeleDocument.objects.get(type=TypeDocument.NOTIFICATION)
    corps = (
        "Madame,\n\nUne subvention de {{ montant }} ({{ montant_en_lettres }}) pour {{ porteur.nom|upper }}."
    )
    assert _enregistrer_modele(client, modele, corps).status_code == 302
    modele.refresh_from_db()
    assert modele.corps == corps
    decision = _convention(porteur="Centre social Albert Camus").decisions.get()
    page = documents.html_document(
        documents.decisions_du_document().get(pk=decision.pk), TypeDocument.NOTIFICATION
    )
    assert (
        "CENTRE SOCIAL ALBERT CAMUS" in page and "trois mille cinq cents euros et cinquante centimes" in page
    )


def test_boucles_et_conditions_permises():
    texte = "{% for t in tranches reversed %}{{ t.annee }}{% if not forloop.last %}, {% endif %}{% endfor %}"
    gabarits.verifier(texte, {"tranches"})
    assert gabarits.rendre(texte, {"tranches": [{"annee": "2024"}, {"annee": "2025"}]}) == "2025, 2024"


def test_le_rendu_d_un_modele_n_atteint_ni_fichier_ni_html():
    # Du HTML tapé dans le modèle ou dans une donnée reste du texte, échappé.
    texte = gabarits.rendre(
        "{{ porteur.nom }} <img src='file:///etc/passwd'>", {"porteur": {"nom": "<b>X</b>"}}
    )
    html = gabarits.en_html(texte)
    assert "<img" not in html and "<b>" not in html and "&lt;b&gt;X&lt;/b&gt;" in html
    # Le contexte est figé : une méthode qui modifie une liste n'est pas à portée.
    assert gabarits.rendre("{{ tranches.pop }}{{ tranches|length }}", {"tranches": [1, 2]}).endswith("2")


def test_le_contexte_offre_exactement_les_champs_documentes():
    decision = _convention().decisions.get()
    modele = ModeleDocument.objects.get(type=TypeDocument.NOTIFICATION)
    contexte = documents.contexte_document(
        documents.decisions_du_document().get(pk=decision.pk),
        modele,
        documents.contrat_de(decision.convention),
    )
    assert set(contexte) == set(CHAMPS_DES_DOCUMENTS)


def test_la_lettre_generee_porte_le_porteur_le_montant_en_chiffres_et_en_lettres_et_est_figee(client, agent):
    conv = _convention()
    decision = conv.decisions.get()
    apercu = client.get(
        reverse("admin:conventions_decision_apercu", args=[decision.pk, TypeDocument.NOTIFICATION])
    )
    assert apercu.status_code == 200
    html = apercu.content.decode()
    assert "Les Petits Débrouillards" in html and "trois mille cinq cents euros et cinquante centimes" in html
    assert not DocumentGenere.objects.exists()  # l'aperçu ne génère rien

    reponse = client.post(
        reverse("admin:conventions_decision_generer", args=[decision.pk, TypeDocument.NOTIFICATION])
    )
    assert reponse.status_code == 302
    document = DocumentGenere.objects.get()
    assert document.version == 1 and document.cree_par == agent
    servi = client.get(reverse("admin:conventions_documentgenere_pdf", args=[document.pk]))
    pdf = servi.content
    assert servi["Content-Type"] == "application/pdf"
    assert empreinte(pdf) == document.empreinte_sha256
    texte = texte_pdf(pdf, mise_en_page=False)
    assert "Association Les Petits Débrouillards de l'Artois" in texte
    assert "3 500,50 €" in texte
    assert "trois mille cinq cents euros et cinquante centimes" in texte
    assert "Avance à la signature 2024 : 1 750,25 €" in texte  # l'échéancier
    assert "Dominique Lefort" in texte  # la signature

    # Servi identique, même si les données changent ensuite ; régénérer crée une version 2, la 1 ne bouge pas.
    conv.porteur.nom = "Autre nom"
    conv.porteur.save()
    assert client.get(reverse("admin:conventions_documentgenere_pdf", args=[document.pk])).content == pdf
    client.post(reverse("admin:conventions_decision_generer", args=[decision.pk, TypeDocument.NOTIFICATION]))
    v2 = DocumentGenere.objects.get(version=2)
    assert "Autre nom" in texte_pdf(documents.pdf_fige(v2), mise_en_page=False)
    document.refresh_from_db()
    assert documents.pdf_fige(document) == pdf


def test_un_document_modifie_hors_de_l_application_n_est_plus_servi():
    decision = _convention().decisions.get()
    document = documents.generer_document(decision=decision, type_document=TypeDocument.NOTIFICATION)
    with document.fichier.open("wb") as fichier:
        fichier.write(b"%PDF-1.7 falsifie")
    with pytest.raises(FichierAltere):
        documents.pdf_fige(document)


def test_la_cpo_generee_porte_ses_tranches_en_chiffres_et_en_lettres():
    ligne = ligne_agglo(2024, Decimal("30000"), porteur__nom="Maison de quartier du Mont-Liébaut")
    cpo = convention(ligne, {2024: Decimal("30000"), 2025: Decimal("30000"), 2026: Decimal("31500.50")})
    decision = cpo.decisions.get()
    assert documents.types_possibles(cpo) == [TypeDocument.NOTIFICATION, TypeDocument.CPO]
    with pytest.raises(ValidationError):
        documents.generer_document(decision=decision, type_document=TypeDocument.CONVENTION_ANNUELLE)
    document = documents.generer_document(decision=decision, type_document=TypeDocument.CPO)
    texte = texte_pdf(documents.pdf_fige(document), mise_en_page=False)
    assert "Convention pluriannuelle d'objectifs n° " + cpo.reference in texte
    assert (
        "91 500,50 €" in texte and "quatre-vingt-onze mille cinq cents euros et cinquante centimes" in texte
    )
    assert "2026 : 31 500,50 € (trente et un mille cinq cents euros et cinquante centimes)" in texte
    assert "Pour le bénéficiaire" in texte and "Pour la collectivité" in texte


def test_un_comite_donne_une_archive_avec_un_pdf_par_decision(client, agent, django_assert_max_num_queries):
    jour = datetime.date(2024, 3, 15)
    conventions = [_convention("1000", porteur=f"Association n° {i}", date_decision=jour) for i in range(3)]
    autre_jour = _convention("500", porteur="Hors comité", date_decision=datetime.date(2024, 6, 1))
    url = reverse("admin:conventions_convention_comite", args=[Instance.BUREAU, jour.isoformat()])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200 and "3 décisions" in page.content.decode()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:conventions_convention_comites")).status_code == 200
    decision = conventions[0].decisions.get()
    with django_assert_max_num_queries(12):
        client.get(
            reverse("admin:conventions_decision_apercu", args=[decision.pk, TypeDocument.NOTIFICATION])
        )

    reponse = client.post(url, {"nature": "notification"})
    assert reponse["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(reponse.content))
    noms = sorted(archive.namelist())
    assert len(noms) == 3 and all(n.startswith("notification-") and n.endswith("-v1.pdf") for n in noms)
    porteurs = sorted(texte_pdf(archive.read(n), mise_en_page=False) for n in noms)
    for i, texte in enumerate(porteurs):
        assert f"Association n° {i}" in texte and "mille euros" in texte
    assert DocumentGenere.objects.filter(decision__date=jour).count() == 3
    assert not DocumentGenere.objects.filter(decision__convention=autre_jour).exists()
    # Chaque PDF de l'archive est celui qui est figé.
    for document in DocumentGenere.objects.all():
        assert archive.read(document.nom_de_fichier) == documents.pdf_fige(document)


def test_la_generation_d_un_comite_est_tout_ou_rien(monkeypatch):
    jour = datetime.date(2024, 3, 15)
    for i in range(2):
        _convention("1000", porteur=f"Association n° {i}", date_decision=jour)
    appels = []
    rendre = documents.pdf.rendre_pdf

    def rendre_puis_echouer(html, **kwargs):
        appels.append(1)
        if len(appels) == 2:
            raise documents.pdf.DelaiDepasse("trop long")
        return rendre(html, **kwargs)

    monkeypatch.setattr(documents.pdf, "rendre_pdf", rendre_puis_echouer)
    with pytest.raises(ValidationError, match="Rien n'a été enregistré"):
        documents.generer_documents_comite(instance=Instance.BUREAU, date=jour, nature="notification")
    assert not DocumentGenere.objects.exists()


def test_la_lettre_est_un_pdf_balise_avec_titre_et_langue():
    decision = _convention().decisions.get()
    document = documents.generer_document(decision=decision, type_document=TypeDocument.NOTIFICATION)
    with pikepdf.open(io.BytesIO(documents.pdf_fige(document))) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "fr"
        assert str(pdf.docinfo.Title) == document.titre
        assert "Les Petits Débrouillards" in str(pdf.docinfo.Subject)


def test_les_dernieres_versions_d_un_comite_se_telechargent_sans_rien_generer(client, agent):
    jour = datetime.date(2024, 3, 15)
    premiere, seconde = (
        _convention("1000", porteur=f"Association n° {i}", date_decision=jour) for i in range(2)
    )
    url = reverse("admin:conventions_convention_comite", args=[Instance.BUREAU, jour.isoformat()])
    documents.generer_document(decision=premiere.decisions.get(), type_document=TypeDocument.NOTIFICATION)
    # Une décision sans lettre : l'archive est refusée, avec la convention à compléter.
    reponse = client.get(url, {"telecharger": "notification"}, follow=True)
    page = html.unescape(reponse.content.decode())
    assert "1 décision(s) n'ont pas encore ce document (" + seconde.reference in page
    documents.generer_documents_comite(instance=Instance.BUREAU, date=jour, nature="notification")
    nombre = DocumentGenere.objects.count()
    reponse = client.get(url, {"telecharger": "notification"})
    assert reponse["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(reponse.content))
    derniers = DocumentGenere.objects.filter(version=2) | DocumentGenere.objects.filter(
        decision=seconde.decisions.get()
    )
    assert sorted(archive.namelist()) == sorted(d.nom_de_fichier for d in derniers)
    assert DocumentGenere.objects.count() == nombre
