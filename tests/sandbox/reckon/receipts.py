"""Receipts (money received from customers), allocated to approved invoices by ``transactionLinks``.

A link lowers its invoice's ``balance`` (``Paid`` at zero); the invoice shows the receipt among
its own ``transactionLinks``. Links are added, changed and removed with the receipt (PUT, PATCH)
or on their own (``/receipts/{id}/transactionLinks``).
"""

from .documents import LINE_INPUT, ZERO, _in, relink
from .records import Resource
from .store import fmt_date, invalid, money, new_id, parse_datetime, ref


class Receipts(Resource):
    """Money received from a customer, allocated to approved invoices by ``transactionLinks``."""

    table, entity, prefix = "receipts", "Receipt", "RCPT"
    FIELDS = tuple(
        "id receiptNumber customer receiptDate ledgerAccount allocateFullAmount paymentMethod reference notes "
        "totalAmount reconciliationStatus internalNotes recurring accountsReceivableLedgerAccount classification "
        "transactionLinks lineItems".split()
    )
    INPUT = tuple(
        "customer receiptDate ledgerAccount paymentMethod reference notes totalAmount reconciliationStatus "
        "internalNotes accountsReceivableLedgerAccount classification".split()
    )
    BANK_TYPES = ("CurrentAsset_Bank", "CurrentLiability_CreditCard")

    def build(self, book, body, old=None):
        self.require(body, "customer", "receiptDate", "totalAmount")
        customer = book.find("contacts", body["customer"], "customer")
        doc = {"id": (old or {}).get("id") or new_id()}
        doc["receiptNumber"] = (old or {}).get("receiptNumber") or book.next_number(self.prefix)
        doc["customer"] = ref(customer)
        doc["receiptDate"] = fmt_date(parse_datetime(body["receiptDate"], "receiptDate"))
        total = doc["totalAmount"] = money(body["totalAmount"])
        if total <= 0:
            raise invalid("totalAmount", "The total amount must be more than zero.")
        if body.get("ledgerAccount"):
            bank = book.find("ledgeraccounts", body["ledgerAccount"], "ledgerAccount", name_keys=("name", "fullName"))
            if bank["accountType"] not in self.BANK_TYPES:
                raise invalid("ledgerAccount", f"'{bank['name']}' is not a bank or credit card account.")
        else:
            bank = next(
                (a for a in book.table("ledgeraccounts").values() if a["accountType"] == "CurrentAsset_Bank"), None
            )
        if bank:
            doc["ledgerAccount"] = ref(bank)
        if body.get("paymentMethod"):
            doc["paymentMethod"] = ref(book.find("paymentmethods", body["paymentMethod"], "paymentMethod"))
        self.copy_fields(body, ("reference", "notes", "internalNotes"), doc)
        doc["reconciliationStatus"] = self.choice(
            body, "reconciliationStatus", ("Uncleared", "Cleared", "Reconciled"), "Uncleared"
        )
        if body.get("classification"):
            doc["classification"] = ref(book.find("classifications", body["classification"], "classification"))
        doc["lineItems"] = [self.receipt_line(book, line, n) for n, line in enumerate(body.get("lineItems") or [])]
        links = body.get("transactionLinks")
        if links is None:
            links = [_link_input(link) for link in (old or {}).get("transactionLinks", [])]
        doc["transactionLinks"] = [self.link(book, doc, link, n, old) for n, link in enumerate(links)]
        allocated = sum((link["transactionAmount"] for link in doc["transactionLinks"]), ZERO)
        other = sum((line["accountDetails"]["amount"] for line in doc["lineItems"]), ZERO)
        if allocated + other > total:
            raise invalid("transactionLinks", f"The {allocated + other} allocated is more than the receipt's {total}.")
        doc["allocateFullAmount"] = allocated == total
        return doc

    def receipt_line(self, book, line, n):
        """Money received for something else than an invoice: an account line (tax as given)."""
        where = f"lineItems[{n}]"
        details = line.get("accountDetails")
        if not isinstance(line.get("lineNumber"), int) or not details or details.get("amount") is None:
            raise invalid(where, "A receipt line needs a lineNumber and accountDetails with an amount.")
        account = book.find(
            "ledgeraccounts", details.get("ledgerAccount") or "", f"{where}.accountDetails.ledgerAccount"
        )
        out = {
            "lineNumber": line["lineNumber"],
            "lineId": new_id(),
            "accountDetails": {"ledgerAccount": ref(account), "amount": money(details["amount"])},
        }
        self.copy_fields(line, ("description",), out)
        if line.get("taxRate"):
            out["taxRate"] = ref(book.find("taxrates", line["taxRate"], f"{where}.taxRate"))
            out["taxAmount"] = money(line.get("taxAmount") or 0)
        return out

    def to_input(self, book, doc):
        body = super().to_input(book, doc)
        body["lineItems"] = [
            {k: _in(v) for k, v in line.items() if k in LINE_INPUT} for line in doc.get("lineItems", [])
        ]
        return body

    def link(self, book, doc, link, n, old=None):
        where = f"transactionLinks[{n}]"
        if link.get("transactionType") != "Invoice":
            raise invalid(f"{where}.transactionType", "A receipt is allocated to invoices (transactionType Invoice).")
        invoice = book.table("invoices").get(str(link.get("transactionId") or "").lower())
        if invoice is None:
            raise invalid(f"{where}.transactionId", f"Invoice '{link.get('transactionId')}' was not found.")
        if invoice["customer"]["id"] != doc["customer"]["id"]:
            raise invalid(f"{where}.transactionId", f"{invoice['invoiceNumber']} is not {doc['customer']['name']}'s.")
        if invoice["status"] == "Draft":
            raise invalid(f"{where}.transactionId", f"{invoice['invoiceNumber']} is not approved.")
        amount = money(link.get("transactionAmount") or 0)
        before = sum(
            (
                x["transactionAmount"]
                for x in (old or {}).get("transactionLinks", [])
                if x["transactionId"] == invoice["id"]
            ),
            ZERO,
        )
        if amount <= 0 or amount > invoice["balance"] + before:
            raise invalid(
                f"{where}.transactionAmount",
                f"{amount} is more than the {invoice['balance'] + before} owing on {invoice['invoiceNumber']}.",
            )
        return {
            "linkId": f"INV-{invoice['id']}",
            "transactionType": "Invoice",
            "transactionId": invoice["id"],
            "transactionNumber": invoice["invoiceNumber"],
            "transactionDate": invoice["invoiceDate"],
            "transactionAmount": amount,
            "href": f"/{book.id}/invoices/{invoice['id']}",
        }

    def after_write(self, book, doc, old):
        """Rebuild the receipt side of the invoices it touched: links, balance, status."""
        relink(
            book, {link["transactionId"] for d in (doc, old) if d for link in d.get("transactionLinks", [])}, "Receipt"
        )

    def delete(self, book, doc):
        book.remove(self.table, doc["id"])
        self.after_write(book, None, doc)


def _link_input(link):
    return {k: link[k] for k in ("transactionId", "transactionType", "transactionAmount")}
