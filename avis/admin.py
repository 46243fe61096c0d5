"""Administration de la consultation : organismes, contacts, consultations, suivi, avis reçus par courrier."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from journal.admin_base import BaseAdmin

from . import selectors, services
from .forms import AvisCourrierForm, ContactForm
from .models import Avis, Consultation, Contact, Destinataire, Organisme, Reouverture


def _date(valeur) -> str:
    if valeur is None:
        return "—"
    if hasattr(valeur, "hour"):
        valeur = timezone.localtime(valeur)
        return f"{valeur:%d/%m/%Y %H:%M}"
    return f"{valeur:%d/%m/%Y}"


def _formulaire_admin(modeladmin, request, form, titre: str, gabarit: str = "admin/avis/formulaire.html"):
    contexte = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": titre,
        "form": form,
    }
    return TemplateResponse(request, gabarit, contexte, status=422 if form.errors else 200)


def _erreurs_vers_form(form, erreur: ValidationError) -> None:
    if hasattr(erreur, "error_dict"):
        for champ, liste in erreur.error_dict.items():
            form.add_error(champ if champ in form.fields else None, liste)
    else:
        form.add_error(None, erreur)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["utilisateur", "fonction", "actif"]
    readonly_fields = ["utilisateur", "fonction", "actif"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="actif", boolean=True)
    def actif(self, obj):
        return obj.utilisateur.is_active

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("utilisateur")


@admin.register(Organisme)
class OrganismeAdmin(BaseAdmin):
    list_display = ["__str__", "type_organisme"]
    list_select_related = ["commune", "conseil_citoyen", "porteur"]
    search_fields = ["commune__nom", "conseil_citoyen__nom", "porteur__nom"]
    autocomplete_fields = ["commune", "conseil_citoyen", "porteur"]
    inlines = [ContactInline]

    @admin.display(description="type")
    def type_organisme(self, obj):
        if obj.est_porteur:
            return "Porteur de projet"
        return "Conseil municipal" if obj.est_commune else "Conseil citoyen"


@admin.register(Contact)
class ContactAdmin(BaseAdmin):
    list_display = ["__str__", "email", "organisme", "actif", "derniere_connexion"]
    list_select_related = [
        "utilisateur",
        "organisme__commune",
        "organisme__conseil_citoyen",
        "organisme__porteur",
    ]
    list_filter = ["utilisateur__is_active"]
    search_fields = [
        "utilisateur__email",
        "utilisateur__last_name",
        "organisme__commune__nom",
        "organisme__conseil_citoyen__nom",
    ]
    fields = ["utilisateur", "organisme", "fonction"]
    readonly_fields = ["utilisateur", "organisme"]
    actions = ["renvoyer_invitation", "desactiver"]

    @admin.display(description="adresse", ordering="utilisateur__email")
    def email(self, obj):
        return obj.utilisateur.email

    @admin.display(description="actif", boolean=True)
    def actif(self, obj):
        return obj.utilisateur.is_active

    @admin.display(description="dernière connexion")
    def derniere_connexion(self, obj):
        return _date(obj.utilisateur.last_login)

    def has_delete_permission(self, request, obj=None):
        return False  # on désactive un contact, on ne l'efface pas : ses avis restent attribués

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ContactForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            donnees = form.cleaned_data
            try:
                contact = services.creer_contact(
                    organisme=donnees["organisme"],
                    email=donnees["email"],
                    prenom=donnees["prenom"],
                    nom=donnees["nom"],
                    fonction=donnees["fonction"],
                    par=request.user,
                )
                if donnees["inviter"]:
                    services.inviter_contact(contact=contact, par=request.user)
            except ValidationError as erreur:
                _erreurs_vers_form(form, erreur)
            else:
                envoi = " et invité" if donnees["inviter"] else ""
                self.message_user(request, f"Contact {contact} créé{envoi}.", messages.SUCCESS)
                return redirect("admin:avis_contact_changelist")
        return _formulaire_admin(self, request, form, "Ajouter un contact du portail")

    @admin.action(description="Envoyer ou renvoyer l'invitation", permissions=["change"])
    def renvoyer_invitation(self, request, queryset):
        envoyes = 0
        for contact in queryset.select_related("utilisateur", "organisme"):
            try:
                services.inviter_contact(contact=contact, par=request.user)
                envoyes += 1
            except ValidationError as erreur:
                self.message_user(request, " ".join(erreur.messages), messages.WARNING)
        self.message_user(request, f"{envoyes} invitation(s) envoyée(s).", messages.SUCCESS)

    @admin.action(description="Désactiver le compte", permissions=["change"])
    def desactiver(self, request, queryset):
        for contact in queryset.select_related("utilisateur"):
            services.desactiver_contact(contact=contact, par=request.user)
        self.message_user(request, f"{queryset.count()} compte(s) désactivé(s).", messages.SUCCESS)


class DestinataireInline(admin.TabularInline):
    model = Destinataire
    extra = 0
    fields = ["organisme", "invite_le", "ouvert_le", "relance_le", "rouvert"]
    readonly_fields = ["invite_le", "ouvert_le", "relance_le", "rouvert"]
    autocomplete_fields = ["organisme"]
    verbose_name_plural = "organismes consultés"

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("organisme__commune", "organisme__conseil_citoyen")
        )


@admin.register(Consultation)
class ConsultationAdmin(BaseAdmin):
    """Le suivi d'une consultation. Elle s'ouvre depuis la fiche du rapport annuel (« Lancer la consultation ») :
    c'est une étape du cycle du rapport, qui fige le projet transmis ; l'administration ne la crée pas."""

    list_display = ["__str__", "date_envoi", "date_limite", "lancee_le"]
    list_select_related = ["programmation"]
    fields = ["programmation", "date_envoi", "date_limite", "lancee_le", "projet_transmis", "tableau_suivi"]
    readonly_fields = ["programmation", "lancee_le", "projet_transmis", "tableau_suivi"]
    inlines = [DestinataireInline]
    actions = ["renvoyer_invitations"]

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": "Consultations — une consultation se lance depuis la fiche du rapport annuel",
        }
        return super().changelist_view(request, extra_context)

    def save_formset(self, request, form, formset, change):
        """Les organismes ajoutés passent par le service : inscrits, puis invités une fois l'enregistrement validé."""
        if formset.model is not Destinataire:
            return super().save_formset(request, form, formset, change)
        nouveaux = [
            f.cleaned_data["organisme"] for f in formset.extra_forms if f.has_changed() and f.is_valid()
        ]
        for supprime in formset.deleted_objects:
            supprime.delete()
        services.ajouter_destinataires(consultation=form.instance, organismes=nouveaux, par=request.user)

    @admin.action(
        description="Renvoyer les invitations aux contacts des organismes consultés", permissions=["change"]
    )
    def renvoyer_invitations(self, request, queryset):
        for consultation in queryset:
            envoyes = services.inviter_organismes(consultation=consultation, par=request.user)
            self.message_user(
                request, f"{consultation} : {envoyes} invitation(s) envoyée(s).", messages.SUCCESS
            )

    @admin.display(description="projet transmis")
    def projet_transmis(self, obj):
        if not obj.projet_pdf:
            return "— (figé au lancement de la consultation)"
        return format_html(
            '<a href="{}">Télécharger le projet transmis (PDF)</a> — empreinte SHA-256 {}',
            reverse("rapport:projet_transmis", args=[obj.programmation.annee, obj.pk]),
            obj.projet_sha256,
        )

    @admin.display(description="suivi")
    def tableau_suivi(self, obj):
        lignes = selectors.suivi_consultation(obj)
        corps = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    ligne.organisme,
                    _date(ligne.invite_le),
                    _date(ligne.ouvert_le),
                    "oui" if ligne.repondu else "non",
                    ligne.decision,
                    _date(ligne.date),
                )
                for ligne in lignes
            ),
        )
        lien = reverse("admin:avis_destinataire_changelist") + f"?consultation__id__exact={obj.pk}"
        return format_html(
            '<table class="suivi-consultation"><thead><tr><th scope="col">Organisme</th><th scope="col">Invité le</th>'
            '<th scope="col">Ouvert le</th><th scope="col">Répondu</th><th scope="col">Décision</th>'
            '<th scope="col">Date</th></tr></thead><tbody>{}</tbody></table>'
            '<p><a href="{}">Relancer, rouvrir, renvoyer une invitation depuis le suivi</a></p>',
            corps,
            lien,
        )


