"""What the books-agree check asks QuickBooks (``ProviderAdapter.balances`` and ``open_items``),
from its Reports API, and what QuickBooks' API allows per kind (``CAPABILITIES``).

- ``balances(since)``: the TrialBalance report from ``since`` to today, one row per account
  with a Debit or a Credit column (the period's movements: ``balance_basis = "period"``);
- ``open_items()``: the CustomerBalance and VendorBalance reports, each party's open balance.
"""

from decimal import Decimal

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.provider import can


def _can(read=True, incremental=True, push=True, **allowed):
    """QuickBooks reads every kind, finds changes by CDC and announces them by webhooks."""
    return can(read=read, incremental=incremental, push=push, **allowed)


#: per canonical kind: CDC and queries by LastUpdatedTime find every change, webhooks announce them
CAPABILITIES = {
    "account": _can(note="The chart of accounts is read; accounts are created and changed in QuickBooks."),
    "tax": _can(
        note="Tax codes and rates are read-only in QuickBooks' API (a new rate is made through TaxService, "
        "not by the connector)."
    ),
    "party/customer": _can(create=True, update=True, delete=True, note="Deleting one makes it inactive."),
    "party/vendor": _can(create=True, update=True, delete=True, note="Deleting one makes it inactive."),
    "product": _can(create=True, update=True, delete=True, note="Items; deleting one makes it inactive."),
    "invoice": _can(
        create=True,
        update=True,
        delete=True,
        note="Invoices, credit memos, bills and vendor " "credits; deleting one voids it.",
    ),
    "payment": _can(
        create=True, update=True, delete=True, note="Payments and bill payments; deleting one " "voids it."
    ),
    "journal_entry": _can(create=True, update=True, delete=True),
}


def _money(text):
    try:
        return Decimal(str(text).replace(",", "")) if text not in (None, "") else Decimal(0)
    except ArithmeticError:
        raise errors.PayloadValidationError(f"QuickBooks report amount {text!r} is not a number") from None


def report_rows(report):
    """(id, [values]) of each data row of a report, sections flattened, summaries left out."""

    def walk(rows):
        for row in (rows or {}).get("Row") or []:
            if row.get("Rows"):
                yield from walk(row["Rows"])
            cells = row.get("ColData")
            if cells and cells[0].get("id"):
                yield str(cells[0]["id"]), [cell.get("value") for cell in cells[1:]]

    return list(walk(report.get("Rows")))


class QuickBooksFigures:
    provider_name = "QuickBooks"
    capabilities = CAPABILITIES
    balance_basis = "period"

    def _today(self):
        return self._clock().date().isoformat()

    def balances(self, since=None):
        report = self.client.report(
            "TrialBalance", start_date=since, end_date=self._today(), accounting_method="Accrual"
        )
        return {account: _money(debit) - _money(credit) for account, (debit, credit, *_rest) in report_rows(report)}

    def open_items(self):
        result = {}
        for entity, side in (("Customer", "receivable"), ("Vendor", "payable")):
            report = self.client.report(f"{entity}Balance", report_date=self._today(), accounting_method="Accrual")
            for party, values in report_rows(report):
                figures = result.setdefault(f"{entity}/{party}", {"receivable": Decimal(0), "payable": Decimal(0)})
                figures[side] = _money(values[-1])
        return result
