"""Compteurs du frein des connexions (`comptes.securite`) : partagés par tous les processus web, en base."""

from django.db import models


class CompteurConnexion(models.Model):
    """Les échecs de connexion récents pour une clé : un couple (compte, adresse), une adresse ou un compte."""

    class Genre(models.TextChoices):
        PAIRE = "PAIRE", "compte et adresse"
        ADRESSE = "ADRESSE", "adresse"
        COMPTE = "COMPTE", "compte (alerte seulement)"

    genre = models.CharField("genre", max_length=10, choices=Genre.choices)
    cle = models.CharField("clé", max_length=300)
    echecs = models.PositiveIntegerField("échecs", default=0)
    premier_echec = models.DateTimeField("premier échec")
    dernier_echec = models.DateTimeField("dernier échec")
    libre_le = models.DateTimeField("connexion possible à partir du", null=True, blank=True)
    alerte_le = models.DateTimeField("service alerté le", null=True, blank=True)

    class Meta:
        verbose_name = "compteur d'échecs de connexion"
        verbose_name_plural = "compteurs d'échecs de connexion"
        constraints = [models.UniqueConstraint(fields=["genre", "cle"], name="compteur_connexion_unique")]

    def __str__(self):
        return f"{self.get_genre_display()} {self.cle} : {self.echecs} échec(s)"
