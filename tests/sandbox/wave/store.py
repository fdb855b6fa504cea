"""The in-memory books of the Wave sandbox: businesses and their records, Wave's ids, errors.

Records are plain dicts in Python types (Decimal, date, aware datetime); the resolvers shape them
for the wire. Deleted customers, invoices and payments are removed (Wave keeps no tombstones);
products, accounts and sales taxes are archived instead.
"""

import base64
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from . import reference

# the first number of each kind (the recorded ids are in these ranges)
FIRST_NUMBER = {
    "Customer": 55_703_088,
    "Vendor": 56_120_000,
    "Product": 56_241_241,
    "Account": 1_058_158_774_742_789_644,
    "SalesTax": 2_408_000,
    "Invoice": 1_257_565_365_047_690_439,
    "InvoiceItem": 3_100_000_000,
    "InvoicePayment": 1_300_000_000_000_000_000,
    "Transaction": 1_400_000_000_000_000_000,
}
KINDS = tuple(FIRST_NUMBER)


# the plain text fields of a customer or a vendor
CONTACT_FIELDS = (
    "name",
    "firstName",
    "lastName",
    "displayId",
    "email",
    "mobile",
    "phone",
    "fax",
    "tollFree",
    "website",
    "internalNotes",
)


class WaveError(Exception):
    """An error Wave reports in ``errors[]`` with ``extensions.code``."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class InputErrors(Exception):
    """A refused mutation: ``didSucceed: false`` with ``inputErrors[{path, message, code}]``."""

    def __init__(self, *errors):
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = list(errors)


def input_error(path, message, code="INVALID"):
    return {"path": [str(p) for p in path], "message": message, "code": code}


def encode_id(*pairs):
    """``encode_id(("Business", u), ("Customer", 5))`` -> base64 of ``Business:u;Customer:5``."""
    return base64.b64encode(";".join(f"{kind}:{value}" for kind, value in pairs).encode()).decode()


def decode_id(value):
    """{kind: value} of a Wave id; {} when it is not one."""
    try:
        text = base64.b64decode(str(value).encode(), validate=True).decode()
        pairs = [part.split(":", 1) for part in text.split(";")]
        return {kind: rest for kind, rest in pairs}
    except (ValueError, UnicodeDecodeError, TypeError):
        return {}


class Business:
    """One Wave business: its settings, records, number sequences and change events."""

    def __init__(self, name, *, business_uuid=None, currency="USD", country="US", province=None, plan="PRO", clock):
        self.uuid = business_uuid or str(uuid.uuid4())
        self.clock = clock
        self.lock = threading.RLock()
        now = clock()
        self.doc = {
            "name": name,
            "isPersonal": False,
            "organizationalType": "CORPORATION",
            "type": {"name": "Consultants & Professionals", "value": "CONSULTANTS_PROFESSIONALS"},
            "subtype": None,
            "currency": currency,
            "timezone": "America/Toronto" if country == "CA" else "America/New_York",
            "address": {"countryCode": country, "provinceCode": province},
            "phone": None,
            "fax": None,
            "mobile": None,
            "tollFree": None,
            "website": None,
            "isArchived": False,
            "isClassicAccounting": False,
            "isClassicInvoicing": False,
            "emailSendEnabled": True,
            "createdAt": now,
            "modifiedAt": now,
        }
        self.plan = plan  # PRO, ADVISOR: third-party OAuth allowed; STARTER: not (refresh answers 403)
        self.payment_terms_days = 30
        self.tables = {kind: {} for kind in KINDS}
        self.next_number = dict(FIRST_NUMBER)
        self.events = []  # (moment, kind, wire id, operation)

    # ------------------------------------------------------------------ ids
    @property
    def id(self):
        return encode_id(("Business", self.uuid))

    def ref(self, kind, number):
        if kind == "Account":  # accounts are the other way round
            return encode_id(("Account", number), ("Business", self.uuid))
        return encode_id(("Business", self.uuid), (kind, number))

    def number(self, kind, wire_id, path=None):
        """The record number in a Wave id of this business; InputErrors (path given) or None when not."""
        parts = decode_id(wire_id)
        number = parts.get(kind)
        if parts.get("Business") == self.uuid and number and number.isdigit() and int(number) in self.tables[kind]:
            return int(number)
        if path is not None:
            raise InputErrors(input_error(path, f"{kind} '{wire_id}' could not be found.", "NOT_FOUND"))
        return None

    def get(self, kind, wire_id, path=None):
        number = self.number(kind, wire_id, path)
        return None if number is None else self.tables[kind][number]

    # ------------------------------------------------------------------ writes
    def now(self):
        return self.clock()

    def today(self):
        return self.now().date()

    def add(self, kind, record, *, when=None, silent=False):
        with self.lock:
            number = record.get("n") or self.next_number[kind]
            self.next_number[kind] = max(self.next_number[kind], number + 1)
            moment = when or self.now()
            record = {"n": number, "createdAt": moment, "modifiedAt": moment, **record, "_b": self}
            self.tables[kind][number] = record
            if not silent:
                self.event(kind, number, "created")
            return record

    def touch(self, kind, record, *, when=None):
        record["modifiedAt"] = max(when or self.now(), record["modifiedAt"] + timedelta(milliseconds=1))
        if kind == "Account":
            record["sequence"] += 1
        self.event(kind, record["n"], "updated")

    def remove(self, kind, number):
        with self.lock:
            self.tables[kind].pop(number, None)
            self.event(kind, number, "deleted")

    def event(self, kind, number, operation):
        if kind in ("InvoiceItem", "Transaction"):
            return
        self.events.append((self.now(), kind, self.ref(kind, number), operation))

    # ------------------------------------------------------------------ reading helpers
    def snapshot(self, kind):
        """The stored records of a kind (wire ids added), for ``/_sandbox/docs/<kind>``."""
        with self.lock:
            return [
                {"id": self.ref(kind, r["n"]), **{k: v for k, v in r.items() if not k.startswith("_")}}
                for r in self.tables[kind].values()
            ]

    def records(self, kind):
        return list(self.tables[kind].values())

    def currency(self):
        return self.doc["currency"]

    def invoice_payments(self, invoice_number):
        return [p for p in self.tables["InvoicePayment"].values() if p["invoice"] == invoice_number]

    def account_by_subtype(self, subtype):
        return next(
            (a for a in self.tables["Account"].values() if a["subtype"] == subtype and not a["isArchived"]), None
        )

    def new_account(self, name, subtype, *, currency=None, display_id=None, description=None, silent=True, when=None):
        return self.add(
            "Account",
            {
                "name": name,
                "subtype": subtype,
                "currency": currency or self.currency(),
                "displayId": display_id,
                "description": description,
                "isArchived": False,
                "sequence": 1,
                "classicId": None,
                "balance": Decimal(0),
            },
            silent=silent,
            when=when,
        )

    def default_chart(self):
        """The accounts Wave creates with a business (a short, realistic chart)."""
        for name, subtype in (
            ("Cash on Hand", "CASH_AND_BANK"),
            ("Operating Bank Account", "CASH_AND_BANK"),
            ("Accounts Receivable", "RECEIVABLE_INVOICES"),
            ("Accounts Payable", "PAYABLE_BILLS"),
            ("Sales Tax Payable", "SALES_TAX"),
            ("Owner Investment / Drawings", "DUE_TO_YOU_AND_OTHER_OWNERS"),
            ("Owner's Equity", "RETAINED_EARNINGS"),
            ("Sales", "INCOME"),
            ("Consulting Income", "INCOME"),
            ("Discounts", "DISCOUNTS"),
            ("Uncategorized Income", "UNCATEGORIZED_INCOME"),
            ("Cost of Goods Sold", "COST_OF_GOODS_SOLD"),
            ("Office Supplies", "EXPENSE"),
            ("Uncategorized Expense", "UNCATEGORIZED_EXPENSE"),
            ("Visa Credit Card", "CREDIT_CARD"),
        ):
            self.new_account(name, subtype)


def utc_clock(offset=lambda: timedelta(0)):
    """Now in UTC (aware) to the millisecond, as Wave's DateTime carries it, shifted by ``offset()``."""

    def now():
        moment = datetime.now(UTC) + offset()
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    return now


def parse_day(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def province_ok(code):
    return code is None or reference.province(code) is not None
