"""Products (both ways, archive), accounts (both ways, archive), sales taxes (import; new ones out).

Wave archives these three kinds and never deletes them. An account's ``sequence`` is its
version: Wave increments it on every change and refuses a patch that names an older one.
A sales tax carries its rates by date, ``isCompound`` (charged on the line amount plus the
taxes before it) and ``isRecoverable`` (claimed back on purchases).
"""

import re
from decimal import Decimal

from .common import code, dec, decimal, meta, percent, ref, refuse, text

#: Wave account subtype -> canonical account type
SUBTYPE_TYPES = {
    "CASH_AND_BANK": "bank",
    "MONEY_IN_TRANSIT": "current_assets",
    "INVENTORY": "current_assets",
    "OTHER_CURRENT_ASSETS": "current_assets",
    "TRANSFERS": "current_assets",
    "UNKNOWN_ACCOUNT": "current_assets",
    "VENDOR_PREPAYMENTS_AND_CREDITS": "prepayments",
    "RECEIVABLE": "receivable",
    "RECEIVABLE_INVOICES": "receivable",
    "RECEIVABLE_OTHER": "current_assets",
    "PROPERTY_PLANT_EQUIPMENT": "fixed_assets",
    "DEPRECIATION_AND_AMORTIZATION": "fixed_assets",
    "OTHER_LONG_TERM_ASSETS": "non_current_assets",
    "CREDIT_CARD": "credit_card",
    "PAYABLE": "payable",
    "PAYABLE_BILLS": "payable",
    "PAYABLE_OTHER": "current_liabilities",
    "SALES_TAX": "current_liabilities",
    "CUSTOMER_PREPAYMENTS_AND_CREDITS": "current_liabilities",
    "SYSTEM_CUSTOMER_CREDITS": "current_liabilities",
    "DUE_FOR_PAYROLL": "current_liabilities",
    "DUE_TO_YOU_AND_OTHER_OWNERS": "current_liabilities",
    "OTHER_CURRENT_LIABILITY": "current_liabilities",
    "LOANS": "non_current_liabilities",
    "OTHER_LONG_TERM_LIABILITY": "non_current_liabilities",
    "NON_RETAINED_EARNINGS": "equity",
    "RETAINED_EARNINGS": "equity",
    "INCOME": "income",
    "DISCOUNTS": "income",
    "UNCATEGORIZED_INCOME": "income",
    "OTHER_INCOME": "other_income",
    "GAIN_ON_FOREIGN_EXCHANGE": "other_income",
    "EXPENSE": "expense",
    "UNCATEGORIZED_EXPENSE": "expense",
    "PAYMENT_PROCESSING_FEES": "expense",
    "PAYROLL_EXPENSES": "expense",
    "LOSS_ON_FOREIGN_EXCHANGE": "expense",
    "COST_OF_GOODS_SOLD": "direct_costs",
}
#: canonical account type -> the subtype a new Wave account gets (AccountSubtypeValueCreateInput)
TYPE_SUBTYPES = {
    "bank": "CASH_AND_BANK",
    "cash": "CASH_AND_BANK",
    "credit_card": "CREDIT_CARD",
    "receivable": "RECEIVABLE",
    "payable": "PAYABLE",
    "current_assets": "OTHER_CURRENT_ASSETS",
    "prepayments": "VENDOR_PREPAYMENTS_AND_CREDITS",
    "non_current_assets": "OTHER_LONG_TERM_ASSETS",
    "fixed_assets": "PROPERTY_PLANT_EQUIPMENT",
    "current_liabilities": "OTHER_CURRENT_LIABILITY",
    "non_current_liabilities": "OTHER_LONG_TERM_LIABILITY",
    "equity": "NON_RETAINED_EARNINGS",
    "income": "INCOME",
    "other_income": "OTHER_INCOME",
    "expense": "EXPENSE",
    "depreciation": "EXPENSE",
    "direct_costs": "COST_OF_GOODS_SOLD",
}
CREATABLE_SUBTYPES = frozenset(TYPE_SUBTYPES.values()) | {
    "DEPRECIATION_AND_AMORTIZATION",
    "DISCOUNTS",
    "DUE_FOR_PAYROLL",
    "DUE_TO_YOU_AND_OTHER_OWNERS",
    "INVENTORY",
    "LOANS",
    "MONEY_IN_TRANSIT",
    "PAYMENT_PROCESSING_FEES",
    "PAYROLL_EXPENSES",
    "RETAINED_EARNINGS",
    "CUSTOMER_PREPAYMENTS_AND_CREDITS",
}
#: subtypes a payment or a money transaction can move money through
MONEY_SUBTYPES = frozenset({"CASH_AND_BANK", "MONEY_IN_TRANSIT", "CREDIT_CARD", "LOANS"})
FIRST_DAY = "0001-01-01"  # Wave's effective date of a sales tax's first rate: "always"


# ====================================================================== products
def product_to_canonical(doc):
    record = {
        "external_id": doc["id"],
        **meta(doc),
        "name": text(doc.get("name")) or doc["id"],
        "type": "service",  # Wave does not tell goods from services
        "description": text(doc.get("description")),
        "sale_price": decimal(doc.get("unitPrice") or 0, "unitPrice"),
        "sale_taxes": [tax["id"] for tax in doc.get("defaultSalesTaxes") or []],
        "active": not doc.get("isArchived"),
    }
    for key, field in (("incomeAccount", "income_account"), ("expenseAccount", "expense_account")):
        if ref(doc, key):
            record[field] = ref(doc, key)
    return record


