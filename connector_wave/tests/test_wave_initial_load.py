from decimal import Decimal

from odoo.tests import tagged

from .common import WaveCase


@tagged("post_install", "-at_install")
class TestWaveInitialLoad(WaveCase):
    """The issue's must-show: 200 customers, 50 vendors, 100 products, 500 invoices in two
    currencies with a compound tax among the taxes, 300 payments (some partial)."""

    company_size = {
        "customers": 200,
        "vendors": 50,
        "products": 100,
        "invoices": 500,
        "payments": 300,
        "second_currency": "CAD",
    }

    def assert_invoices_match_wave(self):
        figures = self.wave_figures()
        mismatches = []
        for wave_id, (status, currency, total, due) in figures.items():
            move = self.bound("invoice", wave_id)
            if not move:
                mismatches.append((wave_id, "missing"))
                continue
            expected_state = "draft" if status == "DRAFT" else "posted"
            odoo = (move.state, move.currency_id.name, Decimal(str(move.amount_total)), move.amount_residual)
            if (
                odoo[:2] != (expected_state, currency)
                or round(odoo[2] - total, 2)
                or (status != "DRAFT" and round(Decimal(str(odoo[3])) - due, 2))
            ):
                mismatches.append((wave_id, status, currency, total, due, odoo))
        self.assertEqual(mismatches, [])
        return figures

    def test_import_all_matches_wave_to_the_cent_and_a_second_import_creates_nothing(self):
        self.connect()
        self.backend.action_import_all()
        self.assertGreater(self.backend.import_total, 0, "Wave counts what the import will read")
        self.run_jobs("_job_import_batch", limit=1)  # accounts first: the accountant maps them
        self.map_accounts()
        self.run_jobs("_job_import_batch", limit=1)
        self.map_taxes()
        self.run_jobs()
        self.assertEqual(self.quarantine_messages(), [])
        figures = self.assert_invoices_match_wave()
        self.assertEqual({currency for _s, currency, _t, _d in figures.values()}, {"USD", "CAD"})
        self.assertTrue([1 for s, _c, t, d in figures.values() if 0 < d < t], "some payments are partial")
        Binding = self.env["connector.binding"]
        for kind, wave_kinds in (("party", ("Customer", "Vendor")), ("product", ("Product",))):
            wave_ids = {doc["id"] for wave_kind in wave_kinds for doc in self.docs(wave_kind)}
            linked = set(
                Binding.search([("backend_id", "=", self.backend.id), ("external_type", "=", kind)]).mapped(
                    "external_id"
                )
            )
            self.assertEqual(linked, wave_ids, kind)
        payments = Binding.search([("backend_id", "=", self.backend.id), ("external_type", "=", "payment")])
        self.assertEqual(len(payments), len(self.docs("InvoicePayment")))
        vendors = [self.bound("party", doc["id"]) for doc in self.docs("Vendor")]
        self.assertTrue(all(partner.supplier_rank for partner in vendors), "vendors come in as vendors")
        methods = self.env["connector.payment.method.mapping"].search([("backend_id", "=", self.backend.id)])
        self.assertIn("Bank transfer", methods.mapped("external_name"))

        models = ("account.move", "res.partner", "account.payment", "product.product", "connector.binding")
        counts = {model: self.env[model].search_count([]) for model in models}
        self.backend.action_import_all()  # the cursors go back to the start: everything is read again
        self.run_jobs()
        self.assertEqual(counts, {model: self.env[model].search_count([]) for model in models})
        self.assertEqual(self.quarantine_messages(), [])
