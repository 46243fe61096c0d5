"""Pages du personnel pour l'après-vote : la fiche d'un porteur d'année en année, l'export open data, le suivi
des versements de l'année."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from contrat_ville.models import Porteur
from noyau.nombres import formater_nombre

from . import selectors
from .scdl import ExportRefuse, exporter_scdl


def _personnel(request):
    # Les comptes du portail ne sont jamais membres du personnel : ils n'ont rien à voir ici.
    if not request.user.is_staff:
        raise PermissionDenied("Page réservée au service.")


@require_GET
@login_required
@permission_required("conventions.view_convention", raise_exception=True)
def fiche_porteur(request, pk):
    _personnel(request)
    porteur = get_object_or_404(Porteur, pk=pk)
    return render(request, "conventions/fiche_porteur.html", {"fiche": selectors.fiche_porteur(porteur)})


@require_GET
@login_required
@permission_required("conventions.exporter_open_data", raise_exception=True)
def open_data(request, annee):
    _personnel(request)
    try:
        export = exporter_scdl(annee)
    except ExportRefuse as refus:
        messages.error(request, str(refus))
        return redirect(f"{reverse('tableau:tableau_de_bord')}?annee={annee}")
    reponse = HttpResponse(export.contenu, content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="subventions-{annee}-scdl.csv"'
    return reponse


def _euros(montant) -> str:
    """Un montant comme un tableur français le relit : « 1234,56 » (virgule décimale, sans séparateur de milliers)."""
    return formater_nombre(montant, 2).replace("\u00a0", "").replace("\u202f", "")


@require_GET
@login_required
@permission_required("conventions.view_convention", raise_exception=True)
def versements(request, annee):
    """Le suivi des versements de l'année, une ligne par tranche : accordé, versé, repris, reste à payer, retard et
    délai. Le même sélecteur que le tableau de bord et la page du porteur : les totaux sont les siens."""
    _personnel(request)
    suivi = selectors.suivi_financier(selectors.tranches_de_l_annee(annee))
    tampon = io.StringIO()
    tampon.write("\ufeff")  # pour qu'un tableur ouvre le fichier en UTF-8
    ecrire = csv.writer(tampon, delimiter=";", lineterminator="\r\n").writerow
    ecrire(
        [
            "Année",
            "Convention",
            "Type",
            "Porteur",
            "SIRET",
            "Dossier",
            "Action",
            "Accordé",
            "Versé",
            "Repris (titres de recette)",
            "Reste à payer",
            "Dont échéances passées non versées",
            "Date de la décision",
            "Premier versement",
            "Délai (jours)",
        ]
    )
    for ligne in suivi.lignes:
        tranche = ligne.tranche
        dossier = tranche.ligne.dossier if tranche.ligne_id else None
        ecrire(
            [
                tranche.annee,
                tranche.convention.reference,
                tranche.convention.get_type_display(),
                tranche.convention.porteur.nom,
                tranche.convention.porteur.siret,
                dossier.numero if dossier else "FCS",
                dossier.intitule if dossier else tranche.convention.objet,
                _euros(ligne.accorde),
                _euros(ligne.paye),
                _euros(ligne.recouvre),
                _euros(ligne.reste),
                _euros(ligne.en_retard),
                f"{ligne.date_decision:%d/%m/%Y}" if ligne.date_decision else "",
                f"{ligne.premier_versement:%d/%m/%Y}" if ligne.premier_versement else "",
                "" if ligne.delai_jours is None else ligne.delai_jours,
            ]
        )
    ecrire(
        [
            "Total",
            *[""] * 6,
            _euros(suivi.accorde),
            _euros(suivi.paye),
            _euros(suivi.recouvre),
            _euros(suivi.reste),
            _euros(suivi.en_retard),
            "",
            "",
            "" if suivi.delai_median_jours is None else f"médiane : {suivi.delai_median_jours}",
        ]
    )
    reponse = HttpResponse(tampon.getvalue(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="versements-{annee}.csv"'
    return reponse
