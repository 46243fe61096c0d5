"""Formulaires de l'après-vote : ils valident la saisie, les services écrivent."""

from django import forms

from contrat_ville.enums import CodeFinanceur
from contrat_ville.models import Financeur
from fcs.models import SubventionFCS
from noyau.formulaires import ChampMontant
from programmation.enums import StatutDossier
from programmation.models import LigneFinancement

from .enums import Instance, StatutBilan, TypeConvention

FORMATS_DATE = ["%d/%m/%Y", "%Y-%m-%d"]


def champ_date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, input_formats=FORMATS_DATE, help_text="jj/mm/aaaa", **kwargs)


def champ_euros(label: str, **kwargs) -> ChampMontant:
    """Un montant tapé à la française (« 3 500,50 »), lu par l'analyseur unique du noyau."""
    return ChampMontant(label=label, help_text="en euros, par exemple « 3 500,50 »", **kwargs)


class ConventionForm(forms.Form):
    annee = forms.IntegerField(label="Année du dossier", min_value=2000, max_value=2100, required=False)
    numero = forms.CharField(label="N° du dossier", max_length=40, required=False)
    subvention_fcs = forms.ModelChoiceField(
        label="ou subvention du FCS",
        queryset=SubventionFCS.objects.select_related("axe__enveloppe", "porteur").order_by(
            "-axe__enveloppe__annee"
        ),
        required=False,
    )
    type = forms.ChoiceField(label="Type de convention", choices=TypeConvention.choices)
    reference = forms.CharField(label="Référence de la convention", max_length=60)
    objet = forms.CharField(
        label="Objet", max_length=256, required=False, help_text="Par défaut, l'intitulé."
    )
    date_signature = champ_date("Date de signature", required=False)
    taux_avance = forms.DecimalField(
        label="Avance à la signature",
        max_digits=3,
        decimal_places=2,
        min_value=0,
        max_value=1,
        initial="0.50",
        localize=True,
        help_text="Part de chaque tranche versée à la signature, entre 0 et 1 (0,50 = 50 %).",
    )
    decision_date = champ_date("Date de la décision")
    decision_instance = forms.ChoiceField(label="Instance", choices=Instance.choices)
    decision_reference = forms.CharField(label="Référence de la délibération", max_length=60)
    montant_1 = champ_euros("Tranche de la première année")
    montant_2 = champ_euros("Tranche de la deuxième année (CPO)", required=False)
    montant_3 = champ_euros("Tranche de la troisième année (CPO)", required=False)

    def clean(self):
        donnees = super().clean()
        fcs = donnees.get("subvention_fcs")
        annee, numero = donnees.get("annee"), (donnees.get("numero") or "").strip()
        if fcs is None and not (annee and numero):
            raise forms.ValidationError("Choisissez un dossier (année et n°) ou une subvention du FCS.")
        if fcs is not None and (annee or numero):
            raise forms.ValidationError("Choisissez un dossier ou une subvention du FCS, pas les deux.")
        if fcs is not None:
            donnees["source"] = fcs
            annee = fcs.axe.enveloppe.annee
        else:
            ligne = (
                LigneFinancement.objects.filter(
                    dossier__programmation__annee=annee,
                    dossier__numero=numero,
                    financeur__code=CodeFinanceur.AGGLO,
                )
                .select_related("dossier")
                .first()
            )
            if ligne is None:
                self.add_error(
                    "numero", f"Aucune ligne de l'agglomération sur le dossier {numero} de {annee}."
                )
                return donnees
            if ligne.dossier.statut != StatutDossier.RETENU:
                self.add_error("numero", f"Le dossier {numero} de {annee} n'est pas retenu.")
                return donnees
            donnees["source"] = ligne
        montants = [donnees.get(f"montant_{i}") for i in (1, 2, 3)]
        donnees["tranches"] = {annee + i: m for i, m in enumerate(montants) if m is not None}
        return donnees


class VersementForm(forms.Form):
    date = champ_date("Date du mandat")
    montant = champ_euros("Montant versé")
    reference_mandat = forms.CharField(label="Référence du mandat", max_length=60)


class TitreRecetteForm(forms.Form):
    date = champ_date("Date d'émission")
    montant = champ_euros("Montant à reverser")
    reference = forms.CharField(label="Référence du titre", max_length=60)
    motif = forms.CharField(label="Motif", max_length=300, required=False)


class ExamenBilanForm(forms.Form):
    statut = forms.ChoiceField(
        label="Décision",
        choices=[
            (s, StatutBilan(s).label)
            for s in (StatutBilan.ACCEPTE, StatutBilan.A_COMPLETER, StatutBilan.REJETE)
        ],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label="Message au porteur",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Obligatoire pour un bilan à compléter : ce qui manque.",
    )


class VersementDeclareForm(forms.Form):
    annee = forms.IntegerField(label="Année du dossier", min_value=2000, max_value=2100)
    numero = forms.CharField(label="N° du dossier", max_length=40)
    financeur = forms.ModelChoiceField(
        label="Financeur", queryset=Financeur.objects.exclude(code=CodeFinanceur.AGGLO).order_by("nom")
    )
    date = champ_date("Date du versement")
    montant = ChampMontant(label="Montant versé", help_text="en euros, par exemple « 3 500,50 »")
    source = forms.CharField(
        label="Déclaré par",
        max_length=200,
        required=False,
        help_text="La pièce ou le message du financeur, par ex. « tableau de suivi de la DDETS du 12/05/2024 ».",
    )

    def clean(self):
        donnees = super().clean()
        if self.errors:
            return donnees
        ligne = (
            LigneFinancement.objects.filter(
                dossier__programmation__annee=donnees["annee"],
                dossier__numero=donnees["numero"].strip(),
                financeur=donnees["financeur"],
            )
            .select_related("dossier")
            .first()
        )
        if ligne is None:
            raise forms.ValidationError(
                f"Le dossier {donnees['numero']} de {donnees['annee']} n'a pas de ligne de « {donnees['financeur']} »."
            )
        donnees["ligne"] = ligne
        return donnees
