"""The chaos stream's changes made in Wave (a mix-in of the Wave plug-in): customers created and
changed, invoices created (approved or draft), changed and deleted, payments recorded.

Each is a mutation of Wave's schema executed by the sandbox in-process, as Wave's own screens
would make it: it passes neither the request limit nor the fault switches, which stand between
Wave and the connector only. A change Wave refuses raises ``Refused`` with its code."""

import json
from datetime import date, timedelta
from decimal import Decimal

CENT = Decimal("0.01")
OUTCOME = "didSucceed inputErrors { path message code }"


class WaveStream:
    """Uses ``self.sandbox``, ``self.business``, ``self.wave_customers``, ``self.wave_invoices`` of
    the plug-in, and the chaos run's random generator, seed and ``paid_in_odoo``."""

    def stream_operations(self, chaos):
        self.rng, self.seed = chaos.rng, chaos.seed
        self.paid_in_odoo = chaos.paid_in_odoo
        return [
            ("wave: new customer", self.wave_create_customer, 2),
            ("wave: customer changed", self.wave_update_customer, 2),
            ("wave: new invoice", self.wave_create_invoice, 4),
            ("wave: invoice changed", self.wave_update_invoice, 2),
            ("wave: invoice deleted", self.wave_delete_invoice, 2),
            ("wave: payment", self.wave_create_payment, 3),
        ]

    def mutate(self, name, input_type, selection, /, **values):
        from tests.sandbox.wave import api
        from tools.providers import Refused

        query = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {OUTCOME} {selection} }} }}"
        body = json.dumps({"query": query, "variables": {"input": values}}).encode()
        status, answer, _kind = api.run(
            self.sandbox, self.sandbox.schema, body, {"business": None, "client": None, "scope": "*"}
        )
        if status != 200 or answer.get("errors"):
            raise RuntimeError(f"{name}: Wave's schema refused the change: {answer}")
        out = answer["data"][name]
        if not out["didSucceed"]:
            error = (out.get("inputErrors") or [{}])[0]
            raise Refused(error.get("code") or "INVALID", error.get("message") or name)
        return out

    def records(self, kind, predicate=lambda r: True):
        business = self.business
        with business.lock:
            return [r for r in business.records(kind) if predicate(r)]

    def ref(self, kind, record):
        return self.business.ref(kind, record["n"])

    # ---------------------------------------------------------------- customers
    def wave_create_customer(self):
        n = len(self.wave_customers)
        out = self.mutate(
            "customerCreate",
            "CustomerCreateInput",
            "customer { id }",
            businessId=self.business.id,
            name=f"Chaos Customer W{n} {self.seed}",
            email=f"w{n}@chaos.example",
            currency=self.business.currency(),
        )
        self.wave_customers.append(out["customer"]["id"])

    def _customers(self):
        """Wave's own customers in the business's currency (not those Odoo sent)."""
        currency = self.business.currency()
        return self.records(
            "Customer",
            lambda r: not str(r.get("name", "")).startswith("Chaos Odoo")
            and not str(r.get("displayId") or "").startswith("odoo:")
            and (r.get("currency") or currency) == currency,
        )

    def wave_update_customer(self):
        record = self.rng.choice(self._customers())
        self.mutate(
            "customerPatch",
            "CustomerPatchInput",
            "customer { id }",
            id=self.ref("Customer", record),
            internalNotes=f"changed {self.rng.random():.6f}",
        )

    # ---------------------------------------------------------------- invoices
    def _items(self):
        products = self.records("Product", lambda r: not r.get("isArchived") and r.get("incomeAccount"))
        taxes = self.records("SalesTax", lambda r: not r.get("isArchived"))
        items = []
        for _ in range(self.rng.randint(1, 3)):
            product = self.rng.choice(products)
            chosen = self.rng.choice([[], taxes[:1], taxes[:2], taxes])  # the compound one comes with the others
            items.append(
                {
                    "productId": self.ref("Product", product),
                    "quantity": str(self.rng.randint(1, 9)),
                    "unitPrice": str(Decimal(self.rng.randint(199, 19999)) / 100),
                    "taxes": [{"salesTaxId": self.ref("SalesTax", tax)} for tax in chosen],
                }
            )
        return items

    def wave_create_invoice(self):
        customer = self.rng.choice(self._customers())
        day = date.today() - timedelta(days=self.rng.randint(0, 20))
        out = self.mutate(
            "invoiceCreate",
            "InvoiceCreateInput",
            "invoice { id }",
            businessId=self.business.id,
            customerId=self.ref("Customer", customer),
            status=self.rng.choice(["SAVED", "SAVED", "SAVED", "DRAFT"]),
            invoiceDate=day.isoformat(),
            dueDate=(day + timedelta(days=30)).isoformat(),
            items=self._items(),
        )
        self.wave_invoices.append(out["invoice"]["id"])

    def _open_invoice(self, unpaid=False):
        """A Wave-made approved invoice in the business's currency that Odoo does not pay (each
        side pays its own)."""
        from tests.sandbox.wave import totals

        business = self.business
        currency = business.currency()
        with business.lock:
            choices = []
            for record in business.records("Invoice"):
                wire_id = business.ref("Invoice", record["n"])
                if (
                    record["status"] == "DRAFT"
                    or record["currency"] != currency
                    or "odoo:" in str(record.get("memo") or "")
                    or wire_id in self.paid_in_odoo
                ):
                    continue
                figures = totals.compute(business, record)
                due = figures["amountDue"]
                if due > 0 and (not unpaid or due == figures["total"]):
                    choices.append((record, due))
        return self.rng.choice(choices) if choices else (None, None)

    def wave_update_invoice(self):
        record, _due = self._open_invoice(unpaid=True)  # new items replace all: not under a payment
        if record:
            self.mutate(
                "invoicePatch",
                "InvoicePatchInput",
                "invoice { id }",
                id=self.ref("Invoice", record),
                items=self._items(),
            )

    def wave_delete_invoice(self):
        record, _due = self._open_invoice(unpaid=True)
        if record:
            self.mutate("invoiceDelete", "InvoiceDeleteInput", "", invoiceId=self.ref("Invoice", record))

    def wave_create_payment(self):
        record, due = self._open_invoice()
        if not record:
            return
        amount = due if self.rng.random() < 0.6 else (due * Decimal("0.4")).quantize(CENT)
        if amount <= 0:
            return
        bank = self.business.account_by_subtype("CASH_AND_BANK")
        self.mutate(
            "invoicePaymentCreateManual",
            "InvoicePaymentCreateManualInput",
            "invoicePayment { id }",
            invoiceId=self.ref("Invoice", record),
            paymentAccountId=self.business.ref("Account", bank["n"]),
            amount=str(amount),
            paymentDate=date.today().isoformat(),
            paymentMethod=self.rng.choice(["BANK_TRANSFER", "CHEQUE", "CASH"]),
            exchangeRate="1",
        )
