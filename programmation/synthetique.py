"""Une année de programmation synthétique, grande et plausible, pour les bancs d'essai et les tests d'échelle.

Écrite en insertions groupées : 5 000 dossiers et 20 000 lignes se créent en quelques secondes. Le tirage est
déterministe (graine fixe) pour que deux mesures portent sur les mêmes données.
"""

import random
from decimal import Decimal

from contrat_ville.enums import NatureCredits, TypePorteur
from contrat_ville.models import Contrat, Financeur, Pilier, Porteur, Quartier, Thematique

from .enums import StatutDossier
from .models import Dossier, LigneFinancement, Programmation

STATUTS = [StatutDossier.RETENU] * 7 + [
    StatutDossier.DEPOSE,
    StatutDossier.EN_INSTRUCTION,
    StatutDossier.REFUSE,
    StatutDossier.ABANDONNE,
]


def creer_annee_synthetique(
    annee: int, nb_dossiers: int = 5000, nb_lignes: int = 20000, graine: int = 2021, nb_porteurs: int = 400
) -> Programmation:
    """Crée (ou remplace le contenu de) la programmation `annee` avec `nb_dossiers` et `nb_lignes`."""
    hasard = random.Random(graine)  # noqa: S311 - données de test, pas de la cryptographie
    contrat = Contrat.objects.order_by("date_signature").first()
    programmation, _ = Programmation.objects.get_or_create(annee=annee, defaults={"contrat": contrat})
    piliers = list(Pilier.objects.filter(contrat=programmation.contrat))
    toutes = list(Thematique.objects.all())
    # Dans un cadre national (2015), la thématique relève du pilier ; ailleurs, toute thématique convient.
    thematiques = {
        p.pk: [t for t in toutes if not programmation.contrat.cadre_national or t.pilier_anct == p.code]
        for p in piliers
    }
    quartiers = list(Quartier.objects.filter(contrats=programmation.contrat))
    financeurs = list(Financeur.objects.all())
    types = list(TypePorteur.values)

    prefixe = f"SYN{annee}-"
    existants = {p.nom: p for p in Porteur.objects.filter(nom__startswith=prefixe)}
    Porteur.objects.bulk_create(
        [
            Porteur(nom=f"{prefixe}{i:04d}", type=types[i % len(types)])
            for i in range(nb_porteurs)
            if f"{prefixe}{i:04d}" not in existants
        ],
        batch_size=1000,
    )
    porteurs = list(Porteur.objects.filter(nom__startswith=prefixe))

    dossiers = []
    for i in range(nb_dossiers):
        pilier = hasard.choice(piliers)
        dossiers.append(
            Dossier(
                programmation=programmation,
                numero=f"{annee}-{i + 1:05d}",
                intitule=f"Action synthétique n° {i + 1}",
                porteur=hasard.choice(porteurs),
                pilier=pilier,
                thematique=hasard.choice(thematiques[pilier.pk]) if thematiques[pilier.pk] else None,
                statut=hasard.choice(STATUTS),
                cout_total=Decimal(hasard.randrange(1_000_00, 200_000_00)) / 100,
            )
        )
    dossiers = Dossier.objects.bulk_create(dossiers, batch_size=1000)

    liens = Dossier.quartiers.through
    liens.objects.bulk_create(
        [
            liens(dossier_id=d.pk, quartier_id=q.pk)
            for d in dossiers
            for q in hasard.sample(quartiers, k=min(len(quartiers), hasard.randint(1, 2)))
        ],
        batch_size=2000,
    )

    lignes = []
    cles = set()
    while len(lignes) < nb_lignes:
        dossier = (
            dossiers[len(lignes) % len(dossiers)] if len(lignes) < len(dossiers) else hasard.choice(dossiers)
        )
        financeur = hasard.choice(financeurs)
        nature = hasard.choice(NatureCredits.values)
        if (dossier.pk, financeur.pk, nature) in cles:
            continue
        cles.add((dossier.pk, financeur.pk, nature))
        sollicite = Decimal(hasard.randrange(500_00, 60_000_00)) / 100
        lignes.append(
            LigneFinancement(
                dossier=dossier,
                financeur=financeur,
                nature=nature,
                montant_sollicite=sollicite,
                montant_accorde=(sollicite * Decimal(hasard.choice([0, 50, 80, 100])) / 100).quantize(
                    Decimal("0.01")
                ),
            )
        )
    LigneFinancement.objects.bulk_create(lignes, batch_size=2000)
    return programmation
