"""Canonical records -> QuickBooks request bodies: parties, items, sales and purchase documents
(tax codes per the company's tax mode, tax-inclusive lines), payments with their links and
journal entries."""

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.money import quantize, to_decimal

from .common import DOC_NUMBER_MAX, MOVE_TYPE_ENTITY, _money, split_id
from .reading import PAYMENT_LINKS


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
