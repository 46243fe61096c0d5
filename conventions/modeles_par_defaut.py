"""Les modèles de documents de départ (lettre de notification, convention annuelle, CPO), chargés par la migration
de données : des textes plausibles que le service adapte ensuite dans l'administration. Ils ne citent que les
champs de `models.CHAMPS_DES_DOCUMENTS`."""

SIGNATAIRE_NOM = "Dominique Lefort"  # inventé
SIGNATAIRE_QUALITE = "Le Président de la Communauté d'Agglomération"

_ECHEANCIER = """{% for e in echeancier %}- {{ e.libelle }} {{ e.annee }} : **{{ e.montant }}**, prévu le {{ e.date_prevue }}
{% endfor %}"""

_BILANS = """{% for t in tranches %}- pour l'année {{ t.annee }} : au plus tard le {{ t.date_limite_bilans }}
{% endfor %}"""

NOTIFICATION_TITRE = "Attribution d'une subvention au titre du contrat de ville – {{ action.intitule }}"
NOTIFICATION_CORPS = (
    """Madame, Monsieur le Président,

J'ai le plaisir de vous informer que, par délibération n° {{ decision.reference }} du {{ decision.date }}, le \
{{ decision.instance|lower }} de la {{ collectivite.nom }} a décidé d'attribuer à {{ porteur.nom }} une subvention \
de **{{ montant }}** ({{ montant_en_lettres }}) pour l'action « {{ action.intitule }} »\
{% if action.numero %} (dossier n° {{ action.numero }}){% endif %}, au titre du {{ collectivite.contrat }}.
{% if convention.pluriannuelle %}
Cette subvention fait l'objet d'une convention pluriannuelle d'objectifs pour les années {{ convention.periode }}, \
répartie comme suit, sous réserve du vote des crédits au budget de chaque année :

{% for t in tranches %}- {{ t.annee }} : {{ t.montant }} ({{ t.montant_en_lettres }})
{% endfor %}{% endif %}
## Modalités de versement

La subvention sera versée sur le compte de votre organisme après la signature de la convention \
n° {{ convention.reference }}, selon l'échéancier suivant :

"""
    + _ECHEANCIER
    + """
Le solde n'est versé qu'après l'acceptation du compte rendu financier et du bilan qualitatif de l'action.

## Vos obligations

Conformément à l'article 10 de la loi n° 2000-321 du 12 avril 2000, vous adresserez au service Politique de la \
Ville le compte rendu financier de l'action (formulaire CERFA n° 15059) et son bilan qualitatif :

"""
    + _BILANS
    + """
Les sommes qui n'auraient pas été employées conformément à leur objet feront l'objet d'un titre de recette. \
Toute communication sur l'action mentionnera le soutien de la {{ collectivite.nom }} au titre du contrat de ville.

Le service {{ collectivite.service }} reste à votre disposition pour tout renseignement\
{% if collectivite.contact_nom %} : {{ collectivite.contact_nom }}{% endif %}\
{% if collectivite.contact_telephone %}, {{ collectivite.contact_telephone }}{% endif %}\
{% if collectivite.contact_courriel %}, {{ collectivite.contact_courriel }}{% endif %}.

Je vous prie d'agréer, Madame, Monsieur le Président, l'expression de mes salutations distinguées.
"""
)

_PARTIES = """**Entre**

la {{ collectivite.nom }}, représentée par son Président, dûment habilité par délibération \
n° {{ decision.reference }} du {{ decision.date }}, ci-après « la collectivité »,

**et**

{{ porteur.nom }}{% if porteur.commune %}, dont le siège est à {{ porteur.commune }}{% endif %}\
{% if porteur.siret %}, SIRET {{ porteur.siret }}{% endif %}, représenté par son représentant légal, \
ci-après « le bénéficiaire »,

il est convenu ce qui suit."""

