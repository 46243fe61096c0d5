"""Une valeur du cache partagé gardée en mémoire par le processus : relue quand un autre processus l'oublie ou la
remplace, jamais servie périmée."""

from django.core.cache import cache

from noyau.cache import ValeurPartagee


def valeur_comptee(cle="test:valeur"):
    lectures = []

    def charger():
        lectures.append(1)
        return {"version": len(lectures)}

    return ValeurPartagee(cle, charger, lambda: 60), lectures


def test_lue_une_fois_puis_gardee_en_memoire():
    valeur, lectures = valeur_comptee()
    premiere = valeur.lire()
    assert valeur.lire() is premiere
    assert valeur.lire() is premiere
    assert len(lectures) == 1


def test_relue_quand_un_autre_processus_l_oublie():
    valeur, lectures = valeur_comptee()
    assert valeur.lire() == {"version": 1}
    cache.delete_many(valeur.cles())  # ce que fait `oublier_referentiel`, dans n'importe quel processus
    assert valeur.lire() == {"version": 2}
    assert len(lectures) == 2


def test_reprend_la_valeur_rangee_par_un_autre_processus_sans_la_recalculer():
    valeur, lectures = valeur_comptee()
    assert valeur.lire() == {"version": 1}
    # Un autre worker a oublié puis rechargé la valeur : nouveau jeton, nouvelle valeur dans le cache partagé.
    cache.set_many(
        {valeur.cle: ("jeton-d-un-autre", {"version": "autre"}), valeur.cle_jeton: "jeton-d-un-autre"}
    )
    assert valeur.lire() == {"version": "autre"}
    assert len(lectures) == 1


def test_une_valeur_sans_son_jeton_n_est_pas_reprise():
    valeur, lectures = valeur_comptee()
    cache.set(valeur.cle, ("ancien", {"version": "périmée"}))
    cache.set(valeur.cle_jeton, "nouveau")  # le jeton d'une valeur que ce processus n'a pas
    assert valeur.lire() == {"version": 1}
    assert valeur.lire() is valeur.lire()
    assert len(lectures) == 1


def test_le_referentiel_suit_une_ecriture(db):
    from contrat_ville.models import Quartier
    from contrat_ville.selectors import referentiel

    quartier = referentiel().quartiers[0]
    assert referentiel() is referentiel()  # en mémoire : aucune désérialisation d'une page à l'autre
    objet = Quartier.objects.get(pk=quartier.pk)
    objet.nom = "Quartier renommé"
    objet.save()
    assert next(q for q in referentiel().quartiers if q.pk == quartier.pk).nom == "Quartier renommé"
