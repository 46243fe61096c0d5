"""Les pages des agents : suivi de la consultation, avis reçu par courrier, contacts et invitations, réouverture."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from avis import services
from avis.models import Avis, Consultation, Contact, Destinataire, Organisme, Reouverture
from contrat_ville.models import Commune

from .conftest import fichiers_stockes, pdf_octets
from .test_fichiers import png_octets

pytestmark = pytest.mark.django_db


def test_tableau_de_suivi_de_la_consultation(admin_client, consultation_close):
    page = admin_client.get(
        reverse("admin:avis_consultation_change", args=[consultation_close.pk])
    ).content.decode()
    assert '<th scope="col">Invité le</th>' in page
    assert (
        "<td>Commune de Bruay-la-Buissière</td><td>—</td><td>—</td><td>oui</td><td>Favorable</td><td>24/10/2022</td>"
        in page
    )
    assert (
        "<td>Commune de Béthune</td><td>—</td><td>—</td><td>non</td>"
        "<td>Réputé favorable (sans réponse au 07/11/2022)</td><td>07/11/2022</td>" in page
    )


def test_liste_de_suivi_requetes_bornees(admin_client, consultation_close, django_assert_max_num_queries):
    url = reverse("admin:avis_destinataire_changelist") + f"?consultation__id__exact={consultation_close.pk}"
    with django_assert_max_num_queries(15) as petites:
        page = admin_client.get(url).content.decode()
    assert "Réputé favorable (sans réponse au 07/11/2022)" in page
    organismes = [Organisme.objects.get_or_create(commune=c)[0] for c in Commune.objects.all()[:80]]
    services.ajouter_destinataires(consultation=consultation_close, organismes=organismes)
    with django_assert_max_num_queries(len(petites.captured_queries)):
        assert admin_client.get(url).status_code == 200


def test_l_admin_ne_cree_pas_de_consultation_elle_se_lance_depuis_le_rapport(admin_client, rapport):
    """Une consultation est une étape du cycle du rapport (projet figé, délai, invitations) : pas de porte dérobée."""
    reponse = admin_client.post(
        reverse("admin:avis_consultation_add"),
        {"programmation": rapport.programmation.pk, "date_envoi": "07/10/2022", "date_limite": "07/11/2022"},
    )
    assert reponse.status_code == 403
    assert not Consultation.objects.exists()
    liste = admin_client.get(reverse("admin:avis_consultation_changelist")).content.decode()
    assert "se lance depuis la fiche du rapport annuel" in liste


def test_avis_recu_par_courrier_depuis_l_admin(
    admin_client, consultation_close, bethune, stockage_temporaire
):
    url = reverse("admin:avis_avis_add")
    donnees = {
        "consultation": consultation_close.pk,
        "organisme": bethune.pk,
        "decision": "DEFAVORABLE",
        "date_seance": "2022-10-30",
        "observations": "",
    }
    avant = len(fichiers_stockes(stockage_temporaire))
    refuse = admin_client.post(url, {**donnees, "document": SimpleUploadedFile("scan.pdf", png_octets())})
    assert refuse.status_code == 422
    assert "n&#x27;est pas un PDF" in refuse.content.decode()
    assert not Avis.objects.filter(organisme=bethune).exists()
    assert len(fichiers_stockes(stockage_temporaire)) == avant
    reponse = admin_client.post(url, {**donnees, "document": SimpleUploadedFile("scan.pdf", pdf_octets())})
    assert reponse.status_code == 302
    avis = Avis.objects.get(organisme=bethune)
    assert avis.recu_par_courrier and avis.decision == "DEFAVORABLE"
    # Le document numérisé se télécharge par le personnel, en pièce jointe.
    fichier = admin_client.get(reverse("avis:deliberation", args=[avis.pk]))
    assert fichier["Content-Disposition"].startswith("attachment;")
    b"".join(fichier.streaming_content)


def test_ajouter_un_contact_l_invite(admin_client, bethune, mailoutbox):
    reponse = admin_client.post(
        reverse("admin:avis_contact_add"),
        {
            "organisme": bethune.pk,
            "email": "Mairie@Bethune.example",
            "prenom": "Léa",
            "nom": "Martin",
            "inviter": "on",
        },
    )
    assert reponse.status_code == 302
    contact = Contact.objects.get()
    assert contact.utilisateur.username == "mairie@bethune.example"
    assert not contact.utilisateur.has_usable_password()
    assert not contact.utilisateur.is_staff
    assert [m.to for m in mailoutbox] == [["mairie@bethune.example"]]
    doublon = admin_client.post(
        reverse("admin:avis_contact_add"), {"organisme": bethune.pk, "email": "mairie@bethune.example"}
    )
    assert "Un compte existe déjà" in doublon.content.decode()


def test_actions_renvoyer_desactiver_rouvrir(
    admin_client, consultation, contact_bethune, bethune, mailoutbox
):
    liste = reverse("admin:avis_contact_changelist")
    mailoutbox.clear()
    admin_client.post(liste, {"action": "renvoyer_invitation", "_selected_action": [contact_bethune.pk]})
    assert [m.to for m in mailoutbox] == [["pdlv@bethune.example"]]
    admin_client.post(liste, {"action": "desactiver", "_selected_action": [contact_bethune.pk]})
    contact_bethune.utilisateur.refresh_from_db()
    assert not contact_bethune.utilisateur.is_active

    destinataire = Destinataire.objects.get(consultation=consultation, organisme=bethune)
    admin_client.post(
        reverse("admin:avis_destinataire_changelist"),
        {"action": "rouvrir", "_selected_action": [destinataire.pk]},
    )
    destinataire.refresh_from_db()
    assert destinataire.rouvert
    assert Reouverture.objects.get().destinataire == destinataire


def test_un_avis_ne_se_modifie_pas_dans_l_admin(admin_client, consultation_close):
    avis = Avis.objects.get()
    reponse = admin_client.post(
        reverse("admin:avis_avis_change", args=[avis.pk]), {"decision": "DEFAVORABLE"}
    )
    assert reponse.status_code in (302, 403)
    avis.refresh_from_db()
    assert avis.decision == "FAVORABLE"
