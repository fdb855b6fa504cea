"""Idempotency without keys: finding a write whose answer was lost before writing again.

Wave's mutations take no idempotency key, so every create carries the Odoo record it came
from (``odoo:<model>:<id>``) where Wave keeps it: an invoice's and a payment's ``memo``, a
customer's ``displayId``, a money transaction's ``externalId``. After a lost answer the record
is looked up by that stamp (an invoice first by the number it was sent with), among the
records Wave changed last. Products, accounts and sales taxes carry no stamp: they are found
by what the lost write sent (name and price; name and subtype; the unique abbreviation).
A money transaction cannot be read back at all: its outcome is left to a person.
"""

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.lost import LostWrites

from . import mappers
from .client import money
from .queries import PAYMENT_BATCH

#: what creates sent and which lost their answer, by (api url, business, reference), across jobs
LOST = LostWrites()


class UnverifiableWriteError(errors.PermanentError):
    """A write whose answer was lost and that Wave offers no way to look up: a person checks Wave."""

    reason = "outcome_unknown"


class WaveLookup:
    """The lookup half of ``WaveAdapter`` (``self.client``, ``self._key``, ``self.lookup_depth``)."""

    def find_by_reference(self, kind, reference):
        """(external id, version) of the record stamped with ``reference``, or None."""
        attempt = LOST.attempt(self._key(reference))
        sent = attempt[1] if attempt and attempt[0] == kind else {}
        finder = getattr(self, f"_find_{kind}", None)
        if finder is None:
            raise errors.PayloadValidationError(f"Wave has no {kind} records")
        return finder(reference, sent)

    def _recent(self, name, field, **variables):
        """Nodes of a list, the most recently changed first, at most ``lookup_depth`` of them."""
        page, read = 1, 0
        while read < self.lookup_depth:
            nodes, info = self.client.page(name, field, page=page, sort=["MODIFIED_AT_DESC"], **variables)
            yield from nodes
            read += len(nodes)
            if not nodes or info.get("currentPage", page) >= (info.get("totalPages") or 1):
                return
            page += 1

    def _find_party(self, reference, sent):
        candidates = []
        if sent.get("email"):
            candidates = self.client.all_pages("Customers", "customers", sort=["MODIFIED_AT_DESC"], email=sent["email"])
        for source in (candidates, self._recent("Customers", "customers")):
            for node in source:
                if node.get("displayId") == reference:
                    return node["id"], node["modifiedAt"]
        return None

    def _find_invoice(self, reference, sent):
        def ours(node):
            memo = node.get("memo")
            if mappers.carries(memo, reference):
                return True
            # the memo was edited in Wave meanwhile: the number and the customer sent decide
            return (
                not mappers.stamps(memo)
                and bool(sent)
                and (node.get("customer") or {}).get("id") == sent.get("customerId")
            )

        if sent.get("invoiceNumber"):
            nodes, _info = self.client.page(
                "InvoiceHeads", "invoices", sort=["MODIFIED_AT_DESC"], invoiceNumber=sent["invoiceNumber"]
            )
            for node in nodes:
                if ours(node):
                    return node["id"], node["modifiedAt"]
        for node in self._recent("InvoiceHeads", "invoices"):
            if mappers.carries(node.get("memo"), reference):
                return node["id"], node["modifiedAt"]
        return None

    def _find_payment(self, reference, sent):
        if sent.get("invoiceId"):
            batches = [[sent["invoiceId"]]]
        else:
            paid = [n["id"] for n in self._recent("InvoiceHeads", "invoices") if money(n.get("amountPaid"))]
            batches = [paid[start : start + PAYMENT_BATCH] for start in range(0, len(paid), PAYMENT_BATCH)]
        for batch in batches:
            for _invoice, payments in self.invoice_payments(batch).values():
                for payment in payments:
                    if mappers.carries(payment.get("memo"), reference):
                        return payment["id"], payment["modifiedAt"]
        return None

    def _find_product(self, reference, sent):
        if not sent.get("name"):
            return None  # a product carries no stamp: only the attempt's own values can find it
        for node in self._recent("Products", "products", isArchived=False):
            if node.get("name") == sent["name"] and money(node.get("unitPrice")) == money(sent.get("unitPrice")):
                return node["id"], node["modifiedAt"]
        return None

    def _find_account(self, reference, sent):
        if not sent.get("name"):
            return None
        for node in self._accounts():
            if node.get("name") == sent["name"] and (node.get("subtype") or {}).get("value") == sent.get("subtype"):
                return node["id"], str(node["sequence"])
        return None

    def _find_tax(self, reference, sent):
        if not sent.get("abbreviation"):
            return None
        for archived in (False, True):
            for node in self.client.all_pages("SalesTaxes", "salesTaxes", isArchived=archived):
                if (node.get("abbreviation") or "").casefold() == sent["abbreviation"].casefold():
                    return node["id"], node["modifiedAt"]
        return None

    def _find_journal_entry(self, reference, sent):
        raise UnverifiableWriteError(
            f"Wave may or may not have recorded the money transaction {reference}: its answer was lost and Wave "
            "cannot read money transactions back. Look for the external id in Wave's transactions, then mark this "
            "entry as sent or send it again",
            details={"reference": reference},
        )
