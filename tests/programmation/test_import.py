"""Import du classeur de programmation : lecture exacte, validation complète, tout ou rien, idempotence."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contrat_ville.enums import NatureCredits, TypePorteur
from contrat_ville.models import Porteur
from programmation.echange.format import ValeurInvalide, lire_montant
from programmation.echange.importation import importer_classeur
from programmation.enums import OperationEchange, StatutDossier
from programmation.models import Dossier, JournalEchange, LigneFinancement, Programmation
from programmation.selectors.chiffres import chiffres_programmation
from programmation.selectors.repartitions import repartition_par_pilier
from programmation.selectors.selections import dossiers_de_l_annee, piliers_du_contrat

from .classeurs import classeur
from .comptes import agent

NBSP, FINE = "\u00a0", "\u202f"
SIRET_CENTRE = "44306184100047"
SIRET_COMMUNE = "21620119400018"

# Un classeur écrit à la main : montants en nombres et en texte à la française, espaces variés.
DOSSIERS = [
    [
        "2022-001",
        2022,
        "Aide aux devoirs",
        "Centre social Élan",
        f"443 061 841{NBSP}00047",
        "Association",
        "1",
        "1.1",
        "QN06208M; QN06209M",
        "Retenu",
        20000,
    ],
    [
        "2022-002",
        2022,
        "Chantier d'insertion",
        "Ville de Béthune",
        SIRET_COMMUNE,
        "commune",
        "Emploi et développement économique",
        "2.1",
        "QN06208M",
        "retenu",
        "45 000,00 €",
    ],
    [
        "2022-003",
        2022,
        "Jardins partagés",
        "centre social elan",
        None,
        "ASSOCIATION",
        "3",
        None,
        None,
        "Déposé",
        None,
    ],
    [
        "2022-004",
        2022,
        "Évaluation du contrat",
        "Ville de Béthune",
        None,
        "Commune",
        "Pilotage, qualification des acteurs, évaluation",
        "4.1",
        "",
        "Retenu",
        12000.5,
    ],
]
FINANCEMENTS = [
    ["2022-001", 2022, "ETAT-ANCT", "Crédits spécifiques", 8000, 7500],
    ["2022-001", 2022, "Communes", "droit commun", "5 000 €", f"4{NBSP}500,50{NBSP}€"],
    ["2022-002", 2022, "AGGLO", "", f"12{FINE}500,50 €", "12 500,50"],
    ["2022-002", 2022, "Région Hauts-de-France", "Droit commun", 10000, 9999.99],
    ["2022-003", 2022, "ETAT-ANCT", None, 3000, 0],
    ["2022-004", 2022, "caf", "Credits specifiques", "1000", "1000,5"],
]


def importer(contenu, **kwargs):
    return importer_classeur(contenu, nom_fichier="programmation.xlsx", **kwargs)


def etat_de_la_base():
    return {
        "programmations": list(Programmation.objects.values_list("annee", flat=True)),
        "dossiers": sorted(Dossier.objects.values_list("numero", "intitule", "statut")),
        "lignes": sorted(
            LigneFinancement.objects.values_list("dossier__numero", "financeur__code", "montant_accorde")
        ),
        "porteurs": sorted(Porteur.objects.values_list("nom", "siret", "type")),
        "quartiers": sorted(
            Dossier.quartiers.through.objects.values_list("dossier__numero", "quartier__code")
        ),
    }


@pytest.mark.django_db
def test_un_classeur_ecrit_a_la_main_s_importe_et_le_rapport_montre_ses_totaux(admin_user):
    rapport = importer(classeur(DOSSIERS, FINANCEMENTS), utilisateur=admin_user)

    assert rapport.erreurs == []
    assert rapport.ecrit
    assert rapport.programmations_creees == [2022]
    assert len(rapport.dossiers_crees) == 4
    assert len(rapport.lignes_creees) == 6
    # « Centre social Élan » et « centre social elan » sont le même porteur (casse et accents ignorés).
    assert sorted(c.objet for c in rapport.porteurs_crees) == ["Centre social Élan", "Ville de Béthune"]

    elan = Porteur.objects.get(siret=SIRET_CENTRE)
    assert elan.type == TypePorteur.ASSOCIATION
    assert elan.cree_par == admin_user
    assert set(Dossier.objects.filter(porteur=elan).values_list("numero", flat=True)) == {
        "2022-001",
        "2022-003",
    }
    d1 = Dossier.objects.get(numero="2022-001")
    assert sorted(d1.quartiers.values_list("code", flat=True)) == ["QN06208M", "QN06209M"]
    assert d1.thematique.code == "1.1"
    assert Dossier.objects.get(numero="2022-002").cout_total == Decimal("45000.00")
    assert Dossier.objects.get(numero="2022-004").cout_total == Decimal("12000.50")
    assert Dossier.objects.get(numero="2022-003").statut == StatutDossier.DEPOSE
    agglo = LigneFinancement.objects.get(dossier__numero="2022-002", financeur__code="AGGLO")
    assert agglo.nature == NatureCredits.DROIT_COMMUN  # nature vide : celle par défaut du financeur
    assert agglo.montant_sollicite == Decimal("12500.50")

    dossiers = dossiers_de_l_annee(2022)
    chiffres = chiffres_programmation(dossiers)
    # Retenus : 001 (7 500 + 4 500,50), 002 (12 500,50 + 9 999,99), 004 (1 000,50) ; 003 est déposé.
    assert chiffres.total == Decimal("35501.49")
    assert chiffres.nb_deposes == 4
    assert chiffres.nb_retenus == 3
    assert chiffres.nb_soutenus_anct == 1
    repartition = repartition_par_pilier(dossiers, piliers_du_contrat(2022))
    par_code = {ligne.pilier.code: ligne for ligne in repartition.lignes}
    assert par_code["1"].montant == Decimal("12000.50")
    assert par_code["1"].specifiques == Decimal("7500.00")
    assert par_code["2"].montant == Decimal("22500.49")
    assert par_code["3"].montant == Decimal("0.00")
    assert par_code["4"].specifiques == Decimal("1000.50")
    assert repartition.specifiques == Decimal("8500.50")

    journal = JournalEchange.objects.get()
    assert (
        journal.operation,
        journal.utilisateur,
        journal.nom_fichier,
        journal.nb_lignes,
        journal.reussi,
    ) == (
        OperationEchange.IMPORT,
        admin_user,
        "programmation.xlsx",
        10,
        True,
    )


@pytest.mark.django_db
def test_un_classeur_fautif_est_refuse_entier_chaque_erreur_nommee_avec_sa_ligne():
    importer(classeur(DOSSIERS[:1], FINANCEMENTS[:1]))
    avant = etat_de_la_base()
    dossiers = [
        *DOSSIERS,
        [
            "2022-005",
            2022,
            "Quartier fantôme",
            "Association X",
            None,
            "Association",
            "1",
            None,
            "QN99999Z",
            "Retenu",
            None,
        ],
        [
            "2022-006",
            2022,
            "Pilier inconnu",
            "Association X",
            None,
            "Association",
            "9",
            None,
            None,
            "Retenu",
            None,
        ],
        ["2022-002", 2022, "Doublon", "Ville de Béthune", None, "Commune", "2", None, None, "Retenu", None],
    ]
    financements = [
        *FINANCEMENTS,
        ["2022-001", 2022, "DEPARTEMENT", "Droit commun", "beaucoup", 0],
        ["2022-001", 2022, "BAILLEUR", "Droit commun", 100, -50],
        ["2022-999", 2022, "AGGLO", "Droit commun", 100, 100],
    ]

    rapport = importer(classeur(dossiers, financements))

    assert not rapport.ecrit
    assert [str(e) for e in rapport.erreurs] == [
        "Dossiers, ligne 6, Quartiers : quartier inconnu : QN99999Z",
        "Dossiers, ligne 7, Pilier : pilier « 9 » inconnu dans le cadre du contrat",
        "Dossiers, ligne 8, N° dossier : le dossier 2022-002 (2022) figure déjà ligne 3",
        f"Financements, ligne 8, Montant sollicité : « beaucoup » n'est pas un montant : {COMMENT_ECRIRE}",
        "Financements, ligne 9, Montant accordé : montant négatif",
        "Financements, ligne 10, N° dossier : le dossier 2022-999 (2022) n'existe pas : "
        "ni dans la feuille Dossiers, ni en base",
    ]
    assert etat_de_la_base() == avant
    assert JournalEchange.objects.filter(reussi=False).count() == 1


@pytest.mark.django_db
def test_reimporter_le_meme_classeur_ne_change_rien_et_un_montant_modifie_ne_touche_que_sa_ligne():
    contenu = classeur(DOSSIERS, FINANCEMENTS)
    importer(contenu)
    avant = etat_de_la_base()
    dates = dict(LigneFinancement.objects.values_list("pk", "modifie_le"))

    rapport = importer(contenu)
    assert rapport.ecrit
    assert rapport.nb_modifications == 0
    assert (rapport.dossiers_inchanges, rapport.lignes_inchangees) == (4, 6)
    assert etat_de_la_base() == avant

    modifies = [list(f) for f in FINANCEMENTS]
    modifies[3][5] = "10 000,00 €"
    rapport = importer(classeur(DOSSIERS, modifies))
    assert rapport.nb_modifications == 1
    assert [c.detail for c in rapport.lignes_modifiees] == [
        "montant accordé : 9\u00a0999,99\u00a0€ → 10\u00a0000,00\u00a0€"
    ]
    ligne = LigneFinancement.objects.get(dossier__numero="2022-002", financeur__code="REGION")
    assert ligne.montant_accorde == Decimal("10000.00")
    apres = dict(LigneFinancement.objects.values_list("pk", "modifie_le"))
    assert [pk for pk in dates if dates[pk] != apres[pk]] == [ligne.pk]


@pytest.mark.django_db
def test_un_dossier_modifie_est_mis_a_jour_quartiers_compris():
    importer(classeur(DOSSIERS, FINANCEMENTS))
    modifies = [list(d) for d in DOSSIERS]
    modifies[0][8] = "QN06209M;QN06210M"
    modifies[0][9] = "Abandonné"
    rapport = importer(classeur(modifies, FINANCEMENTS))
    assert [c.objet for c in rapport.dossiers_modifies] == ["2022-001 (2022)"]
    d1 = Dossier.objects.get(numero="2022-001")
    assert d1.statut == StatutDossier.ABANDONNE
    assert sorted(d1.quartiers.values_list("code", flat=True)) == ["QN06209M", "QN06210M"]
    assert Dossier.objects.get(numero="2022-002").quartiers.count() == 1


@pytest.mark.django_db
def test_les_porteurs_se_retrouvent_par_siret_puis_par_nom():
    existant = Porteur.objects.create(nom="Maison de quartier Saint-Élie", type=TypePorteur.AUTRE)
    dossiers = [
        [
            "2022-010",
            2022,
            "Action",
            "MAISON DE QUARTIER SAINT-ELIE",
            SIRET_CENTRE,
            "Association",
            "1",
            None,
            None,
            "Retenu",
            None,
        ],
        [
            "2022-011",
            2022,
            "Autre action",
            "Nom changé mais même SIRET",
            "443 061 841 00047",
            "Association",
            "1",
            None,
            None,
            "Retenu",
            None,
        ],
    ]
    rapport = importer(classeur(dossiers, []))
    assert rapport.erreurs == []
    existant.refresh_from_db()
    assert existant.siret == SIRET_CENTRE
    assert existant.type == TypePorteur.ASSOCIATION
    assert Porteur.objects.count() == 1
    assert set(Dossier.objects.values_list("porteur", flat=True)) == {existant.pk}
    assert {c.detail for c in rapport.porteurs_modifies} == {
        f"SIRET {SIRET_CENTRE} ajouté",
        "type : Autre → Association",
    }


@pytest.mark.django_db
def test_valeurs_enumerees_et_references_refusees_avec_leur_colonne():
    dossiers = [
        ["2022-020", 2022, "", "Asso", "12345678901234", "Club", "1", "2.1", None, "Validé", "-5"],
        ["2022-021", "deux mille", "x" * 301, "Asso", None, "Association", "1", "9.9", None, "Retenu", 1.234],
    ]
    financements = [["2022-020", 2022, "Mécène", "Mixte", 1, 1]]
    rapport = importer(classeur(dossiers, financements))
    assert [str(e) for e in rapport.erreurs] == [
        "Dossiers, ligne 2, Intitulé : l'intitulé est obligatoire",
        "Dossiers, ligne 2, SIRET : La clé de contrôle du SIRET est invalide.",
        "Dossiers, ligne 2, Type de porteur : « Club » inconnu (valeurs possibles : Association, Commune, EPCI, "
        "Bailleur social, Établissement public, Entreprise, Autre)",
        "Dossiers, ligne 2, Statut : « Validé » inconnu (valeurs possibles : Déposé, En instruction, Retenu, "
        "Refusé, Abandonné)",
        "Dossiers, ligne 2, Thématique : la thématique « 2.1 » relève du pilier 2, pas du pilier 1",
        f"Dossiers, ligne 2, Coût total : « -5 » : un montant ne peut pas être négatif ; {COMMENT_ECRIRE}",
        "Dossiers, ligne 3, Année : « deux mille » n'est pas une année",
        "Dossiers, ligne 3, Coût total : plus de deux décimales",
        "Financements, ligne 2, Financeur : financeur « Mécène » inconnu",
        "Financements, ligne 2, Nature : « Mixte » inconnu (valeurs possibles : Droit commun, Crédits spécifiques)",
    ]
    assert Dossier.objects.count() == 0


@pytest.mark.django_db
def test_la_validation_des_modeles_tourne_sur_chaque_ligne():
    dossiers = [["2022-030", 2022, "x" * 301, "Asso", None, "Association", "1", None, None, "Retenu", None]]
    rapport = importer(classeur(dossiers, []))
    assert [str(e) for e in rapport.erreurs] == [
        "Dossiers, ligne 2, Intitulé : Assurez-vous que cette valeur comporte au plus 300 caractères "
        "(actuellement 301)"
    ]


@pytest.mark.django_db
def test_une_ligne_de_financement_en_double_est_refusee():
    financements = [FINANCEMENTS[0], ["2022-001", 2022, "État – ANCT (BOP 147)", "spécifiques", 1, 1]]
    rapport = importer(classeur(DOSSIERS[:1], financements))
    assert [str(e) for e in rapport.erreurs] == [
        "Financements, ligne 3, Financeur : ligne en double : même dossier, financeur et nature que la ligne 2"
    ]


@pytest.mark.django_db
def test_une_annee_hors_de_tout_contrat_est_refusee():
    dossiers = [["2031-001", 2031, "Action", "Asso", None, "Association", "1", None, None, "Retenu", None]]
    rapport = importer(classeur(dossiers, []))
    assert [str(e) for e in rapport.erreurs] == [
        "Dossiers, ligne 2, Année : aucun contrat de ville ne couvre l'année 2031",
    ]
    assert not Programmation.objects.filter(annee=2031).exists()


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (12500, Decimal("12500.00")),
        (12500.5, Decimal("12500.50")),
        (1234.5600000000001, Decimal("1234.56")),  # bruit binaire d'un calcul Excel, pas une décimale
        ("12 500,50 €", Decimal("12500.50")),
        (f"12{NBSP}500,50{NBSP}€", Decimal("12500.50")),
        (f"1{FINE}234{FINE}567,8", Decimal("1234567.80")),
        ("3 €", Decimal("3.00")),
        ("3 EUR", Decimal("3.00")),
        ("0,07", Decimal("0.07")),
        ("12.50", Decimal("12.50")),
        ("", None),
        (None, None),
    ],
)
def test_montants_lus_exactement(valeur, attendu):
    assert lire_montant(valeur) == attendu


COMMENT_ECRIRE = (
    "écrivez les chiffres de 0 à 9, des espaces entre les milliers et une virgule avant les centimes, "
    "par exemple « 3 500,50 » ou « 12 000 »."
)
AU_CENTIME = (
    "un montant s'écrit au centime près, avec au plus deux chiffres après la virgule ; pour les milliers, "
    "mettez des espaces, par exemple « 3 500,50 » ou « 12 000 »."
)
AMBIGU = (
    "ne séparez pas les milliers par un point ou une virgule, mais par des espaces, et mettez une seule virgule "
    "avant les centimes, par exemple « 3 500,50 » ou « 12 000 »."
)


@pytest.mark.parametrize(
    ("valeur", "message"),
    [
        (-1, "montant négatif"),
        ("-12,00 €", f"« -12,00 € » : un montant ne peut pas être négatif ; {COMMENT_ECRIRE}"),
        ("12,345", f"« 12,345 » a plus de deux décimales : {AU_CENTIME}"),
        ("12,500", f"« 12,500 » a plus de deux décimales : {AU_CENTIME}"),
        (12.345, "plus de deux décimales"),
        ("douze euros", f"« douze euros » n'est pas un montant : {COMMENT_ECRIRE}"),
        ("1.250.000", f"« 1.250.000 » est ambigu : {AMBIGU}"),
        (
            "١٢٣",
            "« ١٢٣ » contient des chiffres autres que 0 à 9 : tapez le montant avec les chiffres 0 à 9, "
            "par exemple « 3 500,50 » ou « 12 000 ».",
        ),
        (True, "n'est pas un montant"),
    ],
)
def test_montants_refuses_sans_arrondi(valeur, message):
    with pytest.raises(ValeurInvalide) as exc:
        lire_montant(valeur)
    assert str(exc.value) == message


@pytest.mark.django_db
def test_commande_import_ecrit_et_resume(tmp_path, capsys, django_user_model):
    agent = django_user_model.objects.create_user("agent", password="x" * 12)
    fichier = tmp_path / "prog2022.xlsx"
    fichier.write_bytes(classeur(DOSSIERS, FINANCEMENTS))
    call_command("import_programmation", str(fichier), "--utilisateur", "agent")
    sortie = capsys.readouterr().out
    assert "Import réussi : « prog2022.xlsx », 10 lignes lues." in sortie
    assert "Dossiers : 4 créés, 0 modifiés, 0 inchangés" in sortie
    assert "Lignes de financement : 6 créées, 0 modifiées, 0 inchangées" in sortie
    assert Dossier.objects.count() == 4
    journal = JournalEchange.objects.get()
    assert (journal.utilisateur, journal.source, journal.reussi) == (agent, "commande", True)


@pytest.mark.django_db
def test_commande_import_refuse_avec_chaque_erreur_et_code_non_nul(tmp_path, capsys):
    fichier = tmp_path / "fautif.xlsx"
    financements = [*FINANCEMENTS, ["2022-001", 2022, "BAILLEUR", "Droit commun", 100, -50]]
    dossiers = [
        *DOSSIERS,
        ["2022-002", 2022, "Doublon", "X", None, "Commune", "2", None, None, "Retenu", None],
    ]
    fichier.write_bytes(classeur(dossiers, financements))
    with pytest.raises(CommandError) as exc:
        call_command("import_programmation", str(fichier))
    assert exc.value.returncode == 1
    assert str(exc.value) == "Import refusé : 2 erreur(s) dans fautif.xlsx, rien n'a été écrit."
    erreurs = capsys.readouterr().err.splitlines()
    assert erreurs == [
        "Dossiers, ligne 6, N° dossier : le dossier 2022-002 (2022) figure déjà ligne 3",
        "Financements, ligne 8, Montant accordé : montant négatif",
    ]
    assert Dossier.objects.count() == 0


@pytest.mark.django_db
def test_commande_verifier_n_ecrit_rien(tmp_path, capsys):
    fichier = tmp_path / "prog.xlsx"
    fichier.write_bytes(classeur(DOSSIERS, FINANCEMENTS))
    call_command("import_programmation", str(fichier), "--verifier")
    assert "Vérification réussie (rien n'a été écrit)" in capsys.readouterr().out
    assert Dossier.objects.count() == 0
    assert not JournalEchange.objects.exists()


@pytest.mark.django_db
def test_sur_la_base_de_demonstration_la_page_du_rapport_montre_les_totaux_importes(donnees_demo, client):
    rapport_2021_avant = chiffres_programmation(dossiers_de_l_annee(2021))
    rapport = importer(classeur(DOSSIERS, FINANCEMENTS))
    assert rapport.ecrit
    directeur = agent("directeur-test")
    directeur.user_permissions.add(Permission.objects.get(codename="view_rapportannuel"))
    client.force_login(directeur)
    page = client.get("/rapport-annuel/2022/").content.decode()
    assert "Total de la programmation : <strong>35\u00a0501,49\u00a0€</strong> · 4 dossiers déposés" in page
    assert "1 actions soutenues au titre des crédits ANCT" in page
    # L'année 2021 de démonstration n'a pas bougé.
    assert chiffres_programmation(dossiers_de_l_annee(2021)) == rapport_2021_avant


def classeur_de_taille(nb: int, annee: int) -> bytes:
    dossiers = [
        [f"{annee}-{i:04d}", annee, f"Action {i}", f"Porteur {annee}-{i % 7}", None, "Association", "1", "1.1",
         "QN06208M; QN06209M", "Retenu", 1000]
        for i in range(nb)
    ]  # fmt: skip
    financements = [
        [f"{annee}-{i:04d}", annee, code, "", 100, 50] for i in range(nb) for code in ("AGGLO", "CAF")
    ]
    return classeur(dossiers, financements)


def nb_requetes(contenu: bytes, ecrire: bool) -> int:
    with CaptureQueriesContext(connection) as capture:
        rapport = importer(contenu, ecrire=ecrire)
    assert rapport.erreurs == []
    return len(capture.captured_queries)


@pytest.mark.django_db
def test_requetes_bornees_quelle_que_soit_la_taille_du_classeur():
    petit, grand = classeur_de_taille(10, 2022), classeur_de_taille(400, 2023)
    # Aperçu : autant de requêtes pour 10 que pour 400 dossiers (référentiel et existant chargés une fois).
    assert nb_requetes(petit, ecrire=False) == nb_requetes(grand, ecrire=False)
    # Écriture : insertions groupées ; 400 dossiers, 800 lignes et 800 liens aux quartiers, pas une requête
    # par ligne (au plus quelques lots de plus quand SQLite découpe selon sa limite de variables).
    ecriture_petit, ecriture_grand = nb_requetes(petit, ecrire=True), nb_requetes(grand, ecrire=True)
    assert ecriture_petit <= ecriture_grand <= ecriture_petit + 3
