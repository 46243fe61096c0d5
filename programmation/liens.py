"""Les liens vers la liste des dossiers de l'admin : le tableau de bord et les contrôles de cohérence y mènent.

Sans autre import du projet que les énumérations : les filtres (qui lisent les sélecteurs) et les contrôles (que
les sélecteurs lisent) s'en servent tous deux.
"""

# Paramètres de la liste des dossiers de l'admin (`DossierAdmin.list_filter`) pour chaque filtre du tableau.
PARAMETRES_ADMIN = {
    "annee": ("programmation__annee", lambda v: v),
    "contrat": ("programmation__contrat__id__exact", lambda v: v.pk),
    "pilier": ("pilier__id__exact", lambda v: v.pk),
    "thematique": ("thematique__id__exact", lambda v: v.pk),
    "commune": ("quartiers__communes__id__exact", lambda v: v.pk),
    "quartier": ("quartiers__id__exact", lambda v: v.pk),
    "financeur": ("lignes_financement__financeur__id__exact", lambda v: v.pk),
    "type_porteur": ("porteur__type__exact", lambda v: v),
    "statut": ("statut__exact", lambda v: v),
}


def parametres_admin(valeurs: dict, **surcharges) -> dict[str, str] | None:
    """Les paramètres de la liste de l'admin qui montrent les dossiers d'un chiffre du tableau.

    `surcharges` précise le chiffre (statut, pilier, quartier…). Quand il contredit un filtre de la page (le
    nombre de retenus alors qu'on filtre les refusés), ce chiffre est nul par construction : pas de lien (None).
    """
    parametres = {}
    for nom, valeur in {**valeurs, **surcharges}.items():
        if nom in surcharges and nom in valeurs and valeurs[nom] != surcharges[nom]:
            return None
        cle, convertir = PARAMETRES_ADMIN[nom]
        parametres[cle] = str(convertir(valeur))
    return parametres


# --- Filtres de la liste des dossiers de l'admin ---------------------------------------------------------------
