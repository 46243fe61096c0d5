"""Administration de la programmation : dossiers avec leurs lignes de financement et leurs totaux."""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from contrat_ville.admin import PorteurAdmin as PorteurAdminReferentiel
from contrat_ville.models import Financeur, Porteur
from journal.admin_base import BaseAdmin
from noyau.admin import LectureSeuleMixin, RechercheSansAccentsMixin
from noyau.models import ZERO
from noyau.nombres import formater_euros

from .approbation import MotifApresApprobationMixin
from .controles import FiltreControle
from .echange.admin import EchangeClasseurAdminMixin
from .enums import StatutDossier
from .filters import FiltreAnnee, FiltreElementDuCadre, FiltreParCode
from .forms import DossierAdminForm, LigneFinancementForm
from .models import (
    BlocNarratif,
    Dossier,
    JournalEchange,
    LigneFinancement,
    Programmation,
)
from .panneaux import PANNEAUX_DU_DOSSIER
from .selectors.chiffres import chiffres_programmation, totaux_financements
from .selectors.selections import annee_courante, prochains_numeros


def somme_lignes(champ: str, **filtre) -> Coalesce:
    """Somme corrélée des lignes d'un dossier : ne regroupe pas toute la jointure avant la pagination."""
    lignes = LigneFinancement.objects.filter(dossier=OuterRef("pk"), **filtre).order_by().values("dossier")
    return Coalesce(Subquery(lignes.annotate(s=Sum(champ)).values("s")), ZERO)


class LigneFinancementInline(admin.TabularInline):
    model = LigneFinancement
    form = LigneFinancementForm
    # Deux lignes vides prêtes : un dossier a presque toujours au moins deux financeurs.
    extra = 2
    fields = ["financeur", "nature", "montant_sollicite", "montant_accorde"]
    autocomplete_fields = ["financeur"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("financeur")


class BlocNarratifInline(admin.StackedInline):
    model = BlocNarratif
    extra = 0
    fields = ["type", "titre", "texte"]


def lien_dossiers(texte, **parametres) -> str:
    url = reverse("admin:programmation_dossier_changelist")
    return format_html(
        '<a href="{}?{}">{}</a>', url, "&".join(f"{c}={v}" for c, v in parametres.items()), texte
    )


class DossierDeLaProgrammationInline(admin.TabularInline):
    """Les dossiers de l'année, en lecture : chacun mène à sa fiche."""

    model = Dossier
    fields = ["numero", "intitule", "porteur", "statut", "sollicite", "accorde"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = "dossiers de l'année"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("porteur")
            .annotate(
                total_sollicite=somme_lignes("montant_sollicite"),
                total_accorde=somme_lignes("montant_accorde"),
            )
            .order_by("numero")
        )

    @admin.display(description="sollicité")
    def sollicite(self, obj):
        return formater_euros(obj.total_sollicite)

    @admin.display(description="accordé")
    def accorde(self, obj):
        return formater_euros(obj.total_accorde)


@admin.register(Programmation)
class ProgrammationAdmin(BaseAdmin):
    list_display = ["annee_affichee", "contrat", "nb_dossiers"]
    list_display_links = ["annee_affichee"]
    list_select_related = ["contrat"]
    readonly_fields = ["synthese"]
    fields = ["contrat", "annee", "synthese"]
    inlines = [DossierDeLaProgrammationInline, BlocNarratifInline]

    class Media:
        css = {"all": ["programmation/dossiers.css"]}

    def get_queryset(self, request):
        nb = Dossier.objects.filter(programmation=OuterRef("pk")).order_by().values("programmation")
        return (
            super()
            .get_queryset(request)
            .annotate(nb=Coalesce(Subquery(nb.annotate(n=Count("pk")).values("n")), 0))
        )

    @admin.display(description="année", ordering="annee")
    def annee_affichee(self, obj):
        return str(obj.annee)  # « 2021 », pas la mise en forme des nombres (« 2 021 »)

    @admin.display(description="dossiers", ordering="nb")
    def nb_dossiers(self, obj):
        return lien_dossiers(obj.nb, programmation__annee=obj.annee)

    @admin.display(description="l'année en chiffres")
    def synthese(self, obj):
        if obj is None or obj.pk is None:
            return "Les chiffres de l'année apparaissent une fois la programmation enregistrée."
        dossiers = Dossier.objects.filter(programmation=obj)
        chiffres = chiffres_programmation(dossiers)
        totaux = totaux_financements(dossiers)
        statuts = [
            ("déposés (tous statuts)", chiffres.nb_deposes, None),
            ("en attente d'instruction", chiffres.nb_statut_depose, StatutDossier.DEPOSE),
            ("en instruction", chiffres.nb_en_instruction, StatutDossier.EN_INSTRUCTION),
            ("retenus", chiffres.nb_retenus, StatutDossier.RETENU),
            ("refusés", chiffres.nb_refuses, StatutDossier.REFUSE),
            ("abandonnés", chiffres.nb_abandonnes, StatutDossier.ABANDONNE),
        ]
        lignes = format_html_join(
            "",
            "<tr><th scope='row'>Dossiers {}</th><td>{}</td></tr>",
            (
                (
                    libelle,
                    lien_dossiers(
                        nombre,
                        programmation__annee=obj.annee,
                        **({"statut__exact": statut} if statut else {}),
                    ),
                )
                for libelle, nombre, statut in statuts
            ),
        )
        montants = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td></tr>",
            [
                ("Montant sollicité (tous dossiers)", formater_euros(totaux.sollicite)),
                ("Montant accordé (tous dossiers)", formater_euros(totaux.accorde)),
                ("dont droit commun", formater_euros(totaux.droit_commun)),
                ("dont crédits spécifiques", formater_euros(totaux.specifiques)),
                ("Total programmé (dossiers retenus, comme au rapport)", formater_euros(chiffres.total)),
            ],
        )
        return format_html("<table class='synthese-annee'>{}{}</table>", lignes, montants)


