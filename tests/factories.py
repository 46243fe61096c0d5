"""Fabriques de données de test (factory_boy), partagées par toutes les applications.

Elles s'appuient sur le référentiel chargé une fois par session (contrat CABBALR, piliers, thématiques,
financeurs, quartiers) : une fabrique ne crée que ce qu'un test doit maîtriser.
"""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from contrat_ville.enums import CodeFinanceur, NatureCredits, TypePorteur
from contrat_ville.models import Contrat, Financeur, Pilier, Porteur, Quartier
from fcs.models import AxeFCS, EnveloppeFCS, FondsDeConcours, SubventionFCS
from programmation.enums import StatutDossier
from programmation.models import Dossier, LigneFinancement, Programmation


def contrat_cabbalr() -> Contrat:
    return Contrat.objects.order_by("date_signature").first()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "Mot-de-passe-de-test-1")

    @factory.post_generation
    def groupes(self, create, noms, **kwargs):
        from django.contrib.auth.models import Group

        if create and noms:
            self.groups.set([Group.objects.get_or_create(name=nom)[0] for nom in noms])
        if create:
            self.save()


class PorteurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Porteur

    nom = factory.Sequence(lambda n: f"Association de test n° {n}")
    type = TypePorteur.ASSOCIATION
    siret = ""


class ProgrammationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programmation
        django_get_or_create = ["annee"]

    contrat = factory.LazyFunction(contrat_cabbalr)
    annee = factory.Sequence(lambda n: 2100 + n)


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    programmation = factory.SubFactory(ProgrammationFactory)
    numero = factory.Sequence(lambda n: f"T-{n:05d}")
    intitule = factory.Sequence(lambda n: f"Action de test n° {n}")
    porteur = factory.SubFactory(PorteurFactory)
    pilier = factory.LazyAttribute(
        lambda d: Pilier.objects.filter(contrat=d.programmation.contrat).order_by("ordre").first()
    )
    thematique = None
    statut = StatutDossier.RETENU

    @factory.post_generation
    def quartiers(self, create, codes, **kwargs):
        """`DossierFactory(quartiers=["QN06208M"])` : codes des quartiers visés."""
        if create and codes:
            self.quartiers.set(Quartier.objects.filter(code__in=codes))


class LigneFinancementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LigneFinancement

    dossier = factory.SubFactory(DossierFactory)
    financeur = factory.LazyFunction(lambda: Financeur.objects.get(code=CodeFinanceur.ETAT_ANCT))
    nature = NatureCredits.SPECIFIQUE
    montant_sollicite = factory.LazyAttribute(lambda ligne: ligne.montant_accorde)
    montant_accorde = Decimal("1000.00")


class EnveloppeFCSFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnveloppeFCS
        django_get_or_create = ["annee"]

    contrat = factory.LazyFunction(contrat_cabbalr)
    annee = factory.Sequence(lambda n: 2100 + n)
    montant = Decimal("10000.00")


class AxeFCSFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AxeFCS

    enveloppe = factory.SubFactory(EnveloppeFCSFactory)
    numero = factory.Sequence(lambda n: n + 1)
    libelle = factory.Sequence(lambda n: f"Axe de test n° {n}")


class SubventionFCSFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubventionFCS

    axe = factory.SubFactory(AxeFCSFactory)
    porteur = factory.SubFactory(PorteurFactory)
    action = factory.Sequence(lambda n: f"Projet de quartier n° {n}")
    montant = Decimal("1000.00")


class FondsDeConcoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FondsDeConcours

    commune = factory.LazyFunction(lambda: Quartier.objects.get(code="QN06208M").communes.get())
    projet = factory.Sequence(lambda n: f"Équipement de quartier n° {n}")
    montant = Decimal("5000.00")
    annee = 2030
