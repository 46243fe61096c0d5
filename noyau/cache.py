"""Une valeur rangée dans le cache de Django, partagé par les processus, et gardée en mémoire par chacun.

Le cache de production est un dossier de fichiers partagé par les workers : y lire le référentiel (contours
compris) coûte l'ouverture d'un fichier et sa désérialisation, 1,5 ms, et le tableau de bord le lit cinq fois par
page. La valeur est rangée avec un jeton ; chaque processus garde la dernière qu'il a lue et ne relit, à chaque
appel, que le jeton (quelques octets). Oublier la valeur efface aussi le jeton : chaque processus la relit.

Les objets gardés en mémoire sont partagés par les requêtes d'un même processus : ils se lisent, ils ne se
modifient pas.
"""

from collections.abc import Callable
from uuid import uuid4

from django.core.cache import cache


class ValeurPartagee[T]:
    def __init__(self, cle: str, charger: Callable[[], T], duree: Callable[[], int]):
        self.cle = cle
        self.cle_jeton = f"{cle}:jeton"
        self.charger = charger
        self.duree = duree  # lue à chaque écriture : les tests changent les réglages
        self._en_memoire: tuple[str, T] | None = None

    def lire(self) -> T:
        jeton = cache.get(self.cle_jeton)
        en_memoire = self._en_memoire
        if jeton is not None and en_memoire is not None and en_memoire[0] == jeton:
            return en_memoire[1]
        rangee = cache.get(self.cle)
        if jeton is not None and rangee is not None and rangee[0] == jeton:
            valeur = rangee[1]
        else:
            valeur = self.charger()
            jeton = uuid4().hex
            cache.set_many({self.cle: (jeton, valeur), self.cle_jeton: jeton}, self.duree())
        self._en_memoire = (jeton, valeur)
        return valeur

    def cles(self) -> list[str]:
        """Ce qu'il faut effacer du cache pour que chaque processus relise la valeur."""
        return [self.cle_jeton, self.cle]
