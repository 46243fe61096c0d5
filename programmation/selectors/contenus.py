"""Les contenus rédigés d'une année : actions focus et blocs narratifs."""

from django.db.models import F, QuerySet

from ..models import BlocNarratif, Dossier, Programmation


def actions_focus(dossiers: QuerySet[Dossier]) -> tuple[Dossier, ...]:
    """Les actions que le rapport met en avant, dans l'ordre fixé par les agents (puis par numéro), avec leur
    porteur : une requête."""
    return tuple(
        dossiers.filter(focus=True)
        .select_related("porteur", "pilier")
        .order_by(F("focus_ordre").asc(nulls_last=True), "numero")
    )


def blocs_narratifs(programmation: Programmation) -> dict[str, BlocNarratif]:
    """Les blocs rédigés d'une année, par rubrique (`TypeBloc`)."""
    return {bloc.type: bloc for bloc in programmation.blocs.all()}
