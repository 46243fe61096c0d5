"""Compte de démonstration d'un porteur de projet sur le portail (ses conventions et ses bilans). Démonstration
seulement : le mot de passe est publié dans le README."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from comptes import roles
from contrat_ville.models import Porteur

from .models import Contact, Organisme

IDENTIFIANT = "porteur.cafe-enfants"
MOT_DE_PASSE = "Bilans-CafeEnfants-2021!"
PORTEUR = "CAFE DES ENFANTS DE BETHUNE"


@transaction.atomic
def charger() -> str:
    porteur = Porteur.objects.filter(nom=PORTEUR).first()
    if porteur is None:
        return "porteur de démonstration absent : compte non créé"
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=IDENTIFIANT)
    user.first_name, user.last_name, user.email = (
        "Direction",
        "Café des enfants",
        "direction@cafe-enfants.example",
    )
    user.is_staff = user.is_superuser = False
    user.is_active = True
    if not user.check_password(MOT_DE_PASSE):
        validate_password(MOT_DE_PASSE, user)
        user.set_password(MOT_DE_PASSE)
    user.save()
    user.groups.set([Group.objects.get_or_create(name=roles.PORTEUR)[0]])
    organisme, _ = Organisme.objects.get_or_create(porteur=porteur)
    Contact.objects.update_or_create(
        utilisateur=user, defaults={"organisme": organisme, "fonction": "Directrice"}
    )
    return f"compte du porteur {porteur.nom} : {IDENTIFIANT}"
