"""Les routes du projet, plus une vue qui lève une exception : pour voir la page 500."""

from django.urls import path

from contrat_ville.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def panne(request):
    raise RuntimeError("panne simulée")


urlpatterns = [
    *urlpatterns,
    path("panne/", panne),
    path("portail/panne/", panne),
    path("admin-panne/", panne),
]
