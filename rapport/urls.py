"""Routes du rapport annuel, sous `/rapport-annuel/`."""

from django.urls import path

from . import views

app_name = "rapport"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<int:annee>/", views.fiche, name="fiche"),
    path("<int:annee>/apercu/", views.apercu, name="apercu"),
    path("<int:annee>/pdf/", views.pdf, name="pdf"),
    path(
        "<int:annee>/consultations/<int:pk>/projet-transmis.pdf",
        views.projet_transmis,
        name="projet_transmis",
    ),
    path("<int:annee>/etape-suivante/", views.avancer, name="avancer"),
]
