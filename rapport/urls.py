"""Routes du rapport annuel, sous `/rapport-annuel/`."""

from django.urls import path

from . import views

app_name = "rapport"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<annee:annee>/", views.fiche, name="fiche"),
    path("<annee:annee>/apercu/", views.apercu, name="apercu"),
    path("<annee:annee>/pdf/", views.pdf, name="pdf"),
    path(
        "<annee:annee>/consultations/<id:pk>/projet-transmis.pdf",
        views.projet_transmis,
        name="projet_transmis",
    ),
    path("<annee:annee>/etape-suivante/", views.avancer, name="avancer"),
]
