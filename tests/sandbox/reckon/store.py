"""The in-memory Reckon One book behind the sandbox: documents in the v2 shape, and their rules.

A ``Book`` keeps every record as ``GET`` returns it (camelCase, references as ``{id, name}``)
in one table per record type; a write takes the input shape (references as an id or a name),
checks it and stores the result. What a record type does is in ``records.py`` (contacts, items,
ledger accounts, terms), ``documents.py`` (invoices, credit notes, receipts) and
``extension.py`` (bills and journals). Amounts are Decimal; the server turns them into numbers.
"""

import contextlib
import copy
import random
import re
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO_MONEY = Decimal("0.00")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

#: file name of a seed document -> table
ENTITIES = {
    "Customer": "contacts",
    "Supplier": "contacts",
    "Item": "items",
    "LedgerAccount": "ledgeraccounts",
    "TaxRate": "taxrates",
    "TaxGroup": "taxgroups",
    "PaymentTerm": "terms",
    "PaymentMethod": "paymentmethods",
    "Classification": "classifications",
    "Invoice": "invoices",
    "CreditNote": "creditnotes",
    "Receipt": "receipts",
    "Payment": "payments",
    "Bill": "bills",
    "Journal": "journals",
}
TABLES = sorted(set(ENTITIES.values()))
#: the id field of the tables that are not in the v2 shape (the extension's v1 names)
ID_KEYS = {"bills": "BillID", "journals": "JournalID"}
#: lookups every book has: (kind, name)
LOOKUPS = {
    "address": ("Billing", "Delivery", "Business"),
    "phone": ("Work", "Mobile", "Home", "Fax"),
    "electronic": ("Email", "Website"),
}


class ReckonError(Exception):
    """An answer Reckon gives instead of the record: ``{code, message, errors[{location, message}]}``."""

    MESSAGES = {
        400: "The request is invalid.",
        401: "Authorization has been denied for this request.",
        403: "User does not have permission to access this resource.",
        404: "Resource not found.",
        415: "application/json is not supported. Please use content-type application/merge-patch+json.",
    }

    def __init__(self, status, message=None, errors=None):
        self.status = status
        self.message = message or self.MESSAGES.get(status, "Something went wrong.")
        self.errors = errors or []
        super().__init__(f"{status} {self.message} {self.errors}")

    def body(self):
        body = {"code": self.status, "message": self.message}
        if self.errors:
            body["errors"] = [{"location": location, "message": message} for location, message in self.errors]
        return body


def invalid(location, message):
    return ReckonError(400, errors=[(location, message)])


def money(value):
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


#: while set (``stable_ids``), the generator new ids are drawn from
_STABLE = threading.local()


def new_id():
    rng = getattr(_STABLE, "rng", None)
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)) if rng else str(uuid.uuid4())


@contextlib.contextmanager
def stable_ids(seed):
    """New ids inside are drawn from ``seed`` (in this thread): a book made again with the same
    seed has the same ids, so a restarted sandbox is the book a connection already holds."""
    _STABLE.rng = random.Random(seed)
    try:
        yield
    finally:
        _STABLE.rng = None


def ref(doc, name_key="name"):
    return {"id": doc["id"], "name": doc.get(name_key) or doc.get("name")}


