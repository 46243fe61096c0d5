"""L'après-vote : décisions de l'agglomération, conventions (annuelles ou CPO), tranches annuelles, échéancier,
versements, bilans des porteurs et titres de recette.

Une convention porte sur les crédits propres de l'agglomération : une ligne de financement de l'agglomération
d'un dossier retenu, ou une subvention du FCS. Une CPO a une tranche par année ; la tranche de chaque année est
portée par une ligne de financement (ou une subvention du FCS) de la programmation de cette année, créée une
fois par le service : le rapport et le tableau de bord la comptent ainsi par leur seul agrégat par année.
"""

import re
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from contrat_ville.models import Porteur
from fcs.models import SubventionFCS
from journal.audit import GestionnaireAudite
from noyau import gabarits
from noyau.models import Trace, champ_montant
from programmation.models import LigneFinancement

from .enums import Instance, StatutBilan, TypeBilan, TypeConvention, TypeDocument, TypeEcheance
from .stockage import obtenir_stockage_bilans, obtenir_stockage_documents

DUREE_MAX_CPO = 3  # années (Quartiers 2030 : CPO de trois ans)


class Convention(Trace):
    porteur = models.ForeignKey(
        Porteur, verbose_name="porteur", on_delete=models.PROTECT, related_name="conventions"
    )
    type = models.CharField("type", max_length=10, choices=TypeConvention.choices)
    reference = models.CharField("référence", max_length=60, unique=True)
    objet = models.CharField("objet", max_length=256)
    annee_debut = models.PositiveSmallIntegerField("première année")
    annee_fin = models.PositiveSmallIntegerField("dernière année")
    date_signature = models.DateField("date de signature", null=True, blank=True)
    taux_avance = models.DecimalField(
        "avance à la signature (part de la tranche)",
        max_digits=3,
        decimal_places=2,
        default=0.5,
        help_text="Entre 0 et 1 : 0,50 pour une avance de 50 %, le solde après le bilan.",
    )

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "convention"
        verbose_name_plural = "conventions"
        permissions = [("exporter_open_data", "Peut exporter les subventions en open data (SCDL)")]
        ordering = ["-annee_debut", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annee_fin__gte=F("annee_debut")) & Q(annee_fin__lte=F("annee_debut") + 2),
                name="convention_trois_ans_au_plus",
                violation_error_message="Une convention couvre de une à trois années.",
            ),
            models.CheckConstraint(
                condition=~Q(type=TypeConvention.ANNUELLE) | Q(annee_fin=F("annee_debut")),
                name="convention_annuelle_une_annee",
                violation_error_message="Une convention annuelle ne couvre qu'une année.",
            ),
            models.CheckConstraint(
                condition=Q(taux_avance__gte=0) & Q(taux_avance__lte=1),
                name="convention_taux_avance_borne",
                violation_error_message="L'avance est une part de la tranche, entre 0 et 1.",
            ),
        ]

    def __str__(self):
        return f"{self.reference} – {self.porteur}"

    @property
    def periode(self) -> str:
        if self.annee_debut == self.annee_fin:
            return str(self.annee_debut)
        return f"{self.annee_debut}-{self.annee_fin}"


class Decision(Trace):
    """L'acte de l'agglomération qui attribue la subvention : délibération du bureau ou du conseil."""

    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.PROTECT, related_name="decisions"
    )
    date = models.DateField("date de la décision")
    instance = models.CharField("instance", max_length=10, choices=Instance.choices)
    reference = models.CharField("référence de la délibération", max_length=60)
    montant = champ_montant("montant décidé")

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "décision"
        verbose_name_plural = "décisions"
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gte=0),
                name="decision_montant_positif",
                violation_error_message="Le montant décidé ne peut pas être négatif.",
            )
        ]

    def __str__(self):
        return f"{self.get_instance_display()} du {self.date:%d/%m/%Y} ({self.reference})"


class Tranche(Trace):
    """La part d'une année : portée par une ligne de financement ou une subvention FCS de cette année."""

    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.PROTECT, related_name="tranches"
    )
    annee = models.PositiveSmallIntegerField("année")
    montant = champ_montant("montant de la tranche")
    ligne = models.OneToOneField(
        LigneFinancement,
        verbose_name="ligne de financement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tranche",
    )
    subvention_fcs = models.OneToOneField(
        SubventionFCS,
        verbose_name="subvention du FCS",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tranche",
    )

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "tranche annuelle"
        verbose_name_plural = "tranches annuelles"
        ordering = ["convention", "annee"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "annee"], name="tranche_unique_par_annee"),
            models.CheckConstraint(
                condition=Q(montant__gte=0),
                name="tranche_montant_positif",
                violation_error_message="Le montant de la tranche ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(ligne__isnull=False, subvention_fcs__isnull=True)
                | Q(ligne__isnull=True, subvention_fcs__isnull=False),
                name="tranche_ligne_ou_fcs",
                violation_error_message="Une tranche porte soit sur une ligne de financement, soit sur le FCS.",
            ),
        ]

    def __str__(self):
        return f"{self.convention.reference} – {self.annee}"


