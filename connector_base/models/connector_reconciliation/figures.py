"""The figures of a check: counts per kind, each partner's open receivable and payable, each
mapped account's balance, on both sides. A figure the provider's API cannot give is a line
"not available from <provider>", never a zero."""

from decimal import Decimal

from odoo import fields, models

from ...lib.money import quantize, to_decimal
from ...lib.provider import KINDS_IN_ORDER
from ..connector_labels import KIND_WORDS

ZERO = Decimal(0)
CENT = Decimal("0.01")
SIDES = {"receivable": "asset_receivable", "payable": "liability_payable"}


def dec(value):
    return quantize(to_decimal(value)) if value is not None else ZERO


def text(value):
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


class ConnectorReconciliation(models.Model):
    _inherit = "connector.reconciliation"

    def _unavailable_text(self):
        return self.env._("not available from %(provider)s", provider=self.backend_id.provider_label)

    def _unavailable_line(self, line_type, label):
        return {
            "line_type": line_type,
            "label": label,
            "remote_value": self._unavailable_text(),
            "status": "unavailable",
        }

    def _compare(self, vals, odoo, remote, tolerance=ZERO):
        """A line's values and first verdict: agree within the tolerance, else unexplained."""
        difference = remote - odoo
        vals.update(
            odoo_value=text(odoo),
            remote_value=text(remote),
            difference=float(difference),
            tolerance=float(tolerance),
            status="agree" if abs(difference) <= tolerance else "unexplained",
        )
        return vals

    # ------------------------------------------------------------------ counts
    def _odoo_records(self, kind):
        """{res_model: existing records} bound to the connection for ``kind``."""
        rows = (
            self.env["connector.binding"]
            .sudo()
            ._read_group(
                [("backend_id", "=", self.backend_id.id), ("external_type", "=", kind)],
                ["res_model"],
                ["res_id:array_agg"],
            )
        )
        return {
            model: self.env[model].sudo().with_context(active_test=False).browse(set(ids)).exists()
            for model, ids in rows
            if model in self.env
        }

    def _count_lines(self, adapter, since):
        backend = self.backend_id
        lines = []
        for kind in KINDS_IN_ORDER:
            if backend._direction(kind) == "off":
                continue
            label = self.env._("Records: %(kind)s", kind=self.env._(KIND_WORDS[kind]))
            vals = {"line_type": "count", "kind": kind, "label": label}
            remote = adapter.count(kind, since=since)
            odoo = sum(len(records) for records in self._odoo_records(kind).values())
            if remote is None:
                vals.update(odoo_value=str(odoo), remote_value=self._unavailable_text(), status="unavailable")
            else:
                self._compare(vals, odoo, int(remote))
                vals.update(odoo_value=str(odoo), remote_value=str(remote))
            lines.append(vals)
        return lines

    # ------------------------------------------------------------------ partners
    def _party_partners(self):
        """{external id of a party: commercial partner} of the connection's links."""
        bindings = (
            self.env["connector.binding"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", self.backend_id.id),
                    ("external_type", "=", "party"),
                    ("res_model", "=", "res.partner"),
                ]
            )
        )
        partners = self.env["res.partner"].sudo().with_context(active_test=False).browse(bindings.mapped("res_id"))
        existing = {p.id: p.commercial_partner_id for p in partners.exists()}
        return {b.external_id: existing[b.res_id] for b in bindings if b.res_id in existing}

    def _odoo_open_items(self, partners, before=None):
        """{(commercial partner id, side): open amount} of posted items, positive as the provider says it."""
        found = {}
        for side, account_type in SIDES.items():
            domain = [
                ("company_id", "=", self.company_id.id),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", account_type),
                ("reconciled", "=", False),
                ("partner_id", "child_of", partners.ids),
            ]
            if before:
                domain.append(("date", "<", before))
            rows = self.env["account.move.line"].sudo()._read_group(domain, ["partner_id"], ["amount_residual:sum"])
            for partner, residual in rows:
                key = (partner.commercial_partner_id.id, side)
                amount = dec(residual) * (1 if side == "receivable" else -1)
                found[key] = found.get(key, ZERO) + amount
        return found

    def _partner_lines(self, adapter):
        items = adapter.figure("open_items")
        if items is None:
            return [self._unavailable_line("partner", self.env._("Partners' open receivables and payables"))]
        by_party = self._party_partners()
        partners = self.env["res.partner"].browse({p.id for p in by_party.values()})
        remote, unbound = {}, []
        for party, figures in items.items():
            partner = by_party.get(str(party))
            for side in SIDES:
                amount = figures.get(side)
                if partner is None:
                    if amount:
                        unbound.append((party, side, dec(amount)))
                    continue
                key = (partner.id, side)
                if amount is None:
                    remote[key] = None
                elif remote.get(key, ZERO) is not None:
                    remote[key] = remote.get(key, ZERO) + dec(amount)
        odoo = self._odoo_open_items(partners) if partners else {}
        lines = []
        for partner_id, side in sorted(set(remote) | set(odoo)):
            partner = self.env["res.partner"].browse(partner_id)
            side_label = self.env._("receivable") if side == "receivable" else self.env._("payable")
            vals = {"line_type": "partner", "kind": side, "partner_id": partner_id}
            vals["label"] = f"{partner.display_name}: {side_label}"
            mine, theirs = odoo.get((partner_id, side), ZERO), remote.get((partner_id, side), ZERO)
            if theirs is None:
                vals.update(odoo_value=text(mine), remote_value=self._unavailable_text(), status="unavailable")
            elif mine or theirs:
                self._compare(vals, mine, theirs)
            else:
                continue
            lines.append(vals)
        for party, side, amount in unbound:
            vals = {"line_type": "partner", "kind": side, "external_id": str(party), "label": f"{party}: {side}"}
            lines.append(self._compare(vals, ZERO, amount))
        return lines

    # ------------------------------------------------------------------ accounts
    def _tolerance(self, account):
        backend = self.backend_id
        if account.internal_group in ("income", "expense"):
            return dec(backend.books_tolerance_pl)
        return dec(backend.books_tolerance_bs)

    def _odoo_balances(self, accounts, since):
        """{account id: balance}; a bank journal's account counts the payments still on its
        outstanding accounts, as the provider counts them in the bank's balance."""
        base = [("company_id", "=", self.company_id.id), ("parent_state", "=", "posted")]
        if since:
            base.append(("date", ">=", since))
        base.append(("date", "<=", fields.Date.context_today(self)))
        Line = self.env["account.move.line"].sudo()
        found = {
            account.id: dec(balance)
            for account, balance in Line._read_group(
                base + [("account_id", "in", accounts.ids)], ["account_id"], ["balance:sum"]
            )
        }
        journals = (
            self.env["account.journal"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("type", "in", ("bank", "cash")),
                    ("default_account_id", "in", accounts.ids),
                ]
            )
        )
        for journal in journals:
            outstanding = (
                journal.inbound_payment_method_line_ids.payment_account_id
                | journal.outbound_payment_method_line_ids.payment_account_id
            ) - accounts
            if not outstanding:
                continue
            domain = base + [("account_id", "in", outstanding.ids), ("journal_id", "=", journal.id)]
            for (balance,) in Line._read_group(domain, [], ["balance:sum"]):
                key = journal.default_account_id.id
                found[key] = found.get(key, ZERO) + dec(balance)
        return found

    def _account_lines(self, adapter, since):
        balances = adapter.figure("balances", since=since)
        if balances is None:
            return [self._unavailable_line("account", self.env._("Account balances"))]
        rows = self.env["connector.account.mapping"].sudo().search([("backend_id", "=", self.backend_id.id)])
        mapped = {row.external_id: row.account_id for row in rows if row.account_id}
        remote, lines = {}, []
        for external_id, amount in balances.items():
            account = mapped.get(str(external_id))
            if account is None:
                if amount:
                    row = rows.filtered(lambda r, e=str(external_id): r.external_id == e)[:1]
                    vals = {
                        "line_type": "account",
                        "external_id": str(external_id),
                        "label": row.external_name or str(external_id),
                        "remote_value": text(dec(amount)),
                        "status": "explained",
                        "explanation": self.env._("not mapped to an Odoo account"),
                    }
                    lines.append(vals)
                continue
            remote[account.id] = remote.get(account.id, ZERO) + dec(amount)
        accounts = self.env["account.account"].browse(set(remote) | {a.id for a in mapped.values()})
        basis_since = since if adapter.balance_basis == "period" else None
        odoo = self._odoo_balances(accounts, basis_since) if accounts else {}
        rounding = self.backend_id.rounding_account_id
        rounded = self._odoo_balances(rounding, basis_since).get(rounding.id, ZERO) if rounding else ZERO
        for account in accounts:
            mine, theirs = odoo.get(account.id, ZERO), remote.get(account.id, ZERO)
            if not (mine or theirs):
                continue
            vals = {"line_type": "account", "account_id": account.id, "label": account.display_name}
            self._compare(vals, mine, theirs, self._tolerance(account))
            if vals["status"] != "agree" and rounded and abs(theirs - mine) <= abs(rounded):
                # the provider rounds tax per document where Odoo rounds otherwise: the cents Odoo
                # booked on the connection's rounding account make up the difference
                vals.update(
                    status="agree",
                    explanation=self.env._(
                        "within the tax rounding booked on %(account)s (%(amount)s)",
                        account=rounding.display_name,
                        amount=text(rounded),
                    ),
                )
            lines.append(vals)
        return lines
