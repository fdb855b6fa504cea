"""What every part of the QuickBooks company store shares: the entity tables (name lists,
list entities, sales and purchase documents, transactions, what a payment's lines may link)
and the money and reference helpers (amounts are Decimal, rounded half up to the cent).
``store.py`` re-exports them.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

NAME_ENTITIES = ("Customer", "Vendor", "Employee")
LIST_ENTITIES = NAME_ENTITIES + ("Item", "Account", "Term", "PaymentMethod", "TaxCode", "TaxRate", "Class")
SALES_DOCS = ("Invoice", "CreditMemo")
PURCHASE_DOCS = ("Bill", "VendorCredit")
TXN_ENTITIES = SALES_DOCS + PURCHASE_DOCS + ("Payment", "BillPayment", "JournalEntry")
ENTITIES = LIST_ENTITIES + TXN_ENTITIES
PATHS = {name.lower(): name for name in ENTITIES}
#: entities whose records are deactivated, never deleted
NO_DELETE = LIST_ENTITIES
READ_ONLY = ("TaxCode", "TaxRate")
#: what a payment's lines may link: +1 a document it settles, -1 a credit it applies to them
PAYMENT_LINKS = {"Payment": {"Invoice": 1, "CreditMemo": -1}, "BillPayment": {"Bill": 1, "VendorCredit": -1}}


def money(value):
    if value is None or value == "":
        return Decimal(0)
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def dec(value, default="0"):
    return Decimal(str(value if value not in (None, "") else default))


def ref_value(obj, key):
    ref = (obj or {}).get(key) or {}
    return str(ref.get("value")) if ref.get("value") not in (None, "") else None
