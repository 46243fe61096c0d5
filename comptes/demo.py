"""Comptes de démonstration : un agent, le directeur, le service de la commune de Béthune, le conseil citoyen
du Mont-Liébaut. Démonstration seulement : leurs mots de passe sont publiés dans le README.

Les groupes viennent de `contrat_ville/roles.py` ; leurs permissions sont posées par la migration des rôles
(on ne fait ici que `get_or_create`). Les comptes du portail ne sont jamais `is_staff` : leur rattachement à une
commune ou à un conseil citoyen est fait par `avis/demo.py`.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from . import roles


@dataclass(frozen=True)
class CompteDemo:
    identifiant: str
    mot_de_passe: str
    prenom: str
    nom: str
    courriel: str
    role: str
    interne: bool


COMPTES = (
    CompteDemo(
        "agent", "Quartiers-Agent-2021!", "Camille", "Lefebvre", "agent@agglo.example", roles.AGENT, True
    ),
    CompteDemo(
        "directeur",
        "Pilotage-Directeur-2021!",
        "Dominique",
        "Delattre",
        "directeur@agglo.example",
        roles.DIRECTEUR,
        True,
    ),
    CompteDemo(
        "commune.bethune",
        "Avis-Bethune-Mairie-2021!",
        "Service Politique de la Ville",
        "Béthune",
        "politique-ville@bethune.example",
        roles.SERVICE_COMMUNE,
        False,
    ),
    CompteDemo(
        "cc.mont-liebaut",
        "Avis-MontLiebaut-Conseil-2021!",
        "Conseil citoyen",
        "du Mont-Liébaut",
        "conseil-citoyen-mont-liebaut@example.org",
        roles.CONSEIL_CITOYEN,
        False,
    ),
)


@transaction.atomic
def charger() -> int:
    """Crée ou remet en état les comptes ; le mot de passe n'est re-haché que s'il a changé."""
    User = get_user_model()
    for compte in COMPTES:
        groupe, _ = Group.objects.get_or_create(name=compte.role)
        user, cree = User.objects.get_or_create(username=compte.identifiant)
        user.first_name, user.last_name, user.email = compte.prenom, compte.nom, compte.courriel
        user.is_staff = compte.interne
        user.is_superuser = False
        user.is_active = True
        # Un compte tout juste créé n'a pas de mot de passe : check_password hacherait quand même (pour ne pas
        # trahir par sa durée qu'il n'en a pas), soit 0,3 s par compte pour rien.
        if cree or not user.check_password(compte.mot_de_passe):
            validate_password(compte.mot_de_passe, user)
            user.set_password(compte.mot_de_passe)
        user.save()
        user.groups.set([groupe])
    return len(COMPTES)
