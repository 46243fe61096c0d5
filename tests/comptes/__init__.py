"""Comptes et dossier de test partagés par les tests de l'audit, du verrou optimiste et des droits."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from contrat_ville.enums import TypePorteur
from contrat_ville.models import Contrat, Financeur, Pilier, Porteur


def utilisateur(nom, role=None, staff=True, **kwargs):
    """Sans mot de passe (les tests utilisent force_login) : le hachage coûte cher."""
    u = get_user_model().objects.create_user(nom, is_staff=staff, **kwargs)
    if role:
        u.groups.add(Group.objects.get(name=role))
    return u


def creer_dossier(annee=2032, numero="2032-001"):
    from programmation.models import Dossier, LigneFinancement, Programmation

    contrat = Contrat.objects.first()
    prog, _ = Programmation.objects.get_or_create(annee=annee, defaults={"contrat": contrat})
    d = Dossier.objects.create(
        programmation=prog,
        numero=numero,
        intitule="Ateliers numériques",
        porteur=Porteur.objects.create(nom=f"Asso Numérique {numero}", type=TypePorteur.ASSOCIATION),
        pilier=Pilier.objects.filter(contrat=contrat).first(),
    )
    LigneFinancement.objects.create(
        dossier=d,
        financeur=Financeur.objects.get(code="ETAT-ANCT"),
        nature="SPECIFIQUE",
        montant_sollicite=Decimal("2000"),
        montant_accorde=Decimal("1000"),
    )
    return d
