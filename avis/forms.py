"""Formulaires du portail et de l'administration de la consultation : ils valident, les services écrivent."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils import timezone

from .enums import Decision
from .fichiers import valider_pdf
from .models import Consultation, Organisme


class ChampDate(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FormulaireAccessible:
    """Relie chaque champ à son aide et à son erreur (aria-describedby, aria-invalid) pour les lecteurs d'écran."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._relier()

    def full_clean(self):
        super().full_clean()
        self._relier()

    def _relier(self):
        erreurs = getattr(self, "_errors", None) or {}
        for nom, champ in self.fields.items():
            auto_id = self[nom].auto_id
            ids = [f"{auto_id}_aide"] if champ.help_text else []
            if nom in erreurs:
                ids.append(f"{auto_id}_erreur")
                champ.widget.attrs["aria-invalid"] = "true"
            if ids:
                champ.widget.attrs["aria-describedby"] = " ".join(ids)


class MotDePasseForm(FormulaireAccessible, SetPasswordForm):
    pass


class AvisForm(FormulaireAccessible, forms.Form):
    decision = forms.ChoiceField(
        label="Décision de l'assemblée", choices=Decision.choices, widget=forms.RadioSelect
    )
    date_seance = forms.DateField(
        label="Date de la séance ou de la réunion",
        widget=ChampDate,
        help_text="Format jj/mm/aaaa.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    observations = forms.CharField(
        label="Observations",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Facultatif : réserves, remarques de l'assemblée.",
        max_length=10_000,
    )
    deliberation = forms.FileField(
        label="Délibération signée (PDF)",
        help_text="Un fichier PDF de 10 Mo au plus.",
        validators=[valider_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_date_seance(self):
        date = self.cleaned_data["date_seance"]
        if date > timezone.localdate():
            raise forms.ValidationError("La date de la séance ne peut pas être dans le futur.")
        return date

    def clean(self):
        donnees = super().clean()
        if donnees.get("decision") == Decision.RESERVES and not donnees.get("observations", "").strip():
            self.add_error("observations", "Précisez les réserves de l'assemblée.")
        return donnees


class ContactForm(forms.Form):
    """Ajout d'un contact du portail par un agent."""

    organisme = forms.ModelChoiceField(
        label="Organisme", queryset=Organisme.objects.select_related("commune", "conseil_citoyen", "porteur")
    )
    email = forms.EmailField(label="Adresse électronique")
    prenom = forms.CharField(label="Prénom", max_length=150, required=False)
    nom = forms.CharField(label="Nom", max_length=150, required=False)
    fonction = forms.CharField(label="Fonction", max_length=200, required=False)
    inviter = forms.BooleanField(label="Envoyer l'invitation maintenant", required=False, initial=True)


class AvisCourrierForm(forms.Form):
    """Avis reçu par courrier, saisi par un agent pour le compte de l'organisme."""

    consultation = forms.ModelChoiceField(
        label="Consultation", queryset=Consultation.objects.select_related("programmation")
    )
    organisme = forms.ModelChoiceField(
        label="Organisme", queryset=Organisme.objects.select_related("commune", "conseil_citoyen")
    )
    decision = forms.ChoiceField(label="Décision", choices=Decision.choices)
    date_seance = forms.DateField(label="Date de la séance ou du courrier", widget=ChampDate)
    observations = forms.CharField(
        label="Observations", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    document = forms.FileField(
        label="Document numérisé (PDF)",
        help_text="Un fichier PDF de 10 Mo au plus.",
        validators=[valider_pdf],
    )


class BilanForm(FormulaireAccessible, forms.Form):
    """Le dépôt d'un bilan par un porteur : les mêmes contrôles que la délibération d'un avis."""

    fichier = forms.FileField(
        label="Bilan signé (PDF)",
        help_text="Un fichier PDF de 10 Mo au plus.",
        validators=[valider_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    beneficiaires_femmes = forms.IntegerField(
        label="Bénéficiaires femmes",
        min_value=0,
        required=False,
        help_text="Le nombre de femmes touchées par l'action.",
    )
    beneficiaires_hommes = forms.IntegerField(
        label="Bénéficiaires hommes",
        min_value=0,
        required=False,
        help_text="Le nombre d'hommes touchés par l'action.",
    )
    resultats = forms.CharField(
        label="Résultats de l'action",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="En quelques phrases : ce que l'action a permis, au regard de son objectif.",
    )
