"""Services de la consultation : invitations, dépôt, verrouillage, réouverture, courrier, relances."""

import datetime
import hashlib
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from avis import services
from avis.models import Avis, Consultation, Destinataire, Organisme, Reouverture
from contrat_ville.models import ConseilCitoyen, Quartier
from programmation.enums import TypeBloc
from programmation.models import BlocNarratif
from rapport.rendu import pdf_du_rapport

from .conftest import consultation_de_reference, fichiers_stockes, pdf_octets
from .test_rapport import texte_pdf

pytestmark = pytest.mark.django_db


def un_pdf(nom="delib.pdf"):
    return SimpleUploadedFile(nom, pdf_octets(), content_type="application/pdf")


def deposer(destinataire, contact, **champs):
    return services.deposer_avis(
        destinataire=destinataire,
        par=contact.utilisateur,
        decision=champs.get("decision", "FAVORABLE"),
        date_seance=champs.get("date_seance", datetime.date(2022, 10, 26)),
        observations=champs.get("observations", ""),
        deliberation=champs.get("deliberation", un_pdf()),
    )


def test_organismes_par_defaut_communes_des_quartiers_et_conseils_citoyens(rapport, agent, mont_liebaut):
    consultation = services.creer_consultation(
        programmation=rapport.programmation,
        projet_pdf=pdf_octets("Projet de rapport"),
        date_envoi=datetime.date(2022, 10, 7),
        date_limite=datetime.date(2022, 11, 7),
        par=agent,
    )
    organismes = Organisme.objects.filter(destinataires__consultation=consultation)
    communes = set(organismes.filter(commune__isnull=False).values_list("commune__nom", flat=True))
    # Les communes qui portent une partie d'un QPV de la CABBALR, d'après qpv2024.csv (Verquin pour les 3 îlots,
    # Haillicourt pour Le Centre…), calculées ici à partir du référentiel chargé.
    attendues = set(
        Quartier.objects.filter(contrats=rapport.programmation.contrat).values_list(
            "communes__nom", flat=True
        )
    )
    assert communes == attendues
    assert {"Béthune", "Bruay-la-Buissière", "Auchel", "Nœux-les-Mines", "Verquin", "Haillicourt"} <= communes
    conseils = set(
        organismes.filter(conseil_citoyen__isnull=False).values_list("conseil_citoyen__nom", flat=True)
    )
    assert conseils == set(
        ConseilCitoyen.objects.filter(quartier__contrats=rapport.programmation.contrat).values_list(
            "nom", flat=True
        )
    )
    assert mont_liebaut.conseil_citoyen.nom in conseils
    assert len(conseils) == 16  # un par QPV de la CABBALR


def test_creer_consultation_refuse_un_delai_de_trois_semaines(rapport, agent):
    with pytest.raises(ValidationError) as erreur:
        services.creer_consultation(
            programmation=rapport.programmation,
            projet_pdf=pdf_octets("Projet de rapport"),
            date_envoi=datetime.date(2022, 10, 7),
            date_limite=datetime.date(2022, 10, 28),
            par=agent,
        )
    assert "un mois" in str(erreur.value)
    assert not Consultation.objects.exists()


def test_lancer_envoie_un_lien_personnel_a_chaque_contact(
    rapport, agent, bethune, bruay, contact_bethune, contact_bruay, mailoutbox
):
    consultation = consultation_de_reference(rapport, agent, [bethune, bruay])
    assert services.inviter_organismes(consultation=consultation, par=agent) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["pdlv@bethune.example", "pdlv@bruay.example"]
    message = next(m for m in mailoutbox if m.to == ["pdlv@bethune.example"])
    assert (
        message.subject == "Projet de rapport 2021 sur la politique de la ville : avis de Commune de Béthune"
    )
    assert "07/11/2022" in message.body
    liens = re.findall(r"http://portail\.test/portail/invitation/\S+/\S+/", message.body)
    assert len(liens) == 1
    assert Destinataire.objects.filter(consultation=consultation, invite_le__isnull=False).count() == 2
    consultation.refresh_from_db()
    assert consultation.lancee_le is not None


def test_un_contact_desactive_n_est_pas_invite(consultation, contact_bethune, agent, mailoutbox):
    services.desactiver_contact(contact=contact_bethune, par=agent)
    mailoutbox.clear()
    services.inviter_organismes(consultation=consultation, par=agent)
    assert mailoutbox == []
    with pytest.raises(ValidationError):
        services.inviter_contact(contact=contact_bethune, par=agent)


