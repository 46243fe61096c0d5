"""Contrôles de cohérence des données d'une année : ce qui embarrasserait le service dans le rapport ou l'open data.

Chaque contrôle sur les dossiers est une condition (`Q`) sur `Dossier`, sans année : la même condition compte les
dossiers pour la fiche du rapport et le tableau de bord, et filtre la liste des dossiers de l'admin
(`?controle=<code>`, `FiltreControle`), si bien qu'un lien mène exactement aux dossiers comptés. Le tout tient en
un nombre fixe de requêtes : un agrégat pour les compter tous, puis une requête d'exemples par contrôle qui sonne.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import admin
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils.http import urlencode

from noyau.models import ZERO
from noyau.nombres import formater_euros

from .enums import StatutDossier, TypeBloc
from .liens import PARAMETRES_ADMIN, parametres_admin
from .models import BlocNarratif, Dossier, LigneFinancement, Programmation
from .selectors.chiffres import ChiffresProgrammation
from .selectors.repartitions import OperateursAssociatifs, RepartitionPiliers, RepartitionThematiques

# Décret 2017-779 : toute subvention de plus de 23 000 € est publiée en open data, avec le SIRET du bénéficiaire.
SEUIL_OPEN_DATA = Decimal("23000.00")
NB_EXEMPLES = 10
PARAMETRE = "controle"


@dataclass(frozen=True)
class Anomalie:
    """Un point à vérifier avant d'approuver le rapport ; `exemples` en montre quelques-uns, `lien` les ouvre tous."""

    code: str
    libelle: str
    nombre: int = 0
    exemples: tuple[str, ...] = ()
    bloquante: bool = False
    lien: str = ""
    conseil: str = ""
    suite: str = ""  # sous des exemples tronqués : « … 41 porteurs au total »


def _retenu() -> Q:
    return Q(statut=StatutDossier.RETENU)


def _lignes(**filtre) -> Exists:
    return Exists(LigneFinancement.objects.filter(dossier=OuterRef("pk"), **filtre))


def porteurs_au_dela_du_seuil(annee: int | None) -> Q:
    """Le porteur du dossier reçoit plus que le seuil de l'open data sur les dossiers retenus de son année.

    Pour une année connue, l'ensemble de ces porteurs est calculé une fois (sous-requête sans corrélation,
    regroupée par porteur) ; sans année, la somme est corrélée au porteur et à l'année de chaque dossier, ce qui
    coûte une sous-requête par dossier (1,9 s sur 5 000 dossiers contre quelques millisecondes)."""
    if annee is None:
        return Q(
            GreaterThan(
                total_accorde_au_porteur(),
                Value(SEUIL_OPEN_DATA, output_field=DecimalField(max_digits=14, decimal_places=2)),
            )
        )
    porteurs = (
        LigneFinancement.objects.filter(
            dossier__programmation__annee=annee, dossier__statut=StatutDossier.RETENU
        )
        .order_by()
        .values("dossier__porteur")
        .annotate(total=Sum("montant_accorde"))
        .filter(total__gt=SEUIL_OPEN_DATA)
        .values("dossier__porteur")
    )
    return Q(programmation__annee=annee, porteur__in=porteurs)


def total_accorde_au_porteur() -> Subquery:
    """Ce que le porteur du dossier reçoit sur les dossiers retenus de la même année (tous financeurs)."""
    lignes = (
        LigneFinancement.objects.filter(
            dossier__porteur=OuterRef("porteur"),
            dossier__programmation=OuterRef("programmation"),
            dossier__statut=StatutDossier.RETENU,
        )
        .order_by()
        .values("dossier__porteur")
        .annotate(total=Sum("montant_accorde"))
        .values("total")
    )
    return Subquery(lignes, output_field=DecimalField(max_digits=14, decimal_places=2))


@dataclass(frozen=True)
class ControleDossiers:
    code: str
    libelle: str
    conseil: str
    # La condition d'un dossier signalé ; l'année, quand elle est connue, permet une requête moins coûteuse.
    condition: Callable[[int | None], Q]
    # Ce que le rapport imprime : ces contrôles entrent dans la confirmation « en connaissance de cause » de
    # l'approbation. Le SIRET ne s'imprime pas : il sert l'open data, signalé sans retenir l'approbation.
    rapport: bool = True


