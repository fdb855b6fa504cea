"""The Reckon One ProviderAdapter: connector_base's interface over the client and the mappers.

What Reckon One's API allows, per canonical kind, is ``ReckonAdapter.capabilities``. Reading
(changes, counts, reference lists, balances) is in ``reading``; writing, finding a write whose
answer was lost, and deleting in ``writing``; here the book, its taxes by date, and ``read``.
"""

import logging
import time
from datetime import UTC, datetime, timedelta

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.provider import ProviderAdapter

from . import mappers
from .mappers.common import CURRENCIES
from .reading import ReckonReading
from .writing import ReckonWriting

_logger = logging.getLogger(__name__)

#: the book's name and country, kept this long in the process (one request an hour, not per job)
BOOK_TTL = 3600.0
_BOOKS = {}


def _can(read=False, create=False, update=False, delete=False, incremental=False, note=""):
    return {
        "read": read,
        "create": create,
        "update": update,
        "delete": delete,
        "incremental": incremental,
        "push": False,  # Reckon publishes no webhooks (PROVIDERS.md §4.6): every change is found by polling
        "note": note,
    }


_EXTENSION = (
    "Not in Reckon's API v2 document: served with v1 field names, only where the book's plan and the "
    "user's role include them (else 403, one message, the table skipped)."
)
#: per canonical kind, qualified by move or payment type where Reckon treats them differently
CAPABILITIES = {
    "account": _can(True, True, True, True, True, "Ledger accounts; deleting one deactivates it."),
    "tax": _can(
        read=True,
        note="Tax rates and groups are read-only in the API, read for the date that matters "
        "(a document's tax is the rate in force on its date); read in full each time.",
    ),
    "party": _can(
        True,
        True,
        True,
        True,
        True,
        "One contact is customer and supplier at once (entityTypes): one partner, bound once. "
        "Deleting one deactivates it.",
    ),
    "product": _can(True, True, True, True, True, "Items; deleting one deactivates it."),
    "invoice/out_invoice": _can(
        True,
        True,
        True,
        True,
        note="No lastModifiedDateTime on invoices: a rolling window of invoice dates is read again on "
        "each poll. Created Draft, approved by PATCH of status.",
    ),
    "invoice/out_refund": _can(True, True, True, True, note="Credit notes: as invoices (rolling date window)."),
    "invoice/in_invoice": _can(True, True, True, True, True, "Bills. " + _EXTENSION),
    "invoice/in_refund": _can(note="Reckon's API has no supplier adjustment notes."),
    "payment/inbound": _can(True, True, True, True, note="Receipts with their allocations (rolling date window)."),
    "payment/outbound": _can(
        read=True, incremental=True, note="Supplier payments are read-only in Reckon's API v2 (GET only)."
    ),
    "payment/credit_application": _can(
        True,
        True,
        True,
        True,
        note="A credit note's allocations to invoices (no money moves), read with the credit notes.",
    ),
    "journal_entry": _can(True, True, True, True, True, "Journals. " + _EXTENSION),
}


