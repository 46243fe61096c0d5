"""Banc de l'import de classeur : 5 000 dossiers et 15 000 lignes de financement, validés puis écrits.

Objectif (issue 4) : moins de 20 s sur SQLite et sur PostgreSQL, lecture et validation comprises. Mesure aussi
le chemin ligne à ligne de django-import-export (réglages par défaut) sur un échantillon du même classeur, et
le rapport des deux débits.

Chaque base est neuve et jetable : un fichier SQLite temporaire, et une base PostgreSQL `bench_import`
(créée puis supprimée ; BENCH_PG_URL pour un autre serveur, BENCH_PG=0 pour s'en passer). Le script se relance
lui-même une fois par base (`--base URL`), Django ne changeant pas de base en cours de route.
"""

import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
NB_DOSSIERS, NB_LIGNES = 5000, 15000
ECHANTILLON_DOSSIERS, ECHANTILLON_LIGNES = 300, 900
OBJECTIF_S = 20.0


def nombre(valeur, decimales=0) -> str:
    texte = f"{valeur:,.{decimales}f}".replace(",", "\u202f").replace(".", ",")
    return texte


def siret_valide(base13: str) -> str:
    from noyau.validators import cle_luhn_valide

    return next(base13 + str(c) for c in range(10) if cle_luhn_valide(base13 + str(c)))


