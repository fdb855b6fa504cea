"""Bills and journals <-> canonical vendor bills and journal entries.

Neither is in Reckon's 2022 API v2 document. They are served under the v2 base with the v1
field names PROVIDERS.md §4.3 lists (the sandbox's documented extension, README rows 43-47):
bills ``BillID, BillNumber, BillDate, DueDate, CustomerID`` (the supplier), ``BillAmount,
TaxAmount, Balance, Status`` (1 Draft, 2 Approved, 3 Overdue, 4 Paid), ``AmountTaxStatus``
(0 NonTaxed, 1 Inclusive, 2 Exclusive), ``LineItems[AccountingCategoryID, Amount, TaxGroupID,
TaxAmount]``; journals ``JournalID, JournalNumber, JournalDate, Summary, Transactions[
AccountingCategoryId, Debit, Credit, TaxGroupId, Narration, ContactId]``. A bill's lines name
a tax group; a journal's stamp goes in its ``Summary`` (it has no notes).
"""

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.money import quantize, to_decimal

from .common import day, ext_id, memo, meta, money, origin, stamped, text, v1_date
from .documents import tax_input

V1_TAX_STATUS = {0: "none", 1: "inclusive", 2: "exclusive"}
V1_TAX_CODES = {mode: code for code, mode in V1_TAX_STATUS.items()}
BILL_STATES = {1: "draft", 2: "posted", 3: "posted", 4: "posted"}


def bill_to_canonical(doc, *, currency):
    mode = V1_TAX_STATUS.get(doc.get("AmountTaxStatus"), "exclusive")
    lines = []
    for line in doc.get("LineItems") or []:
        value = money(line.get("Amount"))
        lines.append(
            {
                "description": text(line.get("Description")),
                "account": str(line["AccountingCategoryID"]),
                "quantity": to_decimal(1),
                "price_unit": value,
                "amount": value,
                "taxes": [ext_id("TaxGroup", line["TaxGroupID"])] if line.get("TaxGroupID") and mode != "none" else [],
            }
        )
    total, tax = money(doc.get("BillAmount")), money(doc.get("TaxAmount"))
    on = day(doc.get("BillDate"))
    record = {
        "external_id": ext_id("Bill", doc["BillID"]),
        **meta(doc),
        **origin(doc.get("Notes")),
        "move_type": "in_invoice",
        "number": text(doc.get("BillNumber"), 64),
        "reference": text(doc.get("Reference"), 255),
        "partner": str(doc["CustomerID"]),
        "date": on,
        "due_date": day(doc.get("DueDate")) or on,
        "currency": currency,
        "tax_mode": mode,
        "memo": memo(doc.get("Notes")),
        "state": BILL_STATES.get(doc.get("Status"), "posted"),
        "lines": [{k: v for k, v in line.items() if v is not None} for line in lines],
        "amount_untaxed": total - tax,
        "amount_tax": tax,
        "amount_total": total,
    }
    if doc.get("Balance") is not None:
        record["amount_residual"] = money(doc["Balance"])
    return record


def journal_to_canonical(doc, *, currency):
    lines = []
    for line in doc.get("Transactions") or []:
        item = {"account": str(line["AccountingCategoryId"]), "description": text(line.get("Narration"))}
        if line.get("Debit"):
            item["debit"] = money(line["Debit"])
        if line.get("Credit"):
            item["credit"] = money(line["Credit"])
        if line.get("ContactId"):
            item["partner"] = str(line["ContactId"])
        if line.get("TaxGroupId"):
            item["taxes"] = [ext_id("TaxGroup", line["TaxGroupId"])]
        lines.append({k: v for k, v in item.items() if v is not None})
    return {
        "external_id": str(doc["JournalID"]),
        **meta(doc),
        **origin(doc.get("Summary")),
        "number": text(doc.get("JournalNumber"), 64),
        "date": day(doc.get("JournalDate")),
        "currency": currency,
        "memo": memo(doc.get("Summary")),
        "lines": lines,
    }


# ====================================================================== canonical -> Reckon
def bill_from_canonical(record, *, reference, tax_names=None, accounts=None):
    """The extension's bill input of a canonical in_invoice. ``accounts`` maps an item to the
    ledger account it is bought on, for a line that names only a product."""
    if record["move_type"] != "in_invoice":
        raise errors.PayloadValidationError(f"Reckon's bills take vendor bills, not {record['move_type']}")
    mode = record.get("tax_mode") or "exclusive"
    lines = []
    for number, line in enumerate(record["lines"], 1):
        account = line.get("account") or (accounts or {}).get(str(line.get("product")))
        if not account:
            raise errors.MappingMissingError(
                f"line {number}: a Reckon bill line needs a ledger account; the product has no purchase account",
                mapping_model="connector.account.mapping",
                external_id="expense",
            )
        quantity = to_decimal(line.get("quantity") if line.get("quantity") is not None else 1)
        discount = to_decimal(line.get("discount") or 0)
        value = line.get("amount")
        value = quantize(
            value if value is not None else quantity * to_decimal(line["price_unit"]) * (1 - discount / 100)
        )
        out = {"AccountingCategoryID": str(account), "Amount": value}
        if line.get("description"):
            out["Description"] = line["description"]
        taxes = line.get("taxes") or []
        if len(taxes) > 1:
            raise errors.PayloadValidationError(f"line {number}: Reckon takes one tax group per bill line")
        if taxes and mode != "none":
            out["TaxGroupID"] = tax_input(taxes[0], tax_names or {}, want="TaxGroup")
        lines.append(out)
    body = {
        "CustomerID": str(record["partner"]),
        "BillDate": v1_date(record["date"]),
        "AmountTaxStatus": V1_TAX_CODES.get(mode, 2),
        "Notes": stamped(record.get("memo"), reference, 2000),
        "LineItems": lines,
    }
    if record.get("due_date"):
        body["DueDate"] = v1_date(record["due_date"])
    ref = record.get("reference") or record.get("number")
    if ref:
        body["Reference"] = str(ref)[:200]
    return body


def journal_from_canonical(record, *, reference, tax_names=None):
    lines = []
    for line in record["lines"]:
        out = {"AccountingCategoryId": str(line["account"])}
        for key, field in (("debit", "Debit"), ("credit", "Credit")):
            if to_decimal(line.get(key) or 0):
                out[field] = quantize(to_decimal(line[key]))
        if line.get("partner"):
            out["ContactId"] = str(line["partner"])
        if line.get("description"):
            out["Narration"] = line["description"]
        if line.get("taxes"):
            out["TaxGroupId"] = tax_input(line["taxes"][0], tax_names or {}, want="TaxGroup")
        lines.append(out)
    return {
        "JournalDate": v1_date(record["date"]),
        "Summary": stamped(record.get("memo"), reference, 1000),
        "Transactions": lines,
    }