class Echeance(Trace):
    tranche = models.ForeignKey(
        Tranche, verbose_name="tranche", on_delete=models.PROTECT, related_name="echeances"
    )
    type = models.CharField("échéance", max_length=10, choices=TypeEcheance.choices)
    montant = champ_montant("montant prévu")
    date_prevue = models.DateField("date prévue")

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "échéance"
        verbose_name_plural = "échéancier"
        ordering = ["tranche", "date_prevue", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gte=0),
                name="echeance_montant_positif",
                violation_error_message="Le montant prévu ne peut pas être négatif.",
            )
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.tranche}"


class Versement(Trace):
    echeance = models.ForeignKey(
        Echeance, verbose_name="échéance", on_delete=models.PROTECT, related_name="versements"
    )
    date = models.DateField("date du mandat")
    montant = champ_montant("montant versé")
    reference_mandat = models.CharField("référence du mandat", max_length=60)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "versement"
        verbose_name_plural = "versements"
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="versement_montant_strictement_positif",
                violation_error_message="Le montant versé doit être supérieur à zéro.",
            ),
            models.UniqueConstraint(fields=["reference_mandat"], name="versement_mandat_unique"),
        ]

    def __str__(self):
        return f"Mandat {self.reference_mandat} du {self.date:%d/%m/%Y}"


def nom_bilan(instance, filename):
    return f"bilans/{uuid.uuid4().hex}.pdf"


class Bilan(Trace):
    tranche = models.ForeignKey(
        Tranche, verbose_name="tranche", on_delete=models.PROTECT, related_name="bilans"
    )
    type = models.CharField("pièce", max_length=12, choices=TypeBilan.choices)
    date_limite = models.DateField("à rendre au plus tard le")
    statut = models.CharField(
        "statut", max_length=12, choices=StatutBilan.choices, default=StatutBilan.ATTENDU
    )
    fichier = models.FileField(
        "fichier déposé (PDF)",
        storage=obtenir_stockage_bilans,
        upload_to=nom_bilan,
        max_length=200,
        blank=True,
    )
    fichier_sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True, editable=False)
    depose_le = models.DateTimeField("déposé le", null=True, blank=True, editable=False)
    examine_le = models.DateTimeField("examiné le", null=True, blank=True, editable=False)
    message = models.TextField("message au porteur", blank=True)
    montant_depense = champ_montant("montant dépensé déclaré", null=True, blank=True)
    # Ce que le bilan dit de l'action : une fois le bilan accepté, ces chiffres et ces résultats deviennent ceux du
    # dossier, que le rapport annuel imprime (bénéficiaires par sexe, résultats des actions mises en avant).
    beneficiaires_femmes = models.PositiveIntegerField("bénéficiaires femmes", null=True, blank=True)
    beneficiaires_hommes = models.PositiveIntegerField("bénéficiaires hommes", null=True, blank=True)
    resultats = models.TextField("résultats de l'action", blank=True)
    relance_avant_le = models.DateTimeField("relance avant échéance", null=True, blank=True, editable=False)
    relance_apres_le = models.DateTimeField("relance après échéance", null=True, blank=True, editable=False)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "bilan"
        verbose_name_plural = "bilans"
        ordering = ["date_limite", "tranche", "type"]
        constraints = [
            models.UniqueConstraint(fields=["tranche", "type"], name="bilan_unique_par_tranche_et_type"),
            models.CheckConstraint(
                condition=~Q(statut=StatutBilan.A_COMPLETER) | ~Q(message=""),
                name="bilan_a_completer_avec_message",
                violation_error_message="Un bilan à compléter dit au porteur ce qui manque.",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} – {self.tranche}"

    @property
    def en_retard(self) -> bool:
        """Attendu (ou à compléter) et l'échéance passée."""
        attendu = self.statut in (StatutBilan.ATTENDU, StatutBilan.A_COMPLETER)
        return attendu and self.date_limite < timezone.localdate()


class TitreRecette(Trace):
    """Ce qui n'a pas été dépensé et que l'agglomération reprend."""

    tranche = models.ForeignKey(
        Tranche, verbose_name="tranche", on_delete=models.PROTECT, related_name="titres_recette"
    )
    date = models.DateField("date d'émission")
    montant = champ_montant("montant à reverser")
    reference = models.CharField("référence du titre", max_length=60, unique=True)
    motif = models.CharField("motif", max_length=300, blank=True)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "titre de recette"
        verbose_name_plural = "titres de recette"
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="titre_recette_montant_positif",
                violation_error_message="Le montant du titre doit être supérieur à zéro.",
            )
        ]

    def __str__(self):
        return f"Titre {self.reference}"