def classeur_de_banc(annee: int) -> bytes:
    """Un classeur plausible et déterministe : montants en nombres et en texte à la française, mélangés."""
    import openpyxl

    from contrat_ville.referentiel import QPV_CABBALR
    from programmation.echange.format import COLONNES_DOSSIERS, COLONNES_FINANCEMENTS

    hasard = random.Random(4)  # noqa: S311 - données de banc
    types = [
        "Association",
        "Commune",
        "EPCI",
        "Bailleur social",
        "Établissement public",
        "Entreprise",
        "Autre",
    ]
    porteurs = []
    for i in range(400):
        siret = siret_valide(f"{300000000 + i * 7919:09d}0001") if i % 2 else ""
        porteurs.append((f"Porteur du banc n° {i}", siret, types[i % len(types)]))
    thematiques = {"1": ["1.1", "1.2", "1.5a"], "2": ["2.1", "2.2"], "3": ["3.1", "3.2"], "4": ["4.1"]}
    statuts = ["Retenu"] * 7 + ["Déposé", "En instruction", "Refusé", "Abandonné"]
    financeurs = ["ETAT-ANCT", "AGGLO", "COMMUNE", "DEPARTEMENT", "REGION", "CAF", "BAILLEUR", "AUTRE"]
    natures = ["Droit commun", "Crédits spécifiques"]

    def montant(valeur_centimes: int):
        if hasard.random() < 0.5:
            return valeur_centimes / 100
        euros, centimes = divmod(valeur_centimes, 100)
        return f"{nombre(euros)},{centimes:02d} €"

    classeur = openpyxl.Workbook(write_only=True)
    feuille = classeur.create_sheet("Dossiers")
    feuille.append([c.titre for c in COLONNES_DOSSIERS])
    for i in range(NB_DOSSIERS):
        nom, siret, type_porteur = hasard.choice(porteurs)
        pilier = hasard.choice(list(thematiques))
        quartiers = "; ".join(hasard.sample(QPV_CABBALR, hasard.randint(1, 2)))
        feuille.append(
            [f"{annee}-{i + 1:05d}", annee, f"Action du banc n° {i + 1}", nom, siret, type_porteur, pilier,
             hasard.choice(thematiques[pilier]), quartiers, hasard.choice(statuts),
             montant(hasard.randrange(1_000_00, 200_000_00))]
        )  # fmt: skip
    feuille = classeur.create_sheet("Financements")
    feuille.append([c.titre for c in COLONNES_FINANCEMENTS])
    vues = set()
    while len(vues) < NB_LIGNES:
        dossier = len(vues) % NB_DOSSIERS if len(vues) < NB_DOSSIERS else hasard.randrange(NB_DOSSIERS)
        cle = (dossier, hasard.choice(financeurs), hasard.choice(natures))
        if cle in vues:
            continue
        vues.add(cle)
        sollicite = hasard.randrange(500_00, 60_000_00)
        accorde = sollicite * hasard.choice([0, 50, 80, 100]) // 100
        feuille.append(
            [f"{annee}-{dossier + 1:05d}", annee, cle[1], cle[2], montant(sollicite), montant(accorde)]
        )
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def mesurer_bibliotheque(contenu: bytes, annee: int) -> tuple[int, float]:
    """django-import-export ligne à ligne, réglages par défaut, sur les premières lignes du même classeur."""
    import openpyxl
    import tablib

    from contrat_ville.models import Contrat, Porteur
    from programmation.echange.format import lire_montant
    from programmation.echange.ressources import DossierResource, LigneFinancementResource
    from programmation.models import Programmation

    Programmation.objects.create(annee=annee, contrat=Contrat.objects.order_by("date_signature").first())
    classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    dossiers = list(classeur["Dossiers"].iter_rows(values_only=True))
    lignes = list(classeur["Financements"].iter_rows(values_only=True))
    # La bibliothèque ne crée pas les porteurs ni ne lit les libellés ou les montants en texte : on lui donne
    # des porteurs existants, des valeurs codées et des montants numériques, à son avantage.
    noms = {r[3] for r in dossiers[1 : ECHANTILLON_DOSSIERS + 1]}
    existants = set(Porteur.objects.filter(nom__in=noms).values_list("nom", flat=True))
    Porteur.objects.bulk_create(
        [Porteur(nom=n, type="ASSOCIATION", siret="") for n in noms - existants], ignore_conflicts=True
    )
    statuts = {"Retenu": "RETENU", "Déposé": "DEPOSE", "En instruction": "EN_INSTRUCTION", "Refusé": "REFUSE",
               "Abandonné": "ABANDONNE"}  # fmt: skip

    def decimal(valeur):
        return lire_montant(valeur)

    jeu_dossiers = tablib.Dataset(
        headers=["N° dossier", "Année", "Intitulé", "Porteur", "Pilier", "Thématique", "Quartiers", "Statut",
                 "Coût total"]
    )  # fmt: skip
    for r in dossiers[1 : ECHANTILLON_DOSSIERS + 1]:
        jeu_dossiers.append(
            [
                f"LIB-{r[0]}",
                annee,
                r[2],
                r[3],
                r[6],
                r[7],
                r[8].replace(" ", ""),
                statuts[r[9]],
                decimal(r[10]),
            ]
        )
    gardes = {r[0] for r in dossiers[1 : ECHANTILLON_DOSSIERS + 1]}
    jeu_lignes = tablib.Dataset(
        headers=["N° dossier", "Financeur", "Nature", "Montant sollicité", "Montant accordé"]
    )
    natures = {"Droit commun": "DROIT_COMMUN", "Crédits spécifiques": "SPECIFIQUE"}
    for r in lignes[1:]:
        if r[0] in gardes and len(jeu_lignes) < ECHANTILLON_LIGNES:
            jeu_lignes.append([f"LIB-{r[0]}", r[2], natures[r[3]], decimal(r[4]), decimal(r[5])])
    debut = time.perf_counter()
    resultat_dossiers = DossierResource().import_data(jeu_dossiers, dry_run=False)
    resultat_lignes = LigneFinancementResource().import_data(jeu_lignes, dry_run=False)
    duree = time.perf_counter() - debut
    for resultat in (resultat_dossiers, resultat_lignes):
        if resultat.has_errors() or resultat.has_validation_errors():
            erreur = (
                resultat.base_errors or [e for _, errs in resultat.row_errors() for e in errs] or ["?"]
            )[0]
            raise SystemExit(
                f"django-import-export a échoué sur l'échantillon : {getattr(erreur, 'error', erreur)}"
            )
    return len(jeu_dossiers) + len(jeu_lignes), duree


