"""How the Wave adapter reads changes: Wave has no change feed and no webhooks.

* Customers, products and invoices: ``modifiedAtAfter <cursor>`` sorted ``MODIFIED_AT_ASC``,
  paged by key (each next page starts after the last ``modifiedAt`` read, less a millisecond,
  skipping the ids already read): a record changed while the list is read moves to its end
  instead of shifting an unread one out of the page being read.
* Vendors and sales taxes have the window but no sort: the window is read whole and sorted.
* Products and sales taxes are read archived and not archived (Wave lists one or the other).
* Accounts have no window: they are read whole, and the cursor is the sum of their
  ``sequence`` (Wave increments an account's sequence on every change; accounts are never
  deleted): the same sum, nothing changed.
* Invoice payments have no list: they are read through the invoices changed in the window
  (a payment made, changed or deleted changes its invoice), ten invoices a request.

The cursor is the ``modifiedAt`` of the last record read, as Wave wrote it; a poll starts
``overlap`` before it, so that a change committed late in the same instant is not missed
(the engine skips what it has already seen). A first import (a start date) reads the lists
whole and the invoices dated from that day.
"""

import heapq
from datetime import timedelta

from odoo.addons.connector_base.lib import canonical, errors

from . import mappers
from .client import money, parse_datetime, wave_datetime
from .queries import PAYMENT_BATCH

ONE_MS = timedelta(milliseconds=1)
ACCOUNT_POSITION = "sequence:"


def _modified(node):
    return parse_datetime(node["modifiedAt"])


def _tagged(nodes, number, mapper):
    """(moment, stream number, node, mapper) of each node: what merging streams by moment needs."""
    for node in nodes:
        yield _modified(node), number, node, mapper


