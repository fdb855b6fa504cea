"""Record by record: a sample of the records synchronised last, read again from the provider
and compared field by field (amounts, dates, partner, lines, taxes), and the links whose Odoo
record was deleted while the provider still has it."""

import logging

from odoo import models

from ...lib import errors
from .figures import CENT, dec, text

_logger = logging.getLogger(__name__)

#: the kinds compared record by record, and the Odoo models they are
DOCUMENT_KINDS = {"invoice": "account.move", "payment": "account.payment"}


class ConnectorReconciliation(models.Model):
    _inherit = "connector.reconciliation"

    def _partner_of_party(self, party):
        if not party:
            return self.env["res.partner"]
        found = self.env["connector.binding"].sudo()._find_record(self.backend_id, "party", party)
        return found.commercial_partner_id if found else self.env["res.partner"]

    def _mapped_account(self, external_id):
        if not external_id:
            return self.env["account.account"]
        row = (
            self.env["connector.account.mapping"]
            .sudo()
            .search([("backend_id", "=", self.backend_id.id), ("external_id", "=", str(external_id))], limit=1)
        )
        return row.account_id

    def _fields_of(self, kind, record):
        """What is compared, Odoo's side: {field label: value as text}, the partner and the accounts."""
        if kind == "invoice":
            move = record
            figures = {
                "date": str(move.invoice_date or move.date),
                "total": text(dec(move.amount_total)),
                "taxes": text(dec(move.amount_tax)),
                "lines": text(dec(move.amount_untaxed)),
            }
            return figures, move.commercial_partner_id, move.line_ids.account_id
        payment = record
        figures = {"date": str(payment.date), "amount": text(dec(payment.amount))}
        accounts = payment.move_id.line_ids.account_id | payment.journal_id.default_account_id
        return figures, payment.partner_id.commercial_partner_id, accounts

    def _remote_fields(self, kind, remote):
        if kind == "invoice":
            total, tax = dec(remote.get("amount_total")), dec(remote.get("amount_tax"))
            untaxed = remote.get("amount_untaxed")
            return {
                "date": str(remote.get("date")),
                "total": text(total),
                "taxes": text(tax),
                "lines": text(dec(untaxed) if untaxed is not None else total - tax),
            }
        return {"date": str(remote.get("date")), "amount": text(dec(remote.get("amount")))}

    def _read_remote(self, adapter, kind, external_id):
        try:
            remote = adapter.read(kind, external_id)
        except errors.NotFoundError:
            return None
        if remote.get("deleted") or remote.get("state") == "void":
            return None
        return remote

    def _record_lines(self, adapter):
        """([line values], how many sampled records agree)."""
        backend = self.backend_id
        Binding = self.env["connector.binding"].sudo()
        lines, agreed = [], 0
        for kind, model in DOCUMENT_KINDS.items():
            bindings = Binding.search(
                [("backend_id", "=", backend.id), ("external_type", "=", kind), ("res_model", "=", model)],
                order="last_sync_at desc, id desc",
            )
            existing = set(self.env[model].sudo().browse(bindings.mapped("res_id")).exists().ids)
            gone = bindings.filtered(lambda b, e=existing: b.res_id not in e)
            sample = bindings.filtered(lambda b, e=existing: b.res_id in e)[: backend.books_sample_size]
            for binding in gone:
                vals = self._deleted_in_odoo(adapter, kind, binding)
                if vals:
                    lines.append(vals)
            for binding in sample:
                vals = self._sample_line(adapter, kind, binding)
                if vals:
                    lines.append(vals)
                else:
                    agreed += 1
        return lines, agreed

    def _sample_line(self, adapter, kind, binding):
        """A line when the record differs from the provider's, else None (a sampled record that
        agrees is counted, not listed)."""
        record = self.env[binding.res_model].sudo().browse(binding.res_id)
        remote = self._read_remote(adapter, kind, binding.external_id)
        mine, partner, accounts = self._fields_of(kind, record)
        base = {
            "line_type": "record",
            "kind": kind,
            "label": record.display_name,
            "res_model": binding.res_model,
            "res_id": binding.res_id,
            "external_id": binding.external_id,
            "partner_id": partner.id,
            "account_ids": [(6, 0, accounts.ids)],
            "account_id": self._main_account(kind, record, accounts).id,
        }
        if remote is None:
            return dict(
                base,
                odoo_value=text(dec(mine.get("total") or mine.get("amount"))),
                remote_value=self.env._("deleted or voided"),
                status="unexplained",
            )
        theirs = self._remote_fields(kind, remote)
        remote_partner = self._partner_of_party(remote.get("partner"))
        if remote_partner and remote_partner != partner:
            mine["partner"], theirs["partner"] = partner.display_name, remote_partner.display_name
        differing = [name for name in theirs if mine.get(name) != theirs[name]]
        if kind == "invoice" and "total" not in differing and abs(dec(mine["taxes"]) - dec(theirs["taxes"])) <= CENT:
            # the one-cent tax rounding the connector books on the rounding account: the total agrees
            differing = [name for name in differing if name not in ("taxes", "lines")]
        if not differing:
            return None
        amount_field = "total" if kind == "invoice" else "amount"
        return dict(
            base,
            odoo_value="; ".join(f"{name} {mine.get(name)}" for name in differing),
            remote_value="; ".join(f"{name} {theirs[name]}" for name in differing),
            difference=float(dec(theirs[amount_field]) - dec(mine[amount_field])),
            status="unexplained",
        )

    def _main_account(self, kind, record, accounts):
        """The receivable or payable account the record moves (the line a person looks at first)."""
        wanted = ("asset_receivable", "liability_payable")
        return accounts.filtered(lambda a: a.account_type in wanted)[:1] or accounts[:1]

    def _deleted_in_odoo(self, adapter, kind, binding):
        remote = self._read_remote(adapter, kind, binding.external_id)
        if remote is None:
            return None  # gone on both sides: nothing differs
        partner = self._partner_of_party(remote.get("partner"))
        receivable = remote.get("payment_type", "inbound") == "inbound" and kind == "payment"
        party_account = partner.property_account_receivable_id if receivable else partner.property_account_payable_id
        if kind == "invoice":
            party_account = (
                partner.property_account_receivable_id
                if str(remote.get("move_type", "out_invoice")).startswith("out")
                else partner.property_account_payable_id
            )
        deposit = self._mapped_account(remote.get("deposit_account"))
        amount = dec(remote.get("amount") if kind == "payment" else remote.get("amount_total"))
        return {
            "line_type": "record",
            "kind": kind,
            "label": self.env._(
                "%(ref)s (deleted in Odoo)", ref=remote.get("reference") or remote.get("number") or binding.external_id
            ),
            "res_model": binding.res_model,
            "res_id": binding.res_id,
            "external_id": binding.external_id,
            "partner_id": partner.id,
            "account_id": party_account.id,
            "account_ids": [(6, 0, (party_account | deposit).ids)],
            "odoo_value": self.env._("deleted"),
            "remote_value": text(amount),
            "difference": float(amount),
            "status": "unexplained",
        }
