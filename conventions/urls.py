"""Routes de l'après-vote pour le personnel, sous `/suivi-des-subventions/`."""

from django.urls import path

from . import views

app_name = "conventions"

urlpatterns = [
    path("porteurs/<id:pk>/", views.fiche_porteur, name="fiche_porteur"),
    path("open-data/<annee:annee>.csv", views.open_data, name="open_data"),
    path("versements/<annee:annee>.csv", views.versements, name="versements"),
]