CONTROLES_DOSSIERS = (
    ControleDossiers(
        "sans_quartier",
        "Dossiers retenus sans quartier",
        "Le rapport range chaque action sous les quartiers qu'elle vise : indiquez-les dans le dossier.",
        lambda annee: (
            _retenu() & ~Q(Exists(Dossier.quartiers.through.objects.filter(dossier=OuterRef("pk"))))
        ),
    ),
    ControleDossiers(
        "sans_ligne",
        "Dossiers retenus sans aucune ligne de financement",
        "Un dossier retenu sans financeur ne compte dans aucun total du rapport : saisissez ses lignes.",
        lambda annee: _retenu() & ~Q(_lignes()),
    ),
    ControleDossiers(
        "retenus_sans_montant",
        "Dossiers retenus sans aucun montant accordé",
        "Retenu, mais aucun euro accordé : saisissez les montants accordés, ou changez le statut.",
        lambda annee: _retenu() & ~Q(_lignes(montant_accorde__gt=0)),
    ),
    ControleDossiers(
        "lignes_sans_nature",
        "Dossiers retenus ayant une ligne de financement sans nature (droit commun ou spécifique)",
        "Le rapport sépare droit commun et crédits spécifiques : précisez la nature de chaque ligne.",
        lambda annee: _retenu() & Q(_lignes(nature="")),
    ),
    ControleDossiers(
        "thematique_hors_pilier",
        "Dossiers dont la thématique n'appartient pas au pilier",
        "Dans un contrat à piliers nationaux (2015), la thématique (code ANCT) doit relever du pilier choisi : "
        "corrigez l'une ou l'autre.",
        lambda annee: (
            Q(pilier__contrat__cadre_national=True, thematique__isnull=False)
            & ~Q(thematique__pilier_anct=Coalesce(F("pilier__parent__code"), F("pilier__code")))
        ),
    ),
    ControleDossiers(
        "focus_sans_description",
        "Actions mises en avant (focus) sans description",
        "Le rapport imprime la description de chaque focus : rédigez-la, ou retirez le focus.",
        lambda annee: Q(focus=True, focus_description=""),
    ),
    ControleDossiers(
        "porteur_sans_siret",
        f"Dossiers retenus d'un porteur sans SIRET qui reçoit plus de {formater_euros(SEUIL_OPEN_DATA)} dans l'année",
        "Au-delà de 23 000 €, la subvention est publiée en open data avec le SIRET du bénéficiaire "
        "(décret n° 2017-779) : renseignez le SIRET du porteur.",
        lambda annee: _retenu() & Q(porteur__siret="") & porteurs_au_dela_du_seuil(annee),
        rapport=False,
    ),
)
PAR_CODE = {c.code: c for c in CONTROLES_DOSSIERS}


def dossiers_concernes(
    code: str, dossiers: QuerySet[Dossier] | None = None, annee: int | None = None
) -> QuerySet[Dossier]:
    """Les dossiers qu'un contrôle signale (toutes années si `dossiers` n'est pas donné ; `annee` les restreint)."""
    dossiers = Dossier.objects.all() if dossiers is None else dossiers
    if annee is not None:
        dossiers = dossiers.filter(programmation__annee=annee)
    return dossiers.filter(PAR_CODE[code].condition(annee))


def lien_des_dossiers(annee: int, code: str) -> str:
    """La liste des dossiers de l'admin, sur l'année et les seuls dossiers que le contrôle signale."""
    parametres = {**(parametres_admin({"annee": annee}) or {}), PARAMETRE: code}
    return f"{reverse('admin:programmation_dossier_changelist')}?{urlencode(parametres)}"


def _exemples(controle: ControleDossiers, dossiers: QuerySet[Dossier], annee: int | None) -> list[str]:
    concernes = dossiers.filter(controle.condition(annee)).order_by()
    if controle.code == "porteur_sans_siret":
        # Un porteur par exemple : c'est sa fiche qu'il faut compléter.
        rangs = (
            concernes.annotate(total=total_accorde_au_porteur())
            .values_list("porteur__nom", "total")
            .distinct()
            .order_by("porteur__nom")[:NB_EXEMPLES]
        )
        return [f"{nom} : {formater_euros(total)} accordés" for nom, total in rangs]
    return [
        f"{n} – {i}" for n, i in concernes.order_by("numero").values_list("numero", "intitule")[:NB_EXEMPLES]
    ]


