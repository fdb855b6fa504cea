from decimal import Decimal as D

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class FakeProviderCase(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.backend = cls.env["connector.backend"].create(
            {
                "name": "Fake books",
                "provider": "fake",
                "state": "connected",
                "company_id": cls.env.company.id,
                "conflict_policy": "provider",
            }
        )
        cls.engine = cls.env["connector.engine"]
        cls.adapter = cls.backend._get_adapter()
        cls.tax_mapping = cls.env["connector.tax.mapping"].create(
            {
                "backend_id": cls.backend.id,
                "external_id": "T15",
                "external_name": "Tax 15%",
                "tax_id": cls.tax_sale_a.id,
            }
        )
        cls.adapter.put(
            "party",
            {"external_id": "C1", "name": "Amy's Bird Sanctuary", "roles": ["customer"], "email": "birds@example.com"},
        )
        cls.adapter.put(
            "product", {"external_id": "P1", "name": "Garden design", "type": "service", "sale_price": D("100.00")}
        )

    def invoice(self, external_id="INV1", taxes=("T15",), **kw):
        rec = {
            "external_id": external_id,
            "move_type": "out_invoice",
            "partner": "C1",
            "date": "2026-02-01",
            "currency": self.env.company.currency_id.name,
            "number": f"QB-{external_id}",
            "lines": [{"product": "P1", "quantity": D("2"), "price_unit": D("100.00"), "taxes": list(taxes)}],
            "amount_untaxed": D("200.00"),
            "amount_tax": D("30.00"),
            "amount_total": D("230.00"),
        }
        rec.update(kw)
        return rec

    def bound(self, kind, external_id):
        return self.env["connector.binding"]._find_record(self.backend, kind, external_id)
