"""Formulaires de la programmation : l'étape suivante du rapport annuel."""

from django import forms

from .enums import StatutRapport


class TransitionRapportForm(forms.Form):
    """Une transition vers `vers` ; la date demandée dépend de l'étape (séance ou approbation)."""

    vers = forms.ChoiceField(choices=StatutRapport.choices, widget=forms.HiddenInput)
    date = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
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
        else:
            del self.fields["date"]
        if vers != StatutRapport.DEFINITIF:
            del self.fields["en_connaissance_de_cause"]
