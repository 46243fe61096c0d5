"""L'administration entière : chaque liste répond avec le même nombre de requêtes à 20 dossiers et à 20 000,
chaque formulaire s'ouvre, en français."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contrat_ville.models import Commune, ConseilCitoyen, Contrat, Financeur, Quartier
from fcs.models import AxeFCS, EnveloppeFCS, FondsDeConcours, SubventionFCS
from programmation.enums import TypeBloc
from programmation.models import BlocNarratif, Programmation
from programmation.synthetique import creer_annee_synthetique
from rapport.models import RapportAnnuel
from tests.factories import UserFactory, contrat_cabbalr


def listes():
    return [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist") for m in admin.site._registry
    ]


def peupler(annee: int, n: int, nb_dossiers: int, nb_lignes: int):
    """Une année synthétique, et `n` lignes de chacun des autres modèles listés par l'administration."""
    creer_annee_synthetique(annee, nb_dossiers=nb_dossiers, nb_lignes=nb_lignes, nb_porteurs=max(10, n))
    contrat = contrat_cabbalr()
    communes = list(Commune.objects.order_by("pk")[:n])
    quartier = Quartier.objects.order_by("pk").first()
    enveloppe = EnveloppeFCS.objects.create(contrat=contrat, annee=annee, montant=Decimal(n * 1000))
    axes = AxeFCS.objects.bulk_create(
        [AxeFCS(enveloppe=enveloppe, numero=i, libelle=f"Axe {i}") for i in range(1, 6)]
    )
    porteur = Programmation.objects.get(annee=annee).dossiers.first().porteur
    SubventionFCS.objects.bulk_create(
        [SubventionFCS(axe=axes[i % 5], porteur=porteur, action=f"Action {i}", montant=10) for i in range(n)]
    )
    FondsDeConcours.objects.bulk_create(
        [FondsDeConcours(commune=c, projet=f"Projet {annee}", montant=100, annee=annee) for c in communes]
    )
    ConseilCitoyen.objects.bulk_create(
        [ConseilCitoyen(nom=f"Conseil {annee}-{i}", quartier=quartier) for i in range(n)]
    )
    programmations = Programmation.objects.bulk_create(
        [Programmation(contrat=contrat, annee=2100 + (annee - 2050) * 100 + i) for i in range(n // 5)]
    )
    BlocNarratif.objects.bulk_create(
        [
            BlocNarratif(programmation=p, type=t, texte="Texte")
            for p in programmations
            for t in TypeBloc.values
        ]
    )
    RapportAnnuel.objects.bulk_create([RapportAnnuel(programmation=p) for p in programmations])
    Contrat.objects.bulk_create(
        [
            Contrat(
                nom=f"Contrat {annee}-{i}",
                epci="EPCI",
                date_signature=date(2024, 1, 1),
                date_fin=date(2030, 1, 1),
            )
            for i in range(n // 10)
        ]
    )
    get_user_model().objects.bulk_create(
        [get_user_model()(username=f"u{annee}-{i}", email=f"u{annee}-{i}@example.org") for i in range(n)]
    )
    Group.objects.bulk_create([Group(name=f"Groupe {annee}-{i}") for i in range(n // 10)])


def compter(client, url) -> int:
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(url)
    assert reponse.status_code in (200, 302), (url, reponse.status_code)
    return len(requetes)


@pytest.mark.django_db
def test_chaque_liste_meme_nombre_de_requetes_a_20_et_a_20_000_dossiers(client, django_assert_num_queries):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    quartier = Quartier.objects.get(code="QN06208M")
    etat = Financeur.objects.get(code="ETAT-ANCT")
    dossiers = reverse("admin:programmation_dossier_changelist")
    urls = listes() + [
        # l'agent cherche les dossiers d'un quartier, d'un financeur, d'une thématique, par mot-clé
        f"{dossiers}?quartiers__id__exact={quartier.pk}&statut__exact=RETENU",
        f"{dossiers}?quartiers__communes__id__exact={quartier.communes.get().pk}&porteur__type__exact=ASSOCIATION",
        f"{dossiers}?lignes_financement__financeur__id__exact={etat.pk}&o=-7",
        f"{dossiers}?q=synth%C3%A9tique",
    ]
    peupler(2050, n=20, nb_dossiers=20, nb_lignes=40)
    for url in urls:  # premier passage : caches de session et des types de contenu
        compter(client, url)
    petites = {url: compter(client, url) for url in urls}

    peupler(2051, n=300, nb_dossiers=20_000, nb_lignes=20_000)
    for url in urls:
        with django_assert_num_queries(petites[url], info=url):
            reponse = client.get(url)
        assert reponse.status_code in (200, 302)
    # La liste s'ouvre sur la dernière année ; « Toutes les années » les montre toutes.
    assert "20 020" in client.get(f"{dossiers}?programmation__annee=toutes").content.decode().replace(
        "\xa0", " "
    )


@pytest.mark.django_db
def test_chaque_formulaire_s_ouvre_en_francais(client, donnees_demo):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for modele, modele_admin in admin.site._registry.items():
        info = (modele._meta.app_label, modele._meta.model_name)
        liste = client.get(reverse("admin:{}_{}_changelist".format(*info)), follow=True)
        assert liste.status_code == 200, info
        assert 'lang="fr"' in liste.content.decode(), info
        objet = modele._default_manager.order_by("pk").first()
        if objet is not None and modele_admin.has_change_permission(liste.wsgi_request, objet):
            page = client.get(reverse("admin:{}_{}_change".format(*info), args=[objet.pk]))
            assert page.status_code == 200, info
            assert "Enregistrer" in page.content.decode(), info
        if modele_admin.has_add_permission(liste.wsgi_request):
            assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200, info
