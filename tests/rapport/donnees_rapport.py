"""Petites années de programmation écrites à la main pour les tests du rapport annuel."""

from decimal import Decimal

from contrat_ville.enums import CodeFinanceur, NatureCredits, TypePorteur
from contrat_ville.models import Contrat, Financeur, Pilier, Porteur, Quartier
from programmation.enums import StatutDossier, TypeBloc
from programmation.models import BlocNarratif, Dossier, LigneFinancement, Programmation
from rapport.models import RapportAnnuel


def porteur(nom="Association des habitants", type=TypePorteur.ASSOCIATION):
    return Porteur.objects.get_or_create(nom=nom, defaults={"type": type})[0]


def dossier(
    programmation,
    numero,
    *,
    pilier="1",
    statut=StatutDossier.RETENU,
    lignes=(),
    porteur_=None,
    quartiers=("QN06208M",),
    **champs,
):
    """`lignes` : (code financeur, nature, montant accordé)."""
    d = Dossier.objects.create(
        programmation=programmation,
        numero=numero,
        intitule=champs.pop("intitule", f"Action {numero}"),
        porteur=porteur_ or porteur(),
        pilier=Pilier.objects.get(contrat=programmation.contrat, code=pilier),
        statut=statut,
        **champs,
    )
    d.quartiers.set(Quartier.objects.filter(code__in=quartiers))
    for code, nature, montant in lignes:
        LigneFinancement.objects.create(
            dossier=d,
            financeur=Financeur.objects.get(code=code),
            nature=nature,
            montant_sollicite=Decimal(montant),
            montant_accorde=Decimal(montant),
        )
    return d


def rediger_blocs(programmation, sauf=()):
    """Les textes du rapport (introduction, PNRU, organisation…), sans lesquels il ne peut être adopté."""
    for valeur, libelle in TypeBloc.choices:
        if valeur not in sauf:
            BlocNarratif.objects.create(
                programmation=programmation, type=valeur, texte=f"{libelle} : texte rédigé par le service."
            )


def annee(numero: int, nb_dossiers: int = 3) -> RapportAnnuel:
    """Une année de `nb_dossiers` dossiers retenus : pilier 1 en alternance avec le pilier 2."""
    programmation = Programmation.objects.create(annee=numero, contrat=Contrat.objects.get())
    for i in range(nb_dossiers):
        dossier(
            programmation,
            f"{numero}-{i + 1:03d}",
            pilier="1" if i % 2 == 0 else "2",
            lignes=[
                (CodeFinanceur.ETAT_ANCT, NatureCredits.SPECIFIQUE, "1000.00"),
                (CodeFinanceur.COMMUNE, NatureCredits.DROIT_COMMUN, "500.50"),
            ],
        )
    rediger_blocs(programmation)
    return RapportAnnuel.objects.create(programmation=programmation)
