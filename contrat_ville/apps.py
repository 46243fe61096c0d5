from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ContratVilleConfig(AppConfig):
    name = "contrat_ville"
    verbose_name = "Référentiel du contrat de ville"

    def ready(self):
        # Le journal lit les modèles : il s'importe une fois le registre des applications prêt.
        from journal import audit

        from .selectors import oublier_referentiel

        # Chaque écriture de ces modèles va au journal d'audit (modèle, objet parent dont l'historique la montre).
        # Le cadre du contrat (contrat, signataires, éléments, projets de quartier et objectifs, quartiers et leurs
        # conseils citoyens) est saisi par le service : chaque changement est tracé, sous le contrat ou le projet.
        for modele, parent, exclure in (
            ("Porteur", None, ()),
            ("Contrat", None, ()),
            ("Signataire", "contrat", ()),
            ("Pilier", "contrat", ()),
            ("ProjetQuartier", "contrat", ()),
            ("ObjectifQuartier", "projet", ()),
            ("Quartier", None, ("contour",)),
            ("ConseilCitoyen", "quartier", ()),
        ):
            audit.enregistrer(self.get_model(modele), parent=parent, exclure=exclure)

        # Toute écriture du référentiel gardé en cache (`selectors.referentiel`, limites des territoires) l'en retire.
        for nom in (
            "Contrat",
            "Pilier",
            "Thematique",
            "Financeur",
            "Quartier",
            "Commune",
            "ProjetQuartier",
            "ObjectifQuartier",
        ):
            modele = self.get_model(nom)
            post_save.connect(oublier_referentiel, sender=modele, dispatch_uid=f"referentiel-{nom}-save")
            post_delete.connect(oublier_referentiel, sender=modele, dispatch_uid=f"referentiel-{nom}-delete")
        contrat = self.get_model("Contrat")
        for relation in (contrat.quartiers, contrat.communes, self.get_model("Quartier").communes):
            m2m_changed.connect(
                oublier_referentiel, sender=relation.through, dispatch_uid=f"referentiel-{relation}"
            )
