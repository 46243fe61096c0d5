"""Le cadre d'un contrat est une donnée : périodes exclusives, deux niveaux, thématiques nationales."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from contrat_ville.models import Contrat, Pilier, ProjetQuartier, Quartier, Thematique
from programmation.models import Programmation

pytestmark = pytest.mark.django_db


def contrat_2024(**champs) -> Contrat:
    valeurs = {
        "nom": "Engagements Quartiers 2030",
        "epci": "CABBALR",
        "date_signature": datetime.date(2024, 3, 28),
        "date_fin": datetime.date(2030, 12, 31),
        "libelle_niveau": "orientation",
        "libelle_niveau_pluriel": "orientations",
    }
    return Contrat(**(valeurs | champs))


def test_un_contrat_qui_chevauche_un_autre_est_refuse_en_francais():
    # Le contrat de 2015, prorogé jusqu'au 31/12/2023, couvre 2015-2023.
    chevauchant = contrat_2024(date_signature=datetime.date(2023, 6, 1))
    with pytest.raises(ValidationError) as erreur:
        chevauchant.full_clean()
    message = " ".join(erreur.value.messages)
    assert "chevauche celle du contrat « Contrat de Ville de l'agglomération" in message
    assert "l'année 2023 appartiendrait aux deux" in message
    contrat_2024().full_clean()  # commence après la prorogation : accepté


def test_une_annee_appartient_au_contrat_qui_la_couvre():
    contrat = contrat_2024()
    contrat.save()
    with pytest.raises(ValidationError) as erreur:
        Programmation(contrat=contrat, annee=2021).full_clean()
    assert erreur.value.message_dict["annee"] == [
        "Le contrat « Engagements Quartiers 2030 » couvre 2024-2030, pas 2021."
    ]
    Programmation(contrat=contrat, annee=2025).full_clean()


def test_le_cadre_a_deux_niveaux_dans_un_meme_contrat():
    contrat = contrat_2024()
    contrat.save()
    orientation = Pilier.objects.create(contrat=contrat, code="O1", libelle="Réussir à l'école")
    sous = Pilier.objects.create(contrat=contrat, parent=orientation, code="O1.1", libelle="Petite enfance")
    with pytest.raises(ValidationError) as erreur:
        Pilier(contrat=contrat, parent=sous, code="O1.1.1", libelle="Trop profond").full_clean()
    assert erreur.value.message_dict["parent"] == [
        "Le cadre a deux niveaux : choisissez un élément du premier niveau."
    ]
    autre = Contrat.objects.exclude(pk=contrat.pk).get()
    with pytest.raises(ValidationError) as erreur:
        Pilier(contrat=autre, parent=orientation, code="X", libelle="Ailleurs").full_clean()
    assert erreur.value.message_dict["parent"] == [
        "L'élément de premier niveau doit appartenir au même contrat."
    ]
    assert sous.premier_niveau_id == orientation.pk == orientation.premier_niveau_id


def test_la_thematique_relève_du_pilier_seulement_dans_un_cadre_national():
    education, emploi = Thematique.objects.get(code="1.1"), Thematique.objects.get(code="2.1")
    cohesion = Pilier.objects.get(contrat__cadre_national=True, code="1")
    assert not cohesion.refuse_thematique(education)
    assert cohesion.refuse_thematique(emploi)
    contrat = contrat_2024()
    contrat.save()
    orientation = Pilier.objects.create(contrat=contrat, code="O1", libelle="Réussir à l'école")
    assert not orientation.refuse_thematique(emploi)


def test_un_projet_de_quartier_par_quartier_du_contrat():
    contrat = contrat_2024()
    contrat.save()
    mont_liebaut = Quartier.objects.get(code="QN06208M")
    with pytest.raises(ValidationError) as erreur:
        ProjetQuartier(contrat=contrat, quartier=mont_liebaut, intitule="Mont-Liébaut 2030").full_clean()
    assert erreur.value.message_dict["quartier"] == ["Ce quartier n'est pas un quartier du contrat."]
    contrat.quartiers.add(mont_liebaut)
    ProjetQuartier.objects.create(contrat=contrat, quartier=mont_liebaut, intitule="Mont-Liébaut 2030")
    with pytest.raises(ValidationError) as erreur:
        ProjetQuartier(contrat=contrat, quartier=mont_liebaut, intitule="Doublon").full_clean()
    assert "Ce quartier a déjà son projet dans ce contrat." in erreur.value.messages


def test_les_thematiques_sont_la_nomenclature_nationale():
    # Chargées une fois, hors de tout contrat, depuis les codes de l'ANCT.
    assert Thematique.objects.count() == 14
    assert Thematique.objects.get(code="1.1").pilier_anct_libelle == "Cohésion sociale"
