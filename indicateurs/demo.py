"""Indicateurs de suivi de démonstration du contrat 2024-2030 (inventés, plausibles) : quelques indicateurs de tout
le contrat et de deux quartiers, avec leurs valeurs 2023-2025. Rien sans contrat qui couvre 2025. Idempotent."""

from decimal import Decimal

from .enums import SensSouhaite
from .models import Indicateur, ValeurIndicateur
from .selectors import contrat_de_l_annee

D = Decimal
H, B = SensSouhaite.HAUSSE, SensSouhaite.BAISSE

# code, libellé, définition, unité, source, sens, référence (2023), cible (fin du contrat), valeurs 2024 et 2025.
DU_CONTRAT = [
    (
        "EMP-1",
        "Taux d'emploi des 15-64 ans des quartiers prioritaires",
        "Part des habitants de 15 à 64 ans des QPV du contrat qui occupent un emploi.",
        "%",
        "INSEE, recensement de la population",
        H,
        D("46.2"),
        D("52.0"),
        {2024: D("46.9"), 2025: D("47.8")},
    ),
    (
        "EMP-2",
        "Demandeurs d'emploi de catégorie A résidant en QPV",
        "Nombre de demandeurs d'emploi sans activité (catégorie A) domiciliés dans un QPV du contrat, au 31 décembre.",
        "personnes",
        "France Travail, fichier historique statistique",
        B,
        D("5840"),
        D("4900"),
        {2024: D("5710"), 2025: D("5420")},
    ),
    (
        "EDU-1",
        "Réussite au diplôme national du brevet des collégiens des QPV",
        "Part des élèves de 3e domiciliés en QPV admis au diplôme national du brevet, session de l'année.",
        "%",
        "Éducation nationale, DEPP",
        H,
        D("78.4"),
        D("85.0"),
        {2024: D("78.1"), 2025: D("79.0")},
    ),
    (
        "JEU-1",
        "Jeunes de 16 à 25 ans ni en emploi, ni en études, ni en formation",
        "Part des 16-25 ans des QPV du contrat qui ne sont ni en emploi, ni en études, ni en formation.",
        "%",
        "INSEE, recensement de la population",
        B,
        D("31.5"),
        D("25.0"),
        {2024: D("30.8"), 2025: D("29.6")},
    ),
    (
        "CAD-1",
        "Logements sociaux réhabilités depuis la signature",
        "Nombre cumulé de logements locatifs sociaux des QPV dont la réhabilitation est livrée depuis 2024.",
        "logements",
        "Bailleurs sociaux, revue de projet NPNRU",
        H,
        D("0"),
        D("1200"),
        {2024: D("120"), 2025: D("260")},
    ),
]
# Pour deux quartiers du contrat : (code, libellé, définition, unité, source, sens, référence, cible, valeurs)
# par quartier ; le second n'a pas encore de valeur de réussite éducative (« sans valeur » à mi-parcours).
DES_QUARTIERS = [
    (
        "EMP-2",
        "Demandeurs d'emploi de catégorie A du quartier",
        "Nombre de demandeurs d'emploi sans activité (catégorie A) domiciliés dans le quartier, au 31 décembre.",
        "personnes",
        "France Travail, fichier historique statistique",
        B,
        (
            (D("820"), D("690"), {2024: D("805"), 2025: D("790")}),
            (D("610"), D("520"), {2024: D("585"), 2025: D("560")}),
        ),
    ),
    (
        "EDU-2",
        "Enfants suivis par le programme de réussite éducative",
        "Nombre d'enfants du quartier suivis dans l'année par l'équipe de réussite éducative.",
        "enfants",
        "Programme de réussite éducative intercommunal",
        H,
        ((D("85"), D("140"), {2024: D("98"), 2025: D("112")}), (D("60"), D("100"), {})),
    ),
]
ANNEE_REFERENCE = 2023


def _indicateur(
    contrat, quartier, ordre, code, libelle, definition, unite, source, sens, reference, cible, valeurs
):
    indicateur, _ = Indicateur.objects.update_or_create(
        contrat=contrat,
        quartier=quartier,
        code=code,
        defaults={
            "libelle": libelle,
            "definition": definition,
            "unite": unite,
            "source": source,
            "sens": sens,
            "valeur_reference": reference,
            "annee_reference": ANNEE_REFERENCE,
            "cible": cible,
            "annee_cible": contrat.date_fin.year,
            "ordre": ordre,
        },
    )
    # La valeur de l'année de référence est aussi une valeur annuelle, sauf pour l'indicateur encore jamais mesuré.
    for annee, valeur in ({ANNEE_REFERENCE: reference, **valeurs} if valeurs else {}).items():
        ValeurIndicateur.objects.update_or_create(
            indicateur=indicateur, annee=annee, defaults={"valeur": valeur}
        )
    return indicateur


def charger() -> str:
    contrat = contrat_de_l_annee(2025)
    if contrat is None:
        return "aucun contrat ne couvre 2025 : pas d'indicateur de démonstration"
    nombre = 0
    for ordre, (code, libelle, definition, unite, source, sens, ref, cible, valeurs) in enumerate(DU_CONTRAT):
        _indicateur(contrat, None, ordre, code, libelle, definition, unite, source, sens, ref, cible, valeurs)
        nombre += 1
    # Deux quartiers du contrat, toujours les mêmes : le Mont-Liébaut s'il en est, puis le premier par code.
    quartiers = sorted(contrat.quartiers.all(), key=lambda q: (q.code != "QN06208M", q.code))[:2]
    for ordre, (code, libelle, definition, unite, source, sens, par_quartier) in enumerate(
        DES_QUARTIERS, start=10
    ):
        for quartier, (ref, cible, valeurs) in zip(quartiers, par_quartier, strict=False):
            _indicateur(
                contrat, quartier, ordre, code, libelle, definition, unite, source, sens, ref, cible, valeurs
            )
            nombre += 1
    return f"{nombre} indicateurs de suivi du contrat « {contrat} » et leurs valeurs {ANNEE_REFERENCE}-2025"
