"""Seeding from JSON documents in Kashoo's shape (as the sandbox answers them).

A directory holds any of ``Account.json``, ``Customer.json``, ``Vendor.json`` (a contact in
both is one contact, customer and vendor), ``Invoice.json``, ``Bill.json``,
``InvoicePayment.json``, ``BillPayment.json`` and ``Record.json`` (records of any ``type``,
including types the sandbox does not know): each a JSON array. ``{"documents": {...}}`` to
``/_sandbox/seed`` takes the same keys.

Ids given are kept (so documents can name each other); absent ones are assigned. An invoice or
bill with lines, and a payment naming its invoice or bill, go through the API's own checks and
arithmetic (a given ``amount`` must agree with the lines); any other record is kept as given,
its amounts in integer cents. ``balanceDue`` is always derived from the payments.
"""

from . import records as rec

ENTITIES = ("Account", "Customer", "Vendor", "Invoice", "Bill", "InvoicePayment", "BillPayment", "Record")
TYPED = {"Invoice": "invoice", "Bill": "bill", "InvoicePayment": "invoicePayment", "BillPayment": "billPayment"}


def seed_documents(business, documents):
    unknown = set(documents) - set(ENTITIES)
    if unknown:
        raise ValueError(f"unknown documents {', '.join(sorted(unknown))}: {', '.join(ENTITIES)}")
    counts = {}
    for doc in documents.get("Account", []):
        business.add_account(doc, keep_id=True)
        counts["accounts"] = counts.get("accounts", 0) + 1
    for entity, role in (("Customer", "customer"), ("Vendor", "vendor")):
        for doc in documents.get(entity, []):
            business.add_contact(doc, [role], keep_id=True)
            counts[f"{role}s"] = counts.get(f"{role}s", 0) + 1
    pending = []
    for entity in ("Invoice", "Bill", "InvoicePayment", "BillPayment", "Record"):
        for doc in documents.get(entity, []):
            kind = TYPED.get(entity) or business.settings.kind_of_type(doc.get("type"))
            pending.append((kind, doc))
    # documents before the payments that pay them, whatever file they came in
    pending.sort(key=lambda pair: pair[0] in rec.PAYMENTS)
    for kind, doc in pending:
        store(business, kind, doc)
        key = kind or "other_records"
        counts[key] = counts.get(key, 0) + 1
    return counts


def store(business, kind, doc):
    field = business.settings.field
    if kind in rec.DOCUMENTS and doc.get(field("lines")):
        return rec.create(business, kind, _without_derived(doc), keep_id=True)
    if kind in rec.PAYMENTS and doc.get(field(rec.PAYMENTS[kind][1])):
        return rec.create(business, kind, _without_derived(doc), keep_id=True)
    return rec.insert_raw(business, doc)


def _without_derived(doc):
    return {key: value for key, value in doc.items() if key not in ("balanceDue", "contactName", "type")}