class WaveReading:
    """The reading half of ``WaveAdapter`` (``self.client``, ``self.overlap``)."""

    def _since(self, since):
        """(modifiedAt lower bound or None, first invoice date or None) of a ``since``."""
        if not since or since.startswith(ACCOUNT_POSITION):
            return None, None
        if len(since) == 10:
            return None, since
        return parse_datetime(since) - self.overlap, None

    # ------------------------------------------------------------------ lists
    def _window(self, name, field, after, **variables):
        """Nodes changed after ``after`` (None: all), oldest first, paged by key."""
        bound, page, seen = after, 1, set()
        while True:
            nodes, info = self.client.page(
                name,
                field,
                page=page,
                sort=["MODIFIED_AT_ASC"],
                modifiedAtAfter=wave_datetime(bound) if bound else None,
                **variables,
            )
            for node in nodes:
                if node["id"] not in seen:
                    yield node
            if len(nodes) < self.client.page_size or info.get("currentPage", page) >= (info.get("totalPages") or 1):
                return
            last = _modified(nodes[-1])
            if bound is not None and last - ONE_MS <= bound:  # a whole page changed in one millisecond
                page += 1
                seen |= {node["id"] for node in nodes}
            else:
                bound, page = last - ONE_MS, 1
                seen = {node["id"] for node in nodes if _modified(node) >= last}

    def _unsorted_window(self, name, field, after, **variables):
        """A list without a sort: the window read whole, oldest first."""
        bound = wave_datetime(after) if after else None
        nodes = list(self.client.all_pages(name, field, modifiedAtAfter=bound, **variables))
        return sorted(nodes, key=_modified)

    def _both_archived(self, reader, name, field, after):
        return [reader(name, field, after, isArchived=False), reader(name, field, after, isArchived=True)]

    def _streams(self, kind, after, start):
        """[(nodes oldest first, mapper)] of a kind."""
        if kind == "party":
            return [
                (self._window("Customers", "customers", after), mappers.customer_to_canonical),
                (self._unsorted_window("Vendors", "vendors", after), mappers.vendor_to_canonical),
            ]
        if kind == "product":
            streams = self._both_archived(self._window, "Products", "products", after)
            return [(stream, mappers.product_to_canonical) for stream in streams]
        if kind == "tax":
            streams = self._both_archived(self._unsorted_window, "SalesTaxes", "salesTaxes", after)
            return [(stream, mappers.tax_to_canonical) for stream in streams]
        if kind == "invoice":
            return [(self._window("Invoices", "invoices", after, invoiceDateStart=start), mappers.invoice_to_canonical)]
        raise errors.PayloadValidationError(f"Wave has no {kind} records to read")

    # ------------------------------------------------------------------ changes
    def changes(self, kind, since=None):
        """(canonical record, position) of what changed after ``since``, oldest first."""
        for record, position in self._changes(kind, since):
            yield self._canonical(kind, record), position

    def _canonical(self, kind, record):
        """The record as the engine takes it: with ``known_fields_only``, without the fields
        connector_base's canonical schema of ``kind`` does not define (yet): a sales tax's
        rates by date and its recoverable and compound flags, say. Odoo keeps what it can."""
        if not self.known_fields_only:
            return record
        known = canonical.validator(kind).schema["properties"]
        return {key: value for key, value in record.items() if key in known}

    def _changes(self, kind, since):
        if kind == "account":
            yield from self._account_changes(since)
            return
        if kind == "journal_entry":
            return  # money transactions cannot be read back from Wave
        after, start = self._since(since)
        if kind == "payment":
            yield from self._payment_changes(after, start)
            return
        streams = [_tagged(nodes, n, mapper) for n, (nodes, mapper) in enumerate(self._streams(kind, after, start))]
        for _moment, _n, node, mapper in heapq.merge(*streams, key=lambda item: item[:2]):
            yield mapper(node), node["modifiedAt"]

    def _accounts(self):
        nodes = []
        for archived in (False, True):
            nodes += self.client.all_pages("Accounts", "accounts", isArchived=archived)
        return nodes

    def _account_changes(self, since):
        nodes = self._accounts()
        position = f"{ACCOUNT_POSITION}{sum(int(node.get('sequence') or 0) for node in nodes):015d}"
        if since == position:
            return  # no account changed since the last full read
        for node in nodes:
            yield mappers.account_to_canonical(node), position

    def _payment_changes(self, after, start):
        batch = []
        for invoice in self._window("InvoiceHeads", "invoices", after, invoiceDateStart=start):
            if invoice.get("status") == "DRAFT" or not money(invoice.get("amountPaid")):
                continue
            batch.append(invoice)
            if len(batch) == PAYMENT_BATCH:
                yield from self._payments_of(batch, after)
                batch = []
        if batch:
            yield from self._payments_of(batch, after)

    def invoice_payments(self, invoice_ids):
        """{invoice id: (invoice, [payments])} of up to ``PAYMENT_BATCH`` invoices; a deleted one is left out."""
        padded = list(invoice_ids) + [invoice_ids[-1]] * (PAYMENT_BATCH - len(invoice_ids))
        variables = {f"i{n}": invoice_id for n, invoice_id in enumerate(padded)}
        data, _missing = self.client.execute(
            "InvoicePayments", {"businessId": self.client.business_id, **variables}, allow=("NOT_FOUND",)
        )
        business = data.get("business")
        if business is None:
            raise errors.AuthError(f"Wave business {self.client.business_id} is out of this token's reach")
        found = {}
        for n, invoice_id in enumerate(invoice_ids):
            invoice = business.get(f"i{n}")
            if invoice:
                found[invoice_id] = (invoice, invoice.get("payments") or [])
        return found

    def _payments_of(self, invoices, after):
        found = self.invoice_payments([invoice["id"] for invoice in invoices])
        for head in invoices:
            _invoice, payments = found.get(head["id"], (None, []))
            for payment in payments:
                if after is None or _modified(payment) > after:
                    yield mappers.payment_to_canonical(payment), head["modifiedAt"]

    # ------------------------------------------------------------------ counts, ids, balances
    def count(self, kind, since=None):
        """How many records ``changes(kind, since)`` reads (one request for every kind); None for payments."""
        if kind in ("payment", "journal_entry"):
            return None
        after, start = self._since(since)
        key = (after, start)
        if key not in self._counts:
            self._counts[key] = self.client.query(
                "Counts",
                one=1,
                modifiedAtAfter=wave_datetime(after) if after else None,
                invoiceDateStart=start,
                no=False,
                yes=True,
            )
        block = self._counts[key]
        fields = {
            "party": ("customers", "vendors"),
            "product": ("products", "archivedProducts"),
            "tax": ("salesTaxes", "archivedSalesTaxes"),
            "account": ("accounts", "archivedAccounts"),
            "invoice": ("invoices",),
        }[kind]
        return sum(int(((block.get(field) or {}).get("pageInfo") or {}).get("totalCount") or 0) for field in fields)

    def remote_ids(self, kind):
        """Every id Wave has of a kind that can be deleted there (customers, invoices, payments):
        what the nightly sweep compares the bindings with. Vendors are listed with customers.
        None for the kinds Wave never deletes (it archives them, and the polls read that)."""
        if kind == "party":
            customers = self.client.all_pages("Customers", "customers", sort=["CREATED_AT_ASC"])
            vendors = self.client.all_pages("Vendors", "vendors")
            return {node["id"] for node in customers} | {node["id"] for node in vendors}
        if kind == "invoice":
            return {node["id"] for node in self.client.all_pages("InvoiceHeads", "invoices", sort=["CREATED_AT_ASC"])}
        if kind == "payment":
            return {record["external_id"] for record, _position in self._payment_changes(None, None)}
        return None

    def account_balances(self):
        """{account id: balance in the business currency} as Wave reports it (the books-agree check)."""
        return {
            node["id"]: money(node.get("balanceInBusinessCurrency") or node.get("balance") or 0)
            for node in self._accounts()
        }

    def open_amounts(self):
        """{customer id: {"outstanding": amount, "overdue": amount}}: what each customer owes in Wave."""
        customers = self.client.all_pages("Customers", "customers", sort=["CREATED_AT_ASC"])
        return {
            node["id"]: {"outstanding": money(node["outstandingAmount"]), "overdue": money(node["overdueAmount"])}
            for node in customers
        }
