"""Reckon list records <-> canonical products and accounts; payment terms and methods.

Items: a Reckon item sets ``amountTaxStatus``; an ``Inclusive`` item's prices include its tax,
while a canonical product's prices never do, so they are divided by the item's tax rate (in
force today). Items are written ``Exclusive``. Ledger accounts: Reckon's ``accountType`` to
the canonical account types and back (the type of an existing account cannot change).
"""

from decimal import Decimal

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.money import quantize

from .common import amount, ext_id, meta, ref_id, text

#: Reckon accountType (openapi.yaml LedgerAccountType) -> canonical account type
ACCOUNT_TYPES = {
    "Income": "income",
    "Income_Other": "other_income",
    "Expense": "expense",
    "Expense_Other": "expense",
    "Expense_CostOfGoodsSold": "direct_costs",
    "CurrentAsset_Bank": "bank",
    "CurrentAsset_AccountsReceivable": "receivable",
    "CurrentAsset_Other": "current_assets",
    "NonCurrentAsset_Fixed": "fixed_assets",
    "NonCurrentAsset_Other": "non_current_assets",
    "CurrentLiability_CreditCard": "credit_card",
    "CurrentLiability_AccountsPayable": "payable",
    "CurrentLiability_Other": "current_liabilities",
    "NonCurrentLiability": "non_current_liabilities",
    "Equity": "equity",
}
#: canonical account type -> the Reckon accountType a new account gets
NEW_ACCOUNT_TYPES = {
    "income": "Income",
    "other_income": "Income_Other",
    "expense": "Expense",
    "depreciation": "Expense_Other",
    "direct_costs": "Expense_CostOfGoodsSold",
    "bank": "CurrentAsset_Bank",
    "cash": "CurrentAsset_Bank",
    "receivable": "CurrentAsset_AccountsReceivable",
    "current_assets": "CurrentAsset_Other",
    "prepayments": "CurrentAsset_Other",
    "fixed_assets": "NonCurrentAsset_Fixed",
    "non_current_assets": "NonCurrentAsset_Other",
    "credit_card": "CurrentLiability_CreditCard",
    "payable": "CurrentLiability_AccountsPayable",
    "current_liabilities": "CurrentLiability_Other",
    "non_current_liabilities": "NonCurrentLiability",
    "equity": "Equity",
}
ACCOUNT_INPUT = (
    "name description parentLedgerAccount sortOrder status defaultTaxRate accountType accountCode exportCode "
    "bankAccount creditAccount"
).split()
BANK_INPUT = (
    "dateOpened lockoffDate bankBranchNumber bankAccountNumber openingBalance financialInstitution "
    "includeBalancingTransaction payerIdentifier"
).split()
ITEM_INPUT = ("name", "parentItem", "itemType", "itemCode", "status", "purchase", "sale", "amountTaxStatus")
USE_INPUT = ("price", "priceAccuracy", "ledgerAccount", "description", "taxRate")


def _exclusive(price, item, use, rates):
    """A price as the canonical product has it: without tax."""
    if price is None or item.get("amountTaxStatus") != "Inclusive":
        return price
    rate = rates.get(ref_id((item.get(use) or {}).get("taxRate")) or "", Decimal(0))
    return quantize(price * 100 / (100 + rate), 6) if rate else price


def product_to_canonical(doc, rates=None):
    """An item; ``rates`` maps a tax rate id to its percent today (for ``Inclusive`` prices)."""
    sale, purchase = doc.get("sale") or {}, doc.get("purchase") or {}
    record = {
        "external_id": str(doc["id"]),
        **meta(doc),
        "name": doc.get("fullName") or doc.get("name"),
        "sku": text(doc.get("itemCode"), 128),
        "type": "service" if doc.get("itemType") == "Service" else "goods",
        "description": text(sale.get("description")),
        "purchase_description": text(purchase.get("description")),
        "active": doc.get("status", "Active") != "Inactive",
    }
    for use, price_key, account_key, tax_key in (
        (sale, "sale_price", "income_account", "sale_taxes"),
        (purchase, "cost", "expense_account", "purchase_taxes"),
    ):
        name = "sale" if use is sale else "purchase"
        if use.get("price") is not None:
            record[price_key] = _exclusive(amount(use["price"]), doc, name, rates or {})
        if ref_id(use.get("ledgerAccount")):
            record[account_key] = ref_id(use["ledgerAccount"])
        if ref_id(use.get("taxRate")):
            record[tax_key] = [ext_id("TaxRate", ref_id(use["taxRate"]))]
    return record