def banc_sur_une_base() -> bool:
    """Mesures dans la base de DATABASE_URL (neuve) ; rend vrai si l'objectif est tenu."""
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contrat_ville.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from programmation.echange.importation import importer_classeur
    from programmation.models import Dossier, LigneFinancement

    call_command("migrate", verbosity=0)
    call_command("charger_referentiel", verbosity=0)
    nom_base = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(connection.vendor, connection.vendor)

    debut = time.perf_counter()
    contenu = classeur_de_banc(2022)
    duree_ecriture = time.perf_counter() - debut
    nb = NB_DOSSIERS + NB_LIGNES
    print(
        f"[{nom_base}] classeur : {nombre(NB_DOSSIERS)} dossiers + {nombre(NB_LIGNES)} lignes de financement "
        f"= {nombre(nb)} lignes, {nombre(len(contenu) / 1024 / 1024, 1)} Mo (fabriqué en {nombre(duree_ecriture, 1)} s)"
    )

    debut = time.perf_counter()
    apercu = importer_classeur(contenu, nom_fichier="banc.xlsx", ecrire=False)
    duree_apercu = time.perf_counter() - debut
    assert apercu.valide, apercu.texte()[:2000]

    debut = time.perf_counter()
    rapport = importer_classeur(contenu, nom_fichier="banc.xlsx", ecrire=True)
    duree_import = time.perf_counter() - debut
    assert rapport.ecrit, rapport.texte()[:2000]
    assert Dossier.objects.count() == NB_DOSSIERS and LigneFinancement.objects.count() == NB_LIGNES
    tenu = duree_import < OBJECTIF_S
    debit = nb / duree_import
    print(
        f"[{nom_base}] import validé et écrit : {nombre(duree_import, 1)} s, soit {nombre(debit)} lignes/s "
        f"(objectif < {nombre(OBJECTIF_S)} s : {'tenu' if tenu else 'MANQUÉ'}) ; aperçu seul (lecture + "
        f"validation, sans écriture) : {nombre(duree_apercu, 1)} s"
    )

    debut = time.perf_counter()
    encore = importer_classeur(contenu, nom_fichier="banc.xlsx", ecrire=True)
    duree_reimport = time.perf_counter() - debut
    assert encore.ecrit and encore.nb_modifications == 0
    print(f"[{nom_base}] réimport du même classeur (rien à changer) : {nombre(duree_reimport, 1)} s")

    nb_biblio, duree_biblio = mesurer_bibliotheque(contenu, 2023)
    debit_biblio = nb_biblio / duree_biblio
    print(
        f"[{nom_base}] django-import-export ligne à ligne (réglages par défaut, sans validation des modèles) : "
        f"{nombre(nb_biblio)} lignes en {nombre(duree_biblio, 1)} s, soit {nombre(debit_biblio)} lignes/s ; "
        f"{nombre(nb)} lignes ≈ {nombre(nb / debit_biblio)} s"
    )
    print(
        f"[{nom_base}] rapport des débits : notre import est {nombre(debit / debit_biblio, 1)} × plus rapide"
    )
    return tenu


def postgres_disponible(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def recreer_base_pg(url: str, supprimer_seulement: bool = False) -> None:
    import psycopg

    nom = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connexion:
        connexion.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
        if not supprimer_seulement:
            connexion.execute(f'CREATE DATABASE "{nom}"')


def lancer(url: str) -> bool:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, __file__, "--base"], env=env, check=False).returncode == 0


def main() -> int:
    if "--base" in sys.argv:
        return 0 if banc_sur_une_base() else 1
    print(
        f"Objectif : {nombre(NB_DOSSIERS)} dossiers et {nombre(NB_LIGNES)} lignes importés, validés, "
        f"en moins de {nombre(OBJECTIF_S)} s, sur SQLite et sur PostgreSQL"
    )
    tenu = True
    with tempfile.TemporaryDirectory() as dossier:
        tenu &= lancer(f"sqlite:///{dossier}/bench_import.sqlite3")
    url_pg = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bench_import")
    if os.environ.get("BENCH_PG", "1") == "0":
        print("[PostgreSQL] mesure sautée (BENCH_PG=0)")
    elif not postgres_disponible(url_pg):
        print(f"[PostgreSQL] serveur injoignable ({url_pg.rsplit('@', 1)[-1]}) : mesure sautée")
        tenu = False
    else:
        recreer_base_pg(url_pg)
        try:
            tenu &= lancer(url_pg)
        finally:
            recreer_base_pg(url_pg, supprimer_seulement=True)
    return 0 if tenu else 1


if __name__ == "__main__":
    sys.exit(main())
