"""Routes du projet : l'administration des agents, les pages du directeur et le portail."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Politique de la Ville – Contrat de ville"
admin.site.site_title = "Politique de la Ville"
admin.site.index_title = "Programmation et suivi"

urlpatterns = [
    path("", include("comptes.urls")),
    path("admin/", admin.site.urls),
    path("rapport-annuel/", include("rapport.urls")),
    path("portail/", include("avis.urls")),
    path("tableau-de-bord/", include("rapport.urls_tableau")),
    path("suivi-des-subventions/", include("conventions.urls")),
    path("indicateurs/", include("indicateurs.urls")),
]

# Pages d'erreur en français (noyau/erreurs.py), par leur nom : ce module n'importe aucune vue.
handler400 = "noyau.erreurs.requete_invalide"
handler403 = "noyau.erreurs.acces_refuse"
handler404 = "noyau.erreurs.introuvable"
handler500 = "noyau.erreurs.erreur_serveur"