# Les champs qu'un modèle de document peut citer (le contexte que `documents.contexte_document` construit) : textes,
# dictionnaires et listes, montants et dates déjà mis en forme.
CHAMPS_DES_DOCUMENTS = {
    "collectivite": "nom, contrat, service, contact_nom, contact_courriel, contact_telephone",
    "porteur": "nom, siret, commune",
    "action": "intitule, numero",
    "convention": "reference, type, objet, periode, annee_debut, annee_fin, date_signature, avance_pourcent, "
    "pluriannuelle (vrai ou faux)",
    "decision": "date, instance, reference, montant, montant_en_lettres",
    "montant": "le montant total, en chiffres (« 3 500,50 € »)",
    "montant_en_lettres": "le même, en lettres (« trois mille cinq cents euros et cinquante centimes »)",
    "tranches": "liste : annee, montant, montant_en_lettres, date_limite_bilans",
    "echeancier": "liste : libelle, annee, montant, montant_en_lettres, date_prevue",
    "signataire": "nom, qualite",
    "date_du_jour": "la date de la génération (« 30/11/2026 »)",
}


class ModeleDocument(Trace):
    """Le texte d'une lettre de notification ou d'une convention, que les agents éditent : un gabarit restreint
    (`noyau.gabarits`), vérifié à l'enregistrement. Un par type de document."""

    type = models.CharField("document", max_length=12, choices=TypeDocument.choices, unique=True)
    titre = models.CharField(
        "titre ou objet",
        max_length=300,
        help_text="L'objet de la lettre, ou le titre de la convention ; peut citer des champs "
        "(« Subvention à {{ porteur.nom }} »).",
    )
    corps = models.TextField(
        "texte",
        help_text="Paragraphes séparés par une ligne vide ; « # » titre, « ## » sous-titre, « - » élément de liste, "
        "**gras**. Champs : {{ porteur.nom }}, {{ montant }}, {{ montant_en_lettres }}… ; boucles "
        "{% for e in echeancier %}…{% endfor %} et conditions {% if convention.pluriannuelle %}…{% endif %}.",
    )
    signataire_nom = models.CharField("signataire (nom)", max_length=200)
    signataire_qualite = models.CharField(
        "signataire (qualité)",
        max_length=200,
        help_text="Par ex. « Le Président de la Communauté d'Agglomération ».",
    )

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "modèle de document"
        verbose_name_plural = "modèles de documents"
        ordering = ["type"]

    def __str__(self):
        return f"Modèle : {self.get_type_display()}"

    def clean(self):
        erreurs = {}
        for champ in ("titre", "corps"):
            try:
                gabarits.verifier(getattr(self, champ) or "", set(CHAMPS_DES_DOCUMENTS))
            except gabarits.GabaritInvalide as erreur:
                erreurs[champ] = str(erreur)
        if erreurs:
            raise ValidationError(erreurs)


def nom_document(instance, filename):
    return f"documents/{uuid.uuid4().hex}.pdf"


class DocumentGenere(Trace):
    """Une lettre ou une convention générée : figée avec son empreinte SHA-256, jamais réécrite ; la générer de
    nouveau en fait une nouvelle version."""

    decision = models.ForeignKey(
        Decision, verbose_name="décision", on_delete=models.PROTECT, related_name="documents"
    )
    type = models.CharField("document", max_length=12, choices=TypeDocument.choices)
    version = models.PositiveSmallIntegerField("version")
    titre = models.CharField("titre", max_length=300)
    fichier = models.FileField(
        "PDF", storage=obtenir_stockage_documents, upload_to=nom_document, max_length=200, editable=False
    )
    empreinte_sha256 = models.CharField("empreinte SHA-256", max_length=64, editable=False)

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "document généré"
        verbose_name_plural = "documents générés"
        ordering = ["decision", "type", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "type", "version"], name="document_version_unique"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} – {self.titre} (version {self.version})"

    @property
    def nom_de_fichier(self) -> str:
        prefixe = "notification" if self.type == TypeDocument.NOTIFICATION else "convention"
        reference = re.sub(r"[^A-Za-z0-9-]+", "-", self.decision.convention.reference).strip("-")
        return f"{prefixe}-{reference}-v{self.version}.pdf"


class VersementDeclare(Trace):
    """Ce qu'un autre financeur (État, Région, Département, CAF…) déclare avoir versé sur sa ligne : l'agglomération
    ne le paie pas, elle le note pour montrer le payé à côté de l'accordé de chaque financeur."""

    ligne = models.ForeignKey(
        LigneFinancement,
        verbose_name="ligne de financement",
        on_delete=models.PROTECT,
        related_name="versements_declares",
    )
    date = models.DateField("date du versement")
    montant = champ_montant("montant déclaré versé")
    source = models.CharField(
        "déclaré par",
        max_length=200,
        blank=True,
        help_text="La pièce ou le message du financeur, par ex. « tableau de suivi de la DDETS du 12/05/2024 ».",
    )

    objects = GestionnaireAudite()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "versement déclaré par un autre financeur"
        verbose_name_plural = "versements déclarés par les autres financeurs"
        ordering = ["-date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="versement_declare_montant_positif",
                violation_error_message="Le montant déclaré versé doit être supérieur à zéro.",
            )
        ]

    def __str__(self):
        return f"{self.montant} € déclarés le {self.date:%d/%m/%Y}"
