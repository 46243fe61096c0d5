"""Un classeur avec des formules dans les colonnes de montant ou de code : chaque cellule est nommée dans l'aperçu
avec sa valeur en cache, et l'import n'est écrit que sur confirmation ; une formule sans valeur en cache est une
erreur qui nomme la cellule."""

import io
import re
import zipfile

import pytest

from programmation.echange.importation import importer_classeur
from programmation.models import Dossier, LigneFinancement

from .classeurs import classeur
from .test_admin_echange import URL_CONFIRMER, deposer
from .test_import import DOSSIERS, FINANCEMENTS

pytestmark = pytest.mark.django_db


def avec_valeurs_en_cache(contenu: bytes, valeurs: dict[str, str]) -> bytes:
    """Le classeur tel qu'un tableur l'enregistre : chaque formule porte sa valeur calculée (<v>…</v>)."""
    entree, sortie = zipfile.ZipFile(io.BytesIO(contenu)), io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as ecrit:
        for membre in entree.infolist():
            donnees = entree.read(membre)
            if membre.filename.startswith("xl/worksheets/"):
                texte = donnees.decode()
                for reference, valeur in valeurs.items():
                    texte = re.sub(
                        rf'(<c r="{reference}"[^>]*><f>[^<]*</f>)<v\s*/?>(</v>)?',
                        rf"\1<v>{valeur}</v>",
                        texte,
                    )
                donnees = texte.encode()
            ecrit.writestr(membre, donnees)
    return sortie.getvalue()


def classeur_a_formules(cache: bool = True) -> bytes:
    dossiers = [list(r) for r in DOSSIERS]
    financements = [list(r) for r in FINANCEMENTS]
    dossiers[0][10] = "=1+1"  # coût total du premier dossier : cellule K2
    financements[0][5] = "=7000+500"  # montant accordé de la première ligne : cellule F2
    contenu = classeur(dossiers, financements)
    return avec_valeurs_en_cache(contenu, {"K2": "2", "F2": "7500"}) if cache else contenu


def test_les_formules_sont_nommees_et_refusees_sans_confirmation():
    rapport = importer_classeur(classeur_a_formules(), nom_fichier="f.xlsx", ecrire=False)
    assert rapport.valide  # l'aperçu est possible…
    assert [str(c) for c in rapport.formules] == [
        "Dossiers, cellule K2 (Coût total) : =1+1, valeur en cache 2",
        "Financements, cellule F2 (Montant accordé) : =7000+500, valeur en cache 7500",
    ]
    refuse = importer_classeur(classeur_a_formules(), nom_fichier="f.xlsx", ecrire=True)
    assert not refuse.ecrit  # … mais l'écriture demande la confirmation
    assert "K2, F2" in str(refuse.erreurs[0])
    assert not Dossier.objects.exists()
    accepte = importer_classeur(
        classeur_a_formules(), nom_fichier="f.xlsx", ecrire=True, formules_confirmees=True
    )
    assert accepte.ecrit
    assert LigneFinancement.objects.filter(montant_accorde=7500).exists()


def test_une_formule_sans_valeur_en_cache_est_une_erreur_qui_nomme_la_cellule():
    rapport = importer_classeur(classeur_a_formules(cache=False), nom_fichier="f.xlsx", ecrire=False)
    assert not rapport.valide
    textes = [str(e) for e in rapport.erreurs]
    assert any(
        "Dossiers, ligne 2, Coût total : la cellule K2 contient une formule (=1+1) sans valeur" in t
        for t in textes
    )
    assert any("la cellule F2 contient une formule (=7000+500) sans valeur calculée" in t for t in textes)


def test_une_formule_hors_des_colonnes_de_montant_ou_de_code_passe():
    dossiers = [list(r) for r in DOSSIERS]
    dossiers[0][2] = '="Aide aux "&"devoirs"'  # intitulé calculé : ni montant ni code
    contenu = avec_valeurs_en_cache(classeur(dossiers, FINANCEMENTS), {})
    rapport = importer_classeur(contenu, nom_fichier="f.xlsx", ecrire=False)
    assert rapport.formules == []


def test_l_apercu_de_l_admin_montre_chaque_formule_et_demande_la_confirmation(client, importateur):
    reponse = deposer(client, classeur_a_formules())
    page = reponse.content.decode()
    assert "2 cellules de montant ou de code contiennent une formule" in page
    assert "<td>K2</td><td>Coût total</td>" in page
    assert "<code>=1+1</code></td><td>2</td>" in page
    assert "<td>F2</td><td>Montant accordé</td>" in page
    assert 'name="confirmer_formules"' in page
    confirmation = reponse.context["confirm_form"].initial
    # Sans la case cochée, rien n'est écrit.
    refuse = client.post(URL_CONFIRMER, confirmation)
    assert refuse.status_code == 200
    assert "contiennent une formule (K2, F2)" in refuse.content.decode()
    assert not Dossier.objects.exists()
    # Un nouveau dépôt, confirmé avec la case : écrit.
    reponse = deposer(client, classeur_a_formules())
    confirme = client.post(
        URL_CONFIRMER, {**reponse.context["confirm_form"].initial, "confirmer_formules": "1"}
    )
    assert confirme.status_code == 302
    assert Dossier.objects.count() == 4