def _avis_du_destinataire(champ: str) -> Subquery:
    return Subquery(
        Avis.objects.filter(consultation=OuterRef("consultation"), organisme=OuterRef("organisme")).values(
            champ
        )[:1]
    )


@admin.register(Destinataire)
class DestinataireAdmin(BaseAdmin):
    """Le tableau de suivi d'une consultation : un organisme par ligne, l'avis réputé favorable déduit des dates."""

    list_display = ["organisme", "invite", "ouvert", "repondu", "decision", "date", "relance_le", "rouvert"]
    list_filter = ["consultation", "rouvert"]
    # La case de sélection de chaque ligne porte str(destinataire), qui nomme la consultation et son année.
    list_select_related = [
        "organisme__commune",
        "organisme__conseil_citoyen",
        "consultation__programmation",
    ]
    search_fields = ["organisme__commune__nom", "organisme__conseil_citoyen__nom"]
    actions = ["rouvrir", "renvoyer_invitations"]
    fields = ["consultation", "organisme", "invite_le", "ouvert_le", "relance_le", "rouvert"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                avis_decision=_avis_du_destinataire("decision"),
                avis_date=_avis_du_destinataire("date_seance"),
                avis_id=_avis_du_destinataire("pk"),
            )
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="invité le", ordering="invite_le")
    def invite(self, obj):
        return _date(obj.invite_le)

    @admin.display(description="ouvert le", ordering="ouvert_le")
    def ouvert(self, obj):
        return _date(obj.ouvert_le)

    @admin.display(description="répondu", boolean=True)
    def repondu(self, obj):
        return obj.avis_id is not None

    @admin.display(description="décision")
    def decision(self, obj):
        from .enums import Decision

        if obj.avis_id is not None:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:avis_avis_change", args=[obj.avis_id]),
                Decision(obj.avis_decision).label,
            )
        libelle, _ = selectors.decision_affichee(None, obj.consultation.date_limite, timezone.localdate())
        return libelle

    @admin.display(description="date")
    def date(self, obj):
        if obj.avis_id is not None:
            return _date(obj.avis_date)
        if timezone.localdate() > obj.consultation.date_limite:
            return _date(obj.consultation.date_limite)
        return "—"

    @admin.action(
        description="Rouvrir l'avis (l'organisme pourra le déposer ou le modifier)", permissions=["change"]
    )
    def rouvrir(self, request, queryset):
        for destinataire in queryset:
            services.rouvrir_avis(
                destinataire=destinataire, par=request.user, motif="Réouverture depuis le suivi"
            )
        self.message_user(request, f"{queryset.count()} avis rouvert(s).", messages.SUCCESS)

    @admin.action(description="Renvoyer l'invitation aux contacts", permissions=["change"])
    def renvoyer_invitations(self, request, queryset):
        contacts = Contact.objects.filter(
            organisme__in=queryset.values("organisme"), utilisateur__is_active=True
        ).select_related("utilisateur", "organisme__commune", "organisme__conseil_citoyen")
        for contact in contacts:
            services.inviter_contact(contact=contact, par=request.user)
        self.message_user(request, f"{len(contacts)} invitation(s) envoyée(s).", messages.SUCCESS)


