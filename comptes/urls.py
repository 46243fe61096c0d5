"""Connexion, déconnexion, double authentification et aiguillage de la racine du site."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import double_facteur, views

urlpatterns = [
    path("", views.aiguillage),
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("connexion/double-facteur/", double_facteur.verifier, name="verifier_double_facteur"),
    path("compte/double-facteur/", double_facteur.activer, name="activer_double_facteur"),
]
