"""QuickBooks documents <-> canonical records (connector_base/schemas), pure functions.

External ids of the canonical records: ``Customer/58`` and ``Vendor/56`` for parties
(QuickBooks numbers the two lists separately), ``Invoice/130``, ``CreditMemo/..``,
``Bill/..``, ``VendorCredit/..`` for documents, ``Payment/..`` and ``BillPayment/..``
for payments; plain ids for items, accounts, tax codes, terms, payment methods and
journal entries.
"""

import re
from decimal import Decimal

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.canonical import combined_rate
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
def doc_number(number):
    """DocNumber within QuickBooks' 21 characters: the tail, which carries the sequence."""
    if not number:
        return None
    number = str(number)
    return number if len(number) <= DOC_NUMBER_MAX else number[-DOC_NUMBER_MAX:]


def _value(external_id, expected_entity=None):
    if expected_entity:
        entity, doc_id = split_id(external_id)
        if entity != expected_entity:
            raise errors.PayloadValidationError(
                f"{external_id} is a QuickBooks {entity}; this document needs a {expected_entity}"
            )
        return {"value": doc_id}
    return {"value": str(external_id)}


def party_entity(record):
    return "Customer" if "customer" in record["roles"] else "Vendor"


def party_from_canonical(record, entity, *, creating):
    address = record.get("address") or {}
    body = {"DisplayName": record["name"].replace(":", " ").strip()[:500], "Active": record.get("active", True)}
    if record.get("is_company"):
        body["CompanyName"] = record.get("company_name") or record["name"]
    if record.get("email"):
        body["PrimaryEmailAddr"] = {"Address": record["email"]}
    if record.get("phone"):
        body["PrimaryPhone"] = {"FreeFormNumber": record["phone"]}
    if record.get("mobile"):
        body["Mobile"] = {"FreeFormNumber": record["mobile"]}
    if record.get("website"):
        body["WebAddr"] = {"URI": record["website"]}
    if record.get("notes"):
        body["Notes"] = record["notes"][:4000]
    if any(address.values()):
        body["BillAddr"] = {
            "Line1": address.get("street"),
            "Line2": address.get("street2"),
            "City": address.get("city"),
            "PostalCode": address.get("zip"),
            "CountrySubDivisionCode": address.get("state_code"),
            "Country": address.get("country_code"),
        }
    if record.get("vat"):
        body["PrimaryTaxIdentifier" if entity == "Customer" else "TaxIdentifier"] = record["vat"]
    if creating and record.get("currency"):
        body["CurrencyRef"] = {"value": record["currency"]}  # fixed once the party exists
    return body


def product_from_canonical(record, *, income_account, expense_account=None):
    body = {
        "Name": record["name"].replace(":", " ")[:100],
        "Type": "Service" if record["type"] == "service" else "NonInventory",
        "Active": record.get("active", True),
        "IncomeAccountRef": {"value": record.get("income_account") or income_account},
    }
    if record.get("sku"):
        body["Sku"] = record["sku"][:100]
    if record.get("description"):
        body["Description"] = record["description"][:4000]
    if record.get("purchase_description"):
        body["PurchaseDesc"] = record["purchase_description"][:1000]
    if record.get("sale_price") is not None:
        body["UnitPrice"] = to_decimal(record["sale_price"])
    if record.get("cost") is not None:
        body["PurchaseCost"] = to_decimal(record["cost"])
    expense = record.get("expense_account") or expense_account
    if expense:
        body["ExpenseAccountRef"] = {"value": expense}
    return body


def _tax_code(line, tax_mode, what):
    taxes = line.get("taxes") or []
    if tax_mode == "us":
        return {"value": "TAX" if taxes else "NON"}
    if len(taxes) > 1:
        raise errors.PayloadValidationError(f"{what}: QuickBooks takes one tax code per line, Odoo has {len(taxes)}")
    if not taxes:
        raise errors.MappingMissingError(
            f"{what}: QuickBooks needs a tax code on every line; this line has no tax",
            mapping_model="connector.tax.mapping",
            external_id="no-tax",
        )
    return {"value": str(taxes[0])}


