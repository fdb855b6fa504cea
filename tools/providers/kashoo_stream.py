"""The chaos stream's changes made in Kashoo (a mix-in of the Kashoo plug-in): customers created
and changed, invoices created (some tax-included), saved back with new lines and removed,
payments recorded. Each goes through the sandbox's control API (what a person does in Kashoo's
own screens), so neither the request limit nor the fault switches stand in its way; a change
Kashoo refuses raises ``Refused``."""

from datetime import date, timedelta

PROVINCE_TAXES = {"BC": ["GST", "PST"], "ON": ["HST"], "QC": ["GST", "QST"]}
LINES = [("Consulting (hour)", 15000), ("Site visit", 25000), ("Support plan", 3995), ("Training session", 48050)]


class KashooStream:
    """Uses ``self.business``, ``self.control``, ``self.live_records``, ``self.kashoo_contacts``,
    ``self.kashoo_invoices`` of the plug-in, and the chaos run's generator, seed, ``paid_in_odoo``."""

    def stream_operations(self, chaos):
        self.rng, self.seed = chaos.rng, chaos.seed
        self.paid_in_odoo = chaos.paid_in_odoo
        return [
            ("kashoo: new customer", self.kashoo_create_customer, 2),
            ("kashoo: customer changed", self.kashoo_update_customer, 2),
            ("kashoo: new invoice", self.kashoo_create_invoice, 4),
            ("kashoo: invoice changed", self.kashoo_update_invoice, 2),
            ("kashoo: invoice removed", self.kashoo_remove_invoice, 2),
            ("kashoo: payment", self.kashoo_create_payment, 3),
        ]

    def kashoo_create_customer(self):
        n = len(self.kashoo_contacts)
        province = self.rng.choice(list(PROVINCE_TAXES))
        with self.sandbox.lock:
            contact = self.business.add_contact(
                {
                    "name": f"Chaos Customer K{n} {self.seed}",
                    "email": f"k{n}@chaos.example",
                    "address": {"line1": f"{n} Main St", "city": "Kamloops", "province": province, "country": "CA"},
                },
                ["customer"],
            )
        self.kashoo_contacts.append(contact["id"])

    def _customers(self):
        return [c for c in self.customers() if not str(c.get("name", "")).startswith("Chaos Odoo")]

    def kashoo_update_customer(self):
        contact = self.rng.choice(self._customers())
        self.control("change", contact=contact["id"], fields={"phone": f"+1 604 555 {self.rng.randint(1000, 9999)}"})

    def _lines(self, contact):
        province = ((contact.get("address") or {}).get("province")) or "BC"
        codes = PROVINCE_TAXES.get(province, ["GST"])
        return [
            {"description": text, "quantity": self.rng.randint(1, 4), "unitPrice": price, "taxes": codes}
            for text, price in (self.rng.choice(LINES) for _ in range(self.rng.randint(1, 3)))
        ]

    def kashoo_create_invoice(self):
        contact = self.rng.choice(self._customers())
        day = date.today() - timedelta(days=self.rng.randint(0, 20))
        fields = {
            "contact": contact["id"],
            "date": day.isoformat(),
            "lines": self._lines(contact),
            "taxIncluded": self.rng.random() < 0.25,
        }
        record = self.control("change", kind="invoice", fields=fields)
        self.kashoo_invoices.append(record["id"])

    def _open_invoice(self, unpaid=False):
        """A Kashoo-made invoice with a balance that Odoo does not pay (each side pays its own)."""
        choices = [
            r
            for r in self.live_records("INVOICE")
            if "odoo:" not in str(r.get("memo") or "")
            and str(r["id"]) not in self.paid_in_odoo
            and r["balanceDue"] > 0
            and (not unpaid or r["balanceDue"] == r["amount"])
        ]
        return self.rng.choice(choices) if choices else None

    def kashoo_update_invoice(self):
        record = self._open_invoice(unpaid=True)
        if record:
            contact = self.business.contacts.get(record["contact"]) or {}
            self.control("change", record=record["id"], fields={"lines": self._lines(contact)})

    def kashoo_remove_invoice(self):
        record = self._open_invoice(unpaid=True)
        if record:
            self.control("change", record=record["id"], removed=True)

    def kashoo_create_payment(self):
        record = self._open_invoice()
        if not record:
            return
        balance = record["balanceDue"]
        amount = balance if self.rng.random() < 0.6 else max(1, balance * 40 // 100)
        fields = {"date": date.today().isoformat(), "amount": amount, "invoiceRecordId": record["id"]}
        self.control("change", kind="invoicePayment", fields=fields)
