"""Noms des rôles (groupes Django) du produit et leurs permissions, tenues à jour après chaque migration.

Les permissions se déduisent des applications du produit : un modèle ajouté plus tard par une application
reçoit les bonnes permissions au prochain `migrate` (récepteur `post_migrate`), sans nouvelle migration de
données. Les groupes sont la propriété du code : une permission ajoutée à la main est retirée au `migrate`.
"""

from django.apps import apps as registre
from django.contrib.auth.management import create_permissions

AGENT = "Agent"
DIRECTEUR = "Directeur"
SERVICE_COMMUNE = "Service commune"
CONSEIL_CITOYEN = "Conseil citoyen"
PORTEUR = "Porteur de projet"
AUDITEUR = "Auditeur"

ROLES_INTERNES = (AGENT, DIRECTEUR, AUDITEUR)
ROLES_PORTAIL = (SERVICE_COMMUNE, CONSEIL_CITOYEN, PORTEUR)
TOUS_LES_ROLES = ROLES_INTERNES + ROLES_PORTAIL

# Applications dont les données sont celles du produit.
APPLICATIONS_DU_PRODUIT = (
    "contrat_ville",
    "indicateurs",
    "programmation",
    "fcs",
    "conventions",
    "avis",
    "rapport",
    "journal",
)
# Ce que l'agent saisit : les indicateurs de suivi et leurs valeurs, toute la programmation, le FCS, les conventions
# et leurs versements, la consultation, et du référentiel ce qui suit.
APPLICATIONS_SAISIES_PAR_L_AGENT = ("indicateurs", "programmation", "fcs", "conventions", "avis", "rapport")
# Du référentiel, l'agent saisit les porteurs et le cadre du contrat que le service anime (contrat, signataires,
# éléments du cadre, projets de quartier et objectifs, quartiers, conseils citoyens). Les communes (IGN), la
# nomenclature nationale de l'ANCT et les financeurs (dont le code porte des règles) restent en lecture.
MODELES_SAISIS_PAR_L_AGENT = (
    "contrat_ville.porteur",
    "contrat_ville.contrat",
    "contrat_ville.signataire",
    "contrat_ville.pilier",
    "contrat_ville.projetquartier",
    "contrat_ville.objectifquartier",
    "contrat_ville.quartier",
    "contrat_ville.conseilcitoyen",
)
# Jamais modifiables par quiconque dans l'administration (écrits par le code seul).
MODELES_EN_LECTURE_SEULE = (
    "journal.entreejournal",
    "rapport.transitionrapport",
    "programmation.journalechange",
)
# Réservés à la direction et à l'audit.
MODELES_RESERVES_A_LA_DIRECTION = ("journal.entreejournal",)

PERMISSIONS_DU_DIRECTEUR = (
    "rapport.approuver_rapportannuel",
    "programmation.exporter_programmation",
    "conventions.exporter_open_data",
)
PERMISSIONS_DE_L_AGENT = ("programmation.importer_programmation", "programmation.exporter_programmation")


def permissions_attendues(Permission) -> dict[str, set[int]]:
    """Pour chaque rôle, l'ensemble des identifiants de permissions qu'il doit avoir."""
    lignes = Permission.objects.filter(content_type__app_label__in=APPLICATIONS_DU_PRODUIT).values_list(
        "pk", "codename", "content_type__app_label", "content_type__model"
    )
    roles: dict[str, set[int]] = {role: set() for role in TOUS_LES_ROLES}
    for pk, codename, app, modele in lignes:
        label_modele = f"{app}.{modele}"
        label_perm = f"{app}.{codename}"
        action = codename.split("_", 1)[0]
        standard = codename == f"{action}_{modele}" and action in ("add", "change", "delete", "view")
        if standard and action == "view":
            roles[AUDITEUR].add(pk)
            roles[DIRECTEUR].add(pk)
            if label_modele not in MODELES_RESERVES_A_LA_DIRECTION:
                roles[AGENT].add(pk)
        elif (
            standard
            and label_modele not in MODELES_EN_LECTURE_SEULE
            and (app in APPLICATIONS_SAISIES_PAR_L_AGENT or label_modele in MODELES_SAISIS_PAR_L_AGENT)
        ):
            roles[AGENT].add(pk)
        if label_perm in PERMISSIONS_DU_DIRECTEUR:
            roles[DIRECTEUR].add(pk)
        if label_perm in PERMISSIONS_DE_L_AGENT:
            roles[AGENT].add(pk)
    return roles


def synchroniser_roles(apps=None, using="default") -> None:
    """Crée les groupes et leur donne exactement leurs permissions (ré-exécutable)."""
    if apps is None:
        apps = registre
    # Les permissions des applications qui suivent comptes ne sont créées qu'après leur post_migrate :
    # on les crée d'abord (idempotent) pour ne rien oublier.
    for app_config in registre.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, attendues in permissions_attendues(Permission).items():
        groupe, _ = Group.objects.using(using).get_or_create(name=role)
        groupe.permissions.set(attendues)


def apres_migration(sender, app_config=None, using="default", apps=None, plan=None, **kwargs):
    # Une seule fois par migrate : au signal de la dernière application installée.
    # (Django n'envoie post_migrate qu'aux applications qui ont un module de modèles.)
    derniere = [a for a in registre.get_app_configs() if a.models_module is not None][-1]
    if sender is not None and getattr(sender, "label", None) != derniere.label:
        return
    synchroniser_roles(apps=apps, using=using)
