"""Invoice payments (both ways) and journal entries sent as money transactions (create-only).

A Wave invoice payment belongs to one invoice: money received on several invoices in Odoo
cannot be one Wave payment. The ``odoo:account.payment:<id>`` stamp goes in its ``memo``.

Money transactions are Wave's only way to post anything but an invoice (BETA, needs Wave's
new accounting). One is anchored on a cash, bank, card or loan account: an Odoo journal
entry goes out only when exactly one of its lines is on such an account and every other
line is on the other side. Its ``externalId`` is the stamp. Wave has no query that reads a
money transaction back, so it cannot be updated, deleted, or found again after a lost answer.
"""

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.money import quantize, to_decimal

from .common import dec, decimal, id_kind, meta, ref, refuse, split_stamp, text, with_stamp

#: Wave's InvoicePaymentMethod values and how a person reads them
PAYMENT_METHODS = {
    "BANK_TRANSFER": "Bank transfer",
    "CASH": "Cash",
    "CHEQUE": "Cheque",
    "CREDIT_CARD": "Credit card",
    "OTHER": "Other",
    "PAYPAL": "PayPal",
    "UNSPECIFIED": "Unspecified",
}


def payment_to_canonical(doc, invoice=None):
    """An InvoicePayment as an inbound canonical payment allocated to its invoice.

    ``invoice`` ({id, currency, customer}) stands in for ``doc["invoice"]`` when the payment
    was read through its invoice."""
    invoice = doc.get("invoice") or invoice or {}
    amount = quantize(decimal(doc.get("amount") or 0, "amount"))
    memo, origin = split_stamp(doc.get("memo"))
    record = {
        "external_id": doc["id"],
        **meta(doc),
        "payment_type": "inbound",
        "partner": ref(doc, "customer") or ref(invoice, "customer"),
        "date": doc.get("paymentDate"),
        "amount": amount,
        "currency": (invoice.get("currency") or {}).get("code"),
        "memo": memo,
        "state": "posted",
        "allocations": [{"document": invoice.get("id"), "document_kind": "invoice", "amount": amount}],
    }
    if origin:
        record["origin"] = origin
    if doc.get("exchangeRate") not in (None, ""):
        record["exchange_rate"] = decimal(doc["exchangeRate"], "exchangeRate")
    method = (text(doc.get("paymentMethod")) or "").upper()
    if method:
        record["method"] = method
    if ref(doc, "account"):
        record["deposit_account"] = ref(doc, "account")
    return record


def payment_invoice(record):
    """The one invoice a canonical payment can be recorded on in Wave."""
    if record.get("payment_type") != "inbound":
        raise refuse("Wave's public API has no bill payments: money paid to vendors cannot be sent to Wave")
    allocations = record.get("allocations") or []
    if any(a.get("document_kind", "invoice") != "invoice" for a in allocations):
        raise refuse("Wave's public API has no credit notes: a credit note cannot be applied in Wave")
    if len(allocations) != 1:
        raise refuse(
            f"A Wave payment is recorded on one invoice; this payment is allocated to {len(allocations)}: "
            "register one payment per invoice in Odoo"
        )
    return allocations[0]["document"]


def payment_from_canonical(record, *, creating, reference=None, deposit_account=None, method="UNSPECIFIED"):
    """InvoicePaymentCreateManualInput or InvoicePaymentPatchInput (without id)."""
    invoice = payment_invoice(record)
    account = record.get("deposit_account") or deposit_account
    if not account:
        raise errors.MappingMissingError(
            "A Wave payment needs the account the money went to: map the payment journal's account to a Wave "
            "cash or bank account, or set the connection's deposit account",
            mapping_model="connector.account.mapping",
            external_id="deposit",
        )
    data = {
        "paymentAccountId": account,
        "amount": dec(quantize(record["amount"])),
        "paymentDate": record["date"],
        "paymentMethod": record.get("method") if record.get("method") in PAYMENT_METHODS else method,
        "exchangeRate": dec(record.get("exchange_rate") or 1),
        "memo": with_stamp(record.get("memo") or record.get("reference"), reference),
    }
    if creating:
        data["invoiceId"] = invoice
    return data


# ====================================================================== money transactions
def money_transaction_from_canonical(record, *, reference, anchors, currency):
    """MoneyTransactionCreateInput (without businessId) of a canonical journal entry.

    ``anchors``: the ids of the Wave accounts money moves through (cash, bank, card, loan);
    ``currency``: the business's (a money transaction has no currency of its own)."""
    if record.get("currency") and record["currency"] != currency:
        raise errors.CurrencyMismatchError(
            f"Wave money transactions are in the business's currency ({currency}), not {record['currency']}"
        )
    lines = record.get("lines") or []
    anchored = [line for line in lines if line.get("account") in anchors]
    if len(anchored) != 1:
        raise refuse(
            "A Wave money transaction moves money through one cash, bank, card or loan account; this entry has "
            f"{len(anchored)} lines on such accounts"
        )
    anchor = anchored[0]
    deposit = bool(to_decimal(anchor.get("debit") or 0))
    items = []
    for number, line in enumerate(lines, 1):
        if line is anchor:
            continue
        debit, credit = to_decimal(line.get("debit") or 0), to_decimal(line.get("credit") or 0)
        if (debit if deposit else credit) or not (credit if deposit else debit):
            raise refuse(
                f"line {number}: every line but the {'deposit' if deposit else 'withdrawal'} must be on the other "
                "side of it for Wave"
            )
        item = {
            "accountId": line["account"],
            "amount": dec(quantize(credit or debit)),
            "balance": "CREDIT" if credit else "DEBIT",
            "description": text(line.get("description")),
        }
        if line.get("partner") and id_kind(line["partner"]) == "Customer":
            item["customerId"] = line["partner"]
        items.append({key: value for key, value in item.items() if value is not None})
    amount = to_decimal(anchor.get("debit") or anchor.get("credit") or 0)
    memo = text(record.get("memo"))
    return {
        "externalId": reference,
        "date": record["date"],
        "description": text(anchor.get("description")) or memo or text(record.get("number")) or reference,
        "notes": with_stamp(memo, reference),
        "anchor": {"accountId": anchor["account"], "amount": dec(quantize(amount)), "direction": _direction(deposit)},
        "lineItems": items,
    }


def _direction(deposit):
    return "DEPOSIT" if deposit else "WITHDRAWAL"
