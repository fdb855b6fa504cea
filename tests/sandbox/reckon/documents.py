"""Sales documents of a Reckon book: invoices, credit notes, receipts (customer payments).

Lines carry either ``itemDetails`` or ``accountDetails``; each line's tax comes from its tax
rate (in effect on the document date) and the document's ``amountTaxStatus``: ``Exclusive``
adds it, ``Inclusive`` finds it inside the amount, ``NonTaxed`` has none; it is rounded to the
cent per line. A ``taxAmount`` sent with a line is checked against that ("Tax for line 1 is
incorrect") unless ``taxIsModified``. Invoices are created ``Draft`` and approved by PATCH of
``status``; receipts allocate to approved invoices through ``transactionLinks``, which lower
the invoice's ``balance`` (``Paid`` at zero).
"""

import copy
from datetime import timedelta
from decimal import Decimal

from .records import Resource
from .store import fmt_date, invalid, money, new_id, parse_datetime, ref

ZERO = money(0)
LINK_PREFIX = {"Invoice": "INV", "Receipt": "RCT", "CreditNote": "CRN"}
LINE_INPUT = (
    "lineNumber",
    "serviceDate",
    "itemDetails",
    "accountDetails",
    "description",
    "taxAmount",
    "taxRate",
    "taxIsModified",
)


def _due(terms, issued):
    days, rule = terms["netDueDay"], terms["netDueDaySelection"]
    if rule == "DaysAfterIssue":
        return issued + timedelta(days=days)
    month = issued.replace(day=1) + timedelta(days=32) if rule == "DayOfNextMonth" else issued
    for day in range(min(days, 31), 0, -1):  # the last day of a short month
        try:
            return month.replace(day=day)
        except ValueError:
            continue
    return issued


