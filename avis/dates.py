"""Le délai légal de la consultation : un mois au moins après l'envoi (décret n° 2015-1118, art. 4)."""

import calendar
import datetime

from django.db import models


def un_mois_apres(jour: datetime.date) -> datetime.date:
    """Même jour le mois suivant, ramené au dernier jour du mois s'il n'existe pas (31/01 → 28/02)."""
    annee, mois = (jour.year + 1, 1) if jour.month == 12 else (jour.year, jour.month + 1)
    return datetime.date(annee, mois, min(jour.day, calendar.monthrange(annee, mois)[1]))


class UnMoisApres(models.Func):
    """`un_mois_apres` en SQL, pour que la base refuse elle aussi un délai trop court.

    PostgreSQL ramène déjà au dernier jour du mois ; SQLite déborde (31/01 + 1 mois = 03/03) : on prend le
    plus petit de ce résultat et du dernier jour du mois suivant.
    """

    arity = 1
    output_field = models.DateField()

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="CAST((%(expressions)s + INTERVAL '1 month') AS date)", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        expression, params = compiler.compile(self.source_expressions[0])
        sql = f"MIN(date({expression}, '+1 month'), date({expression}, 'start of month', '+2 months', '-1 day'))"
        return sql, (*params, *params)
