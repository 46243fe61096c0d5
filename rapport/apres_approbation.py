"""Après l'approbation : les chiffres approuvés comparés à ceux d'aujourd'hui, et les changements de l'année
depuis l'approbation, d'après le journal d'audit (dossiers et lignes de financement, avec leur motif)."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

from journal.models import EntreeJournal
from programmation.models import Dossier

from .contexte import chiffres_du_rapport, contexte_du_rapport
from .enums import StatutRapport
from .models import TransitionRapport

LIMITE_CHANGEMENTS = 200


def approuvee_le(programmation):
    """La date et l'heure de l'approbation du rapport de l'année (l'étape « définitif »), ou None."""
    return (
        TransitionRapport.objects.filter(rapport__programmation=programmation, vers=StatutRapport.DEFINITIF)
        .values_list("le", flat=True)
        .first()
    )


@dataclass(frozen=True)
class Ecart:
    libelle: str
    approuve: str | int | None
    aujourdhui: str | int | None
    montant: bool = False

    @property
    def change(self) -> bool:
        return self.approuve != self.aujourdhui


def _lignes(chiffres: dict) -> list[tuple[str, object, bool]]:
    prog = chiffres["programmation"]
    lignes = [
        ("Total de la programmation", chiffres["total"], True),
        ("Dossiers déposés", prog["dossiers_deposes"], False),
        ("Dossiers retenus", prog["dossiers_retenus"], False),
        ("Actions soutenues au titre des crédits ANCT", prog["actions_anct"], False),
        ("Droit commun", chiffres["droit_commun"], True),
        ("Crédits spécifiques", chiffres["specifiques"], True),
        ("Fonds de cohésion sociale", chiffres["fcs"]["total"], True),
        ("Fonds de concours", chiffres["fonds_de_concours"]["total"], True),
    ]
    # Le nom du premier niveau du cadre (« pilier », « orientation ») ; les chiffres figés avant lui : « pilier ».
    niveau = chiffres.get("niveau", "pilier")
    niveau = niveau[:1].upper() + niveau[1:]
    lignes += [(f"{niveau} {p['code']} – {p['libelle']}", p["montant"], True) for p in chiffres["piliers"]]
    return lignes


def ecarts_depuis_approbation(rapport) -> list[Ecart]:
    """Chaque chiffre clé : celui de la version approuvée, celui que donnent les données aujourd'hui."""
    if rapport.statut != StatutRapport.DEFINITIF or not rapport.chiffres_definitifs:
        return []
    aujourdhui = {
        libelle: valeur for libelle, valeur, _m in _lignes(chiffres_du_rapport(contexte_du_rapport(rapport)))
    }
    ecarts = []
    for libelle, approuve, montant in _lignes(rapport.chiffres_definitifs):
        ecarts.append(Ecart(libelle, approuve, aujourdhui.get(libelle), montant))
    vus = {e.libelle for e in ecarts}
    ecarts += [
        Ecart(libelle, None, valeur, True) for libelle, valeur in aujourdhui.items() if libelle not in vus
    ]
    return ecarts


def changements_depuis_approbation(rapport, limite: int = LIMITE_CHANGEMENTS) -> tuple[list, int]:
    """Les entrées du journal sur les dossiers de l'année et leurs lignes depuis l'approbation (les plus récentes
    d'abord, `limite` au plus), et leur nombre total."""
    quand = approuvee_le(rapport.programmation) if rapport.pk else None
    if quand is None:
        return [], 0
    dossiers = Dossier.objects.filter(programmation=rapport.programmation)
    ids = dossiers.annotate(t=Cast("pk", CharField())).values("t")
    parents = dossiers.annotate(p=Concat(Value("programmation.dossier:"), Cast("pk", CharField()))).values(
        "p"
    )
    entrees = EntreeJournal.objects.filter(horodatage__gt=quand).filter(
        Q(type_objet=ContentType.objects.get_for_model(Dossier), objet_id__in=ids) | Q(parent__in=parents)
    )
    liste = list(entrees.select_related("utilisateur").order_by("-horodatage")[:limite])
    return liste, (len(liste) if len(liste) < limite else entrees.count())
