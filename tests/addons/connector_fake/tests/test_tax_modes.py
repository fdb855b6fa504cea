"""Tax-inclusive documents and compound taxes, both ways, through the fake provider."""

from decimal import Decimal as D

from odoo import Command
from odoo.tests import tagged

from .common import FakeProviderCase


def cents(value):
    return D(str(value)).quantize(D("0.01"))


@tagged("post_install", "-at_install")
class TestTaxModes(FakeProviderCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        cls.gst = Tax.create({"name": "GST 5%", "amount": 5, "type_tax_use": "sale"})
        cls.pst = Tax.create({"name": "PST 7%", "amount": 7, "type_tax_use": "sale"})
        cls.qst = Tax.create({"name": "QST 9.975%", "amount": 9.975, "type_tax_use": "sale"})
        for rec in (
            {"external_id": "GST", "name": "GST", "rate": D("5"), "scope": "sale"},
            {"external_id": "PST", "name": "PST", "rate": D("7"), "scope": "sale", "compound": True},
            {"external_id": "QST", "name": "QST", "rate": D("9.975"), "scope": "sale"},
        ):
            cls.env["connector.engine"]._import_safely(cls.backend, "tax", rec)
        Mapping = cls.env["connector.tax.mapping"]
        for external_id, tax in (("GST", cls.gst), ("PST", cls.pst), ("QST", cls.qst)):
            Mapping.search([("backend_id", "=", cls.backend.id), ("external_id", "=", external_id)]).tax_id = tax

    def mapping(self, external_id):
        return self.env["connector.tax.mapping"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", external_id)]
        )

    def document(self, external_id, lines, total, tax, tax_mode="exclusive"):
        return self.invoice(
            external_id,
            tax_mode=tax_mode,
            lines=[
                {"product": "P1", "quantity": D(qty), "price_unit": D(price), "taxes": list(taxes)}
                for qty, price, taxes in lines
            ],
            amount_untaxed=D(total) - D(tax),
            amount_tax=D(tax),
            amount_total=D(total),
        )

    def exported(self, move):
        """The canonical document the provider received for ``move``."""
        external_id = self.engine._export_safely(self.backend, "invoice", move)
        self.assertTrue(external_id, self.env["connector.quarantine"].search([]).mapped("message"))
        return self.adapter.read("invoice", external_id)

    def odoo_invoice(self, lines):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.partner_a.id,
                "invoice_date": "2026-03-02",
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.product_a.id, "quantity": qty, "price_unit": price}
                        | {"tax_ids": [Command.set(ids)]}
                    )
                    for qty, price, ids in lines
                ],
            }
        )
        move.action_post()
        return move

    def bind_partner_and_product(self):
        self.env["connector.binding"].create(
            [
                {"backend_id": self.backend.id, "external_type": "party", "external_id": "C9"}
                | {"res_model": "res.partner", "res_id": self.partner_a.id},
                {"backend_id": self.backend.id, "external_type": "product", "external_id": "P9"}
                | {"res_model": "product.product", "res_id": self.product_a.id},
            ]
        )

    # ------------------------------------------------------------------ tax-inclusive
    def test_an_inclusive_document_comes_in_with_the_price_included_variant_of_the_mapped_tax(self):
        move = self.engine._import_safely(
            self.backend, "invoice", self.document("INC1", [("2", "115.00", ["T15"])], "230.00", "30.00", "inclusive")
        )
        self.assertEqual((cents(move.amount_total), cents(move.amount_tax)), (D("230.00"), D("30.00")))
        self.assertEqual(move.invoice_line_ids.price_unit, 115.0)
        tax = move.invoice_line_ids.tax_ids
        self.assertTrue(tax.price_include)
        self.assertEqual((tax.amount, tax.connector_variant_of_id), (15.0, self.tax_sale_a))
        self.assertFalse(self.tax_sale_a.price_include, "the accountant's tax is never changed")
        self.assertEqual(self.tax_mapping.tax_included_id, tax, "the variant is kept on the mapping")
        # a second inclusive document uses the same variant
        again = self.engine._import_safely(
            self.backend, "invoice", self.document("INC2", [("1", "57.50", ["T15"])], "57.50", "7.50", "inclusive")
        )
        self.assertEqual(again.invoice_line_ids.tax_ids, tax)

    def test_the_mapping_suggests_an_existing_price_included_tax_and_makes_one_on_confirmation(self):
        included = self.env["account.tax"].create(
            {"name": "GST 5% incl.", "amount": 5, "type_tax_use": "sale", "price_include_override": "tax_included"}
        )
        gst = self.mapping("GST")
        gst.action_suggest()  # the accountant's "Suggest again", the tax being new
        self.assertEqual(gst.suggested_tax_included_id, included)
        gst.action_confirm()
        self.assertEqual(gst.tax_included_id, included)
        pst = self.mapping("PST")
        self.assertFalse(pst.suggested_tax_included_id)
        pst.action_confirm()
        self.assertEqual(pst.tax_included_id.name, "PST 7% (price included)")
        self.assertTrue(pst.tax_included_id.price_include)
        accounts = pst.tax_included_id.invoice_repartition_line_ids.account_id
        self.assertEqual(accounts, self.pst.invoice_repartition_line_ids.account_id)
        self.assertFalse(self.pst.price_include)
        # mapping another tax forgets the variants of the first
        gst.tax_id = self.qst
        self.assertFalse(gst.tax_included_id)

    def test_an_odoo_document_with_price_included_taxes_goes_out_inclusive_and_comes_back_the_same(self):
        self.bind_partner_and_product()
        self.mapping("GST").action_confirm()
        included = self.mapping("GST").tax_included_id
        move = self.odoo_invoice([(3, 21.0, included.ids), (1, 10.5, included.ids)])
        record = self.exported(move)
        self.assertEqual(record["tax_mode"], "inclusive")
        self.assertEqual([line["taxes"] for line in record["lines"]], [["GST"], ["GST"]])
        self.assertEqual([line["amount"] for line in record["lines"]], [D("63.00"), D("10.50")])
        self.assertEqual([line["amount_untaxed"] for line in record["lines"]], [D("60.00"), D("10.00")])
        self.assertEqual((record["amount_total"], record["amount_tax"]), (D("73.50"), D("3.50")))
        # read back as the provider has it: the same document, amounts to the cent
        back = self.engine._import_safely(self.backend, "invoice", dict(record, external_id="BACK1", number="B1"))
        self.assertEqual((cents(back.amount_total), cents(back.amount_tax)), (D("73.50"), D("3.50")))
        self.assertEqual(back.invoice_line_ids.tax_ids, included)

    def test_a_document_mixing_included_and_excluded_taxes_goes_out_exclusive(self):
        self.bind_partner_and_product()
        self.mapping("GST").action_confirm()
        move = self.odoo_invoice([(2, 21.0, self.mapping("GST").tax_included_id.ids), (1, 10.0, self.qst.ids)])
        record = self.exported(move)
        self.assertEqual(record["tax_mode"], "exclusive")
        first = record["lines"][0]
        self.assertEqual((first["price_unit"], first["amount"], first["taxes"]), (D("20.000000"), D("40.00"), ["GST"]))
        self.assertEqual(record["amount_total"], D("53.00"))  # 42.00 and 10.00 with 1.00 of QST

    def test_a_unit_price_odoo_cannot_hold_makes_a_line_of_its_amount(self):
        rec = self.invoice(
            "PREC1",
            tax_mode="inclusive",
            lines=[
                {"product": "P1", "quantity": D("450"), "price_unit": D("0.9090889")}
                | {"amount": D("409.09"), "taxes": []}
            ],
            amount_untaxed=D("409.09"),
            amount_tax=D("0"),
            amount_total=D("409.09"),
        )
        move = self.engine._import_safely(self.backend, "invoice", rec)
        line = move.invoice_line_ids
        self.assertEqual((line.quantity, line.price_unit), (1.0, 409.09))
        self.assertIn("450 x 0.9090889", line.name)
        self.assertEqual(cents(move.amount_total), D("409.09"))

    # ------------------------------------------------------------------ compound
    def test_a_compound_tax_is_charged_on_the_amount_with_the_taxes_before_it(self):
        rec = self.document(
            "CMP1",
            [("1", "100.00", ["GST", "PST"]), ("1", "200.00", ["GST", "QST"]), ("1", "50.00", ["GST"])],
            # GST 5 + PST 7.35; GST 10 + QST 19.95; GST 2.50
            "394.80",
            "44.80",
        )
        move = self.engine._import_safely(self.backend, "invoice", rec)
        self.assertEqual((cents(move.amount_total), cents(move.amount_tax)), (D("394.80"), D("44.80")))
        by_price = {line.price_unit: line for line in move.invoice_line_ids}
        first, second, third = by_price[100.0], by_price[200.0], by_price[50.0]
        before = first.tax_ids - self.pst
        self.assertEqual(before.connector_variant_of_id, self.gst)
        self.assertTrue(before.include_base_amount)
        self.assertEqual(second.tax_ids, self.gst | self.qst, "GST with QST is charged as it always is")
        self.assertEqual(third.tax_ids, self.gst)
        self.assertFalse(self.gst.include_base_amount, "the mapped GST still computes on the amount alone")
        self.assertEqual(self.mapping("GST").tax_before_compound_id, before)
        # and it goes out with the provider's codes, in application order
        self.bind_partner_and_product()
        record = self.exported(self.odoo_invoice([(1, 100.0, (before | self.pst).ids)]))
        self.assertEqual(record["lines"][0]["taxes"], ["GST", "PST"])
        self.assertEqual((record["amount_total"], record["amount_tax"]), (D("112.35"), D("12.35")))

    def test_a_code_combining_a_compound_rate_maps_to_a_group_made_on_confirmation(self):
        rec = {
            "external_id": "GP",
            "name": "GST/PST",
            "rate": D("12.35"),
            "scope": "sale",
            "components": [{"name": "GST", "rate": D("5")}, {"name": "PST", "rate": D("7"), "compound": True}],
        }
        self.engine._import_safely(self.backend, "tax", rec)
        row = self.mapping("GP")
        self.assertEqual(row.components_label, "GST 5% + PST 7% on the amount with the taxes before it")
        self.assertFalse(row.suggested_tax_id, "no group computes that way yet")
        row.action_confirm()
        group = row.tax_id
        self.assertEqual(group.amount_type, "group")
        children = group.children_tax_ids.sorted(lambda t: (t.sequence, t.id))
        self.assertEqual(children[1], self.pst)
        self.assertEqual((children[0].connector_variant_of_id, children[0].include_base_amount), (self.gst, True))
        move = self.engine._import_safely(
            self.backend, "invoice", self.document("CMP2", [("2", "50.00", ["GP"])], "112.35", "12.35")
        )
        self.assertEqual((cents(move.amount_total), cents(move.amount_tax)), (D("112.35"), D("12.35")))
        # tax-inclusive too: the group of the price-included children
        inclusive = self.engine._import_safely(
            self.backend,
            "invoice",
            self.document("CMP3", [("1", "224.70", ["GP"])], "224.70", "24.70", "inclusive"),
        )
        self.assertEqual((cents(inclusive.amount_total), cents(inclusive.amount_tax)), (D("224.70"), D("24.70")))
        self.assertEqual(cents(inclusive.amount_untaxed), D("200.00"))
        self.assertEqual(inclusive.invoice_line_ids.tax_ids.connector_variant_of_id, group)
        # both go out as the code
        self.assertEqual(self.engine._to_canonical_invoice(self.backend, move)["lines"][0]["taxes"], ["GP"])
        out = self.engine._to_canonical_invoice(self.backend, inclusive)
        self.assertEqual((out["tax_mode"], out["lines"][0]["taxes"]), ("inclusive", ["GP"]))
        # a second code of the same rates finds the group
        self.engine._import_safely(self.backend, "tax", dict(rec, external_id="GP2", name="GST/PST again"))
        self.assertEqual(self.mapping("GP2").suggested_tax_id, group)
