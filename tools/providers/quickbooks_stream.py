"""The chaos stream's changes made in QuickBooks: customers created and changed, invoices
created, changed, voided and deleted, payments (a mix-in of the QuickBooks plug-in)."""

from datetime import date, timedelta
from decimal import Decimal

CENT = Decimal("0.01")


def money(value):
    return Decimal(str(value or 0)).quantize(CENT)


class QuickBooksStream:
    """Uses ``self.sandbox``, ``self.paid_in_odoo``, ``self.qbo_customers``, ``self.qbo_invoices``
    of the plug-in, and the chaos run's random generator and seed."""

    def stream_operations(self, chaos):
        self.rng, self.seed = chaos.rng, chaos.seed
        self.paid_in_odoo = chaos.paid_in_odoo
        return [
            ("qbo: new customer", self.qbo_create_customer, 2),
            ("qbo: customer changed", self.qbo_update_customer, 2),
            ("qbo: new invoice", self.qbo_create_invoice, 4),
            ("qbo: invoice changed", self.qbo_update_invoice, 2),
            ("qbo: invoice voided", self.qbo_void_invoice, 1),
            ("qbo: invoice deleted", self.qbo_delete_invoice, 1),
            ("qbo: payment", self.qbo_create_payment, 3),
        ]

    def qbo_docs(self, entity, predicate=lambda d: True):
        return [d for d in self.sandbox.company.snapshot(entity) if predicate(d)]

    def qbo_create_customer(self):
        n = len(self.qbo_customers)
        doc = self.sandbox.company.write(
            "Customer",
            {
                "DisplayName": f"Chaos Customer Q{n} {self.seed}",
                "PrimaryEmailAddr": {"Address": f"q{n}@chaos.example"},
                "BillAddr": {"Line1": f"{n} Market St", "City": "Oakland", "Country": "USA"},
            },
        )
        self.qbo_customers.append(doc["Id"])

    def qbo_update_customer(self):
        choices = self.qbo_docs("Customer", lambda d: not str(d.get("DisplayName", "")).startswith("Chaos Odoo"))
        doc = self.rng.choice(choices)
        self.sandbox.company.write(
            "Customer",
            {"Id": doc["Id"], "SyncToken": doc["SyncToken"], "Notes": f"changed {self.rng.random():.6f}"},
            operation="update",
            sparse=True,
        )

    def _qbo_customer(self):
        choices = self.qbo_docs(
            "Customer",
            lambda d: d.get("Active", True)
            and d.get("CurrencyRef", {}).get("value", "USD") == "USD"
            and not str(d.get("DisplayName", "")).startswith("Chaos Odoo"),
        )
        return self.rng.choice(choices)

    def _qbo_lines(self):
        items = self.qbo_docs("Item", lambda d: d.get("Active", True))
        lines = []
        for _ in range(self.rng.randint(1, 3)):
            item = self.rng.choice(items)
            qty = Decimal(self.rng.randint(1, 9))
            price = Decimal(self.rng.randint(199, 19999)) / 100
            lines.append(
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": qty * price,
                    "Description": item["Name"],
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": item["Id"], "name": item["Name"]},
                        "Qty": qty,
                        "UnitPrice": price,
                        "TaxCodeRef": {"value": self.rng.choice(["TAX", "NON"])},
                    },
                }
            )
        return lines

    def qbo_create_invoice(self):
        customer = self._qbo_customer()
        day = date.today() - timedelta(days=self.rng.randint(0, 20))
        doc = self.sandbox.company.write(
            "Invoice",
            {
                "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
                "TxnDate": day.isoformat(),
                "DueDate": (day + timedelta(days=30)).isoformat(),
                "DocNumber": f"Q-{len(self.qbo_invoices) + 1}",
                "Line": self._qbo_lines(),
                "CurrencyRef": {"value": "USD"},
                "TxnTaxDetail": {"TxnTaxCodeRef": {"value": self.rng.choice(["2", "3", "4"])}},
            },
        )
        self.qbo_invoices.append(doc["Id"])

    def _qbo_open_invoice(self, unpaid=False):
        """A QuickBooks-made invoice that Odoo does not pay (each side pays its own)."""
        choices = self.qbo_docs(
            "Invoice",
            lambda d: not d.get("_voided")
            and not str(d.get("PrivateNote") or "").startswith("odoo:")
            and d["Id"] not in self.paid_in_odoo
            and money(d["Balance"]) > 0
            and (not unpaid or money(d["Balance"]) == money(d["TotalAmt"])),
        )
        return self.rng.choice(choices) if choices else None

    def qbo_update_invoice(self):
        doc = self._qbo_open_invoice()  # paid in part or not at all
        if doc:
            self.sandbox.company.write(
                "Invoice",
                {
                    "Id": doc["Id"],
                    "SyncToken": doc["SyncToken"],
                    "Line": self._qbo_lines(),
                    # new lines, new tax: QuickBooks computes it again (a TotalTax sent would be kept)
                    "TxnTaxDetail": {"TxnTaxCodeRef": {"value": self.rng.choice(["2", "3", "4"])}},
                },
                operation="update",
                sparse=True,
            )

    def qbo_void_invoice(self):
        doc = self._qbo_open_invoice(unpaid=True)
        if doc:
            self.sandbox.company.write("Invoice", {"Id": doc["Id"], "SyncToken": doc["SyncToken"]}, operation="void")

    def qbo_delete_invoice(self):
        doc = self._qbo_open_invoice(unpaid=True)
        if doc:
            self.sandbox.company.write("Invoice", {"Id": doc["Id"], "SyncToken": doc["SyncToken"]}, operation="delete")

    def qbo_create_payment(self):
        invoice = self._qbo_open_invoice()
        if not invoice:
            return
        balance = money(invoice["Balance"])
        amount = balance if self.rng.random() < 0.6 else (balance * Decimal("0.4")).quantize(CENT)
        if amount <= 0:
            return
        self.sandbox.company.write(
            "Payment",
            {
                "CustomerRef": invoice["CustomerRef"],
                "TotalAmt": amount,
                "TxnDate": date.today().isoformat(),
                "CurrencyRef": invoice["CurrencyRef"],
                "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
                **({"ExchangeRate": invoice["ExchangeRate"]} if invoice.get("ExchangeRate") else {}),
            },
        )
