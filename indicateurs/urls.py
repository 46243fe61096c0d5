"""Routes des indicateurs, sous `/indicateurs/`."""

from django.urls import path

from . import views

app_name = "indicateurs"

urlpatterns = [
    path("mi-parcours/", views.MiParcoursView.as_view(), name="mi_parcours"),
]
