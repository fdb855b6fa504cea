"""Issue #13's must-show for tax-inclusive documents and compound taxes, against a Canadian
sandbox company (tax codes on lines: GST, HST, GST with QST, zero-rated, and GST with a PST
charged on the amount with GST)."""

from decimal import Decimal

from odoo import Command
from odoo.tests import tagged

from .common import QuickBooksCase


def cents(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


@tagged("post_install", "-at_install")
class TestQuickBooksTaxModes(QuickBooksCase):
    company_size = {"customers": 1, "items": 1, "invoices": 0, "payments": 0, "bills": 0, "credit_memos": 0}
    canada_size = {
        "customers": 15,
        "items": 8,
        "invoices": 0,
        "payments": 0,
        "bills": 0,
        "journal_entries": 0,
        "credit_memos": 0,
        "foreign_share": 0,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        cls.ca_taxes = {
            name: Tax.create({"name": name, "amount": rate, "type_tax_use": "sale"})
            for name, rate in (
                ("GST 5%", 5),
                ("PST 7%", 7),
                ("QST 9.975%", 9.975),
                ("HST 13%", 13),
                ("HST 15%", 15),
                ("Zero-rated 0%", 0),
            )
        }
        cls.backend.qbo_tax_mode = "global"  # tax codes on lines, as outside the US

    def setUp(self):
        super().setUp()
        self.sandbox.reset()  # the company becomes a Canadian one (its books kept in USD, as Odoo's)
        self.sandbox.company.country = "CA"
        self.sandbox.company.tax_mode = "global"
        self.sandbox.faults.retry_after = 0.5

    def map_taxes(self):
        """What the accountant does: confirm the suggestions. A code of several rates gets its
        group of taxes, every tax its price-included variant."""
        rows = self.env["connector.tax.mapping"].search([("backend_id", "=", self.backend.id)])
        rows.action_confirm()
        self.assertEqual(rows.filtered(lambda r: not r.tax_id).mapped("external_name"), [])

    def mapping(self, external_id):
        return self.env["connector.tax.mapping"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", external_id)]
        )

    def assert_no_quarantine(self):
        rows = self.env["connector.quarantine"].search([("backend_id", "=", self.backend.id)])
        self.assertFalse(rows, rows.mapped("message")[:5])

    def assert_same_amounts(self, pairs):
        """Every (QuickBooks document, Odoo move): total and tax equal to the cent."""
        differences = [
            (doc["Id"], doc["TotalAmt"], move.amount_total, doc["TxnTaxDetail"]["TotalTax"], move.amount_tax)
            for doc, move in pairs
            if cents(doc["TotalAmt"]) != cents(move.amount_total)
            or cents(doc["TxnTaxDetail"]["TotalTax"]) != cents(move.amount_tax)
        ]
        self.assertEqual(differences, [])

    def test_tax_inclusive_invoices_of_mixed_rates_come_in_and_go_out_to_the_cent(self):
        self.sandbox.generate(**dict(self.canada_size, invoices=100, tax_inclusive_share=1.0))
        self.connect()
        self.import_kinds(("account", "tax", "party", "product", "invoice"))
        invoices = self.qbo_docs("Invoice")
        self.assertEqual(len(invoices), 100)
        self.assertEqual({doc["GlobalTaxCalculation"] for doc in invoices}, {"TaxInclusive"})
        rates = {line["TaxLineDetail"]["TaxPercent"] for doc in invoices for line in doc["TxnTaxDetail"]["TaxLine"]}
        self.assertEqual(rates, {0, 5, Decimal("9.975"), 13, 15}, "mixed rates")
        Binding = self.env["connector.binding"]
        pairs = [(doc, Binding._find_record(self.backend, "invoice", f"Invoice/{doc['Id']}")) for doc in invoices]
        self.assertEqual([doc["Id"] for doc, move in pairs if not move], [])
        self.assert_same_amounts(pairs)
        self.assert_no_quarantine()
        lines = self.env["account.move"].union(*[move for _doc, move in pairs]).invoice_line_ids
        # Odoo rounds the document's amount without tax once (round globally), QuickBooks totals the
        # amounts with tax: where the two part by a cent, the cent goes to the rounding account
        rounding = lines.filtered(lambda line: line.account_id == self.rounding_account)
        self.assertTrue(all(abs(line.price_subtotal) <= 0.01 for line in rounding))
        excluded = (lines - rounding).filtered(lambda line: not line.tax_ids._connector_price_included())
        self.assertEqual(excluded.mapped(lambda line: (line.name, line.tax_ids.mapped("name"))), [])
        for doc, move in pairs[:5]:  # the prices are the ones QuickBooks showed
            gross = [cents(line["SalesItemLineDetail"]["TaxInclusiveAmt"]) for line in doc["Line"][:-1]]
            priced = move.invoice_line_ids - rounding
            self.assertEqual([cents(line.price_total) for line in priced], gross)
        self.assertFalse(self.ca_taxes["GST 5%"].price_include, "the mapped taxes are unchanged")

        # 30 of Odoo's own, price-included at mixed rates, go out tax-inclusive
        codes = ["20", "22", "23", "24", "25"]
        included = {code: self.mapping(code).tax_included_id for code in codes}
        moves = self.env["account.move"]
        for n in range(30):
            moves |= self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": (self.partner_a if n % 2 else self.partner_b).id,
                    "invoice_date": "2026-11-02",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "quantity": 1 + (n + k) % 7,
                                "price_unit": 10 + (37 * n + 11 * k) % 400 + 0.01 * ((13 * n + k) % 100),
                                "tax_ids": [Command.set(included[codes[(n + k) % len(codes)]].ids)],
                            }
                        )
                        for k in range(1 + n % 3)
                    ],
                }
            )
        moves.action_post()
        self.run_jobs()
        self.assert_no_quarantine()
        by_stamp = {doc.get("PrivateNote"): doc for doc in self.qbo_docs("Invoice")}
        pairs = [(by_stamp.get(f"odoo:account.move:{move.id}"), move) for move in moves]
        self.assertEqual([move.name for doc, move in pairs if not doc], [])
        self.assertEqual({doc["GlobalTaxCalculation"] for doc, _move in pairs}, {"TaxInclusive"})
        self.assert_same_amounts(pairs)
        for doc, move in pairs:  # the prices the customer saw; a cent Odoo rounded otherwise on the largest line
            gross = [cents(line["SalesItemLineDetail"]["TaxInclusiveAmt"]) for line in doc["Line"][:-1]]
            apart = [
                amount - cents(line.price_total) for amount, line in zip(gross, move.invoice_line_ids, strict=True)
            ]
            self.assertLessEqual(sum(abs(cent) for cent in apart), Decimal("0.01"), move.name)

    def test_a_compound_tax_invoice_comes_in_to_the_cent(self):
        """GST 5% then PST 7% on the amount with GST on one line, GST and QST 9.975% on another,
        GST alone on a third: the PST's group does not change how GST computes elsewhere."""
        self.sandbox.generate(**self.canada_size)
        self.connect()
        self.import_kinds(("account", "tax", "party", "product"))
        compound = self.mapping("21")
        self.assertEqual(compound.external_rate, "12.35")
        self.assertEqual(
            compound.components_label, "GST 5% + PST (charged on GST) 7% on the amount with the taxes before it"
        )
        group = compound.tax_id
        gst, pst = self.ca_taxes["GST 5%"], self.ca_taxes["PST 7%"]
        children = group.children_tax_ids.sorted(lambda t: (t.sequence, t.id))
        self.assertEqual(children[1], pst)
        self.assertEqual((children[0].connector_variant_of_id, children[0].include_base_amount), (gst, True))
        self.assertFalse(gst.include_base_amount)

        company = self.sandbox.company
        customer = company.snapshot("Customer")[0]
        items = company.snapshot("Item")

        def line(item, qty, price, code, inclusive=False):
            detail = {"ItemRef": {"value": item["Id"]}, "Qty": qty, "TaxCodeRef": {"value": code}}
            if inclusive:
                return {
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": dict(detail, TaxInclusiveAmt=qty * price),
                }
            detail["UnitPrice"] = price
            return {"DetailType": "SalesItemLineDetail", "Amount": qty * price, "SalesItemLineDetail": detail}

        exclusive = company.write(
            "Invoice",
            {
                "CustomerRef": {"value": customer["Id"]},
                "TxnDate": "2026-11-03",
                "DocNumber": "CMP-1",
                "Line": [
                    line(items[0], Decimal(3), Decimal("41.37"), "21"),
                    line(items[1], Decimal(2), Decimal("118.99"), "22"),
                    line(items[2], Decimal(1), Decimal("64.15"), "20"),
                    line(items[3], Decimal(5), Decimal("19.95"), "21"),
                ],
            },
        )
        inclusive = company.write(
            "Invoice",
            {
                "CustomerRef": {"value": customer["Id"]},
                "TxnDate": "2026-11-03",
                "DocNumber": "CMP-2",
                "GlobalTaxCalculation": "TaxInclusive",
                "Line": [
                    line(items[0], Decimal(2), Decimal("56.17"), "21", inclusive=True),
                    line(items[1], Decimal(1), Decimal("114.99"), "22", inclusive=True),
                    line(items[2], Decimal(4), Decimal("12.60"), "20", inclusive=True),
                ],
            },
        )
        rates = {line["TaxLineDetail"]["TaxPercent"] for line in exclusive["TxnTaxDetail"]["TaxLine"]}
        self.assertEqual(rates, {5, 7, Decimal("9.975")})
        self.import_kinds(("invoice",))
        Binding = self.env["connector.binding"]
        pairs = [
            (doc, Binding._find_record(self.backend, "invoice", f"Invoice/{doc['Id']}"))
            for doc in (exclusive, inclusive)
        ]
        self.assertTrue(all(move for _doc, move in pairs))
        self.assert_same_amounts(pairs)
        self.assert_no_quarantine()
        move = pairs[0][1]
        self.assertEqual(move.invoice_line_ids.tax_ids, group | self.mapping("22").tax_id | gst)
        self.assertEqual(cents(move.amount_residual), cents(exclusive["Balance"]))
        # the PST was charged on the amount with the GST
        pst_line = move.line_ids.filtered(lambda ln: ln.tax_line_id == pst)
        self.assertEqual(
            cents(abs(pst_line.balance)), cents((Decimal("124.11") + Decimal("99.75")) * Decimal("1.05") * 7 / 100)
        )
