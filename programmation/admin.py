"""Administration de la programmation : dossiers avec leurs lignes de financement et leurs totaux."""

from django.contrib import admin
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html

from contrat_ville.admin import PorteurAdmin as PorteurAdminReferentiel
from contrat_ville.enums import NatureCredits
from contrat_ville.models import Porteur
from journal.admin_base import BaseAdmin
from noyau.admin import LectureSeuleMixin
from noyau.models import ZERO
from noyau.nombres import formater_euros

from .echange.admin import EchangeClasseurAdminMixin
from .models import (
    BlocNarratif,
    Dossier,
    JournalEchange,
    LigneFinancement,
    Programmation,
)


def somme_lignes(champ: str, **filtre) -> Coalesce:
    """Somme corrélée des lignes d'un dossier : ne regroupe pas toute la jointure avant la pagination."""
    lignes = LigneFinancement.objects.filter(dossier=OuterRef("pk"), **filtre).order_by().values("dossier")
    return Coalesce(Subquery(lignes.annotate(s=Sum(champ)).values("s")), ZERO)


class LigneFinancementInline(admin.TabularInline):
    model = LigneFinancement
    extra = 0
    fields = ["financeur", "nature", "montant_sollicite", "montant_accorde"]
    autocomplete_fields = ["financeur"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("financeur")


class BlocNarratifInline(admin.StackedInline):
    model = BlocNarratif
    extra = 0
    fields = ["type", "titre", "texte"]


@admin.register(Programmation)
class ProgrammationAdmin(BaseAdmin):
    list_display = ["annee", "contrat"]
    list_select_related = ["contrat"]
    inlines = [BlocNarratifInline]


@admin.register(BlocNarratif)
class BlocNarratifAdmin(BaseAdmin):
    list_display = ["type", "programmation", "titre"]
    list_filter = ["programmation__annee", "type"]
    list_select_related = ["programmation"]
    search_fields = ["titre", "texte"]


@admin.register(Dossier)
class DossierAdmin(EchangeClasseurAdminMixin, BaseAdmin):
    list_display = [
        "numero",
        "intitule",
        "porteur",
        "pilier",
        "statut",
        "total_sollicite",
        "total_accorde",
        "focus",
    ]
    list_display_links = ["numero", "intitule"]
    list_filter = [
        "programmation__annee",
        "programmation__contrat",
        "pilier",
        # Listes complètes (et non « RelatedOnly ») : l'admin ignore en silence le filtre d'une liste qui n'a
        # qu'un choix, et les liens du tableau de bord doivent toujours filtrer.
        "thematique",
        "statut",
        ("quartiers__communes", admin.RelatedOnlyFieldListFilter),
        ("quartiers", admin.RelatedOnlyFieldListFilter),
        "lignes_financement__financeur",
        "porteur__type",
        "focus",
    ]
    list_select_related = ["programmation", "porteur", "pilier"]
    search_fields = ["numero", "intitule", "porteur__nom", "porteur__siret"]
    autocomplete_fields = ["porteur", "pilier", "thematique", "quartiers"]
    readonly_fields = ["totaux"]
    inlines = [LigneFinancementInline]
    actions = ["exporter_selection"]
    fieldsets = [
        (None, {"fields": ["programmation", "numero", "intitule", "porteur", "statut", "cout_total"]}),
        ("Cadre du contrat", {"fields": ["pilier", "thematique", "quartiers"]}),
        ("Financements", {"fields": ["totaux"]}),
        ("Bénéficiaires", {"fields": ["beneficiaires_femmes", "beneficiaires_hommes"]}),
        (
            "Focus du rapport annuel",
            {
                "classes": ["collapse"],
                "fields": [
                    "focus",
                    "focus_ordre",
                    "focus_operateur",
                    "focus_description",
                    "focus_objectif",
                    "focus_resultats",
                ],
            },
        ),
        (
            "Traçabilité",
            {"classes": ["collapse"], "fields": ["cree_le", "cree_par", "modifie_le", "modifie_par"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                total_sollicite=somme_lignes("montant_sollicite"),
                total_accorde=somme_lignes("montant_accorde"),
            )
        )

    @admin.display(description="sollicité", ordering="total_sollicite")
    def total_sollicite(self, obj):
        return formater_euros(obj.total_sollicite)

    @admin.display(description="accordé", ordering="total_accorde")
    def total_accorde(self, obj):
        return formater_euros(obj.total_accorde)

    @admin.display(description="totaux des financements")
    def totaux(self, obj):
        if obj is None or obj.pk is None:
            return "Les totaux apparaissent après l'enregistrement des lignes de financement."
        t = obj.lignes_financement.aggregate(
            sollicite=Coalesce(Sum("montant_sollicite"), ZERO),
            accorde=Coalesce(Sum("montant_accorde"), ZERO),
            droit_commun=Coalesce(Sum("montant_accorde", filter=Q(nature=NatureCredits.DROIT_COMMUN)), ZERO),
            specifiques=Coalesce(Sum("montant_accorde", filter=Q(nature=NatureCredits.SPECIFIQUE)), ZERO),
        )
        return format_html(
            "<table class='totaux-financement'><tr><th>Sollicité</th><td>{}</td></tr>"
            "<tr><th>Accordé</th><td>{}</td></tr>"
            "<tr><th>dont droit commun</th><td>{}</td></tr>"
            "<tr><th>dont crédits spécifiques</th><td>{}</td></tr></table>",
            formater_euros(t["sollicite"]),
            formater_euros(t["accorde"]),
            formater_euros(t["droit_commun"]),
            formater_euros(t["specifiques"]),
        )


@admin.register(LigneFinancement)
class LigneFinancementAdmin(BaseAdmin):
    list_display = ["dossier", "financeur", "nature", "montant_sollicite", "montant_accorde"]
    list_filter = ["dossier__programmation__annee", "financeur", "nature", "dossier__pilier"]
    list_select_related = ["dossier", "financeur"]
    search_fields = ["dossier__numero", "dossier__intitule", "dossier__porteur__nom"]
    autocomplete_fields = ["dossier", "financeur"]


@admin.register(JournalEchange)
class JournalEchangeAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Le journal se consulte, il ne se modifie pas."""

    list_display = ["le", "operation", "nom_utilisateur", "source", "nom_fichier", "nb_lignes", "reussi"]
    list_filter = ["operation", "reussi", "source"]
    search_fields = ["nom_fichier", "nom_utilisateur"]
    date_hierarchy = "le"
    list_select_related = ["utilisateur"]
    fields = [
        "le",
        "operation",
        "utilisateur",
        "nom_utilisateur",
        "source",
        "nom_fichier",
        "nb_lignes",
        "reussi",
        "resume",
    ]
    readonly_fields = fields


class DossierDuPorteurInline(admin.TabularInline):
    model = Dossier
    fields = ["numero", "programmation", "intitule", "pilier", "statut"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = "dossiers du porteur"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("programmation", "pilier")


# Le référentiel ignore la programmation : c'est elle qui ajoute au porteur la liste de ses dossiers.
admin.site.unregister(Porteur)


@admin.register(Porteur)
class PorteurAdmin(PorteurAdminReferentiel):
    list_display = [*PorteurAdminReferentiel.list_display, "nb_dossiers"]
    inlines = [DossierDuPorteurInline]

    def get_queryset(self, request):
        nb = (
            Dossier.objects.filter(porteur=OuterRef("pk"))
            .order_by()
            .values("porteur")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(nb_dossiers=Coalesce(Subquery(nb), 0))

    @admin.display(description="dossiers", ordering="nb_dossiers")
    def nb_dossiers(self, obj):
        return obj.nb_dossiers