def test_depot_puis_verrouillage(
    consultation,
    bethune,
    contact_bethune,
    mailoutbox,
    stockage_temporaire,
    django_capture_on_commit_callbacks,
):
    destinataire = Destinataire.objects.get(consultation=consultation, organisme=bethune)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        avis = deposer(
            destinataire,
            contact_bethune,
            decision="RESERVES",
            observations="Plus de moyens pour l'emploi.",
            deliberation=un_pdf("../../etc/conseil municipal.pdf"),
        )
    assert avis.decision == "RESERVES"
    assert avis.depose_par == contact_bethune.utilisateur
    assert avis.deliberation.name.startswith(f"deliberations/{consultation.pk}/")
    assert re.fullmatch(rf"deliberations/{consultation.pk}/[0-9a-f]{{32}}\.pdf", avis.deliberation.name)
    assert len(fichiers_stockes(stockage_temporaire)) == 1
    assert len(mailoutbox) == 1
    assert "Accusé de réception" in mailoutbox[0].subject
    assert "Favorable avec réserves" in mailoutbox[0].body

    with pytest.raises(ValidationError) as erreur:
        deposer(destinataire, contact_bethune, decision="DEFAVORABLE")
    assert "ne peut plus" in str(erreur.value)
    assert Avis.objects.get().decision == "RESERVES"
    assert len(fichiers_stockes(stockage_temporaire)) == 1


def test_reouverture_tracee_puis_nouveau_depot_remplace_le_fichier(
    consultation, bethune, contact_bethune, agent, stockage_temporaire, django_capture_on_commit_callbacks
):
    destinataire = Destinataire.objects.get(consultation=consultation, organisme=bethune)
    premier = deposer(destinataire, contact_bethune)
    ancien = premier.deliberation.name
    services.rouvrir_avis(destinataire=destinataire, par=agent, motif="Délibération non signée")
    assert Reouverture.objects.get().par == agent
    with django_capture_on_commit_callbacks(execute=True):
        second = deposer(destinataire, contact_bethune, decision="DEFAVORABLE")
    assert second.pk == premier.pk
    assert Avis.objects.get().decision == "DEFAVORABLE"
    destinataire.refresh_from_db()
    assert destinataire.rouvert is False  # le nouveau dépôt referme l'avis
    fichiers = fichiers_stockes(stockage_temporaire)
    assert [f.name for f in fichiers] == [second.deliberation.name.rsplit("/", 1)[1]]
    assert ancien != second.deliberation.name


def test_apres_la_date_limite_le_depot_est_refuse_sauf_reouverture(rapport, agent, bethune, contact_bethune):
    consultation_de_reference(rapport, agent, [bethune])
    destinataire = Destinataire.objects.get()
    with pytest.raises(ValidationError):
        deposer(destinataire, contact_bethune)
    assert not Avis.objects.exists()
    services.rouvrir_avis(destinataire=destinataire, par=agent)
    assert deposer(destinataire, contact_bethune).pk


def test_un_contact_ne_depose_pas_pour_un_autre_organisme(
    consultation, bruay, contact_bethune, stockage_temporaire
):
    destinataire = Destinataire.objects.get(consultation=consultation, organisme=bruay)
    with pytest.raises(ValidationError):
        deposer(destinataire, contact_bethune)
    assert not Avis.objects.exists()
    assert fichiers_stockes(stockage_temporaire) == []


def test_echec_en_base_ne_laisse_aucun_fichier(consultation, bethune, contact_bethune, stockage_temporaire):
    """Une date de séance invalide pour le modèle fait tout annuler : la base et le stockage restent vides."""
    destinataire = Destinataire.objects.get(consultation=consultation, organisme=bethune)
    with pytest.raises(ValidationError):
        deposer(destinataire, contact_bethune, decision="INCONNUE")
    assert not Avis.objects.exists()
    assert fichiers_stockes(stockage_temporaire) == []


def test_avis_recu_par_courrier(consultation, bruay, agent, stockage_temporaire):
    avis = services.enregistrer_avis_courrier(
        consultation=consultation,
        organisme=bruay,
        par=agent,
        decision="FAVORABLE",
        date_seance=datetime.date(2022, 10, 24),
        document=un_pdf("courrier.pdf"),
    )
    assert avis.recu_par_courrier is True
    assert avis.depose_par == agent
    assert len(fichiers_stockes(stockage_temporaire)) == 1
    with pytest.raises(ValidationError):
        services.enregistrer_avis_courrier(
            consultation=consultation,
            organisme=bruay,
            par=agent,
            decision="DEFAVORABLE",
            date_seance=datetime.date(2022, 10, 24),
            document=un_pdf(),
        )
    assert len(fichiers_stockes(stockage_temporaire)) == 1


def _consultation_a_relancer(rapport, agent, organismes, aujourdhui):
    envoi = aujourdhui - datetime.timedelta(days=40)
    consultation = services.creer_consultation(
        programmation=rapport.programmation,
        projet_pdf=pdf_octets("Projet de rapport"),
        date_envoi=envoi,
        date_limite=aujourdhui + datetime.timedelta(days=7),
        organismes=organismes,
        par=agent,
    )
    return consultation


