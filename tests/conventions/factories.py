"""Une CPO ou une convention annuelle prête à l'emploi, passée par le service (comme dans l'application)."""

import datetime
from decimal import Decimal

from contrat_ville.enums import CodeFinanceur, NatureCredits
from contrat_ville.models import Financeur
from conventions import services
from conventions.enums import Instance, TypeConvention
from tests.factories import DossierFactory, LigneFinancementFactory, ProgrammationFactory

_compteur = iter(range(1, 10_000))


def ligne_agglo(annee: int, montant: Decimal, **dossier) -> object:
    return LigneFinancementFactory(
        dossier=DossierFactory(programmation=ProgrammationFactory(annee=annee), **dossier),
        financeur=Financeur.objects.get(code=CodeFinanceur.AGGLO),
        nature=NatureCredits.SPECIFIQUE,
        montant_accorde=montant,
    )


def convention(ligne, tranches: dict[int, Decimal], *, type=None, date_decision=None, **kwargs):
    n = next(_compteur)
    return services.enregistrer_convention(
        source=ligne,
        type=type or (TypeConvention.CPO if len(tranches) > 1 else TypeConvention.ANNUELLE),
        reference=kwargs.pop("reference", f"CONV-TEST-{n:04d}"),
        tranches=tranches,
        decision_date=date_decision or datetime.date(min(tranches), 3, 15),
        decision_instance=Instance.BUREAU,
        decision_reference=f"B-{n:04d}",
        **kwargs,
    )
