"""Verrou optimiste des formulaires de l'administration : deux agents modifient le même dossier (et ses lignes
de financement en ligne) depuis des pages ouvertes en même temps ; le second est prévenu, rien n'est perdu.

La « version » d'un objet est le numéro de la dernière entrée du journal d'audit qui le concerne, lui ou les
objets qui le désignent comme parent (les lignes d'un dossier) : toute écriture tracée (admin, import, update()
en masse) la fait avancer, sans champ à ajouter aux modèles.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from .selectors import entrees_de

CHAMP_JETON = "_jeton_version"


def version_de(obj) -> int:
    # Le plus grand numéro, pas la date la plus récente : les numéros croissent avec chaque écriture.
    return entrees_de(obj).order_by("-id").values_list("id", flat=True).first() or 0


def changements_depuis(obj, version: int) -> list:
    return list(entrees_de(obj).filter(id__gt=version).order_by("id"))


def formulaire_verrouille(Form, model):
    class FormulaireVerrouille(Form):
        def clean(self):
            donnees = super().clean()
            if self.instance.pk is None:
                return donnees
            try:
                version_envoyee = int(self.data.get(CHAMP_JETON, ""))
            except ValueError:
                version_envoyee = None
            # Verrou de la ligne jusqu'à la fin de la transaction de l'admin : deux envois simultanés passent
            # l'un après l'autre, et le second voit la version du premier.
            model._base_manager.select_for_update().filter(pk=self.instance.pk).exists()
            if version_envoyee is None:
                raise ValidationError(
                    "Le formulaire n'indique pas la version du dossier qu'il modifie : rechargez la page.",
                    code="version_absente",
                )
            entrees = changements_depuis(self.instance, version_envoyee)
            if entrees:
                lignes = format_html_join(
                    "",
                    "<li>{} le {} (UTC) : {} — {}</li>",
                    (
                        (
                            e.nom_utilisateur or "le système",
                            e.horodatage.astimezone(datetime.UTC).strftime("%d/%m/%Y à %H:%M:%S"),
                            e.objet_repr,
                            e.resume or e.get_action_display(),
                        )
                        for e in entrees
                    ),
                )
                raise ValidationError(
                    format_html(
                        "« {} » a été modifié par quelqu'un d'autre depuis que vous avez ouvert cette page. Votre "
                        "saisie n'a pas été enregistrée, pour ne pas effacer ces changements ; elle reste affichée "
                        "ci-dessous. Changements faits entre-temps :<ul>{}</ul>"
                        '<a href="" target="_blank" rel="noopener">Ouvrez la version enregistrée</a> dans un '
                        "nouvel onglet et reportez-y vos modifications.",
                        str(self.instance),
                        lignes,
                    ),
                    code="modifie_entre_temps",
                )
            return donnees

    FormulaireVerrouille.__name__ = Form.__name__
    return FormulaireVerrouille