@admin.register(Avis)
class AvisAdmin(BaseAdmin):
    list_display = ["organisme", "consultation", "decision", "date_seance", "depose_le", "recu_par_courrier"]
    list_filter = ["consultation", "decision", "recu_par_courrier"]
    list_select_related = [
        "organisme__commune",
        "organisme__conseil_citoyen",
        "consultation__programmation",
    ]
    search_fields = ["organisme__commune__nom", "organisme__conseil_citoyen__nom", "observations"]
    fields = [
        "consultation",
        "organisme",
        "decision",
        "date_seance",
        "observations",
        "document",
        "depose_par",
        "depose_le",
        "recu_par_courrier",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False  # un avis officiel ne se corrige pas : on le rouvre, l'organisme le redépose

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="délibération")
    def document(self, obj):
        if not obj.deliberation:
            return "—"
        return format_html('<a href="{}">Télécharger (PDF)</a>', reverse("avis:deliberation", args=[obj.pk]))

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AvisCourrierForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            donnees = form.cleaned_data
            try:
                avis = services.enregistrer_avis_courrier(
                    consultation=donnees["consultation"],
                    organisme=donnees["organisme"],
                    par=request.user,
                    decision=donnees["decision"],
                    date_seance=donnees["date_seance"],
                    observations=donnees["observations"],
                    document=donnees["document"],
                )
            except ValidationError as erreur:
                _erreurs_vers_form(form, erreur)
            else:
                self.message_user(request, f"{avis} enregistré (reçu par courrier).", messages.SUCCESS)
                return redirect("admin:avis_avis_changelist")
        return _formulaire_admin(self, request, form, "Enregistrer un avis reçu par courrier")


@admin.register(Reouverture)
class ReouvertureAdmin(BaseAdmin):
    list_display = ["destinataire", "par", "le", "motif"]
    list_select_related = [
        "destinataire__organisme__commune",
        "destinataire__organisme__conseil_citoyen",
        "par",
    ]
    readonly_fields = ["destinataire", "par", "le", "motif"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