class SalesDocument(Resource):
    """Invoices and credit notes: a customer, dated lines with tax, totals, a status."""

    date_field = "invoiceDate"
    number_field = "invoiceNumber"
    statuses = ("Draft", "Approved", "Paid")
    discounts = True
    purchase = False

    def build(self, book, body, old=None):
        self.require(body, "customer", self.date_field, "amountTaxStatus")
        customer = book.find("contacts", body["customer"], "customer")
        if not customer["entityTypes"].get("isCustomer"):
            raise invalid("customer", f"'{customer['name']}' is not a customer.")
        issued = parse_datetime(body[self.date_field], self.date_field)
        doc = {"id": (old or {}).get("id") or new_id()}
        doc[self.number_field] = (old or {}).get(self.number_field) or book.next_number(self.prefix)
        doc["customer"] = ref(customer)
        billing = next((a for a in customer.get("addresses") or [] if a["type"]["name"] == "Billing"), None)
        if billing:
            doc["billingAddress"] = copy.deepcopy(billing)
        doc[self.date_field] = fmt_date(issued)
        doc["amountTaxStatus"] = self.choice(body, "amountTaxStatus", ("NonTaxed", "Inclusive", "Exclusive"), None)
        self.build_header(book, body, doc, customer, issued)
        self.copy_fields(body, ("reference", "notes"), doc)
        if body.get("accountsReceivableLedgerAccount"):
            account = book.find(
                "ledgeraccounts", body["accountsReceivableLedgerAccount"], "accountsReceivableLedgerAccount"
            )
        else:
            account = next(
                (
                    a
                    for a in book.table("ledgeraccounts").values()
                    if a["accountType"] == "CurrentAsset_AccountsReceivable"
                ),
                None,
            )
        if account:
            doc["accountsReceivableLedgerAccount"] = ref(account)
        if body.get("classification"):
            doc["classification"] = ref(book.find("classifications", body["classification"], "classification"))
        old_lines = {line["lineNumber"]: line["lineId"] for line in (old or {}).get("lineItems", [])}
        doc["lineItems"] = [
            self.line(book, line, n, doc["amountTaxStatus"], issued, old_lines)
            for n, line in enumerate(body.get("lineItems") or [])
        ]
        taxes = sum((line.get("taxAmount", ZERO) for line in doc["lineItems"]), ZERO)
        amounts = sum((line.pop("_amount") for line in doc["lineItems"]), ZERO)
        doc["totalTaxAmount"] = taxes
        doc["totalAmount"] = amounts + taxes if doc["amountTaxStatus"] == "Exclusive" else amounts
        doc["status"] = (old or {}).get("status") or "Draft"
        doc["emailStatus"] = (old or {}).get("emailStatus") or "Unsent"
        doc["transactionLinks"] = copy.deepcopy((old or {}).get("transactionLinks") or [])
        allocated = sum((link["transactionAmount"] for link in doc["transactionLinks"]), ZERO)
        if allocated > doc["totalAmount"]:
            raise invalid("lineItems", f"The total {doc['totalAmount']} is less than the {allocated} already paid.")
        doc["balance"] = doc["totalAmount"] - allocated
        return doc

    def build_header(self, book, body, doc, customer, issued):
        terms = book.find("terms", body["paymentTerms"], "paymentTerms") if body.get("paymentTerms") else None
        if terms is None and customer.get("paymentTerms"):
            terms = book.table("terms").get(customer["paymentTerms"]["id"].lower())
        if terms:
            doc["paymentTerms"] = ref(terms)
        if body.get("dueDate"):
            due = parse_datetime(body["dueDate"], "dueDate")
        else:
            due = _due(terms, issued) if terms else issued
        if due < issued:
            raise invalid("dueDate", "The due date cannot be before the invoice date.")
        doc["dueDate"] = fmt_date(due)
        for key in ("invoiceDiscountAmount", "invoiceDiscountPercent"):
            if body.get(key) is not None:
                doc[key] = money(body[key])
        self.copy_fields(body, ("paymentDetails",), doc)

    def line(self, book, line, n, tax_status, issued, old_lines):
        where = f"lineItems[{n}]"
        number = line.get("lineNumber")
        if not isinstance(number, int):
            raise invalid(f"{where}.lineNumber", "The lineNumber field is required.")
        out = {"lineNumber": number, "lineId": old_lines.get(number) or new_id()}
        self.copy_fields(line, ("serviceDate", "description"), out)
        items, accounts = line.get("itemDetails"), line.get("accountDetails")
        if bool(items) == bool(accounts):
            raise invalid(where, f"Line {number} needs either itemDetails or accountDetails.")
        default_tax = None
        if items:
            item = book.find(
                "items",
                items.get("item") or "",
                f"{where}.itemDetails.item",
                name_keys=("name", "fullName"),
                active=True,
            )
            use = item.get("purchase" if self.purchase else "sale") or {}
            price = (
                Decimal(str(items["price"])) if items.get("price") is not None else Decimal(str(use.get("price") or 0))
            )
            quantity = Decimal(str(items.get("quantity") if items.get("quantity") is not None else 1))
            details = {"item": ref(item), "price": price, "quantity": quantity}
            gross = price * quantity
            discount = ZERO
            if self.discounts and items.get("discountAmount") is not None:
                discount = details["discountAmount"] = money(items["discountAmount"])
            elif self.discounts and items.get("discountPercent") is not None:
                details["discountPercent"] = Decimal(str(items["discountPercent"]))
                discount = gross * details["discountPercent"] / 100
            amount = money(gross - discount)
            out["itemDetails"] = details
            default_tax = use.get("taxRate")
        else:
            account = book.find(
                "ledgeraccounts",
                accounts.get("ledgerAccount") or "",
                f"{where}.accountDetails.ledgerAccount",
                name_keys=("name", "fullName"),
            )
            if accounts.get("amount") is None:
                raise invalid(f"{where}.accountDetails.amount", "The amount field is required.")
            amount = money(accounts["amount"])
            out["accountDetails"] = {"ledgerAccount": ref(account), "amount": amount}
            if accounts.get("quantity") is not None:
                out["accountDetails"]["quantity"] = Decimal(str(accounts["quantity"]))
            default_tax = account.get("defaultTaxRate")
        out["_amount"] = amount
        if tax_status == "NonTaxed":
            return out
        rate_doc = None
        if line.get("taxRate"):
            rate_doc = book.find("taxrates", line["taxRate"], f"{where}.taxRate")
        elif default_tax:
            rate_doc = book.table("taxrates").get(default_tax["id"].lower())
        if rate_doc is None:
            return out
        if (
            rate_doc not in book.in_effect("taxrates", issued.date())
            or not rate_doc["useOnPurchases" if self.purchase else "useOnSales"]
        ):
            raise invalid(f"{where}.taxRate", f"The tax rate '{rate_doc['name']}' cannot be used on line {number}.")
        rate = Decimal(str(rate_doc["rate"]))
        if tax_status == "Exclusive":
            tax = money(amount * rate / 100)
        else:
            tax = money(amount * rate / (100 + rate))
        out["taxRate"] = ref(rate_doc)
        modified = bool(line.get("taxIsModified"))
        if line.get("taxAmount") is not None:
            given = money(line["taxAmount"])
            if not modified and abs(given - tax) > Decimal("0.01"):
                raise invalid(f"{where}.taxAmount", f"Tax for line {number} is incorrect")
            tax = given
        out["taxAmount"] = tax
        out["taxIsModified"] = modified
        return out

    def to_input(self, book, doc):
        body = super().to_input(book, doc)
        body["lineItems"] = [line_input(line) for line in doc.get("lineItems", [])]
        return body

    def set_status(self, book, doc, status):
        """Approval (and back to Draft while nothing is paid) by PATCH of ``status``."""
        if status not in self.statuses:
            raise invalid("status", f"'{status}' is not one of {', '.join(self.statuses)}.")
        if status == doc["status"]:
            return
        if status not in ("Draft", "Approved") or (status == "Draft" and doc["transactionLinks"]):
            raise invalid("status", f"The status cannot be changed from {doc['status']} to {status}.")
        doc["status"] = status

    def delete(self, book, doc):
        if doc.get("transactionLinks"):
            raise invalid("id", f"{doc[self.number_field]} has payments allocated and cannot be deleted.")
        book.remove(self.table, doc["id"])