def _line_amounts(line, inclusive, what):
    """(Qty, UnitPrice, Amount, amount with tax) of a line as QuickBooks keeps them: Amount and
    UnitPrice WITHOUT tax, also on a tax-inclusive document, whose lines carry the amount with
    tax apart (TaxInclusiveAmt; QuickBooks backs the tax out of it)."""
    qty = to_decimal(line["quantity"])
    price = to_decimal(line["price_unit"])
    discount = to_decimal(line.get("discount") or 0)
    if discount:
        price = quantize(price * (1 - discount / 100), 6)
    amount = quantize(line.get("amount") if line.get("amount") is not None else qty * price)
    gross = None
    if inclusive:
        if line.get("amount_untaxed") is None:
            raise errors.PayloadValidationError(
                f"{what}: a tax-inclusive line needs its amount without tax (amount_untaxed) for QuickBooks"
            )
        gross, amount = amount, quantize(line["amount_untaxed"])
    if qty and quantize(qty * price) != amount:
        price = quantize(amount / qty, 6)
    return qty, price, amount, gross


def _doc_line(detail_type, amount, line, detail):
    """A QuickBooks document line: its DetailType names the key that holds the detail."""
    return {"DetailType": detail_type, "Amount": amount, "Description": line.get("description"), detail_type: detail}


def invoice_from_canonical(record, *, tax_mode, home_currency, reference):
    entity = MOVE_TYPE_ENTITY[record["move_type"]]
    purchase = entity in ("Bill", "VendorCredit")
    party_key = "VendorRef" if purchase else "CustomerRef"
    body = {
        party_key: _value(record["partner"], "Vendor" if purchase else "Customer"),
        "TxnDate": record["date"],
        "CurrencyRef": {"value": record["currency"]},
        "PrivateNote": reference,
        "Line": [],
    }
    number = doc_number(record.get("number"))
    if number:
        body["DocNumber"] = number
    if record.get("due_date") and entity in ("Invoice", "Bill"):
        body["DueDate"] = record["due_date"]
    if record["currency"] != home_currency and record.get("exchange_rate"):
        body["ExchangeRate"] = to_decimal(record["exchange_rate"])
    mode = record.get("tax_mode", "exclusive")
    # a US company has no tax-inclusive documents: the lines go without their taxes
    inclusive = mode == "inclusive" and tax_mode != "us"
    if mode == "inclusive" and not inclusive:
        mode = "exclusive"
    body["GlobalTaxCalculation"] = {"exclusive": "TaxExcluded", "inclusive": "TaxInclusive"}.get(mode, "NotApplicable")
    if record.get("memo") and not purchase:
        body["CustomerMemo"] = {"value": record["memo"][:1000]}
    first_tax = None
    for number, line in enumerate(record["lines"], 1):
        what = f"line {number}"
        qty, price, amount, gross = _line_amounts(line, record.get("tax_mode") == "inclusive", what)
        if line.get("taxes") and first_tax is None:
            first_tax = str(line["taxes"][0])
        if not purchase:
            if not line.get("product"):
                raise errors.PayloadValidationError(
                    f"{what}: QuickBooks invoice lines need a product (an Item); this line has only an account"
                )
            detail = {
                "ItemRef": {"value": str(line["product"])},
                "Qty": qty,
                "UnitPrice": price,
                "TaxCodeRef": _tax_code(line, tax_mode, what),
            }
            kind = "SalesItemLineDetail"
        elif line.get("product"):
            detail = {
                "ItemRef": {"value": str(line["product"])},
                "Qty": qty,
                "UnitPrice": quantize(amount / qty, 6) if qty else price,
            }
            if tax_mode != "us":
                detail["TaxCodeRef"] = _tax_code(line, tax_mode, what)
            kind = "ItemBasedExpenseLineDetail"
        else:
            detail = {"AccountRef": {"value": str(line["account"])}}
            if tax_mode != "us":
                detail["TaxCodeRef"] = _tax_code(line, tax_mode, what)
            kind = "AccountBasedExpenseLineDetail"
        if inclusive:
            detail["TaxInclusiveAmt"] = gross
        body["Line"].append(_doc_line(kind, amount, line, detail))
    if tax_mode == "us" and not purchase:
        tax_detail = {}
        if first_tax:
            tax_detail["TxnTaxCodeRef"] = {"value": first_tax}
        if record.get("amount_tax") is not None and first_tax:
            tax_detail["TotalTax"] = to_decimal(record["amount_tax"])  # Odoo's amount is honoured
        body["TxnTaxDetail"] = tax_detail
    return entity, body


