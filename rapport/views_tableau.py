"""Pages du directeur et des agents hors administration : le tableau de bord de l'année."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView

from contrat_ville.enums import CodeFinanceur, TypePorteur
from contrat_ville.selectors import referentiel
from conventions.selectors import part_cpo_associative, suivi_financier, tranches_de_l_annee
from indicateurs.selectors import suivi_des_indicateurs
from programmation.controles import synthese_des_controles
from programmation.enums import StatutDossier
from programmation.filters import DossierFilterSet
from programmation.liens import parametres_admin
from programmation.models import Dossier
from programmation.selectors.tableau import tableau_de_bord
from rapport import graphiques

from .views import PERMISSION_CONSULTATION

LIBELLES_CHOIX = {
    "statut": lambda v: StatutDossier(v).label,
    "type_porteur": lambda v: TypePorteur(v).label,
}

# Les chiffres clés dans l'ordre de la page : clé de `comparer`, libellé, format, lien vers les dossiers.
INDICATEURS = [
    ("total", "Total programmé", "euros", "retenus"),
    ("nb_deposes", "Dossiers déposés", "nombre", "deposes"),
    ("nb_en_instruction", "Dossiers en instruction", "nombre", "en_instruction"),
    ("nb_retenus", "Dossiers retenus", "nombre", "retenus"),
    ("nb_refuses", "Dossiers refusés", "nombre", "refuses"),
    ("taux_specifiques", "Part des crédits spécifiques", "pourcent", "retenus"),
    ("nb_associatifs", "Opérateurs associatifs (dossiers retenus)", "nombre", "associatifs"),
    ("fcs_attribue", "Fonds de cohésion sociale attribué", "euros", "fcs"),
    ("fcs_reste", "Fonds de cohésion sociale restant", "euros", "fcs"),
]


def lien_du_rapport(user, annee: int | None) -> str | None:
    """La fiche du rapport annuel de l'année, pour qui peut la voir."""
    if annee is None or not user.has_perm(PERMISSION_CONSULTATION):
        return None
    return reverse("rapport:fiche", args=[annee])


