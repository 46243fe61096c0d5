"""Convertisseurs de chemin bornés : un identifiant trop long ou mal formé ne correspond à aucune route (404),
au lieu d'atteindre la base (un entier de 20 chiffres y déborde : OverflowError, erreur 500).

Enregistrés une fois, au démarrage (`NoyauConfig.ready`) : `<id:pk>` et `<annee:annee>`.
"""

from django.urls import register_converter


class Identifiant:
    """Clé primaire : 1 à 18 chiffres (tient dans un bigint signé, 9 223 372 036 854 775 807)."""

    regex = "[0-9]{1,18}"

    def to_python(self, valeur: str) -> int:
        return int(valeur)

    def to_url(self, valeur) -> str:
        return str(int(valeur))


class Annee:
    """Une année de programmation : 4 chiffres."""

    regex = "[0-9]{4}"

    def to_python(self, valeur: str) -> int:
        return int(valeur)

    def to_url(self, valeur) -> str:
        return f"{int(valeur):04d}"


def enregistrer() -> None:
    register_converter(Identifiant, "id")
    register_converter(Annee, "annee")
