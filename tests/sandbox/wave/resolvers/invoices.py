"""Invoices (create, patch, approve, send, clone, delete) and their manual payments."""

import uuid
from datetime import timedelta
from decimal import Decimal

from ..store import InputErrors, input_error
from .mutate import mutation, positive, rounded, target

LAYOUT = {  # Wave's defaults, as its recorded invoices show them
    "title": "Invoice",
    "subhead": None,
    "poNumber": None,
    "memo": None,
    "footer": None,
    "itemTitle": "Items",
    "unitTitle": "Quantity",
    "priceTitle": "Price",
    "amountTitle": "Amount",
    "hideName": False,
    "hideDescription": False,
    "hideUnit": False,
    "hidePrice": False,
    "hideAmount": False,
    "disableCreditCardPayments": False,
    "disableBankPayments": False,
    "disableAmexPayments": False,
    "requireTermsOfServiceAgreement": False,
}
PAYMENT_SUBTYPES = {"CASH_AND_BANK", "MONEY_IN_TRANSIT", "CREDIT_CARD", "LOANS", "DUE_TO_YOU_AND_OTHER_OWNERS"}


def _items(business, items):
    """Line items from input; every line needs a product that is sold (it has an income account)."""
    out = []
    for index, item in enumerate(items or []):
        path = ["items", index]
        product = business.get("Product", item["productId"], [*path, "productId"])
        if product["incomeAccount"] is None:
            raise InputErrors(input_error([*path, "productId"], f"Product '{product['name']}' is not sold.", "INVALID"))
        if "taxes" in item and item["taxes"] is not None:
            taxes = []
            for tax_index, tax in enumerate(item["taxes"]):
                record = business.get("SalesTax", tax["salesTaxId"], [*path, "taxes", tax_index, "salesTaxId"])
                if record["n"] in [t["salesTax"] for t in taxes]:
                    raise InputErrors(input_error([*path, "taxes", tax_index], "A tax appears twice.", "DUPLICATE"))
                amount = tax.get("amount")
                taxes.append({"salesTax": record["n"], "amount": None if amount is None else Decimal(amount)})
        else:  # "undefined": the product's default sales taxes
            taxes = [{"salesTax": n, "amount": None} for n in product["defaultSalesTaxes"]]
        out.append(
            {
                "n": business.next_number["InvoiceItem"],
                "product": product["n"],
                "account": product["incomeAccount"],
                "description": item["description"] if "description" in item else product["description"],
                "quantity": rounded(item["quantity"] if item.get("quantity") is not None else 1, 8),
                "unitPrice": rounded(
                    item["unitPrice"] if item.get("unitPrice") is not None else product["unitPrice"], 8
                ),
                "taxes": taxes,
            }
        )
        business.next_number["InvoiceItem"] += 1
    return out


def _discounts(values):
    if values is None:
        return []
    if len(values) > 1:
        raise InputErrors(input_error(["discounts"], "An invoice can have at most 1 discount.", "INVALID"))
    out = []
    for index, value in enumerate(values):
        key = "amount" if value["discountType"] == "FIXED" else "percentage"
        if value.get(key) is None or Decimal(value[key]) < 0:
            raise InputErrors(
                input_error(["discounts", index, key], f"A {value['discountType']} discount needs {key}.")
            )
        out.append({"discountType": value["discountType"], "name": value.get("name"), key: Decimal(value[key])})
    return out


def _number(business, value, own=None):
    numbers = [i["invoiceNumber"] for i in business.records("Invoice") if i["n"] != own]
    if value is None:
        return str(max([int(n) for n in numbers if n.isdigit()] or [0]) + 1)
    if value in numbers:
        raise InputErrors(input_error(["invoiceNumber"], f"Invoice number {value} is already used.", "DUPLICATE"))
    return value


def _apply(business, record, data):
    for key in LAYOUT:
        if key in data:
            record[key] = data[key]
    if "customerId" in data:
        record["customer"] = business.get("Customer", data["customerId"], ["customerId"])["n"]
    for key in ("currency", "invoiceDate", "dueDate"):
        if data.get(key) is not None:
            record[key] = data[key]
    if data.get("exchangeRate") is not None:
        record["exchangeRate"] = positive(data["exchangeRate"], ["exchangeRate"], "Exchange rate")
    if "invoiceNumber" in data:
        record["invoiceNumber"] = _number(business, data["invoiceNumber"], record.get("n"))
    if "items" in data:
        record["items"] = _items(business, data["items"])  # the given items replace all items
    if "discounts" in data:
        record["discounts"] = _discounts(data["discounts"])
    if record["dueDate"] < record["invoiceDate"]:
        raise InputErrors(input_error(["dueDate"], "The due date cannot be before the invoice date.", "INVALID"))


@mutation("invoice")
def invoice_create(info, data):
    business = info.context.business_for(data["businessId"], ["businessId"])
    today = business.today()
    record = {
        **LAYOUT,
        "customer": None,
        "status": data.get("status") or "DRAFT",
        "currency": business.currency(),
        "exchangeRate": Decimal(1),
        "invoiceNumber": None,
        "invoiceDate": data.get("invoiceDate") or today,
        "items": [],
        "discounts": [],
        "lastSentAt": None,
        "lastSentVia": "NOT_SENT",
        "lastViewedAt": None,
        "anonymousId": uuid.uuid4().hex,
    }
    record["dueDate"] = record["invoiceDate"] + timedelta(days=business.payment_terms_days)
    data = {**data, "invoiceNumber": data.get("invoiceNumber")}
    _apply(business, record, data)
    return {"invoice": business.add("Invoice", record)}


