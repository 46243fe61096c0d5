"""Le rapport annuel d'une année et son cycle d'approbation (décret n° 2015-1118)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from PIL import Image, UnidentifiedImageError

from journal.audit import GestionnaireAudite
from programmation.models import Programmation

from .enums import StatutRapport


class RapportAnnuel(models.Model):
    """Le rapport sur la mise en œuvre de la politique de la ville d'une année, et son cycle d'approbation.

    La version définitive est figée : son PDF et les chiffres qu'il montre sont stockés une fois, avec leur
    empreinte, et servis tels quels ensuite.
    """

    programmation = models.OneToOneField(
        Programmation, verbose_name="programmation", on_delete=models.PROTECT, related_name="rapport"
    )
    statut = models.CharField(
        "statut", max_length=20, choices=StatutRapport.choices, default=StatutRapport.PROJET
    )
    date_seance_conseil = models.DateField("séance du conseil communautaire", null=True, blank=True)
    date_approbation = models.DateField("date d'approbation", null=True, blank=True)
    pdf_definitif = models.FileField("PDF définitif", upload_to="rapports/", blank=True, editable=False)
    chiffres_definitifs = models.JSONField(
        "chiffres de la version définitive", null=True, blank=True, editable=False
    )
    empreinte_sha256 = models.CharField("empreinte SHA-256 du PDF", max_length=64, blank=True, editable=False)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "rapport annuel"
        verbose_name_plural = "rapports annuels"
        ordering = ["-programmation__annee"]
        permissions = [("approuver_rapportannuel", "Peut faire avancer et approuver le rapport annuel")]

    def __str__(self):
        return f"Rapport {self.programmation.annee} ({self.get_statut_display()})"


class TransitionRapport(models.Model):
    """Qui a fait passer le rapport d'un statut à l'autre, et quand."""

    rapport = models.ForeignKey(
        RapportAnnuel, verbose_name="rapport", on_delete=models.PROTECT, related_name="transitions"
    )
    de = models.CharField("de", max_length=20, choices=StatutRapport.choices)
    vers = models.CharField("vers", max_length=20, choices=StatutRapport.choices)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    le = models.DateTimeField("le", auto_now_add=True)
    commentaire = models.TextField("commentaire", blank=True)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "transition du rapport"
        verbose_name_plural = "transitions du rapport"
        ordering = ["rapport", "le"]

    def __str__(self):
        return f"{self.get_de_display()} → {self.get_vers_display()}"


def valider_logo(fichier) -> None:
    """Un logo déposé est hostile jusqu'à vérification : une vraie image PNG ou JPEG (lue par Pillow, pas devinée
    par son extension ni par le type annoncé), d'au plus 2 Mo et 4 000 pixels de côté. Le SVG est refusé : il peut
    porter des scripts et des liens vers l'extérieur."""
    nom = getattr(fichier, "name", "le fichier")
    if fichier.size > 2 * 1024 * 1024:
        raise ValidationError(f"Le logo « {nom} » dépasse 2 Mo : déposez une image plus légère.")
    try:
        fichier.seek(0)
        with Image.open(fichier) as image:
            format_ = image.format
            largeur, hauteur = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as erreur:
        raise ValidationError(
            f"« {nom} » n'est pas une image PNG ou JPEG lisible : déposez le logo en PNG ou en JPEG."
        ) from erreur
    finally:
        fichier.seek(0)
    if format_ not in FORMATS_LOGO:
        raise ValidationError(
            f"« {nom} » est une image {format_ or 'inconnue'} : seuls les logos PNG et JPEG sont acceptés."
        )
    extension = nom.rsplit(".", 1)[-1].lower() if "." in nom else ""
    if extension not in FORMATS_LOGO[format_]:
        raise ValidationError(
            f"« {nom} » est une image {format_} sous une extension .{extension} : renommez-le en "
            f".{FORMATS_LOGO[format_][0]}."
        )
    if largeur > 4000 or hauteur > 4000:
        raise ValidationError(f"Le logo « {nom} » mesure {largeur} × {hauteur} pixels : 4 000 au plus.")


FORMATS_LOGO = {"PNG": ("png",), "JPEG": ("jpg", "jpeg")}


class PresentationRapport(models.Model):
    """Ce que la couverture du rapport montre en plus des chiffres : les logos des signataires du contrat et le
    bloc de signature (« Pour le Président et par délégation »)."""

    contrat = models.OneToOneField(
        "contrat_ville.Contrat", verbose_name="contrat", on_delete=models.PROTECT, related_name="presentation"
    )
    signataire_qualite = models.CharField(
        "qualité du signataire",
        max_length=200,
        blank=True,
        help_text="Par exemple : « Le Vice-Président délégué à la Politique de la Ville ».",
    )
    signataire_nom = models.CharField("nom du signataire", max_length=200, blank=True)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "présentation du rapport"
        verbose_name_plural = "présentation du rapport"

    def __str__(self):
        return f"Présentation du rapport – {self.contrat}"


class LogoRapport(models.Model):
    """Un logo de la couverture, déposé par un agent ; son nom sert de texte alternatif."""

    presentation = models.ForeignKey(
        PresentationRapport, verbose_name="présentation", on_delete=models.CASCADE, related_name="logos"
    )
    nom = models.CharField("organisme", max_length=200, help_text="Texte alternatif : « Logo de l'État ».")
    image = models.FileField(
        "image (PNG ou JPEG)", upload_to="logos/", validators=[valider_logo], max_length=200
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "logo"
        verbose_name_plural = "logos"
        ordering = ["presentation", "ordre", "pk"]

    def __str__(self):
        return self.nom


class ReferentTerritorial(models.Model):
    """Un référent du service « Politique de la Ville » et les communes qu'il suit : l'organisation du service que
    le rapport présente, saisie comme une donnée plutôt que décrite dans un texte."""

    presentation = models.ForeignKey(
        PresentationRapport, verbose_name="présentation", on_delete=models.CASCADE, related_name="referents"
    )
    nom = models.CharField("nom", max_length=200)
    fonction = models.CharField("fonction", max_length=200, blank=True)
    communes = models.ManyToManyField(
        "contrat_ville.Commune", verbose_name="communes suivies", related_name="referents", blank=True
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "référent territorial"
        verbose_name_plural = "référents territoriaux"
        ordering = ["presentation", "ordre", "nom"]

    def __str__(self):
        return self.nom
