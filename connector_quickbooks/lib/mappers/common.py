"""What reading and writing QuickBooks documents share: the entities of each canonical kind,
external ids, references, country and account-type tables, and small value helpers."""

import re

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.money import quantize, to_decimal

#: canonical kind -> the QuickBooks entities that make it
KIND_ENTITIES = {
    "account": ("Account",),
    "tax": ("TaxCode",),
    "party": ("Customer", "Vendor"),
    "product": ("Item",),
    "invoice": ("Invoice", "CreditMemo", "Bill", "VendorCredit"),
    "payment": ("Payment", "BillPayment"),
    "journal_entry": ("JournalEntry",),
}
ENTITY_KIND = {entity: kind for kind, entities in KIND_ENTITIES.items() for entity in entities}
PREFIXED_KINDS = ("party", "invoice", "payment")
MOVE_TYPE_ENTITY = {
    "out_invoice": "Invoice",
    "out_refund": "CreditMemo",
    "in_invoice": "Bill",
    "in_refund": "VendorCredit",
}
ENTITY_MOVE_TYPE = {entity: move_type for move_type, entity in MOVE_TYPE_ENTITY.items()}
ACCOUNT_TYPES = {
    "Bank": "bank",
    "Accounts Receivable": "receivable",
    "Other Current Asset": "current_assets",
    "Fixed Asset": "fixed_assets",
    "Other Asset": "non_current_assets",
    "Accounts Payable": "payable",
    "Credit Card": "credit_card",
    "Other Current Liability": "current_liabilities",
    "Long Term Liability": "non_current_liabilities",
    "Equity": "equity",
    "Income": "income",
    "Other Income": "other_income",
    "Cost of Goods Sold": "direct_costs",
    "Expense": "expense",
    "Other Expense": "expense",
}
COUNTRIES = {
    "usa": "US",
    "us": "US",
    "united states": "US",
    "united states of america": "US",
    "canada": "CA",
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "australia": "AU",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "new zealand": "NZ",
    "ireland": "IE",
    "india": "IN",
    "mexico": "MX",
    "netherlands": "NL",
    "spain": "ES",
    "italy": "IT",
}
TAX_MODES = {"TaxExcluded": "exclusive", "TaxInclusive": "inclusive", "NotApplicable": "none"}
DOC_NUMBER_MAX = 21


def split_id(external_id):
    """('Customer', '58') from 'Customer/58'."""
    entity, sep, doc_id = str(external_id).partition("/")
    if not sep or not doc_id:
        raise errors.PayloadValidationError(f"{external_id!r} is not a QuickBooks document reference")
    return entity, doc_id


def ext_id(entity, doc_id):
    kind = ENTITY_KIND.get(entity)
    return f"{entity}/{doc_id}" if kind in PREFIXED_KINDS else str(doc_id)


def ref(doc, key):
    value = (doc.get(key) or {}).get("value") if isinstance(doc.get(key), dict) else None
    return str(value) if value not in (None, "") else None


def _text(value, limit=None):
    if value in (None, ""):
        return None
    value = str(value).strip()
    return value[:limit] if limit else value


def _money(value):
    return quantize(to_decimal(value if value not in (None, "") else 0))


def _meta(doc):
    out = {"version": str(doc.get("SyncToken", "0"))}
    updated = (doc.get("MetaData") or {}).get("LastUpdatedTime")
    if updated:
        out["updated_at"] = updated
    return out


def country_code(name):
    if not name:
        return None
    name = str(name).strip()
    if len(name) == 2 and name.isalpha():
        return name.upper()
    return COUNTRIES.get(name.casefold())


def is_voided(doc):
    return (doc.get("PrivateNote") or "").startswith("Voided") and _money(doc.get("TotalAmt")) == 0


def _note(doc):
    """PrivateNote, unless it is only the Odoo reference stamp this connector wrote."""
    note = _text(doc.get("PrivateNote"))
    return None if note and note.startswith("odoo:") else note


def _origin(doc):
    """The Odoo record a document was exported from, when it still carries our stamp."""
    note = _text(doc.get("PrivateNote"))
    return {"origin": note} if note and re.fullmatch(r"odoo:[a-z0-9_.]+:[0-9]+", note) else {}


def reference_in(doc, reference):
    return reference in (doc.get("PrivateNote") or "") or reference in (doc.get("Notes") or "")


# ====================================================================== QuickBooks -> canonical
