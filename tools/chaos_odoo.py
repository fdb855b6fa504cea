"""The chaos stream's changes made in Odoo, whatever the provider: customers, invoices, payments
of its own invoices and of imported ones, and cancellations of its own unpaid invoices and of
its payments, voided (or deleted) at the provider (a mix-in of tools/chaos_core.Chaos)."""

from datetime import date
from decimal import Decimal

CENT = Decimal("0.01")


class ChaosOdooSide:
    def odoo_operations(self):
        return [
            ("odoo: new invoice", self.odoo_create_invoice, 4),
            ("odoo: customer changed", self.odoo_update_partner, 1),
            ("odoo: payment of its invoice", self.odoo_pay_own_invoice, 2),
            ("odoo: payment of an imported invoice", self.odoo_pay_imported_invoice, 2),
            ("odoo: invoice cancelled", self.odoo_cancel_invoice, 1),
            ("odoo: payment cancelled", self.odoo_cancel_payment, 1),
        ]

    def odoo_create_invoice(self):
        from odoo import Command

        env = self.env
        if not self.odoo_partners or self.rng.random() < 0.4:
            n = len(self.odoo_partners)
            partner = env["res.partner"].create(
                {
                    "name": f"Chaos Odoo Customer {n} {self.seed}",
                    "email": f"o{n}@chaos.example",
                    "street": f"{n} Odoo Way",
                    "city": "San Jose",
                    "country_id": env.company.country_id.id,
                    "customer_rank": 1,
                }
            )
            self.odoo_partners.append(partner.id)
        else:
            partner = env["res.partner"].browse(self.rng.choice(self.odoo_partners))
        products = env["product.product"].search([("sale_ok", "=", True)], limit=20)
        sales_taxes = [tax for tax in self.taxes.values() if tax.type_tax_use == "sale"]
        move = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date.today().isoformat(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            **self.line_subject(products),
                            "quantity": self.rng.randint(1, 5),
                            "price_unit": self.rng.randint(1000, 50000) / 100,
                            "tax_ids": [Command.set(self.rng.choice(sales_taxes).ids)],
                        }
                    )
                    for _ in range(self.rng.randint(1, 3))
                ],
            }
        )
        move.action_post()
        self.odoo_invoices.append(move.id)

    def line_subject(self, products):
        """A line's product, or for a provider without products its description and income account."""
        if self.provider.products:
            return {"product_id": self.rng.choice(products).id}
        income = self.env["account.account"].search([("account_type", "=", "income")], limit=1)
        return {"name": "Consulting", "account_id": income.id}

    def odoo_update_partner(self):
        if not self.odoo_partners:
            return
        partner = self.env["res.partner"].browse(self.rng.choice(self.odoo_partners))
        partner.phone = f"+1 408 555 {self.rng.randint(1000, 9999)}"

    def _pay(self, move, share):
        residual = Decimal(str(move.amount_residual))
        amount = residual if share >= 1 else (residual * Decimal(str(share))).quantize(CENT)
        if amount <= 0:
            return
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"amount": float(amount), "payment_date": date.today().isoformat()})
        )
        payments = wizard._create_payments()
        self.odoo_payments.extend(payments.ids)

    def odoo_pay_own_invoice(self):
        moves = (
            self.env["account.move"]
            .browse(self.odoo_invoices)
            .filtered(lambda m: m.state == "posted" and m.amount_residual > 0)
        )
        if moves:
            self._pay(self.rng.choice(moves), self.rng.choice([1, 0.5]))

    def odoo_pay_imported_invoice(self):
        """An accountant records in Odoo a payment of an invoice that came from the provider;
        the provider's side then leaves that invoice alone (each side pays its own)."""
        bindings = list(
            self.env["connector.binding"].search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("external_type", "=", "invoice"),
                    ("last_direction", "=", "import"),
                ]
            )
        )
        self.rng.shuffle(bindings)
        paid_there = self.provider.paid_on_provider()
        for binding in bindings[:30]:
            doc_id = self.provider.doc_id(binding.external_id)
            move = self.env["account.move"].browse(binding.res_id)
            if (
                doc_id in paid_there
                or move.state != "posted"
                or move.amount_residual <= 0
                or move.currency_id != move.company_id.currency_id
            ):
                continue
            self.paid_in_odoo.add(doc_id)
            self._pay(move, 1)
            return

    def odoo_cancel_invoice(self):
        """An accountant cancels one of Odoo's own invoices that nothing has paid."""
        moves = (
            self.env["account.move"]
            .browse(self.odoo_invoices)
            .filtered(lambda m: m.state == "posted" and m.amount_residual == m.amount_total)
        )
        if moves:
            self.rng.choice(moves).button_cancel()

    def odoo_cancel_payment(self):
        payments = self.env["account.payment"].browse(self.odoo_payments).filtered(lambda p: p.state != "canceled")
        if payments:
            self.rng.choice(payments).action_cancel()
