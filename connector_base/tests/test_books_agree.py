"""Books agree with a provider whose adapter gives no figure: every line says "not available
from <provider>", none shows a zero, and the check is not called agreeing on them."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.connector_base.lib.provider import ProviderAdapter


@tagged("post_install", "-at_install")
class TestBooksAgreeUnavailable(TransactionCase):
    def test_figures_a_provider_cannot_give_are_said_so_never_zero(self):
        backend = self.env["connector.backend"].create({"name": "Silent books", "state": "connected"})
        check = self.env["connector.reconciliation"].create({"backend_id": backend.id})
        adapter = ProviderAdapter()  # declares no count, balance or open item
        values = check._count_lines(adapter, "2026-01-01") + check._partner_lines(adapter)
        values += check._account_lines(adapter, "2026-01-01")
        lines = self.env["connector.reconciliation.line"].create([dict(v, reconciliation_id=check.id) for v in values])
        self.assertEqual(set(lines.mapped("line_type")), {"count", "partner", "account"})
        self.assertEqual(set(lines.mapped("status")), {"unavailable"})
        for line in lines:
            self.assertTrue(line.remote_value.startswith("not available from "), line.remote_value)
            self.assertNotIn(line.remote_value, ("0", "0.00"))
        check._finish()
        self.assertEqual(check.unavailable_count, len(lines))
        self.assertEqual(check.agree_count, 0)
        self.assertEqual(check.state, "nothing", "books that could not be compared are not said to agree")
