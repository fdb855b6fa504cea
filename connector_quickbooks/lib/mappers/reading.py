"""QuickBooks documents -> canonical records: parties, items, accounts, tax codes, sales and
purchase documents, payments (with credit links), journal entries; ``to_canonical`` picks one."""

from decimal import Decimal

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.canonical import combined_rate
from odoo.addons.connector_base.lib.money import quantize, to_decimal

from .common import (
    ACCOUNT_TYPES,
    ENTITY_KIND,
    ENTITY_MOVE_TYPE,
    _meta,
    _money,
    _note,
    _origin,
    _text,
    country_code,
    ext_id,
    is_voided,
    ref,
)


def party_to_canonical(doc, entity):
    address = doc.get("BillAddr") or {}
    name = doc.get("DisplayName") or doc.get("CompanyName") or doc.get("FullyQualifiedName")
    record = {
        "external_id": ext_id(entity, doc["Id"]),
        **_meta(doc),
        "name": name,
        "is_company": bool(doc.get("CompanyName")),
        "company_name": _text(doc.get("CompanyName")),
        "roles": ["customer" if entity == "Customer" else "vendor"],
        "email": _text((doc.get("PrimaryEmailAddr") or {}).get("Address"), 240),
        "phone": _text((doc.get("PrimaryPhone") or {}).get("FreeFormNumber"), 64),
        "mobile": _text((doc.get("Mobile") or {}).get("FreeFormNumber"), 64),
        "website": _text((doc.get("WebAddr") or {}).get("URI"), 500),
        "active": bool(doc.get("Active", True)),
        "notes": _text(doc.get("Notes")),
        "address": {
            "street": _text(address.get("Line1"), 500),
            "street2": _text(" ".join(filter(None, (address.get(f"Line{n}") for n in (2, 3, 4, 5)))), 500),
            "city": _text(address.get("City"), 128),
            "zip": _text(address.get("PostalCode"), 32),
            "state_code": _text(address.get("CountrySubDivisionCode"), 64),
            "country_code": country_code(address.get("Country")),
        },
    }
    vat = doc.get("PrimaryTaxIdentifier") or doc.get("TaxIdentifier")
    if vat and "X" not in str(vat).upper()[:-4]:  # QuickBooks masks all but the last four
        record["vat"] = _text(vat, 64)
    currency = ref(doc, "CurrencyRef")
    if currency:
        record["currency"] = currency
    term = ref(doc, "SalesTermRef") or ref(doc, "TermRef")
    if term:
        record["payment_term"] = term
    return record


def product_to_canonical(doc, tax_mode="us"):
    if doc.get("Type") in ("Category", "Group"):
        return None  # not something a document line can carry
    record = {
        "external_id": str(doc["Id"]),
        **_meta(doc),
        "name": doc.get("Name") or doc.get("FullyQualifiedName"),
        "sku": _text(doc.get("Sku"), 128),
        "type": "service" if doc.get("Type") == "Service" else "goods",
        "description": _text(doc.get("Description")),
        "purchase_description": _text(doc.get("PurchaseDesc")),
        "active": bool(doc.get("Active", True)),
    }
    if doc.get("UnitPrice") is not None:
        record["sale_price"] = to_decimal(doc["UnitPrice"])
    if doc.get("PurchaseCost") is not None:
        record["cost"] = to_decimal(doc["PurchaseCost"])
    for key, field in (("IncomeAccountRef", "income_account"), ("ExpenseAccountRef", "expense_account")):
        if ref(doc, key):
            record[field] = ref(doc, key)
    if tax_mode != "us":
        for key, field in (("SalesTaxCodeRef", "sale_taxes"), ("PurchaseTaxCodeRef", "purchase_taxes")):
            code = ref(doc, key)
            if code and code not in ("NON", "TAX"):
                record[field] = [code]
    return record


