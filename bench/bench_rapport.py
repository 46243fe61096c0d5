"""Banc du rapport annuel : PDF 2021, année synthétique de 5 000 dossiers / 20 000 lignes, et WeasyPrint seul.

Objectifs (issue 3) : 2021 en moins de 3 s ; l'année synthétique en moins de 20 s ; le rapport complet
(requêtes + gabarits + rendu) à moins de 1,2 × le temps de WeasyPrint seul sur le même HTML.
Le temps processeur est imprimé à côté du temps mural : sur une machine partagée (charge bien au-dessus du
nombre de cœurs), le mur mesure surtout l'attente ; le processeur exclut celui du serveur PostgreSQL.
Utilise la base de DATABASE_URL (SQLite par défaut) ; l'année synthétique est écrite dans une transaction
annulée à la fin.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contrat_ville.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from weasyprint import HTML  # noqa: E402

from contrat_ville.models import Contrat  # noqa: E402
from noyau.moteur_pdf import BASE_URL  # noqa: E402
from noyau.pdf import recuperateur  # noqa: E402
from programmation.models import Programmation  # noqa: E402
from programmation.synthetique import creer_annee_synthetique  # noqa: E402
from rapport.models import RapportAnnuel  # noqa: E402
from rapport.rendu import html_du_rapport, pdf_du_rapport  # noqa: E402

REPETITIONS = 3


def chrono(fonction):
    """(durée murale, temps processeur de ce processus) : la machine est partagée, le second varie moins."""
    mur, cpu = time.perf_counter(), time.process_time()
    fonction()
    return time.perf_counter() - mur, time.process_time() - cpu


def mesurer(rapport, libelle, objectif, repetitions=REPETITIONS):
    """Rapport complet et WeasyPrint seul mesurés en alternance, médianes."""
    with CaptureQueriesContext(connection) as requetes:
        pdf = pdf_du_rapport(rapport)  # tour de chauffe : polices, caches de WeasyPrint
    html = html_du_rapport(rapport)
    rapport_complet, weasyprint_seul = [], []
    for _ in range(repetitions):
        rapport_complet.append(chrono(lambda: pdf_du_rapport(rapport)))
        weasyprint_seul.append(
            chrono(lambda: HTML(string=html, base_url=BASE_URL, url_fetcher=recuperateur()).write_pdf())
        )
    mur = statistics.median(m for m, _ in rapport_complet)
    cpu = statistics.median(c for _, c in rapport_complet)
    mur_w = statistics.median(m for m, _ in weasyprint_seul)
    cpu_w = statistics.median(c for _, c in weasyprint_seul)
    ratio, ratio_cpu = mur / mur_w, cpu / cpu_w
    print(
        f"{libelle} ({len(requetes.captured_queries)} requêtes, PDF {len(pdf) // 1024} Kio, médianes de {repetitions})"
    )
    print(
        f"  rapport complet : {mur:.2f} s mur, {cpu:.2f} s processeur — objectif < {objectif} s : "
        f"{'tenu' if mur < objectif else 'MANQUÉ'} (mur), {'tenu' if cpu < objectif else 'MANQUÉ'} (processeur)"
    )
    print(f"  WeasyPrint seul sur le même HTML : {mur_w:.2f} s mur, {cpu_w:.2f} s processeur")
    print(
        f"  rapport / WeasyPrint : {ratio:.2f} mur, {ratio_cpu:.2f} processeur — objectif ≤ 1,20 : "
        f"{'tenu' if ratio <= 1.2 else 'MANQUÉ'} (mur), {'tenu' if ratio_cpu <= 1.2 else 'MANQUÉ'} (processeur)"
    )
    return mur < objectif and ratio <= 1.2


def rapport_de(programmation):
    return RapportAnnuel.objects.filter(programmation=programmation).first() or RapportAnnuel(
        programmation=programmation
    )


def main():
    call_command("migrate", verbosity=0)
    if not Contrat.objects.exists():
        call_command("charger_referentiel", verbosity=0)
    if not Programmation.objects.filter(annee=2021).exists() and "demo" in get_commands():
        call_command("demo", verbosity=0)
    print(
        f"Base : {connection.vendor} ({connection.settings_dict['NAME']}) ; charge de la machine : "
        f"{' / '.join(f'{c:.1f}' for c in os.getloadavg())} sur {os.cpu_count()} cœurs"
    )
    tenu = True
    programmation = Programmation.objects.filter(annee=2021).first()
    if programmation is None:
        print("2021 : données absentes (lancer `python manage.py demo`), mesure sautée")
    else:
        nb = programmation.dossiers.count()
        tenu &= mesurer(rapport_de(programmation), f"2021 ({nb} dossiers)", 3)

    with transaction.atomic():
        annee = 2099
        debut = time.perf_counter()
        synthetique = creer_annee_synthetique(annee, nb_dossiers=5000, nb_lignes=20000)
        print(f"Année synthétique créée en {time.perf_counter() - debut:.1f} s")
        tenu &= mesurer(rapport_de(synthetique), "Année synthétique (5 000 dossiers, 20 000 lignes)", 20)
        transaction.set_rollback(True)
    print("Objectifs tenus" if tenu else "Objectifs NON tenus")


if __name__ == "__main__":
    main()
