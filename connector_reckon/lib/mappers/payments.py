"""Reckon receipts, supplier payments and credit-note allocations <-> canonical payments.

* A receipt is money received from a customer (``inbound``); its ``transactionLinks`` allocate
  it to invoices, partly or over several invoices; what is not linked stays unallocated.
* A supplier payment (``outbound``, read-only in API v2) allocates to bills through its links.
* A credit note's allocations to invoices (its ``transactionLinks``, type ``Invoice``) move no
  money: they are one canonical credit application per credit note,
  ``CreditApplication/<credit note id>``, amount 0, allocating the credit note
  (``document_kind`` credit_note) and each invoice (ISSUE13: money in = invoices allocated
  less credit notes allocated).
"""

from decimal import Decimal

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.money import quantize, to_decimal

from .common import (
    day,
    ext_id,
    memo,
    meta,
    money,
    origin,
    reckon_date,
    ref_id,
    split_id,
    stamped,
    text,
    version_of,
)

#: a link's transaction type -> the entity of the document it allocates
LINKED = {"Invoice": "Invoice", "Bill": "Bill", "CreditNote": "CreditNote"}


def _allocations(doc, wanted):
    out = []
    for link in doc.get("transactionLinks") or []:
        entity = LINKED.get(link.get("transactionType"))
        if entity in wanted and link.get("transactionId") and money(link.get("transactionAmount")) > 0:
            out.append(
                {
                    "document": ext_id(entity, link["transactionId"]),
                    "document_kind": "credit_note" if entity == "CreditNote" else "invoice",
                    "amount": money(link["transactionAmount"]),
                }
            )
    return out


def _payment(doc, entity, *, partner_key, date_key, payment_type, currency, wanted):
    record = {
        "external_id": ext_id(entity, doc["id"]),
        **meta(doc),
        **origin(doc.get("notes")),
        "payment_type": payment_type,
        "partner": ref_id(doc.get(partner_key)),
        "date": day(doc.get(date_key)),
        "amount": money(doc.get("totalAmount")),
        "currency": currency,
        "reference": text(doc.get("reference"), 255),
        "memo": memo(doc.get("notes")),
        "state": "posted",
        "allocations": _allocations(doc, wanted),
    }
    method = ref_id(doc.get("paymentMethod"))
    if method:
        record["method"] = method
    account = ref_id(doc.get("ledgerAccount"))
    if account:
        record["deposit_account"] = account
    return record


def receipt_to_canonical(doc, *, currency):
    return _payment(
        doc,
        "Receipt",
        partner_key="customer",
        date_key="receiptDate",
        payment_type="inbound",
        currency=currency,
        wanted=("Invoice",),
    )


def supplier_payment_to_canonical(doc, *, currency):
    return _payment(
        doc,
        "Payment",
        partner_key="supplier",
        date_key="paymentDate",
        payment_type="outbound",
        currency=currency,
        wanted=("Bill",),
    )


def credit_application(doc, *, currency):
    """The allocations of a credit note to invoices as one credit application, None when it
    allocates nothing."""
    invoices = _allocations(doc, ("Invoice",))
    if not invoices:
        return None
    applied = sum((a["amount"] for a in invoices), Decimal(0))
    return {
        "external_id": ext_id("CreditApplication", doc["id"]),
        "version": version_of({"links": [(a["document"], str(a["amount"])) for a in invoices]}),
        "payment_type": "inbound",
        "partner": ref_id(doc.get("customer")),
        "date": day(doc.get("creditNoteDate")),
        "amount": Decimal("0.00"),
        "currency": currency,
        "reference": text(doc.get("creditNoteNumber"), 255),
        "state": "posted",
        "allocations": [
            {"document": ext_id("CreditNote", doc["id"]), "document_kind": "credit_note", "amount": applied},
            *invoices,
        ],
    }


# ====================================================================== canonical -> Reckon
def is_credit_application(record):
    return any(a.get("document_kind") == "credit_note" for a in record.get("allocations") or [])


def receipt_from_canonical(record, *, reference):
    """ReceiptInput of an inbound payment: its invoices as ``transactionLinks``."""
    if record["payment_type"] != "inbound":
        raise errors.PayloadValidationError(
            "Reckon API v2 takes supplier payments read-only: an Odoo vendor payment cannot be sent"
        )
    body = {
        "customer": str(record["partner"]),
        "receiptDate": reckon_date(record["date"]),
        "totalAmount": money(record["amount"]),
        "notes": stamped(record.get("memo"), reference, 255),
        "transactionLinks": [
            {
                "transactionId": split_id(a["document"], "Invoice")[1],
                "transactionType": "Invoice",
                "transactionAmount": money(a["amount"]),
            }
            for a in record.get("allocations") or []
        ],
    }
    if record.get("reference"):
        body["reference"] = str(record["reference"])[:200]
    if record.get("deposit_account"):
        body["ledgerAccount"] = str(record["deposit_account"])
    if record.get("method"):
        body["paymentMethod"] = str(record["method"])
    return body


def application_links(record):
    """``(credit note id, {invoice id: amount})`` of a canonical credit application: one
    credit note applied to one or more invoices, as much as it credits."""
    notes = [a for a in record.get("allocations") or [] if a.get("document_kind") == "credit_note"]
    invoices = [a for a in record.get("allocations") or [] if a.get("document_kind") != "credit_note"]
    if len(notes) != 1 or not invoices:
        raise errors.PayloadValidationError(
            "A Reckon credit allocation applies one credit note to invoices; this one has "
            f"{len(notes)} credit notes and {len(invoices)} invoices"
        )
    if to_decimal(record.get("amount") or 0):
        raise errors.PayloadValidationError("A credit allocation moves no money: its amount must be 0")
    links = {}
    for allocation in invoices:
        invoice = split_id(allocation["document"], "Invoice")[1]
        links[invoice] = links.get(invoice, Decimal(0)) + quantize(to_decimal(allocation["amount"]))
    credited = quantize(to_decimal(notes[0]["amount"]))
    if credited != sum(links.values(), Decimal(0)):
        raise errors.PayloadValidationError(
            f"The credit note applies {credited}, the invoices take {sum(links.values(), Decimal(0))}"
        )
    return split_id(notes[0]["document"], "CreditNote")[1], links