class ReckonAdapter(ReckonReading, ReckonWriting, ProviderAdapter):
    readable_kinds = tuple(mappers.KIND_TABLES)
    writable_kinds = ("account", "party", "product", "invoice", "payment", "journal_entry")
    #: a Reckon contact carries both roles (entityTypes): a partner is bound once, role "all"
    party_roles_separate = False
    capabilities = CAPABILITIES

    def __init__(
        self,
        client,
        *,
        window_days=60,
        overlap_seconds=120,
        conflict_policy="manual",
        name_collision="link_or_refuse",
        income_account=None,
        expense_account=None,
        clock=None,
    ):
        self.client = client
        self.window = timedelta(days=window_days)
        self.overlap = timedelta(seconds=overlap_seconds)
        self.conflict_policy = conflict_policy
        self.name_collision = name_collision
        self.income_account = income_account
        self.expense_account = expense_account
        self._clock = clock or (lambda: datetime.now(UTC))
        self._calendar = None
        self._tax_names = None
        self._attempts = {}  # reference -> what the write sent (find_by_reference)
        self.unavailable = set()  # tables this book refused (403)

    @classmethod
    def can(cls, kind, action, variant=None):
        """Whether Reckon allows ``action`` on ``kind`` (``variant``: a move or payment type)."""
        entry = cls.capabilities.get(f"{kind}/{variant}") or cls.capabilities.get(kind)
        if entry is None:
            return any(v.get(action) for k, v in cls.capabilities.items() if k.startswith(f"{kind}/"))
        return bool(entry.get(action))

    # ------------------------------------------------------------------ the book
    def book(self, fresh=False):
        key = (self.client.api_url, self.client.book_id)
        cached = _BOOKS.get(key)
        if fresh or not cached or cached[0] < time.monotonic():
            cached = _BOOKS[key] = (time.monotonic() + BOOK_TTL, self.client.book())
        return cached[1]

    @property
    def currency(self):
        return CURRENCIES.get((self.book().get("country") or "AU").upper(), "AUD")

    def test_connection(self):
        """The book's name and country (a fresh read: the connection is being checked)."""
        book = self.book(fresh=True)
        return f"{book.get('name') or book.get('id')} ({book.get('country') or '?'})"

    def books(self):
        """``[(id, name, country)]`` of the books the connected user can reach (connect step)."""
        return [(b["id"], b.get("name") or b["id"], b.get("country")) for b in self.client.books()]

    # ------------------------------------------------------------------ taxes by date
    @property
    def calendar(self):
        if self._calendar is None:
            self._calendar = mappers.TaxCalendar(self.client.tax_rates, self._clock().date())
        return self._calendar

    def tax_of(self, rate_id, on):
        return self.calendar.line_tax(rate_id, on)

    def tax_names(self):
        """External id -> name of every tax rate and group in force today (Reckon takes a name
        where an id of the other kind is stored)."""
        if self._tax_names is None:
            today = self._clock().date()
            names = {}
            for doc in self.client.tax_rates(today):
                names[mappers.ext_id("TaxRate", doc["id"])] = doc.get("name")
            for doc in self.client.tax_groups(today):
                names[mappers.ext_id("TaxGroup", doc["id"])] = doc.get("name")
            self._tax_names = names
        return self._tax_names

    # ------------------------------------------------------------------ one record
    def read(self, kind, external_id):
        if kind == "party":
            return mappers.party_to_canonical(*self._contact(external_id))
        if kind == "tax":
            return self._read_tax(external_id)
        if kind in ("product", "account", "journal_entry"):
            table = {"product": "items", "account": "ledgeraccounts", "journal_entry": "journals"}[kind]
            return self._canonical(table, self._get(table, external_id))
        entity, doc_id = mappers.split_id(external_id)
        table = mappers.ENTITY_TABLES[entity]
        if table not in mappers.KIND_TABLES[kind]:
            raise errors.PayloadValidationError(f"{external_id} is not a {kind}")
        doc = self._get(table, doc_id)
        if entity == "CreditApplication":
            record = mappers.credit_application(doc, currency=self.currency)
            if record is None:
                raise errors.NotFoundError(f"Reckon credit note {doc_id} no longer allocates anything")
            return record
        return self._canonical(table, doc)

    def _get(self, table, doc_id):
        return self.client.get(self.path(table), doc_id)

    def _contact(self, contact_id, first="customers"):
        """``(contact, role of the view it was read from)``: customers, else suppliers."""
        views = (first, "suppliers" if first == "customers" else "customers")
        for view in views:
            try:
                return self.client.get(view, contact_id), "customer" if view == "customers" else "vendor"
            except errors.NotFoundError:
                if view == views[-1]:
                    raise
        raise errors.NotFoundError(contact_id)  # not reached

    def _read_tax(self, external_id):
        entity, doc_id, percent = mappers.taxes.split_tax(external_id)
        today = self._clock().date().isoformat()
        if entity == "TaxGroup":
            answer = self.client.get(f"taxgroups/{doc_id}", today)
            docs = (answer or {}).get("list") or [answer]
            return mappers.group_to_canonical(docs[0])
        try:
            doc = self.client.get(f"taxrates/{doc_id}", today)
        except errors.NotFoundError:  # not in force today: as it was last read for a document
            doc = self.calendar.docs.get(doc_id)
            if doc is None:
                raise
        return mappers.rate_variant(doc, percent) if percent is not None else mappers.rate_to_canonical(doc)

    def _canonical(self, table, doc):
        """The canonical record of one document of ``table``."""
        currency = self.currency if table not in ("customers", "suppliers", "items", "ledgeraccounts") else None
        if table in ("customers", "suppliers"):
            return mappers.party_to_canonical(doc, "customer" if table == "customers" else "vendor")
        if table == "items":
            return mappers.product_to_canonical(doc, self.calendar.today_rates())
        if table == "ledgeraccounts":
            return mappers.account_to_canonical(doc)
        if table == "taxrates":
            return mappers.rate_to_canonical(doc)
        if table == "taxgroups":
            return mappers.group_to_canonical(doc)
        if table in ("invoices", "creditnotes"):
            return mappers.sales_to_canonical(doc, table, currency=currency, tax_of=self.tax_of)
        if table == "receipts":
            return mappers.receipt_to_canonical(doc, currency=currency)
        if table == "payments":
            return mappers.supplier_payment_to_canonical(doc, currency=currency)
        if table == "bills":
            return mappers.bill_to_canonical(doc, currency=currency)
        return mappers.journal_to_canonical(doc, currency=currency)

    @staticmethod
    def path(table):
        """A table's path as the document spells it for one record and for writes."""
        return {"creditnotes": "creditNotes"}.get(table, table)