def parse_datetime(value, location):
    """An ISO date or date-time as an aware datetime (UTC when no offset is given)."""
    try:
        text = str(value).strip()
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text else None
        moment = moment or datetime.combine(date.fromisoformat(text), datetime.min.time())
    except ValueError:
        raise invalid(location, f"'{value}' is not a valid date.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def fmt_date(moment):
    """A document date as Reckon writes it (``2026-02-01T00:00:00Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Book:
    """One Reckon One book: settings, the records of each table, lookups and the clock."""

    def __init__(self, book_id=None, *, name="Sandbox Book AU", country="AU", clock=None):
        self.id = book_id or new_id()
        self.name = name
        self.country = country
        self.status = "Active"
        self.ownership = "Owned"
        self.products = [{"id": new_id(), "name": "Reckon One Core", "portalProductId": "R1CORE"}]
        self.extension = True  # bills and journals, the sandbox's documented extension
        self.tables = {table: {} for table in TABLES}
        self.effective = {}  # tax rate / group id -> (from date or None, to date or None)
        self.numbers = {}  # prefix -> last number used
        self.lookups = {kind: {name: new_id() for name in names} for kind, names in LOOKUPS.items()}
        self.lock = threading.RLock()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._last = None

    # ------------------------------------------------------------------ time and numbers
    def now(self):
        """Book time, strictly increasing (a change is always after the one before)."""
        moment = self._clock().astimezone(UTC)
        if self._last and moment <= self._last:
            moment = self._last + timedelta(milliseconds=10)
        self._last = moment
        return moment

    def stamp(self):
        return self.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def next_number(self, prefix):
        self.numbers[prefix] = self.numbers.get(prefix, 0) + 1
        return f"{prefix}{self.numbers[prefix]:04d}"

    def describe(self):
        """The ``Book`` document of ``/books``."""
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "ownership": self.ownership,
            "country": self.country,
            "bookCreated": True,
            "products": copy.deepcopy(self.products),
        }

    # ------------------------------------------------------------------ reading
    def table(self, name):
        return self.tables[name]

    def snapshot(self, table):
        with self.lock:
            return copy.deepcopy(list(self.tables[table.lower()].values()))

    def get(self, table, doc_id):
        doc = self.tables[table].get(str(doc_id).lower())
        if doc is None:
            raise ReckonError(404)
        return doc

    def find(self, table, value, location, *, name_keys=("name",), active=False):
        """A record named by id or name (input references are either), else a 400 at ``location``."""
        text = str(value).strip()
        docs = self.tables[table]
        doc = docs.get(text.lower()) if GUID.match(text) else None
        if doc is None:
            wanted = text.casefold()
            doc = next(
                (d for d in docs.values() if any(str(d.get(k) or "").casefold() == wanted for k in name_keys)), None
            )
        if doc is None or (active and doc.get("status") == "Inactive"):
            raise invalid(location, f"'{text}' was not found.")
        return doc

    def lookup(self, kind, value, location):
        """An address, phone or electronic address type as ``{id, name}``."""
        text = str(value).strip()
        for name, type_id in self.lookups[kind].items():
            if text.casefold() in (name.casefold(), type_id):
                return {"id": type_id, "name": name}
        raise invalid(location, f"'{text}' is not a valid type.")

    def in_effect(self, table, on):
        """Tax rates or groups in effect on a date (their own effective ranges; open when unset)."""
        found = []
        for doc in self.tables[table].values():
            start, end = self.effective.get(doc["id"], (None, None))
            if (start is None or start <= on) and (end is None or on <= end):
                found.append(doc)
        return found

    # ------------------------------------------------------------------ writing
    def put(self, table, doc, *, stamp=True):
        """Store a record as it will be read (``lastModifiedDateTime`` set when its type has it)."""
        if stamp and "lastModifiedDateTime" in doc:
            doc["lastModifiedDateTime"] = self.stamp()
        self.tables[table][doc[ID_KEYS.get(table, "id")].lower()] = doc
        return doc

    def remove(self, table, doc_id):
        self.tables[table].pop(str(doc_id).lower(), None)

    def seed(self, entity, documents):
        """Load documents as Reckon returned them (ids and all); numbers continue after theirs."""
        table = ENTITIES[entity]
        with self.lock:
            for doc in documents:
                doc = copy.deepcopy(doc)
                key = ID_KEYS.get(table, "id")
                doc.setdefault(key, new_id())
                if table == "contacts":
                    types = doc.setdefault("entityTypes", {})
                    types["isCustomer" if entity == "Customer" else "isSupplier"] = True
                    old = self.tables[table].get(doc["id"].lower())
                    if old:  # one contact, seeded as customer and as supplier
                        doc = {**old, **doc, "entityTypes": {**old.get("entityTypes", {}), **types}}
                for field in ("invoiceNumber", "creditNoteNumber", "receiptNumber", "paymentNumber", "BillNumber"):
                    match = re.match(r"^([A-Z]+)(\d+)$", str(doc.get(field) or ""))
                    if match:
                        prefix, number = match.group(1), int(match.group(2))
                        self.numbers[prefix] = max(self.numbers.get(prefix, 0), number)
                self.tables[table][doc[key].lower()] = doc
            return len(documents)