def product_from_canonical(record, *, income_account=None):
    """ProductCreateInput / ProductPatchInput (without businessId or id).

    Wave needs an income account (sold) or an expense account (bought): a product with
    neither gets the connection's income account, so that invoices can carry it."""
    data = {
        "name": text(record.get("name")),
        "description": text(record.get("description")),
        "unitPrice": dec(record.get("sale_price") or 0),
        "defaultSalesTaxIds": list(record.get("sale_taxes") or []),
    }
    income = record.get("income_account") or (None if record.get("expense_account") else income_account)
    if income:
        data["incomeAccountId"] = income
    if record.get("expense_account"):
        data["expenseAccountId"] = record["expense_account"]
    if not income and not record.get("expense_account"):
        raise refuse(
            f"Product {record.get('name')}: Wave needs an income or an expense account for it; map the product's "
            "income account or set the connection's income account"
        )
    return data


# ====================================================================== accounts
def code_value(doc, key):
    linked = doc.get(key)
    return linked.get("value") if isinstance(linked, dict) else linked


def account_to_canonical(doc):
    subtype = code_value(doc, "subtype")
    kind = SUBTYPE_TYPES.get(subtype)
    if kind is None:
        raise refuse(f"Wave account {doc.get('name')} has the unknown subtype {subtype!r}")
    record = {
        "external_id": doc["id"],
        "version": str(doc.get("sequence")) if doc.get("sequence") is not None else None,
        "name": text(doc.get("name")) or doc["id"],
        "code": text(doc.get("displayId"), 64),
        "type": kind,
        "provider_type": f"{code_value(doc, 'type')} / {subtype}",
        "description": text(doc.get("description")),
        "active": not doc.get("isArchived"),
    }
    currency = code(doc, "currency")
    if currency:
        record["currency"] = currency
    return record


def account_subtype(record):
    """The subtype of a new account: the one named in ``provider_type`` when it came from Wave."""
    named = (record.get("provider_type") or "").rpartition("/")[2].strip()
    if named in CREATABLE_SUBTYPES:
        return named
    subtype = TYPE_SUBTYPES.get(record.get("type"))
    if subtype is None:
        raise refuse(f"Account {record.get('name')}: Wave has no account of type {record.get('type')!r}")
    return subtype


def account_from_canonical(record, *, creating):
    """AccountCreateInput (without businessId) or AccountPatchInput (without id and sequence)."""
    data = {
        "name": text(record.get("name")),
        "description": text(record.get("description")),
        "displayId": text(record.get("code")),
    }
    if creating:
        data["subtype"] = account_subtype(record)
        if record.get("currency"):
            data["currency"] = record["currency"]
        data = {key: value for key, value in data.items() if value is not None}
    return data


# ====================================================================== sales taxes
def tax_to_canonical(doc):
    """A sales tax with today's rate and every rate by date (``rates``, the first from the start)."""
    rates = []
    for item in sorted(doc.get("rates") or [], key=lambda r: str(r.get("effective"))):
        start = item.get("effective")
        rates.append({"date_from": None if start == FIRST_DAY else start, "rate": percent(item["rate"])})
    record = {
        "external_id": doc["id"],
        **meta(doc),
        "name": text(doc.get("name")) or text(doc.get("abbreviation")) or doc["id"],
        "description": text(doc.get("description")) or text(doc.get("abbreviation")),
        "rate": percent(doc.get("rate") or 0),  # Wave's rate of today
        "scope": "both" if doc.get("isRecoverable") else "sale",
        "active": not doc.get("isArchived"),
        "compound": bool(doc.get("isCompound")),
        "recoverable": bool(doc.get("isRecoverable")),
        "rates": rates,
    }
    return record


def abbreviation(record):
    """Wave wants a unique abbreviation of at most 10 characters: the initials, else the name."""
    name = text(record.get("name")) or "TAX"
    words = re.findall(r"[A-Za-z0-9]+", name)
    short = "".join(word[0] for word in words).upper() if len(words) > 1 else name
    return short[:10]


def tax_from_canonical(record):
    """SalesTaxCreateInput (without businessId) of a new tax."""
    rate = Decimal(str(record.get("rate") or 0)) / 100
    if record.get("components"):
        raise refuse(
            f"Tax {record.get('name')} combines several rates; Wave's sales taxes have one rate each: "
            "create one tax per component in Wave and map them"
        )
    return {
        "name": text(record.get("name")),
        "abbreviation": abbreviation(record),
        "rate": dec(rate),
        "description": text(record.get("description")),
        "isCompound": bool(record.get("compound")),
        "isRecoverable": bool(record.get("recoverable", record.get("scope") in ("purchase", "both"))),
    }


def rate_on(rates, on_date):
    """The fraction of a Wave sales tax on a date, from its ``rates`` [{effective, rate}]."""
    current = None
    for item in sorted(rates or [], key=lambda r: str(r.get("effective"))):
        if current is None or str(item["effective"]) <= str(on_date):
            current = Decimal(str(item["rate"]))
    return current or Decimal(0)