class TableauDeBordView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Les chiffres de l'année filtrée ; chaque chiffre mène à la liste des dossiers qui le composent."""

    template_name = "rapport/tableau_de_bord.html"
    permission_required = "programmation.view_dossier"

    def has_permission(self):
        # Les utilisateurs du portail (communes, conseils citoyens) ne sont jamais membres du personnel.
        return self.request.user.is_staff and super().has_permission()

    def get_context_data(self, **kwargs):
        filtres = DossierFilterSet(self.request.GET, queryset=Dossier.objects.all())
        valeurs = filtres.valeurs
        contexte = super().get_context_data(
            filtres=filtres, lien_rapport=lien_du_rapport(self.request.user, valeurs.get("annee")), **kwargs
        )
        if "annee" not in valeurs:
            return contexte  # aucune programmation, ou un filtre invalide : le formulaire le dit
        tableau = tableau_de_bord(
            filtres.filtrer(Dossier.objects.all(), sauf=("annee",)),
            valeurs["annee"],
            financeur=valeurs.get("financeur"),
            contrat=valeurs.get("contrat"),
            programmations=filtres.programmations,
        )
        liste_admin = reverse("admin:programmation_dossier_changelist")

        def lien(base=valeurs, **surcharges) -> str | None:
            parametres = parametres_admin(base, **surcharges)
            return None if parametres is None else f"{liste_admin}?{urlencode(parametres)}"

        retenus = {"statut": StatutDossier.RETENU}
        parametres_fcs = {"annee": valeurs["annee"]}
        if valeurs.get("contrat") is not None:
            parametres_fcs["contrat__id__exact"] = valeurs["contrat"].pk
        liens = {
            "deposes": lien(),
            "en_instruction": lien(statut=StatutDossier.EN_INSTRUCTION),
            "retenus": lien(**retenus),
            "refuses": lien(statut=StatutDossier.REFUSE),
            "associatifs": lien(type_porteur="ASSOCIATION", **retenus),
            # L'enveloppe de l'année, dont la liste de l'admin montre l'attribué et le restant.
            "fcs": f"{reverse('admin:fcs_enveloppefcs_changelist')}?{urlencode(parametres_fcs)}",
        }
        piliers = [(ligne, lien(pilier=ligne.pilier, **retenus)) for ligne in tableau.piliers.lignes]
        financeurs = [(ligne, lien(financeur=ligne.financeur, **retenus)) for ligne in tableau.financeurs]
        quartiers = [(ligne, lien(quartier=ligne.quartier, **retenus)) for ligne in tableau.quartiers.lignes]
        # Les dossiers d'une thématique que l'État finance : ceux que la ligne du tableau compte.
        etat = next((f for f in referentiel().financeurs if f.code == CodeFinanceur.ETAT_ANCT), None)
        thematiques = [
            (
                ligne,
                lien(thematique=ligne.thematique, financeur=etat, **retenus) if ligne.thematique else None,
            )
            for ligne in (tableau.thematiques.lignes if tableau.thematiques else ())
        ]
        contrat = tableau.contrat
        contexte.update(
            tableau=tableau,
            contrat=contrat,
            avec_sous_niveaux=contrat is not None
            and any(p.parent_id for p in referentiel().piliers_du_contrat(contrat.pk)),
            thematiques=thematiques,
            # La part visée par le contrat (Engagements Quartiers 2030) : une requête, pour un contrat qui en a une.
            part_cpo=(
                part_cpo_associative(
                    filtres.filtrer(Dossier.objects.all(), sauf=("annee",)).filter(
                        programmation__annee=valeurs["annee"]
                    ),
                    cible=contrat.cible_part_cpo,
                    financeur=valeurs.get("financeur"),
                )
                if contrat is not None and contrat.cible_part_cpo is not None
                else None
            ),
            # Rappel des filtres : le formulaire ne s'imprime pas, la page imprimée doit dire ce qu'elle montre.
            filtres_appliques=[
                (filtres.filters[nom].label, LIBELLES_CHOIX.get(nom, str)(valeur))
                for nom, valeur in valeurs.items()
                if nom != "annee"
            ],
            indicateurs=[
                {
                    "cle": cle,
                    "libelle": libelle,
                    "format": format_,
                    "comparaison": tableau.comparaisons[cle],
                    "lien": liens.get(nom_lien),
                }
                for cle, libelle, format_, nom_lien in INDICATEURS
                if cle in tableau.comparaisons
            ],
            liens=liens,
            piliers=piliers,
            financeurs=financeurs,
            quartiers=quartiers,
            annees=[
                (point, lien({**valeurs, "annee": point.annee}, **retenus)) for point in tableau.tendance
            ],
            graphiques=self.graphiques(tableau, piliers, financeurs, quartiers),
            # Les contrôles portent sur toute l'année, quels que soient les autres filtres de la page : comptés en
            # une requête ; leurs exemples sont sur la fiche du rapport.
            anomalies=synthese_des_controles(tableau.programmation),
            # Après le vote : accordé, payé, reste à payer, délai médian ; le sélecteur de la page du porteur.
            versements=suivi_financier(
                tranches_de_l_annee(valeurs["annee"], filtres.filtrer(Dossier.objects.all(), sauf=()))
            ),
            # Les indicateurs de suivi du contrat de l'année (de tout le contrat, et du quartier filtré s'il y en a
            # un) et leur tendance face à la cible : une requête.
            indicateurs_suivi=suivi_des_indicateurs(
                tableau.programmation.contrat if tableau.programmation else None,
                valeurs["annee"],
                quartier=valeurs.get("quartier"),
            ),
        )
        return contexte

    @staticmethod
    def graphiques(tableau, piliers, financeurs, quartiers) -> dict:
        """Les graphiques de la page : ceux du rapport (secteurs, barres groupées) et ceux du tableau de bord."""
        annee = tableau.annee
        lignes = tableau.piliers.lignes
        # « par pilier », « par orientation » : le nom que le contrat de l'année donne à son premier niveau.
        niveau = tableau.contrat.libelle_niveau if tableau.contrat else "élément du cadre"
        return {
            "piliers": graphiques.camembert(
                [(ligne.pilier.libelle, ligne.montant) for ligne in lignes],
                titre=f"Répartition financière par {niveau} – programmation {annee}",
                largeur=760,
            ),
            "natures": graphiques.barres_groupees(
                [ligne.pilier.libelle_court or ligne.pilier.libelle for ligne in lignes],
                [
                    (
                        "Crédits de droit commun",
                        graphiques.COULEUR_DROIT_COMMUN,
                        [ligne.droit_commun for ligne in lignes],
                    ),
                    (
                        "Crédits spécifiques",
                        graphiques.COULEUR_SPECIFIQUES,
                        [ligne.specifiques for ligne in lignes],
                    ),
                ],
                titre=f"Droit commun et crédits spécifiques par {niveau} – programmation {annee}",
            ),
            "financeurs": graphiques.barres_horizontales(
                [graphiques.Barre(ligne.financeur.nom, (ligne.montant,), lien) for ligne, lien in financeurs],
                titre=f"Montants accordés par financeur – programmation {annee}",
            ),
            "quartiers": graphiques.barres_horizontales(
                [graphiques.Barre(ligne.quartier.nom, (ligne.montant,), lien) for ligne, lien in quartiers],
                titre=f"Montants des dossiers retenus par quartier visé – programmation {annee}",
            ),
            "tendance": graphiques.courbe_annuelle(
                [(point.annee, point.total) for point in tableau.tendance],
                titre="Total programmé sur les années du contrat",
                annee_courante=annee,
            ),
            "carte": graphiques.carte_quartiers_montants(
                [(ligne.quartier, ligne.montant, lien) for ligne, lien in quartiers],
                tableau.communes_du_territoire,
                titre=f"Les quartiers selon le montant programmé – programmation {annee}",
                limite=tableau.limite_du_territoire,
            ),
        }
