"""Ressources django-import-export du format d'échange.

Elles servent au formulaire d'import de l'administration (la bibliothèque en exige une) et au banc d'essai, qui
mesure le chemin d'écriture ligne à ligne de la bibliothèque sur le même classeur. L'import réel passe par
`importation.importer_classeur` (voir le pourquoi en tête de ce module).
"""

from import_export import fields, resources, widgets

from contrat_ville.models import Financeur, Pilier, Porteur, Quartier, Thematique

from ..models import Dossier, LigneFinancement, Programmation
from .format import COLONNES_DOSSIERS, COLONNES_FINANCEMENTS

TITRES_DOSSIERS = {c.cle: c.titre for c in COLONNES_DOSSIERS}
TITRES_FINANCEMENTS = {c.cle: c.titre for c in COLONNES_FINANCEMENTS}


class DossierResource(resources.ModelResource):
    """Feuille Dossiers, telle que la bibliothèque l'importerait (valeurs codées, porteurs existants)."""

    numero = fields.Field("numero", TITRES_DOSSIERS["numero"])
    programmation = fields.Field(
        "programmation", TITRES_DOSSIERS["annee"], widget=widgets.ForeignKeyWidget(Programmation, "annee")
    )
    intitule = fields.Field("intitule", TITRES_DOSSIERS["intitule"])
    porteur = fields.Field(
        "porteur", TITRES_DOSSIERS["porteur"], widget=widgets.ForeignKeyWidget(Porteur, "nom")
    )
    pilier = fields.Field(
        "pilier", TITRES_DOSSIERS["pilier"], widget=widgets.ForeignKeyWidget(Pilier, "code")
    )
    thematique = fields.Field(
        "thematique", TITRES_DOSSIERS["thematique"], widget=widgets.ForeignKeyWidget(Thematique, "code")
    )
    quartiers = fields.Field(
        "quartiers", TITRES_DOSSIERS["quartiers"], widget=widgets.ManyToManyWidget(Quartier, ";", "code")
    )
    statut = fields.Field("statut", TITRES_DOSSIERS["statut"])
    cout_total = fields.Field("cout_total", TITRES_DOSSIERS["cout_total"], widget=widgets.DecimalWidget())

    class Meta:
        model = Dossier
        name = "Classeur de programmation (feuilles Dossiers et Financements)"
        fields = [
            "numero",
            "programmation",
            "intitule",
            "porteur",
            "pilier",
            "thematique",
            "quartiers",
            "statut",
            "cout_total",
        ]
        import_id_fields = ["programmation", "numero"]


class LigneFinancementResource(resources.ModelResource):
    """Feuille Financements, telle que la bibliothèque l'importerait (le dossier par son n°)."""

    dossier = fields.Field(
        "dossier", TITRES_FINANCEMENTS["numero"], widget=widgets.ForeignKeyWidget(Dossier, "numero")
    )
    financeur = fields.Field(
        "financeur", TITRES_FINANCEMENTS["financeur"], widget=widgets.ForeignKeyWidget(Financeur, "code")
    )
    nature = fields.Field("nature", TITRES_FINANCEMENTS["nature"])
    montant_sollicite = fields.Field(
        "montant_sollicite", TITRES_FINANCEMENTS["montant_sollicite"], widget=widgets.DecimalWidget()
    )
    montant_accorde = fields.Field(
        "montant_accorde", TITRES_FINANCEMENTS["montant_accorde"], widget=widgets.DecimalWidget()
    )

    class Meta:
        model = LigneFinancement
        fields = ["dossier", "financeur", "nature", "montant_sollicite", "montant_accorde"]
        import_id_fields = ["dossier", "financeur", "nature"]
