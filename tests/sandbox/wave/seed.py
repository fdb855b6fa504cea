"""Seeding from JSON documents in Wave's shape (the generator is ``generate``).

A seed directory holds ``Account.json``, ``SalesTax.json``, ``Customer.json``, ``Vendor.json``,
``Product.json``, ``Invoice.json`` and ``InvoicePayment.json``: JSON arrays of nodes as Wave's API
returns them (``{"name": ..., "address": {"province": {"code": "US-RI"}}, "currency": {"code":
"USD"}}``, Money as ``{"value": "40.00"}``, links as ``{"id": ...}``). A record's number is taken
from its id when it has one, so links between the documents hold; seeding sends no notifications.
"""

import os
from datetime import UTC, date, datetime
from decimal import Decimal

from .store import CONTACT_FIELDS, decode_id

ENTITIES = ("Account", "SalesTax", "Customer", "Vendor", "Product", "Invoice", "InvoicePayment")


def _number(kind, value):
    if isinstance(value, dict):
        value = value.get("id")
    number = decode_id(value).get(kind) if value else None
    return int(number) if number and number.isdigit() else None


def _decimal(value):
    if isinstance(value, dict):
        value = value.get("value")
    return None if value is None else Decimal(str(value))


def _moment(value):
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _code(value):
    return value.get("code") if isinstance(value, dict) else value


def _address(doc):
    if not doc:
        return None
    return {
        "addressLine1": doc.get("addressLine1"),
        "addressLine2": doc.get("addressLine2"),
        "city": doc.get("city"),
        "provinceCode": _code(doc.get("province")) or doc.get("provinceCode"),
        "countryCode": _code(doc.get("country")) or doc.get("countryCode"),
        "postalCode": doc.get("postalCode"),
    }


def _contact(doc):
    record = {key: doc.get(key) for key in CONTACT_FIELDS}
    shipping = doc.get("shippingDetails")
    record.update(
        address=_address(doc.get("address")),
        currency=_code(doc.get("currency")),
        isArchived=bool(doc.get("isArchived")),
        shippingDetails=None if not shipping else {**shipping, "address": _address(shipping.get("address"))},
    )
    return record


def _account(doc):
    subtype = doc.get("subtype")
    return {
        "name": doc["name"],
        "description": doc.get("description"),
        "displayId": doc.get("displayId"),
        "currency": _code(doc.get("currency")),
        "subtype": subtype.get("value") if isinstance(subtype, dict) else subtype,
        "isArchived": bool(doc.get("isArchived")),
        "sequence": doc.get("sequence") or 1,
        "classicId": None,
        "balance": _decimal(doc.get("balance")) or Decimal(0),
    }


def _sales_tax(doc):
    rates = [(date.fromisoformat(r["effective"]), Decimal(str(r["rate"]))) for r in doc.get("rates") or []]
    if not rates:
        rates = [(date(1, 1, 1), Decimal(str(doc["rate"])))]
    return {
        "name": doc["name"],
        "abbreviation": doc["abbreviation"],
        "description": doc.get("description"),
        "taxNumber": doc.get("taxNumber"),
        "showTaxNumberOnInvoices": bool(doc.get("showTaxNumberOnInvoices")),
        "rates": sorted(rates),
        "isCompound": bool(doc.get("isCompound")),
        "isRecoverable": bool(doc.get("isRecoverable")),
        "isArchived": bool(doc.get("isArchived")),
    }


def _product(doc):
    return {
        "name": doc["name"],
        "description": doc.get("description"),
        "unitPrice": _decimal(doc.get("unitPrice")) or 0,
        "incomeAccount": _number("Account", doc.get("incomeAccount")),
        "expenseAccount": _number("Account", doc.get("expenseAccount")),
        "defaultSalesTaxes": [_number("SalesTax", t) for t in doc.get("defaultSalesTaxes") or []],
        "isArchived": bool(doc.get("isArchived")),
    }


def _invoice(business, doc):
    from .resolvers.invoices import LAYOUT

    items = []
    for item in doc.get("items") or []:
        product = business.tables["Product"].get(_number("Product", item.get("product")))
        items.append(
            {
                "n": _number("InvoiceItem", item) or business.next_number["InvoiceItem"],
                "product": product["n"],
                "account": _number("Account", item.get("account")) or product["incomeAccount"],
                "description": item.get("description"),
                "quantity": _decimal(item.get("quantity")) or Decimal(1),
                "unitPrice": _decimal(
                    item.get("unitPrice") if item.get("unitPrice") is not None else item.get("price")
                ),
                "taxes": [
                    {"salesTax": _number("SalesTax", t.get("salesTax")), "amount": _decimal(t.get("amount"))}
                    for t in item.get("taxes") or []
                ],
            }
        )
        business.next_number["InvoiceItem"] = max(business.next_number["InvoiceItem"], items[-1]["n"] + 1)
    record = {key: doc.get(key, default) for key, default in LAYOUT.items()}
    record.update(
        customer=_number("Customer", doc.get("customer")),
        status="DRAFT" if doc.get("status") == "DRAFT" else "SAVED",
        currency=_code(doc.get("currency")) or business.currency(),
        exchangeRate=_decimal(doc.get("exchangeRate")) or 1,
        invoiceNumber=str(doc["invoiceNumber"]),
        invoiceDate=date.fromisoformat(doc["invoiceDate"]),
        dueDate=date.fromisoformat(doc.get("dueDate") or doc["invoiceDate"]),
        items=items,
        discounts=[],
        lastSentAt=_moment(doc.get("lastSentAt")),
        lastSentVia=doc.get("lastSentVia") or "NOT_SENT",
        lastViewedAt=_moment(doc.get("lastViewedAt")),
        anonymousId=os.urandom(16).hex(),
    )
    return record


def _payment(business, doc, invoice_number=None):
    invoice = business.tables["Invoice"][invoice_number or _number("Invoice", doc.get("invoice"))]
    return {
        "invoice": invoice["n"],
        "customer": invoice["customer"],
        "currency": invoice["currency"],
        "account": _number("Account", doc.get("account")),
        "paymentDate": date.fromisoformat(doc["paymentDate"]),
        "amount": _decimal(doc["amount"]),
        "exchangeRate": _decimal(doc.get("exchangeRate")) or Decimal(1),
        "paymentMethod": doc.get("paymentMethod") or "UNSPECIFIED",
        "memo": doc.get("memo"),
    }


def seed_documents(business, documents):
    """Load ``{entity: [nodes]}`` into a business; returns the count per entity."""
    counts = {}
    with business.lock:
        for entity in ENTITIES:
            docs = documents.get(entity) or []
            for doc in docs:
                stamp = {"n": _number(entity, doc)} if _number(entity, doc) else {}
                when = _moment(doc.get("createdAt"))
                if entity in ("Customer", "Vendor"):
                    record = _contact(doc)
                elif entity == "Account":
                    record = _account(doc)
                elif entity == "SalesTax":
                    record = _sales_tax(doc)
                elif entity == "Product":
                    record = _product(doc)
                elif entity == "Invoice":
                    record = _invoice(business, doc)
                else:
                    record = _payment(business, doc)
                stored = business.add(entity, {**record, **stamp}, when=when, silent=True)
                stored["modifiedAt"] = _moment(doc.get("modifiedAt")) or stored["modifiedAt"]
                for payment in doc.get("payments") or [] if entity == "Invoice" else []:
                    business.add("InvoicePayment", _payment(business, payment, stored["n"]), silent=True)
            counts[entity] = len(docs)
    return counts
