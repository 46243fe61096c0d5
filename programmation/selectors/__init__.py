"""Lectures de la programmation, rangées par ce qu'elles répondent.

- `selections` : les dossiers et lignes d'une année, les programmations (en cache), les numéros libres ;
- `chiffres` : l'agrégat par année, seule source des chiffres clés du rapport et du tableau de bord, et des
  montants par élément du cadre, financeur et thématique ANCT ;
- `repartitions` : les tableaux par élément du cadre (pilier, orientation), financeur, quartier, thématique ANCT,
  projet de quartier, opérateur associatif et sexe ;
- `contenus` : les actions focus et les blocs rédigés ;
- `tableau` : le tableau de bord d'une année filtrée, comparée à la précédente.

Les contrôles de cohérence sont dans `programmation.controles`.

Chaque sélecteur prend un queryset de dossiers (une année, éventuellement filtrée) et rend des dataclasses
figées ; chaque tableau est calculé par un seul agrégat, quel que soit le nombre de dossiers.
Définitions (voir DOMAIN.md) :
- le total programmé est la somme des montants accordés sur les dossiers retenus ;
- une « action soutenue au titre des crédits ANCT » est un dossier retenu qui a une ligne ETAT-ANCT
  accordée au-dessus de zéro ;
- un opérateur associatif est un dossier retenu dont le porteur est une association.
"""