def account_to_canonical(doc):
    kind = ACCOUNT_TYPES.get(doc.get("AccountType"))
    if not kind:
        raise errors.PayloadValidationError(f"Unknown QuickBooks AccountType {doc.get('AccountType')!r}")
    record = {
        "external_id": str(doc["Id"]),
        **_meta(doc),
        "name": doc.get("FullyQualifiedName") or doc.get("Name"),
        "code": _text(doc.get("AcctNum"), 64),
        "type": kind,
        "provider_type": _text(" / ".join(filter(None, (doc.get("AccountType"), doc.get("AccountSubType")))), 128),
        "description": _text(doc.get("Description")),
        "active": bool(doc.get("Active", True)),
    }
    if ref(doc, "CurrencyRef"):
        record["currency"] = ref(doc, "CurrencyRef")
    return record


def _rate_of(rates, rate_id):
    """(percent, name) of a TaxRate: ``rates`` maps its Id to the TaxRate or to its percent."""
    found = rates.get(rate_id)
    if isinstance(found, dict):
        return to_decimal(found.get("RateValue") or 0), found.get("Name") or f"Tax rate {rate_id}"
    return to_decimal(found or 0), f"Tax rate {rate_id}"


def tax_to_canonical(doc, rates):
    """A TaxCode with the rate its rates make together; a code of several rates lists them as
    components in TaxOrder, a TaxOnAmountPlusTax rate (Canadian PST or QST charged on the
    amount with GST) compound. ``rates`` maps TaxRate Id -> TaxRate (or its percent)."""
    sales = (doc.get("SalesTaxRateList") or {}).get("TaxRateDetail") or []
    purchases = (doc.get("PurchaseTaxRateList") or {}).get("TaxRateDetail") or []
    details = sales or purchases
    ordered = [d for _n, d in sorted(enumerate(details), key=lambda p: (int(p[1].get("TaxOrder") or 0), p[0]))]
    components = []
    for detail in ordered:
        rate, name = _rate_of(rates, ref(detail, "TaxRateRef"))
        applicable = detail.get("TaxTypeApplicable") or "TaxOnAmount"
        if applicable == "TaxOnTax":
            raise errors.PayloadValidationError(
                f"Tax code {doc.get('Name')}: its rate {name} is charged on the other taxes alone (TaxOnTax), "
                "which Odoo's taxes cannot compute"
            )
        components.append({"name": name, "rate": rate, "compound": applicable == "TaxOnAmountPlusTax"})
    if components:
        components[0]["compound"] = False  # nothing comes before the first
    scope = "both" if sales and purchases else "sale" if sales else "purchase" if purchases else "none"
    record = {
        "external_id": str(doc["Id"]),
        **_meta(doc),
        "name": doc.get("Name") or str(doc["Id"]),
        "description": _text(doc.get("Description")),
        "rate": combined_rate(components),
        "scope": scope,
        "active": bool(doc.get("Active", True)),
    }
    if len(components) > 1:
        record["components"] = components
    return record


def _line_taxes(detail, doc, tax_mode):
    """The tax codes of a line: US lines are TAX (the document's TxnTaxCodeRef) or NON,
    elsewhere a line names its code. A code the company's tax mode does not use (a tax code
    on a US company's line, TAX on another country's) is kept, not dropped: dropped, the line
    would arrive without the tax QuickBooks charged on it and the document be refused as a
    rounding difference of that whole tax. Kept, the document waits for the code's mapping
    (mapping_missing, named after the code) and comes in with it once it is mapped."""
    code = ref(detail, "TaxCodeRef")
    if code in (None, "NON"):
        return []
    if code == "TAX" and tax_mode == "us":
        txn_code = ref(doc.get("TxnTaxDetail") or {}, "TxnTaxCodeRef")
        return [txn_code] if txn_code else []
    return [code]


ITEM_DETAILS = ("SalesItemLineDetail", "ItemBasedExpenseLineDetail")
EXPENSE_DETAILS = ITEM_DETAILS[1:] + ("AccountBasedExpenseLineDetail",)


def _inclusive(doc, tax_mode):
    """True when the document's lines can come in with their taxes included.

    On a TaxInclusive document QuickBooks keeps Line.Amount and UnitPrice WITHOUT tax and the
    amount with tax in the line detail's TaxInclusiveAmt (Amount 409.09, TaxInclusiveAmt 450.0
    on an Australian company's invoice); without TaxInclusiveAmt on every line (older minor
    versions, a US company) the document comes in tax-exclusive, which totals the same."""
    if doc.get("GlobalTaxCalculation") != "TaxInclusive" or tax_mode == "us":
        return False
    lines = [line for line in doc.get("Line") or [] if line.get("DetailType") in ITEM_DETAILS + EXPENSE_DETAILS]
    return bool(lines) and all(
        (line.get(line["DetailType"]) or {}).get("TaxInclusiveAmt") is not None for line in lines
    )


