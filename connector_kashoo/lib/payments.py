"""Kashoo invoice and bill payments <-> canonical payments; transfers -> journal entries.

A Kashoo payment pays one invoice (``invoiceRecordId``, one source) or one bill (``billRecordId``,
inferred): the field names are settings. Its ``depositAccount`` is the bank account. A transfer
moves ``amount`` from ``account`` to ``depositAccount`` (inferred from the record keys: no source
describes a transfer), a journal entry of two lines.
"""

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.money import quantize, to_decimal

from .mappers import cents, ext, kashoo_id, money, split_memo, stamped_memo, text, version_of

PAYMENT_TYPES = {"invoice_payment": "inbound", "bill_payment": "outbound"}
PAID_FIELDS = {"invoice_payment": "paid_invoice", "bill_payment": "paid_bill"}


def payment_to_canonical(doc, role, settings):
    name = f"Kashoo {role.replace('_', ' ')} {doc.get('id')}"
    amount = money(doc.get("amount"), f"{name}: amount")
    origin, memo = split_memo(doc.get("memo"))
    record = {
        "external_id": ext(doc.get("id")),
        "version": version_of(doc),
        "payment_type": PAYMENT_TYPES[role],
        "partner": ext(doc.get("contact")),
        "date": doc.get("date"),
        "amount": amount,
        "currency": text(doc.get("currency")) or settings.home_currency,
        "reference": text(doc.get("number"), 255),
        "memo": memo,
        "state": "posted",
        "allocations": [],
    }
    if origin:
        record["origin"] = origin
    paid = ext(doc.get(settings.field(PAID_FIELDS[role])))
    if paid:
        record["allocations"].append({"document": paid, "document_kind": "invoice", "amount": amount})
    account = ext(doc.get("depositAccount"))
    if account:
        record["deposit_account"] = account
    return record


def payment_from_canonical(record, settings, reference):
    """(role, body) of a new Kashoo payment: one document, paid its whole amount."""
    role = "invoice_payment" if record["payment_type"] == "inbound" else "bill_payment"
    allocations = record.get("allocations") or []
    if len(allocations) != 1:
        raise errors.PayloadValidationError(
            f"A Kashoo payment pays exactly one invoice or bill; this one allocates {len(allocations)}"
        )
    allocation = allocations[0]
    if allocation.get("document_kind", "invoice") != "invoice":
        raise errors.PayloadValidationError("Kashoo's API has no credit notes to apply")
    amount = quantize(to_decimal(record["amount"]))
    if quantize(to_decimal(allocation["amount"])) != amount:
        raise errors.PayloadValidationError(
            f"A Kashoo payment pays its whole amount to one document: {amount} paid, {allocation['amount']} allocated"
        )
    body = {
        "contact": kashoo_id(record["partner"], "partner"),
        "date": record["date"],
        "amount": cents(amount),
        "currency": record["currency"],
        "memo": stamped_memo(reference, record.get("memo")),
        settings.field(PAID_FIELDS[role]): kashoo_id(allocation["document"], "allocation document"),
    }
    if record.get("deposit_account"):
        body["depositAccount"] = kashoo_id(record["deposit_account"], "deposit account")
    if record.get("reference"):
        body["number"] = str(record["reference"])[:64]
    return role, body


def transfer_to_canonical(doc, settings):
    name = f"Kashoo transfer {doc.get('id')}"
    amount = money(doc.get("amount"), f"{name}: amount")
    origin, memo = split_memo(doc.get("memo"))
    record = {
        "external_id": ext(doc.get("id")),
        "version": version_of(doc),
        "number": text(doc.get("number"), 64),
        "date": doc.get("date"),
        "currency": text(doc.get("currency")) or settings.home_currency,
        "memo": memo,
        "lines": [
            {"account": ext(doc.get("depositAccount")), "debit": amount, "description": memo},
            {"account": ext(doc.get("account")), "credit": amount, "description": memo},
        ],
    }
    if origin:
        record["origin"] = origin
    return record