def account_to_canonical(doc):
    kind = ACCOUNT_TYPES.get(doc.get("accountType"))
    if not kind:
        raise errors.PayloadValidationError(f"Unknown Reckon accountType {doc.get('accountType')!r}")
    if kind == "bank" and (doc.get("bankAccount") or {}).get("isCash"):
        kind = "cash"
    return {
        "external_id": str(doc["id"]),
        **meta(doc),
        "name": doc.get("fullName") or doc.get("name"),
        "code": text(doc.get("accountCode"), 64),
        "type": kind,
        "provider_type": text(doc.get("accountType"), 128),
        "description": text(doc.get("description")),
        "active": doc.get("status", "Active") != "Inactive",
    }


def term_row(doc):
    """A payment term for ``reference_lists``: (id, name, extra); ``due_days`` only for the
    terms that count days from the issue date."""
    extra = {"due_days": int(doc["netDueDay"])} if doc.get("netDueDaySelection") == "DaysAfterIssue" else {}
    return str(doc["id"]), doc.get("name") or str(doc["id"]), extra


# ====================================================================== canonical -> Reckon
def _tax_input(external_id):
    return external_id.split("/", 1)[1].split("@", 1)[0] if "/" in str(external_id) else str(external_id)


def _use(old, price, account, description, taxes):
    use = {k: v for k, v in old.items() if k in USE_INPUT}
    for key in ("ledgerAccount", "taxRate"):
        if isinstance(use.get(key), dict):
            use[key] = use[key]["id"]
    if price is not None:
        use["price"] = price
    if account:
        use["ledgerAccount"] = str(account)
    if description:
        use["description"] = description[:1000]
    if taxes:
        use["taxRate"] = _tax_input(taxes[0])
    return use


def product_from_canonical(record, *, current=None, income_account=None, expense_account=None):
    """ItemInput on top of the item Reckon has; prices tax-exclusive (``amountTaxStatus``
    Exclusive). A use (sale, purchase) needs a ledger account: the product's, the item's,
    else the connection's default; an item sold at a price with none of them is refused."""
    body = {}
    if current:
        body = {k: current[k] for k in ITEM_INPUT if current.get(k) not in (None, "")}
        if isinstance(body.get("parentItem"), dict):
            body["parentItem"] = body["parentItem"]["id"]
    body.update(
        name=record["name"].split(":")[-1].strip()[:100],
        itemType="Service" if record["type"] == "service" else "Product",
        status="Active" if record.get("active", True) else "Inactive",
        amountTaxStatus="Exclusive",
    )
    if record.get("sku"):
        body["itemCode"] = record["sku"][:100]
    inclusive = (current or {}).get("amountTaxStatus") == "Inclusive"
    for key, price_key, account_key, text_key, taxes_key, default in (
        ("sale", "sale_price", "income_account", "description", "sale_taxes", income_account),
        ("purchase", "cost", "expense_account", "purchase_description", "purchase_taxes", expense_account),
    ):
        old = dict((current or {}).get(key) or {})
        if inclusive:  # its old prices included tax: the ones sent are Odoo's, without
            old.pop("price", None)
        price = record.get(price_key)
        if not old and price is None and not record.get(account_key):
            body.pop(key, None)
            continue
        account = record.get(account_key) or ref_id(old.get("ledgerAccount")) or default
        if not account:
            if key == "sale":
                raise errors.MappingMissingError(
                    "Reckon needs an income account for an item that is sold: set the product's income "
                    "account or the connection's default",
                    mapping_model="connector.account.mapping",
                    external_id="income",
                )
            body.pop(key, None)
            continue
        body[key] = _use(old, price, account, record.get(text_key), record.get(taxes_key))
    return body


def account_from_canonical(record, *, current=None):
    """LedgerAccountInput on top of the account Reckon has."""
    body = {}
    if current:
        body = {k: current[k] for k in ACCOUNT_INPUT if current.get(k) not in (None, "")}
        for key in ("parentLedgerAccount", "defaultTaxRate"):
            if isinstance(body.get(key), dict):
                body[key] = body[key]["id"]
        if isinstance(body.get("bankAccount"), dict):
            bank = body["bankAccount"]
            body["bankAccount"] = {k: bank[k] for k in BANK_INPUT if bank.get(k) is not None}
            if isinstance(bank.get("financialInstitution"), dict):
                body["bankAccount"]["financialInstitution"] = bank["financialInstitution"].get("id")
            body["bankAccount"].setdefault("includeBalancingTransaction", False)
    else:
        kind = NEW_ACCOUNT_TYPES.get(record["type"])
        if not kind:
            raise errors.PayloadValidationError(f"Reckon has no ledger account type for {record['type']!r} accounts")
        body["accountType"] = kind
        if kind == "CurrentAsset_Bank":
            body["bankAccount"] = {"includeBalancingTransaction": False}
        elif kind == "CurrentLiability_CreditCard":
            body["creditAccount"] = {}
    body["name"] = record["name"].split(":")[-1].strip()[:260]
    body["status"] = "Active" if record.get("active", True) else "Inactive"
    if record.get("code"):
        body["accountCode"] = record["code"][:10]
    if record.get("description"):
        body["description"] = record["description"][:300]
    return body
