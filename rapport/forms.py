"""Formulaires du rapport annuel : l'étape suivante de son cycle."""

from django import forms
from django.utils import timezone

from avis.dates import un_mois_apres

from .enums import StatutRapport

# Une date tapée à la française (« 07/10/2022 »), quelle que soit la langue du navigateur : un champ `type=date`
# s'affiche selon la langue du navigateur (mm/dd/yyyy sur un poste en anglais).
SAISIE_DATE = {"placeholder": "jj/mm/aaaa", "inputmode": "numeric", "autocomplete": "off", "size": 10}


class TransitionRapportForm(forms.Form):
    """Une transition vers `vers` ; la date demandée dépend de l'étape (séance ou approbation)."""

    vers = forms.ChoiceField(choices=StatutRapport.choices, widget=forms.HiddenInput)
    date = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs=SAISIE_DATE, format="%d/%m/%Y"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    date_limite = forms.DateField(
        label="Date limite de réponse des organismes consultés",
        required=False,
        widget=forms.DateInput(attrs=SAISIE_DATE, format="%d/%m/%Y"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="Au moins un mois après l'envoi (décret n° 2015-1118) ; sans réponse, l'avis est réputé favorable.",
    )
    commentaire = forms.CharField(
        label="Commentaire (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    en_connaissance_de_cause = forms.BooleanField(
        label="J'ai pris connaissance des points à vérifier ci-dessus et j'approuve le rapport en connaissance de cause.",
        required=False,
    )

    def __init__(self, *args, vers: str, **kwargs):
        super().__init__(*args, initial={"vers": vers}, **kwargs)
        if vers == StatutRapport.ADOPTE:
            self.fields["date"].label = "Date de la séance du conseil communautaire"
            self.fields["date"].required = True
        elif vers == StatutRapport.DEFINITIF:
            self.fields["date"].label = "Date d'approbation"
            self.fields["date"].required = True
        elif vers == StatutRapport.EN_CONSULTATION:
            self.fields["date"].label = "Date d'envoi du projet"
            self.fields["date"].required = True
            self.fields["date_limite"].required = True
            envoi = timezone.localdate()
            self.initial.setdefault("date", envoi)
            self.initial.setdefault("date_limite", un_mois_apres(envoi))
        else:
            del self.fields["date"]
        if vers != StatutRapport.EN_CONSULTATION:
            del self.fields["date_limite"]
        if vers != StatutRapport.DEFINITIF:
            del self.fields["en_connaissance_de_cause"]
