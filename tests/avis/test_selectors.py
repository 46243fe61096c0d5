"""Suivi de la consultation : l'avis réputé favorable se déduit des dates, en un nombre borné de requêtes."""

import datetime

import pytest

from avis import selectors, services
from avis.models import Destinataire, Organisme
from contrat_ville.models import Commune

pytestmark = pytest.mark.django_db

ENVOI = datetime.date(2022, 10, 7)
LIMITE = datetime.date(2022, 11, 7)


def ligne(lignes, organisme):
    return next(x for x in lignes if x.organisme == organisme)


def test_sans_reponse_reste_en_attente_jusqu_a_la_date_limite_incluse(consultation_close, bethune):
    assert (
        ligne(selectors.suivi_consultation(consultation_close, aujourdhui=LIMITE), bethune).decision
        == "En attente"
    )


def test_sans_reponse_reputee_favorable_le_lendemain_de_la_date_limite(
    consultation_close, bethune, bruay, mont_liebaut
):
    lendemain = LIMITE + datetime.timedelta(days=1)
    lignes = selectors.suivi_consultation(consultation_close, aujourdhui=lendemain)
    assert ligne(lignes, bethune).decision == "Réputé favorable (sans réponse au 07/11/2022)"
    assert ligne(lignes, bethune).reputee_favorable
    assert ligne(lignes, bethune).date == LIMITE
    assert ligne(lignes, mont_liebaut).decision == "Réputé favorable (sans réponse au 07/11/2022)"
    assert ligne(lignes, bruay).decision == "Favorable"
    assert ligne(lignes, bruay).date == datetime.date(2022, 10, 24)
    assert not ligne(lignes, bruay).reputee_favorable
    # Les communes d'abord, puis les conseils citoyens.
    assert [x.organisme for x in lignes] == [bethune, bruay, mont_liebaut]
    # Rien n'est écrit : l'avis réputé favorable n'existe qu'à la lecture.
    assert Destinataire.objects.get(organisme=bethune).consultation.avis.count() == 1


def test_annexe_du_rapport(rapport, consultation_close, bruay):
    annexe = selectors.annexe_avis(rapport.programmation, aujourdhui=datetime.date(2022, 12, 6))
    assert len(annexe.lignes) == 3
    assert [a.organisme for a in annexe.deliberations] == [bruay]


def test_le_suivi_fait_deux_requetes_quel_que_soit_le_nombre_d_organismes(
    consultation_close, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        assert len(selectors.suivi_consultation(consultation_close)) == 3
    organismes = [Organisme.objects.get_or_create(commune=c)[0] for c in Commune.objects.all()[:60]]
    services.ajouter_destinataires(consultation=consultation_close, organismes=organismes)
    with django_assert_max_num_queries(2):
        assert len(selectors.suivi_consultation(consultation_close)) >= 60