def invoice_to_canonical(doc, entity, tax_mode="us"):
    purchase = entity in ("Bill", "VendorCredit")
    party_entity = "Vendor" if purchase else "Customer"
    inclusive = _inclusive(doc, tax_mode)
    lines = []
    for line in doc.get("Line") or []:
        kind = line.get("DetailType")
        detail = line.get(kind) or {}
        amount = _money(line.get("Amount"))
        gross = _money(detail.get("TaxInclusiveAmt")) if inclusive else amount
        if kind in ITEM_DETAILS:
            qty = to_decimal(detail.get("Qty") if detail.get("Qty") not in (None, "") else 1)
            price = detail.get("UnitPrice")
            if inclusive:
                price = quantize(gross / qty, 6) if qty else gross
            elif price in (None, ""):
                price = amount / qty if qty else amount
            item = {
                "description": _text(line.get("Description")),
                "quantity": qty,
                "price_unit": to_decimal(price),
                "amount": gross,
                "taxes": _line_taxes(detail, doc, tax_mode),
            }
            if inclusive:
                item["amount_untaxed"] = amount
            if ref(detail, "ItemRef"):
                item["product"] = ref(detail, "ItemRef")
            lines.append(item)
        elif kind == "AccountBasedExpenseLineDetail":
            item = {
                "description": _text(line.get("Description")),
                "account": ref(detail, "AccountRef"),
                "quantity": Decimal(1),
                "price_unit": gross,
                "amount": gross,
                "taxes": _line_taxes(detail, doc, tax_mode),
            }
            if inclusive:
                item["amount_untaxed"] = amount
            lines.append(item)
        elif kind == "DiscountLineDetail" and amount:
            item = {
                "description": _text(line.get("Description")) or "Discount",
                "quantity": Decimal(1),
                "price_unit": -amount,
                "amount": -amount,
                "taxes": [],
            }
            if ref(detail, "DiscountAccountRef"):
                item["account"] = ref(detail, "DiscountAccountRef")
            lines.append(item)
        # SubTotalLineDetail and DescriptionOnly carry no amount of their own
    tax_detail = doc.get("TxnTaxDetail") or {}
    record = {
        "external_id": ext_id(entity, doc["Id"]),
        **_meta(doc),
        **_origin(doc),
        "move_type": ENTITY_MOVE_TYPE[entity],
        "number": _text(doc.get("DocNumber"), 64),
        "partner": f"{party_entity}/{ref(doc, party_entity + 'Ref')}",
        "date": doc.get("TxnDate"),
        # credit memos and vendor credits have no DueDate: they fall due on their own date
        # (a term, when the document has one and it is mapped, still decides in Odoo)
        "due_date": doc.get("DueDate") or doc.get("TxnDate"),
        "currency": ref(doc, "CurrencyRef") or "USD",
        "tax_mode": "inclusive"
        if inclusive
        else "none"
        if doc.get("GlobalTaxCalculation") == "NotApplicable"
        else "exclusive",
        "memo": _text((doc.get("CustomerMemo") or {}).get("value")) or _note(doc),
        "state": "void" if is_voided(doc) else "posted",
        "lines": lines,
        "amount_tax": _money(tax_detail.get("TotalTax")),
        "amount_total": _money(doc.get("TotalAmt")),
    }
    if doc.get("Balance") is not None:
        record["amount_residual"] = _money(doc.get("Balance"))
    if doc.get("ExchangeRate") not in (None, ""):
        record["exchange_rate"] = to_decimal(doc["ExchangeRate"])
    term = ref(doc, "SalesTermRef")
    if term:
        record["payment_term"] = term
    return record


