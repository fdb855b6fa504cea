"""Kashoo documents <-> canonical records (connector_base/schemas): what every kind shares,
contacts and accounts, and the dispatch by record ``type``.

External ids are Kashoo's integer ids as text: records, contacts and accounts; a tax is its
abbreviation (documents name their taxes by it). Money is integer cents on the wire and
``Decimal(cents) / 100`` here, never a float. A record whose ``type`` the connection's map does
not know raises ``UnknownRecordTypeError`` naming the type: it goes to quarantine, it is never
skipped without a word. Invoices, bills and taxes are in ``documents``; payments and transfers in
``payments``.
"""

import hashlib
import re

from stdnum.ca import bn
from stdnum.exceptions import ValidationError

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.lost import STAMP
from odoo.addons.connector_base.lib.money import from_cents, json_dumps, to_cents, to_decimal

from .settings import ROLES

#: keys a record's version leaves out: they move when a payment is made elsewhere, not when it is edited
UNVERSIONED = ("balanceDue", "contactName")
BANK = re.compile(r"\b(chequing|checking|savings|bank)\b", re.I)


class UnknownRecordTypeError(errors.PayloadValidationError):
    """A Kashoo record whose ``type`` the connection's type map does not know."""

    def __init__(self, wire_type, record_id, settings, where=None):
        known = ", ".join(f"{t} ({r})" for t, r in sorted(settings.type_map.items())) or "none"
        came = f" (listed by {where})" if where else ""
        super().__init__(
            f"Kashoo record {record_id} has type {wire_type!r}{came}, which this connection's type map does not "
            f"know (it knows {known}): add the type to the map, or map it to skip, then retry",
            details={"type": wire_type, "record": record_id},
        )
        self.wire_type = wire_type


# ====================================================================== shared
def ext(value):
    """A Kashoo id as an external id (text), or None."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    return str(value)


def kashoo_id(external_id, what):
    """An external id back to Kashoo's integer id."""
    try:
        value = int(str(external_id))
    except (TypeError, ValueError):
        raise errors.PayloadValidationError(f"{what}: {external_id!r} is not a Kashoo id") from None
    if value < 1:
        raise errors.PayloadValidationError(f"{what}: {external_id!r} is not a Kashoo id")
    return value


def money(value, what):
    """Integer cents from the wire as a Decimal amount; anything else is refused by name."""
    try:
        return from_cents(value)
    except ValueError:
        raise errors.PayloadValidationError(f"{what}: Kashoo sent {value!r} where whole cents belong") from None


def cents(amount):
    """A Decimal amount as whole cents for the wire (half away from zero)."""
    return to_cents(to_decimal(amount))


def text(value, limit=None):
    if value in (None, ""):
        return None
    value = str(value).strip()
    if not value:
        return None
    return value[:limit] if limit else value


def version_of(doc):
    """A record's version: a digest of what it says (Kashoo has no version or sync token)."""
    kept = {key: value for key, value in doc.items() if key not in UNVERSIONED}
    return hashlib.sha1(json_dumps(kept, sort_keys=True).encode()).hexdigest()[:16]


def split_memo(memo):
    """(origin stamp or None, the memo without it)."""
    memo = text(memo)
    if not memo:
        return None, None
    found = STAMP.match(memo)
    if not found:
        return None, memo
    return found.group(0), text(memo[found.end() :])


def stamped_memo(reference, memo=None):
    """The memo a write carries: our ``odoo:<model>:<id>`` stamp first, then Odoo's own memo."""
    memo = text(memo)
    _old, memo = split_memo(memo) if memo else (None, None)
    return f"{reference}\n{memo}" if memo else reference


def reference_in(doc, reference):
    return split_memo(doc.get("memo"))[0] == reference


def deleted(doc):
    return {"external_id": ext(doc.get("id")), "deleted": True}


def unmapped(doc, error):
    """What the record stream carries for a record that cannot be mapped: the engine refuses it
    (it is no canonical record) and quarantines it with the Kashoo document and the reason."""
    return {
        "external_id": ext(doc.get("id")) or "?",
        "unmapped": {
            "reason": error.message,
            "type": getattr(error, "wire_type", doc.get("type")),
            "kashoo": doc,
        },
    }


def role_of(doc, settings, *, where=None, expected=None):
    """The role of a record by its ``type`` (None: mapped to skip); unknown types raise."""
    role = settings.role_of_type(doc.get("type"))
    if role is None:
        raise UnknownRecordTypeError(doc.get("type"), doc.get("id"), settings, where)
    if expected and role not in (expected, "skip"):
        raise errors.PayloadValidationError(
            f"Kashoo record {doc.get('id')} listed by {where} has type {doc.get('type')!r}, which the type map "
            f"gives to {role}: correct the type map",
            details={"type": doc.get("type"), "record": doc.get("id")},
        )
    return None if role == "skip" else role


def kind_of_role(role):
    return ROLES[role][0]


