"""Reckon One documents <-> canonical records (connector_base/schemas), pure functions, by concern:

* ``common``     external ids, dates as Reckon writes them, money, the Odoo stamp, versions;
* ``contacts``   customers and suppliers (one contact, both roles) <-> parties;
* ``lists``      items <-> products, ledger accounts <-> accounts, payment terms;
* ``taxes``      tax rates and groups by effective date <-> taxes;
* ``documents``  invoices and credit notes <-> invoices;
* ``payments``   receipts, supplier payments, credit-note allocations <-> payments;
* ``extension``  bills and journals (v1 field names) <-> vendor bills, journal entries.
"""

from . import common, contacts, documents, extension, lists, payments, taxes
from .common import ext_id, split_id
from .contacts import party_from_canonical, party_to_canonical, party_view
from .documents import sales_from_canonical, sales_to_canonical
from .extension import bill_from_canonical, bill_to_canonical, journal_from_canonical, journal_to_canonical
from .lists import account_from_canonical, account_to_canonical, product_from_canonical, product_to_canonical
from .payments import credit_application, receipt_from_canonical, receipt_to_canonical, supplier_payment_to_canonical
from .taxes import TaxCalendar, group_to_canonical, rate_to_canonical, rate_variant

#: canonical kind -> the Reckon tables that make it (extension tables last)
KIND_TABLES = {
    "account": ("ledgeraccounts",),
    "tax": ("taxrates", "taxgroups"),
    "party": ("customers", "suppliers"),
    "product": ("items",),
    "invoice": ("invoices", "creditnotes", "bills"),
    "payment": ("receipts", "payments", "creditnotes"),
    "journal_entry": ("journals",),
}
#: entity of a prefixed external id -> its table
ENTITY_TABLES = {
    "TaxRate": "taxrates",
    "TaxGroup": "taxgroups",
    "Invoice": "invoices",
    "CreditNote": "creditnotes",
    "Bill": "bills",
    "Receipt": "receipts",
    "Payment": "payments",
    "CreditApplication": "creditnotes",
}
#: table -> the entity of its external ids (the tables whose ids are prefixed)
TABLE_ENTITIES = {table: entity for entity, table in ENTITY_TABLES.items() if entity != "CreditApplication"}
#: tables with ``lastModifiedDateTime`` (changes read by it); the others by a date window
STAMPED = ("customers", "suppliers", "items", "ledgeraccounts", "taxgroups", "payments", "bills", "journals")
#: the date field of each document table (first imports from a date, rolling windows)
DATE_FIELDS = {
    "invoices": "invoiceDate",
    "creditnotes": "creditNoteDate",
    "receipts": "receiptDate",
    "payments": "paymentDate",
    "bills": "BillDate",
    "journals": "JournalDate",
}
#: the id field of the extension's tables
ID_FIELDS = {"bills": "BillID", "journals": "JournalID"}
EXTENSION = ("bills", "journals")

__all__ = [
    "DATE_FIELDS",
    "ENTITY_TABLES",
    "EXTENSION",
    "ID_FIELDS",
    "KIND_TABLES",
    "STAMPED",
    "TABLE_ENTITIES",
    "TaxCalendar",
    "account_from_canonical",
    "account_to_canonical",
    "bill_from_canonical",
    "bill_to_canonical",
    "common",
    "contacts",
    "credit_application",
    "documents",
    "ext_id",
    "extension",
    "group_to_canonical",
    "journal_from_canonical",
    "journal_to_canonical",
    "lists",
    "party_from_canonical",
    "party_to_canonical",
    "party_view",
    "payments",
    "product_from_canonical",
    "product_to_canonical",
    "rate_to_canonical",
    "rate_variant",
    "receipt_from_canonical",
    "receipt_to_canonical",
    "sales_from_canonical",
    "sales_to_canonical",
    "split_id",
    "supplier_payment_to_canonical",
    "taxes",
]
