"""Une petite programmation 2020-2021 dont chaque chiffre du tableau de bord se calcule à la main.

2021 (déposés 5) :
- D1 retenu, Cohésion sociale, association, Q1 : ANCT spécifiques 10 000 ; Agglo droit commun 5 000.
- D2 retenu, Emploi, commune, Q1 + Q2 : Commune droit commun 3 000 ; ANCT spécifiques 2 000.
- D3 refusé, Cohésion sociale, association, Q2 : ANCT spécifiques sollicités 4 000, accordés 0.
- D4 en instruction, Cohésion sociale, association, sans quartier : Agglo sollicité 1 000, accordé 0.
- D5 retenu, Cadre de vie, association, Q2 : Région droit commun 7 000.
2020 (déposés 2) : E1 retenu, Cohésion sociale, association, Q1 : ANCT spécifiques 8 000 ; E2 déposé, Emploi.
FCS : 2021 enveloppe 1 000, attribué 400 ; 2020 enveloppe 900, attribué 900.
"""

from dataclasses import dataclass
from decimal import Decimal

from contrat_ville.enums import CodeFinanceur, NatureCredits, TypePorteur
from contrat_ville.models import Contrat, Financeur, Pilier, Porteur, Quartier
from fcs.models import AxeFCS, EnveloppeFCS, SubventionFCS
from programmation.enums import StatutDossier
from programmation.models import Dossier, LigneFinancement, Programmation


@dataclass
class Jeu:
    contrat: Contrat
    q1: Quartier
    q2: Quartier
    dossiers: dict
    financeurs: dict
    piliers: dict


def creer_jeu() -> Jeu:
    contrat = Contrat.objects.get(siren_epci="200072460")
    piliers = {p.code: p for p in Pilier.objects.filter(contrat=contrat)}
    financeurs = {f.code: f for f in Financeur.objects.all()}
    q1 = Quartier.objects.get(code="QN06208M")
    q2 = Quartier.objects.get(code="QN06204M")
    asso = Porteur.objects.create(nom="Association Test Tableau", type=TypePorteur.ASSOCIATION)
    commune = Porteur.objects.create(nom="Commune Test Tableau", type=TypePorteur.COMMUNE)
    p2021 = Programmation.objects.create(contrat=contrat, annee=2021)
    p2020 = Programmation.objects.create(contrat=contrat, annee=2020)

    def dossier(prog, numero, statut, pilier, porteur, quartiers, lignes):
        d = Dossier.objects.create(
            programmation=prog,
            numero=numero,
            intitule=f"Action {numero}",
            porteur=porteur,
            pilier=piliers[pilier],
            statut=statut,
        )
        d.quartiers.set(quartiers)
        for code, nature, sollicite, accorde in lignes:
            LigneFinancement.objects.create(
                dossier=d,
                financeur=financeurs[code],
                nature=nature,
                montant_sollicite=Decimal(sollicite),
                montant_accorde=Decimal(accorde),
            )
        return d

    spe, dc = NatureCredits.SPECIFIQUE, NatureCredits.DROIT_COMMUN
    etat, agglo = CodeFinanceur.ETAT_ANCT, CodeFinanceur.AGGLO
    dossiers = {
        "D1": dossier(
            p2021,
            "D1",
            StatutDossier.RETENU,
            "1",
            asso,
            [q1],
            [(etat, spe, 10000, 10000), (agglo, dc, 5000, 5000)],
        ),
        "D2": dossier(
            p2021,
            "D2",
            StatutDossier.RETENU,
            "2",
            commune,
            [q1, q2],
            [(CodeFinanceur.COMMUNE, dc, 3000, 3000), (etat, spe, 2000, 2000)],
        ),
        "D3": dossier(p2021, "D3", StatutDossier.REFUSE, "1", asso, [q2], [(etat, spe, 4000, 0)]),
        "D4": dossier(p2021, "D4", StatutDossier.EN_INSTRUCTION, "1", asso, [], [(agglo, dc, 1000, 0)]),
        "D5": dossier(
            p2021, "D5", StatutDossier.RETENU, "3", asso, [q2], [(CodeFinanceur.REGION, dc, 7000, 7000)]
        ),
        "E1": dossier(p2020, "E1", StatutDossier.RETENU, "1", asso, [q1], [(etat, spe, 8000, 8000)]),
        "E2": dossier(p2020, "E2", StatutDossier.DEPOSE, "2", commune, [q2], []),
    }
    for annee, enveloppe, attribue in [(2021, 1000, 400), (2020, 900, 900)]:
        env = EnveloppeFCS.objects.create(contrat=contrat, annee=annee, montant=Decimal(enveloppe))
        axe = AxeFCS.objects.create(enveloppe=env, numero=1, libelle="Axe test")
        SubventionFCS.objects.create(axe=axe, porteur=asso, action="Action FCS", montant=Decimal(attribue))
    return Jeu(contrat=contrat, q1=q1, q2=q2, dossiers=dossiers, financeurs=financeurs, piliers=piliers)