#: what the lines of a payment link, per payment entity: the documents it settles and the
#: credits it applies to them (a Payment of 0 linking a CreditMemo and an Invoice is how
#: QuickBooks applies a credit memo; its TotalAmt is the invoices less the credits)
PAYMENT_LINKS = {
    "Payment": {"Invoice": "invoice", "CreditMemo": "credit_note"},
    "BillPayment": {"Bill": "invoice", "VendorCredit": "credit_note"},
}


def payment_to_canonical(doc, entity):
    vendor = entity == "BillPayment"
    party_entity = "Vendor" if vendor else "Customer"
    allocations = []
    for line in doc.get("Line") or []:
        for link in line.get("LinkedTxn") or []:
            document_kind = PAYMENT_LINKS[entity].get(link.get("TxnType"))
            if document_kind:
                allocation = {"document": f"{link['TxnType']}/{link['TxnId']}", "amount": _money(line.get("Amount"))}
                if document_kind == "credit_note":
                    allocation["document_kind"] = document_kind
                allocations.append(allocation)
    record = {
        "external_id": ext_id(entity, doc["Id"]),
        **_meta(doc),
        **_origin(doc),
        "payment_type": "outbound" if vendor else "inbound",
        "partner": f"{party_entity}/{ref(doc, party_entity + 'Ref')}",
        "date": doc.get("TxnDate"),
        "amount": _money(doc.get("TotalAmt")),
        "currency": ref(doc, "CurrencyRef") or "USD",
        "reference": _text(doc.get("PaymentRefNum") or doc.get("DocNumber"), 255),
        "memo": _note(doc),
        "state": "void" if is_voided(doc) else "posted",
        "allocations": allocations,
    }
    if doc.get("ExchangeRate") not in (None, ""):
        record["exchange_rate"] = to_decimal(doc["ExchangeRate"])
    method = ref(doc, "PaymentMethodRef")
    if method:
        record["method"] = method
    account = (
        ref(doc.get("CheckPayment") or {}, "BankAccountRef")
        or ref(doc.get("CreditCardPayment") or {}, "CCAccountRef")
        or ref(doc, "DepositToAccountRef")
    )
    if account:
        record["deposit_account"] = account
    return record


def journal_entry_to_canonical(doc):
    lines = []
    for line in doc.get("Line") or []:
        detail = line.get("JournalEntryLineDetail")
        if not detail:
            continue
        item = {"account": ref(detail, "AccountRef"), "description": _text(line.get("Description"))}
        amount = _money(line.get("Amount"))
        if detail.get("PostingType") == "Debit":
            item["debit"] = amount
        else:
            item["credit"] = amount
        entity = detail.get("Entity") or {}
        if entity.get("Type") in ("Customer", "Vendor") and ref(entity, "EntityRef"):
            item["partner"] = f"{entity['Type']}/{ref(entity, 'EntityRef')}"
        lines.append(item)
    record = {
        "external_id": str(doc["Id"]),
        **_meta(doc),
        **_origin(doc),
        "number": _text(doc.get("DocNumber"), 64),
        "date": doc.get("TxnDate"),
        "currency": ref(doc, "CurrencyRef") or "USD",
        "memo": _note(doc),
        "adjustment": bool(doc.get("Adjustment")),
        "lines": lines,
    }
    if doc.get("ExchangeRate") not in (None, ""):
        record["exchange_rate"] = to_decimal(doc["ExchangeRate"])
    return record


def to_canonical(entity, doc, *, tax_mode="us", rates=None):
    """The canonical record of one QuickBooks document (None when it has none)."""
    if doc.get("status") == "Deleted":
        return {"external_id": ext_id(entity, doc["Id"]), "deleted": True}
    kind = ENTITY_KIND[entity]
    if kind == "party":
        return party_to_canonical(doc, entity)
    if kind == "product":
        return product_to_canonical(doc, tax_mode)
    if kind == "account":
        return account_to_canonical(doc)
    if kind == "tax":
        return tax_to_canonical(doc, rates or {})
    if kind == "invoice":
        return invoice_to_canonical(doc, entity, tax_mode)
    if kind == "payment":
        return payment_to_canonical(doc, entity)
    return journal_entry_to_canonical(doc)


# ====================================================================== canonical -> QuickBooks
