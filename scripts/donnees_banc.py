"""Données des scripts de pannes et de charge : l'année de démonstration, et une consultation ouverte à N communes
dont chacune a un compte du portail (mot de passe connu des scripts). Exécuté dans le projet :

    python manage.py shell -c "from scripts.donnees_banc import preparer; preparer(60)"
"""

import datetime
import json

MOT_DE_PASSE = "Banc-Essai-Portail-2024!"


def preparer(nb_organismes: int = 60) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from avis import services
    from avis.models import Organisme
    from contrat_ville.models import Commune, Contrat
    from journal.audit import acteur
    from programmation.models import Programmation
    from rapport.contexte import contexte_du_rapport
    from rapport.enums import StatutRapport
    from rapport.models import RapportAnnuel
    from rapport.rendu import pdf_a_enregistrer

    call_command("charger_referentiel", verbosity=0)
    call_command("demo", verbosity=0)
    User = get_user_model()
    agent = User.objects.get(username="agent")
    contrat = Contrat.objects.order_by("date_signature").first()
    with acteur(agent, source="banc"):
        programmation, _ = Programmation.objects.get_or_create(annee=2022, defaults={"contrat": contrat})
        rapport, _ = RapportAnnuel.objects.get_or_create(
            programmation=programmation,
            defaults={"statut": StatutRapport.ADOPTE, "date_seance_conseil": datetime.date(2023, 6, 1)},
        )
        communes = list(Commune.objects.filter(organisme__isnull=True).order_by("code_insee")[:nb_organismes])
        organismes = [Organisme.objects.create(commune=c) for c in communes]
        aujourdhui = timezone.localdate()
        # Le projet figé comme au lancement par le cycle du rapport, mais soumis aux seules communes du banc.
        projet = pdf_a_enregistrer(
            contexte_du_rapport(rapport, pour_pdf=True), document="Le projet du banc", sinon="Rien n'est créé"
        )
        consultation = services.creer_consultation(
            programmation=programmation,
            date_envoi=aujourdhui - datetime.timedelta(days=2),
            date_limite=aujourdhui + datetime.timedelta(days=40),
            projet_pdf=projet,
            organismes=organismes,
            par=agent,
        )
        RapportAnnuel.objects.filter(pk=rapport.pk).update(statut=StatutRapport.EN_CONSULTATION)
        # Un seul hachage pour tous les comptes : le préparer 60 fois coûterait une minute.
        empreinte = make_password(MOT_DE_PASSE)
        comptes = []
        for i, organisme in enumerate(organismes):
            contact = services.creer_contact(
                organisme=organisme, email=f"banc{i}@commune.example", prenom="Banc", nom=str(i), par=agent
            )
            User.objects.filter(pk=contact.utilisateur_id).update(password=empreinte, is_active=True)
            comptes.append(contact.utilisateur.username)
    print(json.dumps({"consultation": consultation.pk, "comptes": comptes}))