@mutation("invoice")
def invoice_patch(info, data):
    business, record = target(info, data, "Invoice")
    draft = dict(record)
    _apply(business, draft, data)
    if data.get("status") == "DRAFT" and record["status"] != "DRAFT":
        raise InputErrors(input_error(["status"], "An approved invoice cannot go back to draft.", "INVALID"))
    if data.get("status"):
        draft["status"] = data["status"]
    if "customerId" in data and draft["customer"] != record["customer"] and business.invoice_payments(record["n"]):
        raise InputErrors(input_error(["customerId"], "An invoice with payments keeps its customer.", "INVALID"))
    record.update(draft)
    business.touch("Invoice", record)
    return {"invoice": record}


@mutation()
def invoice_delete(info, data):
    business, record = target(info, data, "Invoice", "invoiceId")
    if business.invoice_payments(record["n"]):
        raise InputErrors(input_error(["invoiceId"], "An invoice with payments cannot be deleted.", "INVALID"))
    business.remove("Invoice", record["n"])
    return {}


@mutation("invoice")
def invoice_approve(info, data):
    business, record = target(info, data, "Invoice", "invoiceId")
    if record["status"] == "DRAFT":
        record["status"] = "SAVED"
        business.touch("Invoice", record)
    return {"invoice": record}


def _sent(business, record, via, when):
    if record["status"] == "DRAFT":
        raise InputErrors(input_error(["invoiceId"], "A draft invoice must be approved before it is sent.", "INVALID"))
    record["lastSentAt"], record["lastSentVia"] = when, via
    business.touch("Invoice", record)
    return {"invoice": record}


@mutation("invoice")
def invoice_send(info, data):
    business, record = target(info, data, "Invoice", "invoiceId")
    if not business.doc["emailSendEnabled"]:
        raise InputErrors(input_error(["invoiceId"], "Email sending is not enabled for this business.", "INVALID"))
    if not data["to"] or any("@" not in address for address in data["to"]):
        raise InputErrors(input_error(["to"], "Give at least one valid email address.", "INVALID"))
    return _sent(business, record, "WAVE", business.now())


@mutation("invoice")
def invoice_mark_sent(info, data):
    business, record = target(info, data, "Invoice", "invoiceId")
    return _sent(business, record, data["sendMethod"], data.get("sentAt") or business.now())


@mutation("invoice")
def invoice_clone(info, data):
    business, record = target(info, data, "Invoice", "invoiceId")
    copy = {k: v for k, v in record.items() if k not in ("n", "createdAt", "modifiedAt", "_b")}
    copy.update(
        status="DRAFT",
        invoiceNumber=_number(business, None),
        lastSentAt=None,
        lastSentVia="NOT_SENT",
        lastViewedAt=None,
        anonymousId=uuid.uuid4().hex,
        items=[dict(i) for i in record["items"]],
    )
    return {"invoice": business.add("Invoice", copy)}


# ---------------------------------------------------------------------------- payments
def _payment_apply(business, record, data):
    if data.get("paymentAccountId") is not None:
        account = business.get("Account", data["paymentAccountId"], ["paymentAccountId"])
        if account["subtype"] not in PAYMENT_SUBTYPES or account["isArchived"]:
            raise InputErrors(input_error(["paymentAccountId"], "Payments go to a cash, bank or card account."))
        record["account"] = account["n"]
    if data.get("amount") is not None:
        record["amount"] = rounded(positive(data["amount"], ["amount"], "Amount"), 2)
    for key in ("paymentDate", "paymentMethod", "memo"):
        if key in data and (data[key] is not None or key == "memo"):
            record[key] = data[key]
    if data.get("exchangeRate") is not None:
        record["exchangeRate"] = positive(data["exchangeRate"], ["exchangeRate"], "Exchange rate")


@mutation("invoicePayment")
def payment_create(info, data):
    business, invoice = target(info, data, "Invoice", "invoiceId")
    if invoice["status"] == "DRAFT":
        raise InputErrors(
            input_error(["invoiceId"], "Payments can only be recorded on an approved invoice.", "INVALID")
        )
    record = {"invoice": invoice["n"], "customer": invoice["customer"], "currency": invoice["currency"], "memo": None}
    _payment_apply(business, record, data)
    payment = business.add("InvoicePayment", record)
    business.touch("Invoice", invoice)
    return {"invoicePayment": payment}


@mutation("invoicePayment")
def payment_patch(info, data):
    business, record = target(info, data, "InvoicePayment")
    draft = dict(record)
    _payment_apply(business, draft, data)
    record.update(draft)
    business.touch("InvoicePayment", record)
    business.touch("Invoice", business.tables["Invoice"][record["invoice"]])
    return {"invoicePayment": record}


@mutation()
def payment_delete(info, data):
    business, record = target(info, data, "InvoicePayment")
    business.remove("InvoicePayment", record["n"])
    business.touch("Invoice", business.tables["Invoice"][record["invoice"]])
    return {}


@mutation()
def payment_receipt_send(info, data):
    business, _invoice_record = target(info, data, "Invoice", "invoiceId")
    business.get("InvoicePayment", data["invoicePaymentId"], ["invoicePaymentId"])
    return {}


MUTATIONS = {
    "invoiceCreate": invoice_create,
    "invoicePatch": invoice_patch,
    "invoiceDelete": invoice_delete,
    "invoiceApprove": invoice_approve,
    "invoiceSend": invoice_send,
    "invoiceMarkSent": invoice_mark_sent,
    "invoiceClone": invoice_clone,
    "invoicePaymentCreateManual": payment_create,
    "invoicePaymentPatch": payment_patch,
    "invoicePaymentDelete": payment_delete,
    "invoicePaymentReceiptSend": payment_receipt_send,
}