# ====================================================================== contacts
def business_number(value):
    """(the CRA business number to keep as the tax id, or None; the problem with it, or None).

    A BN9 (nine digits with their Luhn check digit) or a program account (BN15: BN9 + RC, RM, RP
    or RT + four digits; GST/HST registrations are RT), checked with python-stdnum."""
    raw = text(value)
    if not raw:
        return None, None
    number = bn.compact(raw).upper()
    try:
        return bn.validate(number), None
    except ValidationError as exc:
        return None, f"not a valid Canada Revenue Agency business number ({exc.message})"


def party_to_canonical(doc, settings, roles=()):
    """A Kashoo contact. ``roles``: what the list it came from says (customers, vendors)."""
    roles = set(roles)
    for role in ("customer", "vendor"):
        if doc.get(role) is True:
            roles.add(role)
    if not roles:
        raise errors.PayloadValidationError(f"Kashoo contact {doc.get('id')} is neither a customer nor a vendor")
    address = doc.get("address") if isinstance(doc.get("address"), dict) else {}
    record = {
        "external_id": ext(doc.get("id")),
        "version": version_of(doc),
        "name": text(doc.get("name")) or f"Kashoo contact {doc.get('id')}",
        "roles": sorted(roles),
        "email": text(doc.get("email"), 240),
        "phone": text(doc.get("phone"), 64),
        "active": not doc.get("removed", False),
        "address": {
            "street": text(address.get("line1"), 500),
            "street2": text(address.get("line2"), 500),
            "city": text(address.get("city"), 128),
            "zip": text(address.get("postalCode"), 32),
            "state_code": text(address.get("province"), 64),
            "country_code": _country(address.get("country")),
        },
    }
    currency = text(doc.get("currency"))
    if currency and len(currency) == 3:
        record["currency"] = currency.upper()
    vat, problem = business_number(doc.get("businessNumber"))
    # the number was checked: "rejected_vat" is there, None when it passed (or there is none)
    record["rejected_vat"] = None
    if vat:
        record["vat"] = vat
    elif problem:  # not into the partner: to Partner Matching, the number and the reason in front of a person
        record["rejected_vat"] = {"value": text(doc.get("businessNumber"), 64), "reason": problem[:500]}
    return record


def _country(value):
    value = text(value)
    if not value:
        return None
    if len(value) == 2 and value.isalpha():
        return value.upper()
    return {"canada": "CA", "united states": "US", "usa": "US"}.get(value.casefold())


def party_from_canonical(record):
    """A new Kashoo contact (Kashoo's API offers no update of a contact)."""
    address = record.get("address") or {}
    body = {
        "name": record["name"],
        "email": record.get("email"),
        "phone": record.get("phone") or record.get("mobile"),
        "businessNumber": record.get("vat"),
        "customer": "customer" in record["roles"],
        "vendor": "vendor" in record["roles"],
    }
    if record.get("currency"):
        body["currency"] = record["currency"]
    if any(address.values()):
        body["address"] = {
            "line1": address.get("street"),
            "line2": address.get("street2"),
            "city": address.get("city"),
            "province": address.get("state_code"),
            "postalCode": address.get("zip"),
            "country": address.get("country_code"),
        }
    return body


# ====================================================================== accounts
def account_to_canonical(doc, settings):
    wire = doc.get("type")
    kind = settings.account_types.get(wire)
    if not kind:
        raise errors.PayloadValidationError(
            f"Kashoo account {doc.get('id')} has type {wire!r}, which the connection's account types do not know "
            f"({', '.join(sorted(settings.account_types))})",
            details={"type": wire},
        )
    name = text(doc.get("name")) or f"Kashoo account {doc.get('id')}"
    lowered = name.casefold()
    if kind in ("current_assets", "non_current_assets") and "receivable" in lowered:
        kind = "receivable"
    elif kind in ("current_assets", "non_current_assets") and BANK.search(name):
        kind = "bank"
    elif kind == "current_liabilities" and re.match(r"accounts? payable", lowered):
        kind = "payable"
    elif kind == "current_liabilities" and "credit card" in lowered:
        kind = "credit_card"
    return {
        "external_id": ext(doc.get("id")),
        "version": version_of(doc),
        "name": name,
        "code": text(doc.get("number"), 64),
        "type": kind,
        "provider_type": text(wire, 128),
        "active": not doc.get("removed", False),
    }


#: canonical account types by the broad class Kashoo's account types name
ACCOUNT_CLASSES = {
    "current_assets": (
        "receivable",
        "bank",
        "cash",
        "current_assets",
        "non_current_assets",
        "fixed_assets",
        "prepayments",
    ),
    "current_liabilities": ("payable", "credit_card", "current_liabilities", "non_current_liabilities"),
    "equity": ("equity",),
    "income": ("income", "other_income"),
    "expense": ("expense", "direct_costs", "depreciation"),
}


def account_from_canonical(record, settings):
    broad = next((cls for cls, kinds in ACCOUNT_CLASSES.items() if record["type"] in kinds), None)
    wire = next((w for w, kind in settings.account_types.items() if kind == broad), None)
    if not wire:
        raise errors.PayloadValidationError(f"Kashoo has no account type for a {record['type']} account")
    body = {"name": record["name"], "type": wire}
    if record.get("code"):
        code = str(record["code"])
        body["number"] = int(code) if code.isdigit() else code
    return body
