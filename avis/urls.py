"""Routes du portail des communes et conseils citoyens."""

from django.urls import path

from . import views, views_porteur

app_name = "avis"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("consultations/<id:pk>/", views.consultation, name="consultation"),
    path("consultations/<id:pk>/projet-de-rapport.pdf", views.projet_de_rapport, name="projet"),
    path("avis/<id:pk>/", views.recu, name="recu"),
    path("avis/<id:pk>/deliberation.pdf", views.deliberation, name="deliberation"),
    path("mes-conventions/", views_porteur.conventions, name="porteur_conventions"),
    path("bilans/<id:pk>/", views_porteur.bilan, name="porteur_bilan"),
    path("bilans/<id:pk>/bilan.pdf", views_porteur.bilan_fichier, name="porteur_bilan_fichier"),
    path("invitation/<uidb64>/<token>/", views.Invitation.as_view(), name="invitation"),
    path("invitation/mot-de-passe-enregistre/", views.invitation_terminee, name="invitation_terminee"),
]
