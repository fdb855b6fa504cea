"""What every Reckon mapper shares: external ids, dates, money, the Odoo stamp, versions.

External ids of canonical records: a contact's id for a party (one contact is customer and
supplier at once: ``entityTypes``), plain ids for items, ledger accounts and journals, and
``<Entity>/<id>`` where one canonical kind spans several Reckon tables: ``TaxRate/..`` and
``TaxGroup/..`` (``TaxRate/<id>@<rate>`` for a rate that was in force on a document's date
but is not today's), ``Invoice/..``, ``CreditNote/..``, ``Bill/..``, ``Receipt/..``,
``Payment/..`` and ``CreditApplication/<credit note id>`` (a credit note's allocations).

Dates are taken as Reckon writes them: the calendar date of ``2026-02-01T00:00:00Z`` (or of
the v1 form ``2016-03-13T00:00:00+00:00``) is ``2026-02-01``, never shifted by a time zone;
they are written back in the same form.
"""

import hashlib
import json
import re
from datetime import date

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.money import quantize, to_decimal

PREFIXED = ("TaxRate", "TaxGroup", "Invoice", "CreditNote", "Bill", "Receipt", "Payment", "CreditApplication")
STAMP = re.compile(r"odoo:[a-z0-9_.]+:[0-9]+")
#: book country -> currency (Reckon One keeps a book in one currency)
CURRENCIES = {"AU": "AUD", "NZ": "NZD", "GB": "GBP", "UK": "GBP"}
COUNTRIES = {
    "AU": "Australia",
    "NZ": "New Zealand",
    "GB": "United Kingdom",
    "US": "United States",
    "CA": "Canada",
    "IE": "Ireland",
    "SG": "Singapore",
    "FJ": "Fiji",
    "PG": "Papua New Guinea",
}
_COUNTRY_CODES = {name.casefold(): code for code, name in COUNTRIES.items()} | {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "usa": "US",
    "united states of america": "US",
    "nz": "NZ",
    "aus": "AU",
}
TAX_MODES = {"Exclusive": "exclusive", "Inclusive": "inclusive", "NonTaxed": "none", "NoTax": "none"}
TAX_STATUSES = {"exclusive": "Exclusive", "inclusive": "Inclusive", "none": "NonTaxed"}


def ext_id(entity, doc_id):
    return f"{entity}/{doc_id}" if entity in PREFIXED else str(doc_id)


def split_id(external_id, *expected):
    """``("Invoice", "<id>")`` from ``Invoice/<id>``; ``expected`` entities, when given, are the
    only ones this place accepts."""
    entity, sep, doc_id = str(external_id or "").partition("/")
    if not sep or not doc_id or entity not in PREFIXED:
        raise errors.PayloadValidationError(f"{external_id!r} is not a Reckon document reference")
    if expected and entity not in expected:
        raise errors.PayloadValidationError(f"{external_id} is a Reckon {entity}; this needs a {' or '.join(expected)}")
    return entity, doc_id


def ref_id(value):
    """The id of a reference as Reckon answers it (``{id, name}``), or of a bare id."""
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value not in (None, "") else None


def text(value, limit=None):
    if value in (None, ""):
        return None
    value = str(value).strip()
    return (value[:limit] if limit else value) or None


def money(value):
    return quantize(to_decimal(value if value not in (None, "") else 0))


def amount(value):
    """A Decimal with the digits Reckon sent (prices and quantities keep theirs)."""
    return to_decimal(value if value not in (None, "") else 0)


def day(value):
    """The calendar date a Reckon date or date-time names, as written (no time-zone shift)."""
    if not value:
        return None
    found = re.match(r"^(\d{4}-\d{2}-\d{2})", str(value).strip())
    if not found:
        raise errors.PayloadValidationError(f"{value!r} is not a date Reckon writes")
    return found.group(1)


def reckon_date(value):
    """A canonical date (``2026-02-01``) as Reckon v2 writes dates: ``2026-02-01T00:00:00Z``."""
    if not value:
        return None
    return f"{value.isoformat() if isinstance(value, date) else str(value)[:10]}T00:00:00Z"


def v1_date(value):
    """The v1 form the extension's bills and journals use: ``2016-03-13T00:00:00+00:00``."""
    if not value:
        return None
    return f"{value.isoformat() if isinstance(value, date) else str(value)[:10]}T00:00:00+00:00"


def country_code(name):
    if not name:
        return None
    name = str(name).strip()
    if len(name) == 2 and name.isalpha():
        return name.upper()
    return _COUNTRY_CODES.get(name.casefold())


def country_name(code):
    return COUNTRIES.get((code or "").upper(), code) if code else None


# ---------------------------------------------------------------------- the Odoo stamp
def origin(notes):
    """``{"origin": stamp}`` when a note carries the stamp this connector writes."""
    found = STAMP.search(notes or "")
    return {"origin": found.group(0)} if found else {}


def memo(notes):
    """A note without the stamp this connector added to it."""
    return text(STAMP.sub("", notes or "").strip())


def stamped(note, reference, limit=None):
    """``note`` with ``reference`` on a line of its own, within ``limit`` characters."""
    note = (memo(note) or "").strip()
    if limit and len(note) + len(reference) + 1 > limit:
        note = note[: max(0, limit - len(reference) - 2)].rstrip() + "…" if note else ""
    return f"{note}\n{reference}" if note else reference


def carries(note, reference):
    """True when ``note`` carries exactly ``reference`` (``odoo:x:4`` is not in ``odoo:x:42``)."""
    return reference in STAMP.findall(note or "")


# ---------------------------------------------------------------------- versions
#: what changes on a document without anyone editing it (payments, e-mail)
VOLATILE = ("balance", "transactionLinks", "emailStatus", "Balance", "IsOverdue")


def version_of(doc):
    """The version of a Reckon record: its ``lastModifiedDateTime`` where it has one, else a
    digest of what a person can edit (a payment changing the balance, or Approved becoming
    Paid, is no edit)."""
    if doc.get("lastModifiedDateTime"):
        return str(doc["lastModifiedDateTime"])
    kept = {k: v for k, v in doc.items() if k not in VOLATILE}
    if kept.get("status") == "Paid":
        kept["status"] = "Approved"
    raw = json.dumps(kept, sort_keys=True, default=str, separators=(",", ":"))
    return "d" + hashlib.sha1(raw.encode()).hexdigest()[:20]


def meta(doc):
    out = {"version": version_of(doc)}
    if doc.get("lastModifiedDateTime"):
        out["updated_at"] = str(doc["lastModifiedDateTime"])
    return out