def controles_des_dossiers(
    dossiers: QuerySet[Dossier], annee: int | None, *, du_rapport: bool | None = None
) -> tuple[Anomalie, ...]:
    """Les contrôles sur les dossiers d'une année : un agrégat pour tous, puis une requête par contrôle qui sonne.

    `du_rapport` : True, ceux qui portent sur ce que le rapport imprime ; False, les autres ; None, tous."""
    controles = [c for c in CONTROLES_DOSSIERS if du_rapport is None or c.rapport == du_rapport]
    if annee is not None:
        dossiers = dossiers.filter(programmation__annee=annee)
    comptes = {c.code: Count("pk", filter=c.condition(annee)) for c in controles}
    if "porteur_sans_siret" in comptes:
        # Les exemples de ce contrôle sont des porteurs : on compte aussi les porteurs.
        comptes["porteurs_sans_siret"] = Count(
            "porteur", distinct=True, filter=PAR_CODE["porteur_sans_siret"].condition(annee)
        )
    nombres = dossiers.order_by().aggregate(**comptes)

    def suite(c: ControleDossiers) -> str:
        if c.code == "porteur_sans_siret":
            n, unite = nombres["porteurs_sans_siret"], "porteurs"
        else:
            n, unite = nombres[c.code], "dossiers"
        return f"… {n} {unite} au total" if n > NB_EXEMPLES else ""

    return tuple(
        Anomalie(
            code=c.code,
            libelle=c.libelle,
            nombre=nombres[c.code],
            exemples=tuple(_exemples(c, dossiers, annee)),
            lien=lien_des_dossiers(annee, c.code) if annee is not None else "",
            conseil=c.conseil,
            suite=suite(c),
        )
        for c in controles
        if nombres[c.code]
    )


def blocs_manquants(programmation: Programmation) -> Anomalie | None:
    """Les rubriques rédigées du rapport encore absentes (ou vides) pour l'année : une requête."""
    presents = set(
        BlocNarratif.objects.filter(programmation=programmation)
        .exclude(texte="")
        .values_list("type", flat=True)
    )
    manquants = [t for t in TypeBloc if t.value not in presents]
    return _anomalie_blocs(programmation, manquants) if manquants else None


def _anomalie_blocs(programmation: Programmation, manquants: list[TypeBloc]) -> Anomalie:
    ajout = reverse("admin:programmation_blocnarratif_add")
    return Anomalie(
        code="blocs_manquants",
        libelle="Blocs de texte du rapport encore à rédiger",
        nombre=len(manquants),
        exemples=tuple(t.label for t in manquants),
        lien=f"{ajout}?{urlencode({'programmation': programmation.pk, 'type': manquants[0].value})}",
        conseil="Le rapport imprime ces rubriques telles que le service les rédige.",
    )


def controles_hors_rapport(programmation: Programmation) -> tuple[Anomalie, ...]:
    """Ce que la fiche du rapport montre en plus des contrôles de l'approbation : SIRET (open data), blocs à rédiger."""
    dossiers = Dossier.objects.filter(programmation=programmation)
    bloc = blocs_manquants(programmation)
    return controles_des_dossiers(dossiers, programmation.annee, du_rapport=False) + ((bloc,) if bloc else ())


def controles_de_l_annee(annee: int) -> tuple[Anomalie, ...]:
    """Tous les contrôles des données de l'année, avec leurs exemples : dossiers, puis blocs du rapport."""
    programmation = Programmation.objects.filter(annee=annee).first()
    if programmation is None:
        return ()
    anomalies = controles_des_dossiers(Dossier.objects.filter(programmation=programmation), annee)
    bloc = blocs_manquants(programmation)
    return anomalies + ((bloc,) if bloc else ())


