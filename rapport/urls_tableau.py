"""Route du tableau de bord, sous `/tableau-de-bord/`."""

from django.urls import path

from . import views_tableau

app_name = "tableau"

urlpatterns = [
    path("", views_tableau.TableauDeBordView.as_view(), name="tableau_de_bord"),
]