_FIN_CONVENTION = """# Article 5 – Obligations du bénéficiaire

Le bénéficiaire s'engage à :

- mettre en œuvre l'action telle qu'elle a été présentée dans sa demande ;
- adresser le compte rendu financier (CERFA n° 15059) et le bilan qualitatif de chaque année financée au plus \
tard le 30 juin de l'année suivante ({% for t in tranches %}{{ t.annee }} : {{ t.date_limite_bilans }}\
{% if not forloop.last %} ; {% endif %}{% endfor %}) ;
"""

CONVENTION_TITRE = "Convention d'objectifs et de moyens n° {{ convention.reference }}"
CONVENTION_CORPS = (
    _PARTIES
    + """

# Article 1 – Objet

La présente convention définit les conditions dans lesquelles la collectivité soutient l'action \
« {{ action.intitule }} » portée par le bénéficiaire au titre du {{ collectivite.contrat }}.

# Article 2 – Durée

La convention porte sur l'année {{ convention.periode }}. Elle prend effet à sa signature par les deux parties.

# Article 3 – Montant de la subvention

La collectivité attribue au bénéficiaire une subvention de **{{ montant }}** ({{ montant_en_lettres }}).

# Article 4 – Modalités de versement

"""
    + _ECHEANCIER
    + """
L'avance représente {{ convention.avance_pourcent }} du montant ; le solde est versé après l'acceptation du compte \
rendu financier et du bilan qualitatif.

"""
    + _FIN_CONVENTION
    + """- mentionner le soutien de la collectivité sur tout support de communication relatif à l'action ;
- faciliter le contrôle, sur pièces et sur place, de l'emploi de la subvention.

# Article 6 – Reversement

Les sommes non employées ou employées à un autre objet sont reversées à la collectivité, sur titre de recette.

# Article 7 – Litiges

Tout litige relatif à la présente convention relève du tribunal administratif de Lille.
"""
)

CPO_TITRE = "Convention pluriannuelle d'objectifs n° {{ convention.reference }} ({{ convention.periode }})"
CPO_CORPS = (
    _PARTIES
    + """

# Article 1 – Objet

La présente convention pluriannuelle d'objectifs définit les conditions dans lesquelles la collectivité soutient, \
de {{ convention.annee_debut }} à {{ convention.annee_fin }}, l'action « {{ action.intitule }} » portée par le \
bénéficiaire au titre du {{ collectivite.contrat }}.

# Article 2 – Durée

La convention couvre les années {{ convention.periode }}. Elle prend effet à sa signature par les deux parties.

# Article 3 – Montant de la subvention

La collectivité attribue au bénéficiaire une subvention de **{{ montant }}** ({{ montant_en_lettres }}) sur la \
durée de la convention, répartie comme suit :

{% for t in tranches %}- {{ t.annee }} : **{{ t.montant }}** ({{ t.montant_en_lettres }})
{% endfor %}
Les montants des années suivant la première sont versés sous réserve de l'inscription des crédits au budget de \
la collectivité (principe d'annualité budgétaire).

# Article 4 – Modalités de versement

"""
    + _ECHEANCIER
    + """
Chaque année, l'avance représente {{ convention.avance_pourcent }} du montant de l'année ; le solde est versé \
après l'acceptation du compte rendu financier et du bilan qualitatif de cette année.

"""
    + _FIN_CONVENTION
    + """- mentionner le soutien de la collectivité sur tout support de communication relatif à l'action ;
- faciliter le contrôle, sur pièces et sur place, de l'emploi de la subvention.

# Article 6 – Évaluation et reversement

Un bilan d'ensemble de l'action est présenté au terme de la convention. Les sommes non employées ou employées à un \
autre objet sont reversées à la collectivité, sur titre de recette.

# Article 7 – Litiges

Tout litige relatif à la présente convention relève du tribunal administratif de Lille.
"""
)

MODELES = {
    "NOTIFICATION": (NOTIFICATION_TITRE, NOTIFICATION_CORPS),
    "CONVENTION": (CONVENTION_TITRE, CONVENTION_CORPS),
    "CPO": (CPO_TITRE, CPO_CORPS),
}