def synthese_des_controles(programmation: Programmation | None) -> tuple[Anomalie, ...]:
    """Les mêmes contrôles, comptés sans exemples, en une seule requête (le tableau de bord) : chaque contrôle
    est une sous-requête sur les dossiers de l'année, chaque rubrique rédigée un `Exists`."""
    if programmation is None:
        return ()

    def compte(controle: ControleDossiers) -> Subquery:
        concernes = (
            Dossier.objects.filter(programmation=OuterRef("pk"))
            .filter(controle.condition(programmation.annee))
            .order_by()
            .values("programmation")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Subquery(concernes)

    blocs = {
        f"bloc_{t.value}": Exists(
            BlocNarratif.objects.filter(programmation=OuterRef("pk"), type=t).exclude(texte="")
        )
        for t in TypeBloc
    }
    ligne = (
        Programmation.objects.filter(pk=programmation.pk)
        .annotate(**{c.code: compte(c) for c in CONTROLES_DOSSIERS}, **blocs)
        .values(*PAR_CODE, *blocs)
        .get()
    )
    anomalies = [
        Anomalie(
            code=c.code,
            libelle=c.libelle,
            nombre=ligne[c.code],
            lien=lien_des_dossiers(programmation.annee, c.code),
            conseil=c.conseil,
        )
        for c in CONTROLES_DOSSIERS
        if ligne[c.code]
    ]
    manquants = [t for t in TypeBloc if not ligne[f"bloc_{t.value}"]]
    if manquants:
        anomalies.append(_anomalie_blocs(programmation, manquants))
    return tuple(anomalies)


class FiltreControle(admin.SimpleListFilter):
    """Le filtre de la liste des dossiers de l'admin où mènent les liens des contrôles de cohérence."""

    title = "contrôle de cohérence"
    parameter_name = PARAMETRE

    def lookups(self, request, model_admin):
        return [(c.code, c.libelle) for c in CONTROLES_DOSSIERS]

    def queryset(self, request, queryset):
        if self.value() in PAR_CODE:
            # L'année filtrée (les liens des contrôles la donnent) rend le contrôle du SIRET bien moins coûteux.
            annee = request.GET.get(PARAMETRES_ADMIN["annee"][0], "")
            return dossiers_concernes(self.value(), queryset, int(annee) if annee.isdigit() else None)
        return queryset


def controles_coherence(
    dossiers: QuerySet[Dossier],
    *,
    chiffres: ChiffresProgrammation,
    repartition: RepartitionPiliers,
    operateurs: OperateursAssociatifs,
    fcs,
    annee: int | None = None,
    niveau: str = "pilier",
    thematiques: RepartitionThematiques | None = None,
) -> tuple[Anomalie, ...]:
    """Contrôles montrés avant l'approbation : les totaux se recoupent-ils, que manque-t-il aux données ?

    Les tableaux déjà calculés pour le rapport sont passés tels quels : on contrôle ce qui sera imprimé.
    """
    anomalies: list[Anomalie | None] = []
    somme_piliers = sum((ligne.montant for ligne in repartition.lignes), ZERO)
    if not (chiffres.total == repartition.total == somme_piliers):
        anomalies.append(
            Anomalie(
                "totaux_piliers",
                f"Le total de la programmation, le total du tableau par {niveau} et la somme de ses lignes "
                f"diffèrent ({formater_euros(chiffres.total)}, {formater_euros(repartition.total)}, "
                f"{formater_euros(somme_piliers)}) : un dossier retenu est-il rattaché à un élément du cadre "
                "d'un autre contrat ?",
                bloquante=True,
            )
        )
    if thematiques is not None and thematiques.total != repartition.total_etat:
        anomalies.append(
            Anomalie(
                "totaux_thematiques",
                f"Les crédits de l'État par thématique ANCT ({formater_euros(thematiques.total)}) ne font pas ceux "
                f"du tableau par {niveau} ({formater_euros(repartition.total_etat)}).",
                bloquante=True,
            )
        )
    if repartition.sans_nature:
        anomalies.append(
            Anomalie(
                "totaux_natures",
                "Droit commun et crédits spécifiques ne font pas le total de la programmation : "
                f"{formater_euros(repartition.sans_nature)} accordés sur des lignes sans nature.",
            )
        )
    if sum(ligne.nombre for ligne in operateurs.lignes) != operateurs.total:
        anomalies.append(
            Anomalie(
                "totaux_associatifs",
                "Des dossiers associatifs retenus relèvent d'un élément hors du cadre du contrat.",
                bloquante=True,
            )
        )
    if fcs.enveloppe is not None:
        somme_axes = sum((axe.total for axe in fcs.axes), ZERO)
        if somme_axes != fcs.total:
            anomalies.append(
                Anomalie(
                    "totaux_fcs",
                    f"Les sous-totaux des axes du FCS ({formater_euros(somme_axes)}) ne font pas son total "
                    f"({formater_euros(fcs.total)}).",
                    bloquante=True,
                )
            )
        if fcs.total > fcs.montant_enveloppe:
            anomalies.append(
                Anomalie(
                    "fcs_enveloppe",
                    f"Les subventions du FCS ({formater_euros(fcs.total)}) dépassent l'enveloppe "
                    f"({formater_euros(fcs.montant_enveloppe)}).",
                    nombre=1,
                )
            )
    # Ce qui manque aux dossiers et se verrait dans le rapport (quartier, lignes, montants, thématique, focus).
    anomalies.extend(controles_des_dossiers(dossiers, annee, du_rapport=True))
    return tuple(a for a in anomalies if a is not None)