def payment_from_canonical(record, *, home_currency, reference, bank_account=None):
    """A Payment or BillPayment; one line per allocation, linking the invoice (bill) or the
    credit memo (vendor credit) it names: a payment of 0 applies credit with no money."""
    vendor = record["payment_type"] == "outbound"
    entity = "BillPayment" if vendor else "Payment"
    targets = {kind: txn_type for txn_type, kind in PAYMENT_LINKS[entity].items()}

    def line(allocation):
        target = targets[allocation.get("document_kind") or "invoice"]
        link = {"TxnId": _value(allocation["document"], target)["value"], "TxnType": target}
        return {"Amount": _money(allocation["amount"]), "LinkedTxn": [link]}

    body = {
        ("VendorRef" if vendor else "CustomerRef"): _value(record["partner"], "Vendor" if vendor else "Customer"),
        "TotalAmt": _money(record["amount"]),
        "TxnDate": record["date"],
        "CurrencyRef": {"value": record["currency"]},
        "PrivateNote": reference,
        "Line": [line(a) for a in record.get("allocations") or []],
    }
    if record["currency"] != home_currency and record.get("exchange_rate"):
        body["ExchangeRate"] = to_decimal(record["exchange_rate"])
    account = record.get("deposit_account") or bank_account
    if vendor:
        if not account:
            raise errors.MappingMissingError(
                "A QuickBooks bill payment needs the bank account it was paid from: map the journal's account",
                mapping_model="connector.account.mapping",
                external_id="bank",
            )
        body["PayType"] = "Check"
        body["CheckPayment"] = {"BankAccountRef": {"value": str(account)}}
        if record.get("reference"):
            body["DocNumber"] = doc_number(record["reference"])
    else:
        if account:
            body["DepositToAccountRef"] = {"value": str(account)}
        if record.get("reference"):
            body["PaymentRefNum"] = record["reference"][:21]
        if record.get("method"):
            body["PaymentMethodRef"] = {"value": str(record["method"])}
    return entity, body


def journal_entry_from_canonical(record, *, home_currency, reference):
    lines = []
    for line in record["lines"]:
        debit = to_decimal(line.get("debit") or 0)
        credit = to_decimal(line.get("credit") or 0)
        detail = {"PostingType": "Debit" if debit else "Credit", "AccountRef": {"value": str(line["account"])}}
        if line.get("partner"):
            entity, doc_id = split_id(line["partner"])
            detail["Entity"] = {"Type": entity, "EntityRef": {"value": doc_id}}
        lines.append(
            {
                "DetailType": "JournalEntryLineDetail",
                "Amount": quantize(debit or credit),
                "Description": line.get("description"),
                "JournalEntryLineDetail": detail,
            }
        )
    body = {
        "TxnDate": record["date"],
        "CurrencyRef": {"value": record["currency"]},
        "PrivateNote": reference,
        "Line": lines,
        "Adjustment": bool(record.get("adjustment")),
    }
    if record.get("number"):
        body["DocNumber"] = doc_number(record["number"])
    if record["currency"] != home_currency and record.get("exchange_rate"):
        body["ExchangeRate"] = to_decimal(record["exchange_rate"])
    return "JournalEntry", body
