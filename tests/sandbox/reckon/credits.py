"""Credit notes allocated to invoices: the document's ``/creditNotes/{id}/transactionLinks``
(POST a ``CreditNoteTransactionLinkInput``, 201 ``{"id": "INV-<invoice id>"}``) and
``/creditNotes/{id}/transactionlinks/{linkId}`` (PATCH ``transactionAmount``, DELETE), 204.

No money moves: the credit note's ``balance`` and the invoice's fall by the amount; the credit
note lists the invoice (``INV-<id>``) and the invoice the credit note (``CRN-<id>``) in their
``transactionLinks``; an invoice at zero is ``Paid``. Rules (sandbox, README row 57): both
approved, of the same customer, each link above zero and at most what the invoice still owes,
all links at most the credit note's total.
"""

from .documents import ZERO, relink
from .store import invalid, money


def credit_link(book, note, link, others):
    """The stored link of ``note`` for an input ``link`` (errors located in it); ``others``:
    the credit note's other links."""
    if link.get("transactionType") != "Invoice":
        raise invalid("transactionType", "A credit note is allocated to invoices (transactionType Invoice).")
    invoice = book.table("invoices").get(str(link.get("transactionId") or "").lower())
    if invoice is None:
        raise invalid("transactionId", f"Invoice '{link.get('transactionId')}' was not found.")
    if invoice["customer"]["id"] != note["customer"]["id"]:
        raise invalid("transactionId", f"{invoice['invoiceNumber']} is not {note['customer']['name']}'s.")
    if invoice["status"] == "Draft" or note["status"] == "Draft":
        raise invalid("transactionId", "The credit note and the invoice must both be approved.")
    amount = money(link.get("transactionAmount") or 0)
    before = sum(
        (x["transactionAmount"] for x in note["transactionLinks"] if x["transactionId"] == invoice["id"]), ZERO
    )
    if amount <= 0 or amount > invoice["balance"] + before:
        raise invalid(
            "transactionAmount",
            f"{amount} is more than the {invoice['balance'] + before} owing on {invoice['invoiceNumber']}.",
        )
    if amount + sum((x["transactionAmount"] for x in others), ZERO) > note["totalAmount"]:
        raise invalid("transactionAmount", f"The credit note's {note['totalAmount']} is all allocated.")
    return {
        "linkId": f"INV-{invoice['id']}",
        "transactionType": "Invoice",
        "transactionId": invoice["id"],
        "transactionNumber": invoice["invoiceNumber"],
        "transactionDate": invoice["invoiceDate"],
        "transactionAmount": amount,
        "href": f"/{book.id}/invoices/{invoice['id']}",
    }


def settle(book, note, touched):
    """The credit note's balance, and the credit-note side of the invoices in ``touched``."""
    note["balance"] = note["totalAmount"] - sum((x["transactionAmount"] for x in note["transactionLinks"]), ZERO)
    relink(book, touched, "CreditNote")
