"""Routes du projet : l'administration des agents, les pages du directeur et le portail."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from avis.views import aiguillage

from . import double_facteur

admin.site.site_header = "Politique de la Ville – Contrat de ville"
admin.site.site_title = "Politique de la Ville"
admin.site.index_title = "Programmation et suivi"

urlpatterns = [
    path("", aiguillage),
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("connexion/double-facteur/", double_facteur.verifier, name="verifier_double_facteur"),
    path("compte/double-facteur/", double_facteur.activer, name="activer_double_facteur"),
    path("admin/", admin.site.urls),
    path("rapport-annuel/", include("programmation.urls")),
    path("portail/", include("avis.urls")),
    path("tableau-de-bord/", include("programmation.urls_tableau")),
]