def test_relancer_avis_deux_fois_n_envoie_qu_une_relance(
    rapport, agent, bethune, bruay, contact_bethune, contact_bruay, aujourdhui, mailoutbox
):
    consultation = _consultation_a_relancer(rapport, agent, [bethune, bruay], aujourdhui)
    # Bruay a déjà répondu : elle n'est pas relancée.
    services.deposer_avis(
        destinataire=Destinataire.objects.get(consultation=consultation, organisme=bruay),
        par=contact_bruay.utilisateur,
        decision="FAVORABLE",
        date_seance=aujourdhui,
        deliberation=un_pdf(),
    )
    mailoutbox.clear()
    sortie = io.StringIO()
    call_command("relancer_avis", stdout=sortie)
    call_command("relancer_avis", stdout=sortie)
    assert sortie.getvalue().splitlines() == ["1 relance(s) envoyée(s).", "0 relance(s) envoyée(s)."]
    assert [m.to for m in mailoutbox] == [["pdlv@bethune.example"]]
    assert "Rappel" in mailoutbox[0].subject
    assert Destinataire.objects.get(organisme=bethune).relance_le is not None


def test_une_relance_qui_n_a_pas_pu_partir_repart_le_lendemain(
    rapport, agent, bethune, contact_bethune, aujourdhui, mailoutbox, monkeypatch
):
    _consultation_a_relancer(rapport, agent, [bethune], aujourdhui)
    mailoutbox.clear()

    def serveur_en_panne(*args, **kwargs):
        raise ConnectionRefusedError("serveur SMTP injoignable")

    with monkeypatch.context() as m:
        m.setattr(services.courriels, "envoyer", serveur_en_panne)
        with pytest.raises(ConnectionRefusedError):
            services.relancer(aujourdhui=aujourdhui)
    assert Destinataire.objects.get(organisme=bethune).relance_le is None
    assert services.relancer(aujourdhui=aujourdhui) == 1
    assert [m.to for m in mailoutbox] == [["pdlv@bethune.example"]]


def test_pas_de_relance_plus_de_sept_jours_avant_la_date_limite(
    rapport, agent, bethune, contact_bethune, aujourdhui, mailoutbox
):
    _consultation_a_relancer(rapport, agent, [bethune], aujourdhui)
    mailoutbox.clear()
    assert services.relancer(aujourdhui=aujourdhui - datetime.timedelta(days=1)) == 0
    assert services.relancer(aujourdhui=aujourdhui + datetime.timedelta(days=8)) == 0  # délai passé
    assert services.relancer(aujourdhui=aujourdhui) == 1
    assert len(mailoutbox) == 1


# --- Le projet transmis, figé au lancement ---------------------------------------------------------------


def test_le_lancement_fige_le_projet_transmis_et_les_donnees_ne_le_changent_plus(
    client, admin_client, consultation, contact_conseil, rapport, tmp_path
):
    """L'avis porte sur le projet du jour du lancement : ce qu'un agent change ensuite ne s'y voit pas."""
    consultation.refresh_from_db()
    assert consultation.projet_pdf.name.startswith("projets/")
    with consultation.projet_pdf.open("rb") as fichier:
        fige = fichier.read()
    assert fige.startswith(b"%PDF-") and hashlib.sha256(fige).hexdigest() == consultation.projet_sha256

    BlocNarratif.objects.create(
        programmation=rapport.programmation, type=TypeBloc.PERSPECTIVES, texte="Écrit après le lancement."
    )
    # Relancer (réinviter) ne refige pas.
    services.inviter_organismes(consultation=consultation, par=consultation.cree_par)
    consultation.refresh_from_db()
    assert consultation.projet_sha256 == hashlib.sha256(fige).hexdigest()

    client.force_login(contact_conseil.utilisateur)
    telecharge = client.get(reverse("avis:projet", args=[consultation.pk])).content
    assert telecharge == fige
    assert "Écrit après le lancement." not in texte_pdf(telecharge, tmp_path)
    # Le projet vivant, lui, suit les données.
    assert "Écrit après le lancement." in texte_pdf(pdf_du_rapport(rapport), tmp_path)
    # Les agents retrouvent le projet transmis depuis la consultation, dans l'admin.
    page = admin_client.get(
        reverse("admin:avis_consultation_change", args=[consultation.pk])
    ).content.decode()
    lien = f"/rapport-annuel/2021/consultations/{consultation.pk}/projet-transmis.pdf"
    assert lien in page and consultation.projet_sha256 in page
    assert admin_client.get(lien).content == fige


def test_un_projet_transmis_altere_n_est_pas_servi(client, consultation, contact_conseil):
    consultation.refresh_from_db()
    with open(consultation.projet_pdf.path, "ab") as fichier:
        fichier.write(b"%% ajout")
    client.force_login(contact_conseil.utilisateur)
    reponse = client.get(reverse("avis:projet", args=[consultation.pk]))
    assert reponse.status_code == 500
    assert "ne correspond plus à son empreinte" in reponse.content.decode()
