"""The chaos stream's changes made in Reckon One (a mix-in of the Reckon plug-in): customers
created and changed, invoices created (approved, a quarter tax-inclusive), changed (a line's
quantity, so the totals move) and deleted, receipts recorded. A change or a deletion takes a
Reckon-made invoice nothing is paid on, on either side (each side pays its own).

Each is made in-process through the sandbox's record types (``build``: Reckon's own rules and
totals), as Reckon One's own screens would make it: it passes neither the gateway's request limit
nor the fault switches, which stand between Reckon and the connector only. A change Reckon
refuses (its 400) raises ``Refused``."""

from datetime import date, timedelta
from decimal import Decimal

CITIES = [("Sydney", "NSW", "2000"), ("Melbourne", "VIC", "3000"), ("Brisbane", "QLD", "4000")]


class ReckonStream:
    """Uses ``self.business``, ``self.customers``, ``self.change_contact``, ``self.reckon_customers``,
    ``self.reckon_invoices`` of the plug-in, and the chaos run's generator, seed, ``paid_in_odoo``."""

    def stream_operations(self, chaos):
        self.rng, self.seed = chaos.rng, chaos.seed
        self.paid_in_odoo = chaos.paid_in_odoo
        return [
            ("reckon: new customer", self.reckon_create_customer, 2),
            ("reckon: customer changed", self.reckon_update_customer, 2),
            ("reckon: new invoice", self.reckon_create_invoice, 4),
            ("reckon: invoice changed", self.reckon_change_invoice, 2),
            ("reckon: invoice deleted", self.reckon_delete_invoice, 1),
            ("reckon: receipt", self.reckon_create_receipt, 3),
        ]

    def reckon_write(self, resource, table, body, status=None, old=None):
        """``body`` through the record type's rules into ``table`` (replacing ``old``, as Reckon's
        PUT does); Reckon's 400 raises Refused."""
        from tests.sandbox.reckon.store import ReckonError
        from tools.providers import Refused

        book = self.business
        with book.lock:
            try:
                doc = resource.build(book, body, old=old)
            except ReckonError as exc:
                raise Refused(str(exc.status), str(exc.body())[:300]) from exc
            if status:
                doc["status"] = status
            book.put(table, doc)
            if hasattr(resource, "after_write"):
                resource.after_write(book, doc, old)
        return doc

    def reckon_create_customer(self):
        from tests.sandbox.reckon.records import Customers

        n = len(self.reckon_customers)
        town, state, postcode = self.rng.choice(CITIES)
        body = {
            "name": f"Chaos Customer R{n} {self.seed} Pty Ltd",
            "status": "Active",
            "addresses": [
                {
                    "type": "Billing",
                    "line1": f"{n} George St",
                    "town": town,
                    "state": state,
                    "postcode": postcode,
                    "country": "Australia",
                }
            ],
        }
        self.reckon_customers.append(self.reckon_write(Customers(), "contacts", body)["id"])

    def _customers(self):
        return [c for c in self.customers() if not str(c.get("name", "")).startswith("Chaos Odoo")]

    def reckon_update_customer(self):
        customer = self.rng.choice(self._customers())
        self.change_contact(customer, notes=f"Called {self.rng.randint(1000, 9999)}")

    def reckon_create_invoice(self):
        from tests.sandbox.reckon.documents import Invoices

        items = self.business.snapshot("items")
        customer = self.rng.choice(self._customers())
        lines = []
        for number in range(1, self.rng.randint(1, 3) + 1):
            item = self.rng.choice(items)
            lines.append(
                {
                    "lineNumber": number,
                    "description": item["name"],
                    "itemDetails": {
                        "item": item["id"],
                        "quantity": self.rng.randint(1, 4),
                        "price": item["sale"]["price"],
                    },
                }
            )
        day = date.today() - timedelta(days=self.rng.randint(0, 20))
        body = {
            "customer": customer["id"],
            "invoiceDate": f"{day.isoformat()}T00:00:00Z",
            "amountTaxStatus": "Inclusive" if self.rng.random() < 0.25 else "Exclusive",
            "reference": f"CH-{self.seed}-{len(self.reckon_invoices)}",
            "lineItems": lines,
        }
        self.reckon_invoices.append(self.reckon_write(Invoices(), "invoices", body, status="Approved")["id"])

    def _unpaid_invoice(self):
        """An approved Reckon-made invoice with nothing paid on it in Reckon or in Odoo."""
        choices = [
            d
            for d in self.business.snapshot("invoices")
            if d.get("status") == "Approved"
            and not d.get("transactionLinks")
            and "odoo:" not in str(d.get("notes") or "")
            and str(d["id"]) not in self.paid_in_odoo
        ]
        return self.rng.choice(choices) if choices else None

    def reckon_change_invoice(self):
        """One more of the first line's quantity, as in Reckon's invoice screen (a full replace)."""
        from tests.sandbox.reckon.documents import Invoices

        doc = self._unpaid_invoice()
        if doc is None:
            return
        resource = Invoices()
        with self.business.lock:
            old = self.business.get("invoices", doc["id"])
            body = resource.to_input(self.business, old)
        line = body["lineItems"][0]
        if line.get("itemDetails"):
            line["itemDetails"]["quantity"] = Decimal(str(line["itemDetails"].get("quantity") or 1)) + 1
        else:  # an account line: its amount up by ten
            line["accountDetails"]["amount"] = Decimal(str(line["accountDetails"]["amount"])) + 10
        self.reckon_write(resource, "invoices", body, status=old["status"], old=old)

    def reckon_delete_invoice(self):
        """Deleted in Reckon: gone from its lists, no trace to read (the nightly sweep finds it)."""
        from tests.sandbox.reckon.documents import Invoices

        doc = self._unpaid_invoice()
        if doc is None:
            return
        with self.business.lock:
            Invoices().delete(self.business, self.business.get("invoices", doc["id"]))
        self.reckon_invoices[:] = [i for i in self.reckon_invoices if str(i) != str(doc["id"])]

    def reckon_create_receipt(self):
        """A receipt of an approved Reckon-made invoice Odoo does not pay: in full or 40%."""
        from tests.sandbox.reckon.receipts import Receipts

        choices = [
            d
            for d in self.business.snapshot("invoices")
            if d.get("status") == "Approved"
            and "odoo:" not in str(d.get("notes") or "")
            and str(d["id"]) not in self.paid_in_odoo
            and Decimal(str(d.get("balance") or 0)) > 0
        ]
        if not choices:
            return
        invoice = self.rng.choice(choices)
        balance = Decimal(str(invoice["balance"]))
        amount = balance if self.rng.random() < 0.6 else (balance * Decimal("0.4")).quantize(Decimal("0.01"))
        body = {
            "customer": invoice["customer"]["id"],
            "totalAmount": amount,
            "paymentMethod": "EFT",
            "receiptDate": f"{date.today().isoformat()}T00:00:00Z",
            "reference": f"CHR-{self.seed}-{invoice['invoiceNumber']}",
            "transactionLinks": [
                {"transactionId": invoice["id"], "transactionType": "Invoice", "transactionAmount": amount}
            ],
        }
        self.reckon_write(Receipts(), "receipts", body)