def line_input(line):
    """A stored line as input; its computed tax is left to be computed again unless it was set by hand."""
    out = {k: _in(v) for k, v in line.items() if k in LINE_INPUT}
    if not line.get("taxIsModified"):
        out.pop("taxAmount", None)
    return out


def _in(value):
    if isinstance(value, dict):
        if set(value) <= {"id", "name"} and "id" in value:
            return value["id"]
        return {k: _in(v) for k, v in value.items()}
    return value


class Invoices(SalesDocument):
    table, entity, prefix = "invoices", "Invoice", "INV"
    FIELDS = tuple(
        "id invoiceNumber customer billingAddress shippingAddress invoiceDate dueDate totalAmount "
        "invoiceDiscountAmount invoiceDiscountPercent balance amountTaxStatus totalTaxAmount status paymentTerms "
        "reference accountsReceivableLedgerAccount classification template recurringTemplate transactionLinks "
        "lineItems notes paymentDetails emailStatus".split()
    )
    INPUT = tuple(
        "customer invoiceDate dueDate invoiceDiscountAmount invoiceDiscountPercent amountTaxStatus paymentTerms "
        "reference accountsReceivableLedgerAccount classification notes paymentDetails".split()
    )


class CreditNotes(SalesDocument):
    table, entity, prefix = "creditnotes", "CreditNote", "CAN"
    date_field, number_field = "creditNoteDate", "creditNoteNumber"
    statuses = ("Draft", "Approved", "Closed")
    discounts = False
    FIELDS = tuple(
        "id creditNoteNumber customer billingAddress shippingAddress creditNoteDate totalAmount balance "
        "amountTaxStatus totalTaxAmount status reference accountsReceivableLedgerAccount classification template "
        "transactionLinks lineItems notes emailStatus".split()
    )
    INPUT = tuple(
        "customer creditNoteDate amountTaxStatus reference accountsReceivableLedgerAccount classification notes".split()
    )

    def build_header(self, book, body, doc, customer, issued):
        pass


#: what allocates an invoice: link type -> (table, link id prefix, number field, date field)
ALLOCATING = {
    "Receipt": ("receipts", "RCT", "receiptNumber", "receiptDate"),
    "CreditNote": ("creditnotes", "CRN", "creditNoteNumber", "creditNoteDate"),
}


def relink(book, invoice_ids, kind):
    """Rebuild the ``kind`` side (``Receipt`` or ``CreditNote``) of these invoices from what
    allocates them: their links to it, balance and status (``Paid`` at zero)."""
    table, prefix, number_field, date_field = ALLOCATING[kind]
    for invoice_id in invoice_ids:
        invoice = book.table("invoices").get(invoice_id.lower())
        if invoice is None:
            continue
        links = [x for x in invoice["transactionLinks"] if x["transactionType"] != kind]
        for source in book.table(table).values():
            for link in source.get("transactionLinks") or []:
                if link["transactionId"] == invoice["id"]:
                    links.append(
                        {
                            "linkId": f"{prefix}-{source['id']}",
                            "transactionType": kind,
                            "transactionId": source["id"],
                            "transactionNumber": source[number_field],
                            "transactionDate": source[date_field],
                            "transactionAmount": link["transactionAmount"],
                            "href": f"/{book.id}/{table}/{source['id']}",
                        }
                    )
        invoice["transactionLinks"] = links
        invoice["balance"] = invoice["totalAmount"] - sum((x["transactionAmount"] for x in links), ZERO)
        if invoice["status"] in ("Approved", "Paid"):
            invoice["status"] = "Paid" if invoice["balance"] == 0 else "Approved"
