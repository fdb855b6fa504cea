"""Reading a Reckon book: changes since a cursor, counts, reference lists, balances.

Reckon has no webhooks and no change feed. Where a record type has ``lastModifiedDateTime``
(contacts, items, ledger accounts, tax groups, supplier payments, bills, journals) the
changes are the records stamped after the cursor (less ``overlap``: Reckon's clock and ours,
and a change committed late, are covered by reading a little again). Invoices, credit notes
and receipts have no such stamp: each poll reads their last ``window`` of document dates
again (the engine skips an unchanged record on its hash); older ones come back in the
nightly sweep. A cursor ``since`` is ``None`` (everything), a date (a first import: lists in
full, documents dated from it) or a position these records gave (a UTC moment).
"""

import logging
from datetime import UTC, date, datetime

from odoo.addons.connector_base.lib import errors

from . import mappers
from .client import all_of, where
from .faults import PermissionDeniedError, ReckonValidationError

_logger = logging.getLogger(__name__)
#: tables read again by a window of dates rather than by stamp
WINDOWED = ("invoices", "creditnotes", "receipts")


def position(moment):
    """A cursor position: a UTC moment, to the millisecond, in one format (compared as text)."""
    if isinstance(moment, str):
        moment = parse_moment(moment)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_moment(text):
    moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00")[:32])
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ReckonReading:
    """Mixed into ReckonAdapter."""

    def _mode(self, since):
        """``("all", None)``, ``("from", date)`` or ``("since", moment less the overlap)``."""
        if not since:
            return "all", None
        if len(str(since)) <= 10:
            return "from", date.fromisoformat(str(since))
        return "since", parse_moment(since) - self.overlap

    def _docs(self, table, mode, value):
        """The documents of ``table`` that a read ``since`` covers, as Reckon answers them."""
        key = mappers.ID_FIELDS.get(table, "id")
        date_field = mappers.DATE_FIELDS.get(table)
        if table == "taxrates":
            return self.client.tax_rates(self._clock().date())
        if table == "taxgroups":
            return self.client.tax_groups(self._clock().date())
        if mode == "from" and date_field:
            return self.client.iterate(table, filter=where(date_field, "ge", value))
        if mode == "since" and table in WINDOWED:
            start = (self._clock() - self.window).date()
            return self.client.iterate(table, filter=where(date_field, "ge", start), orderby=date_field)
        if table in mappers.STAMPED:
            return self.client.changed_since(table, position(value) if mode == "since" else None, key=key)
        return self.client.iterate(table)

    def _tables(self, kind, mode, value):
        """``(table, documents)`` of a kind; a table this book refuses (403) is skipped with one
        warning when the kind has others, and raised when it is the kind's only table."""
        tables = mappers.KIND_TABLES[kind]
        for table in tables:
            if table in self.unavailable and len(tables) > 1:
                continue
            try:
                yield table, list(self._docs(table, mode, value))
            except PermissionDeniedError as exc:
                if len(tables) == 1:
                    raise
                self.unavailable.add(table)
                _logger.warning("Reckon book %s: %s skipped: %s", self.client.book_id, table, exc)

    def changes(self, kind, since=None):
        """(canonical record, position) oldest first; see the module's docstring for ``since``."""
        started = position(self._clock())
        mode, value = self._mode(since)
        found = {}
        for table, docs in self._tables(kind, mode, value):
            if table in ("invoices", "creditnotes") and kind == "invoice":
                self.calendar.prepare(d.get(mappers.DATE_FIELDS[table]) for d in docs)
            for doc in docs:
                if kind == "payment" and table == "creditnotes":
                    record = mappers.credit_application(doc, currency=self.currency)
                else:
                    record = self._canonical(table, doc)
                if record is None:
                    continue
                stamp = doc.get("lastModifiedDateTime")
                at = position(stamp) if stamp and table in mappers.STAMPED else started
                known = found.get(record["external_id"])
                if known is None or (table == "customers" and known[2] != "customers"):
                    found[record["external_id"]] = (record, max(at, known[1]) if known else at, table)
        for record, at, _table in sorted(found.values(), key=lambda item: item[1]):
            yield record, at

    def count(self, kind, since=None):
        """How many records ``changes`` would yield: exact for every kind but ``payment``
        (credit notes that allocate nothing are not told apart) and ``party`` where Reckon
        refuses to filter on entity types (then contacts of both roles count twice)."""
        mode, value = self._mode(since)
        if kind == "tax":
            return sum(len(docs) for _table, docs in self._tables(kind, mode, value))
        total = 0
        for table in mappers.KIND_TABLES[kind]:
            if table in self.unavailable or (kind == "payment" and table == "creditnotes"):
                continue
            date_field = mappers.DATE_FIELDS.get(table)
            clause = None
            if mode == "from" and date_field:
                clause = where(date_field, "ge", value)
            elif mode == "since" and table in WINDOWED:
                clause = where(date_field, "ge", (self._clock() - self.window).date())
            elif mode == "since" and table in mappers.STAMPED:
                clause = where("lastModifiedDateTime", "gt", position(value))
            if table == "suppliers":  # a contact that is both is counted with the customers
                try:
                    total += self.client.count(table, filter=all_of(clause, "entityTypes.isCustomer eq false"))
                    continue
                except ReckonValidationError:
                    pass
            try:
                total += self.client.count(table, filter=clause)
            except PermissionDeniedError:
                self.unavailable.add(table)
        return total

    def reference_lists(self):
        return {
            "payment_term": [mappers.lists.term_row(doc) for doc in self.client.iterate("terms")],
            "payment_method": [
                (str(doc["id"]), doc.get("name") or str(doc["id"]), {}) for doc in self.client.iterate("paymentMethods")
            ],
        }

    def remote_ids(self, kind):
        """Every external id of ``kind`` at Reckon (the nightly sweep finds deletions by them)."""
        ids = set()
        for table, docs in self._tables(kind, "all", None):
            key = mappers.ID_FIELDS.get(table, "id")
            for doc in docs:
                if kind == "payment" and table == "creditnotes":
                    record = mappers.credit_application(doc, currency=self.currency)
                    if record:
                        ids.add(record["external_id"])
                    continue
                ids.add(mappers.ext_id(mappers.TABLE_ENTITIES.get(table, ""), doc[key]))
        return ids

    def account_balances(self):
        """Ledger account id -> balance, as Reckon has it (for the books-agree check)."""
        return {
            str(doc["id"]): mappers.common.money(doc.get("balance"))
            for doc in self.client.iterate("ledgeraccounts")
            if doc.get("balance") is not None
        }

    def open_items(self):
        """Contact id -> {"receivable", "payable"} (for the books-agree check): the balances of
        its approved invoices less its credit notes' unallocated balances, and of its approved
        bills; payables None when the book refuses bills (403) or serves none (404)."""
        ZERO = mappers.common.money(0)
        items = {}

        def add(contact, side, amount):
            entry = items.setdefault(str(contact), {"receivable": ZERO, "payable": ZERO})
            entry[side] += amount

        approved = all_of(where("balance", "gt", 0), 'status ne "Draft"')
        for doc in self.client.iterate("invoices", filter=approved):
            add(doc["customer"]["id"], "receivable", mappers.common.money(doc["balance"]))
        for doc in self.client.iterate("creditnotes", filter=approved):
            add(doc["customer"]["id"], "receivable", -mappers.common.money(doc["balance"]))
        try:
            for doc in self.client.iterate("bills"):
                if doc.get("Status") in (2, 3) and mappers.common.money(doc.get("Balance") or 0) > 0:
                    add(doc["CustomerID"], "payable", mappers.common.money(doc["Balance"]))
        except (PermissionDeniedError, errors.NotFoundError):
            for entry in items.values():
                entry["payable"] = None
        return items