@admin.register(BlocNarratif)
class BlocNarratifAdmin(BaseAdmin):
    list_display = ["type", "programmation", "titre"]
    list_filter = ["programmation__annee", "type"]
    list_select_related = ["programmation"]
    search_fields = ["titre", "texte"]


@admin.register(Dossier)
class DossierAdmin(MotifApresApprobationMixin, EchangeClasseurAdminMixin, BaseAdmin):
    form = DossierAdminForm
    change_form_template = "admin/programmation/dossier/change_form.html"
    list_display = [
        "numero_court",
        "intitule",
        "porteur",
        "code_pilier",
        "statut",
        "total_sollicite",
        "total_accorde",
    ]
    list_display_links = ["numero_court", "intitule"]
    list_filter = [
        FiltreAnnee,
        "programmation__contrat",
        # Listes complètes (et non « RelatedOnly ») : l'admin ignore en silence le filtre d'une liste qui n'a
        # qu'un choix, et les liens du tableau de bord doivent toujours filtrer.
        ("pilier", FiltreElementDuCadre),
        ("thematique", FiltreParCode),
        "statut",
        ("quartiers__communes", admin.RelatedOnlyFieldListFilter),
        ("quartiers", admin.RelatedOnlyFieldListFilter),
        "lignes_financement__financeur",
        "porteur__type",
        "focus",
        # Où mènent les liens des contrôles de cohérence (fiche du rapport, tableau de bord).
        FiltreControle,
    ]
    list_select_related = ["programmation", "porteur", "pilier"]
    search_fields = ["numero", "intitule", "porteur__nom", "porteur__siret"]
    search_help_text = "Numéro, intitulé, porteur ou SIRET ; accents, majuscules et tirets sont ignorés."
    autocomplete_fields = ["porteur", "quartiers", "objectifs"]
    readonly_fields = ["totaux", "apres_le_vote"]
    inlines = [LigneFinancementInline]
    actions = ["exporter_selection"]
    fieldsets = [
        (
            "Identité du dossier",
            {
                "description": "Les champs marqués « (obligatoire) » doivent être remplis.",
                "fields": [
                    "programmation",
                    "numero",
                    "intitule",
                    "porteur",
                    "statut",
                    "cout_total",
                    "pilier",
                    "thematique",
                    "quartiers",
                    "objectifs",
                ],
            },
        ),
        # Les lignes de financement s'insèrent ici, juste après l'identité (gabarit change_form du dossier).
        ("Totaux des financements", {"fields": ["totaux"]}),
        ("Après le vote et l'action d'année en année", {"fields": ["apres_le_vote"]}),
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

    class Media:
        css = {"all": ["programmation/dossiers.css"]}
        js = ["programmation/dossier_formulaire.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                total_sollicite=somme_lignes("montant_sollicite"),
                total_accorde=somme_lignes("montant_accorde"),
            )
        )

    def get_changeform_initial_data(self, request):
        """Un nouveau dossier est de l'année courante, avec le prochain numéro libre de cette année."""
        initial = super().get_changeform_initial_data(request)
        annee = annee_courante()
        if annee is not None and "programmation" not in initial:
            initial["programmation"] = (
                Programmation.objects.filter(annee=annee).values_list("pk", flat=True).first()
            )
            initial.setdefault("numero", prochains_numeros([annee])[annee])
        return initial

    def changelist_view(self, request, extra_context=None):
        reponse = super().changelist_view(request, extra_context)
        contexte = getattr(reponse, "context_data", None)
        if contexte and "cl" in contexte:
            # Les totaux de toute la liste filtrée (pas de la seule page), par le sélecteur du rapport.
            # Filtrée sur un financeur, la liste additionne ses seules lignes, comme le chiffre du tableau de bord.
            financeur = None
            if (pk := request.GET.get("lignes_financement__financeur__id__exact", "")).isdigit():
                financeur = Financeur.objects.filter(pk=pk).first()
            contexte["totaux_liste"] = totaux_financements(contexte["cl"].queryset, financeur=financeur)
            contexte["totaux_financeur"] = financeur
        return reponse

    @admin.display(description="n°", ordering="numero")
    def numero_court(self, obj):
        return obj.numero

    @admin.display(description="pilier", ordering="pilier__code")
    def code_pilier(self, obj):
        return format_html('<span title="{}">{}</span>', obj.pilier.libelle, obj.pilier.code)

    def get_list_display(self, request):
        """La colonne du cadre porte le nom que lui donne le contrat de l'année affichée (« pilier »,
        « orientation ») ; « élément du cadre » pour plusieurs années. Une requête."""
        valeur = request.GET.get(FiltreAnnee.parameter_name)
        annees = Programmation.objects.order_by("-annee")
        if valeur and valeur.isdigit() and len(valeur) == 4:
            annees = annees.filter(annee=int(valeur))
        elif valeur is not None or request.GET.get("q"):
            annees = annees.none()  # toutes les années : peut-être deux contrats
        libelle = annees.values_list("contrat__libelle_niveau", flat=True).first() or "élément du cadre"

        def code_pilier(obj):
            return self.code_pilier(obj)

        code_pilier.short_description = libelle
        code_pilier.admin_order_field = "pilier__code"
        return [code_pilier if c == "code_pilier" else c for c in super().get_list_display(request)]

    @admin.display(description="sollicité", ordering="total_sollicite")
    def total_sollicite(self, obj):
        return formater_euros(obj.total_sollicite)

    @admin.display(description="accordé", ordering="total_accorde")
    def total_accorde(self, obj):
        return formater_euros(obj.total_accorde)

    @admin.display(description="suivi")
    def apres_le_vote(self, obj):
        if obj is None or obj.pk is None:
            return "Le suivi (conventions, versements, bilans, reconductions) apparaît une fois le dossier enregistré."
        return format_html_join("", "{}", ((panneau(obj),) for panneau in PANNEAUX_DU_DOSSIER)) or "—"

    @admin.display(description="totaux des financements")
    def totaux(self, obj):
        if obj is None or obj.pk is None:
            return "Les totaux apparaissent après l'enregistrement des lignes de financement."
        t = totaux_financements(Dossier.objects.filter(pk=obj.pk))
        return format_html(
            "<table class='totaux-financement'><tr><th>Sollicité</th><td>{}</td></tr>"
            "<tr><th>Accordé</th><td>{}</td></tr>"
            "<tr><th>dont droit commun</th><td>{}</td></tr>"
            "<tr><th>dont crédits spécifiques</th><td>{}</td></tr></table>",
            formater_euros(t.sollicite),
            formater_euros(t.accorde),
            formater_euros(t.droit_commun),
            formater_euros(t.specifiques),
        )


@admin.register(LigneFinancement)
class LigneFinancementAdmin(BaseAdmin):
    list_display = ["dossier", "financeur", "nature", "montant_sollicite", "montant_accorde"]
    list_filter = ["dossier__programmation__annee", "financeur", "nature", "dossier__pilier"]
    list_select_related = ["dossier", "financeur"]
    search_fields = ["dossier__numero", "dossier__intitule", "dossier__porteur__nom"]
    autocomplete_fields = ["dossier", "financeur"]


@admin.register(JournalEchange)
class JournalEchangeAdmin(RechercheSansAccentsMixin, LectureSeuleMixin, admin.ModelAdmin):
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
