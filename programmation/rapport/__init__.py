"""Le rapport annuel sur la mise en œuvre de la politique de la ville : ses chiffres, sa page et son PDF.

API publique (utilisée par les pages, la commande `rapport_annuel`, le portail de consultation) :
- `contexte_du_rapport(rapport)` : tout ce que le gabarit affiche, calculé par les sélecteurs ;
- `html_du_rapport(rapport)` : le document HTML complet du PDF ;
- `pdf_du_rapport(rapport)` : le PDF définitif stocké (empreinte vérifiée) ou un projet rendu à l'instant.
"""

from .contexte import chiffres_du_rapport, contexte_du_rapport, controles_du_rapport
from .rendu import RapportAltere, html_du_rapport, pdf_du_rapport, rendre_pdf

__all__ = [
    "RapportAltere",
    "chiffres_du_rapport",
    "contexte_du_rapport",
    "controles_du_rapport",
    "html_du_rapport",
    "pdf_du_rapport",
    "rendre_pdf",
]
