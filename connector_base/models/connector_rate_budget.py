"""The table of the provider request budgets that every worker and node of the database share
(``lib/budget.py``): created with the module, read for the connection's form and the tests."""

from odoo import api, models

from ..lib import budget


class ConnectorRateBudget(models.AbstractModel):
    _name = "connector.rate.budget"
    _description = "Provider request budgets shared by every Odoo process of the database"

    def init(self):
        budget.ensure_table(self.env.cr)

    @api.model
    def _usage(self, key, seconds=60.0):
        """(requests sent in the last ``seconds``, requests in flight) of budget ``key``, read
        from a cursor of its own (the budget is written outside the caller's transaction)."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                f"""SELECT (SELECT count(*) FROM unnest(stamps) s
                             WHERE s > extract(epoch FROM clock_timestamp()) - %s),
                           (SELECT count(*) FROM unnest(leases) l
                             WHERE split_part(l, ':', 1)::float8 > extract(epoch FROM clock_timestamp()))
                      FROM {budget.TABLE} WHERE key = %s""",
                [seconds, str(key)],
            )
            row = cr.fetchone()
        return tuple(row) if row else (0, 0)
