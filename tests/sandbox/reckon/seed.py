"""Generate a realistic Australian Reckon One book: GST at 10%, GST-free and BAS-excluded lines,
tax-inclusive and tax-exclusive invoices, contacts that are both customer and supplier.

Everything but the read-only tables goes through the record types' own rules (``build``), so
totals, tax and balances are what the sandbox computes for a client. Deterministic for ``seed``.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from ..kit import seed as kit_seed
from .documents import CreditNotes, Invoices
from .extension import Bills, Journals
from .receipts import Receipts
from .records import Customers, Items, LedgerAccounts, Suppliers, Terms
from .store import fmt_date, money, new_id, ref

GST_START = date(2000, 7, 1)
#: (code, description, rate, on sales, on purchases, export code)
TAXES = [
    ("GST", "GST on sales and purchases", 10, True, True, "GST"),
    ("FRE", "GST free", 0, True, True, "FRE"),
    ("EXP", "GST-free export sales", 0, True, False, "EXP"),
    ("ITS", "Input taxed", 0, True, True, "ITS"),
    ("CAP", "GST on capital purchases", 10, False, True, "CAP"),
    ("N-T", "Not reportable (BAS excluded)", 0, True, True, "N-T"),
]
#: (code, name, type, bank details?)
ACCOUNTS = [
    ("1-1110", "Business Cheque Account", "CurrentAsset_Bank", True),
    ("1-1120", "Business Savings Account", "CurrentAsset_Bank", True),
    ("1-1200", "Trade Debtors", "CurrentAsset_AccountsReceivable", False),
    ("1-1300", "Inventory", "CurrentAsset_Other", False),
    ("1-2100", "Office Equipment", "NonCurrentAsset_Fixed", False),
    ("2-1200", "Trade Creditors", "CurrentLiability_AccountsPayable", False),
    ("2-1310", "GST Collected", "CurrentLiability_Other", False),
    ("2-1330", "GST Paid", "CurrentLiability_Other", False),
    ("2-1500", "Business Credit Card", "CurrentLiability_CreditCard", False),
    ("3-1000", "Owner's Capital", "Equity", False),
    ("4-1000", "Sales", "Income", False),
    ("4-2000", "Consulting Income", "Income", False),
    ("4-3000", "Reimbursed Fees", "Income_Other", False),
    ("5-1000", "Cost of Sales", "Expense_CostOfGoodsSold", False),
    ("6-1000", "Rent", "Expense", False),
    ("6-2000", "Electricity", "Expense", False),
    ("6-3000", "Bank Fees", "Expense", False),
    ("6-4000", "Stationery", "Expense", False),
]
TERMS = [
    ("Due on receipt", 0, "DaysAfterIssue"),
    ("Net 14", 14, "DaysAfterIssue"),
    ("Net 30", 30, "DaysAfterIssue"),
    ("End of next month", 31, "DayOfNextMonth"),
]
METHODS = ("Cash", "Cheque", "EFT", "Credit Card", "BPAY")
FIRST = [
    "Harbour",
    "Southern",
    "Coastal",
    "Outback",
    "Bluegum",
    "Wattle",
    "Kookaburra",
    "Banksia",
    "Ironbark",
    "Coral",
    "Red Gum",
    "Silver",
    "Golden",
    "Sunrise",
    "Eastern",
]
LAST = [
    "Plumbing",
    "Cafe",
    "Electrical",
    "Landscapes",
    "Physio",
    "Builders",
    "Bakery",
    "Legal",
    "Motors",
    "Design",
    "Dental",
    "Florist",
    "Surveyors",
    "Removals",
    "Printing",
]
CITIES = [
    ("Sydney", "NSW", "2000", "02"),
    ("Melbourne", "VIC", "3000", "03"),
    ("Brisbane", "QLD", "4000", "07"),
    ("Perth", "WA", "6000", "08"),
    ("Adelaide", "SA", "5000", "08"),
    ("Hobart", "TAS", "7000", "03"),
    ("Canberra", "ACT", "2600", "02"),
    ("Darwin", "NT", "0800", "08"),
]
#: (name, service?, price cents, tax code, item amountTaxStatus)
GOODS = [
    ("Consulting (hour)", True, 16500, "GST", "Exclusive"),
    ("Site visit", True, 12000, "GST", "Exclusive"),
    ("Installation", True, 25000, "GST", "Exclusive"),
    ("Garden hose 30m", False, 5995, "GST", "Inclusive"),
    ("Paving stones (pallet)", False, 48000, "GST", "Exclusive"),
    ("Fresh fruit box", False, 4500, "FRE", "Inclusive"),
    ("Export freight", True, 30000, "EXP", "Exclusive"),
    ("First aid course", True, 19000, "FRE", "Exclusive"),
]


def _abn(rng):
    """An 11-digit ABN that passes the ATO check (weights 10,1,3,...,19; modulus 89)."""
    weights = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(10)]
        if sum(w * (d - (1 if i == 0 else 0)) for i, (w, d) in enumerate(zip(weights, digits, strict=True))) % 89 == 0:
            return "".join(map(str, digits))


def _taxes(book):
    collected, paid = (book.find("ledgeraccounts", name, "seed") for name in ("GST Collected", "GST Paid"))
    for code, description, rate, sales, purchases, export in TAXES:
        rate_doc = {
            "id": new_id(),
            "name": code,
            "description": description,
            "rate": Decimal(rate),
            "status": "Active",
            "useOnPurchases": purchases,
            "useOnSales": sales,
        }
        book.put("taxrates", rate_doc)
        book.effective[rate_doc["id"]] = (GST_START, None)
        tax_code = {
            "id": new_id(),
            "name": code,
            "description": description,
            "rate": Decimal(rate),
            "useCodeOnPurchases": purchases,
            "useCodeOnSales": sales,
            "isWholeAmountTax": False,
        }
        group = dict(rate_doc, id=new_id(), exportCode=export, taxCodes=[tax_code], lastModifiedDateTime=None)
        if rate:
            group["saleTaxLedgerAccounts"] = [LedgerAccounts().view(book, collected)]
            group["purchaseTaxLedgerAccounts"] = [LedgerAccounts().view(book, paid)]
        book.put("taxgroups", group)
        book.effective[group["id"]] = (GST_START, None)


def _contact(book, rng, n, used, role):
    name = kit_seed.unique_name(rng, used, n, FIRST, LAST) + " Pty Ltd"
    town, state, postcode, area = rng.choice(CITIES)
    body = {
        "name": name,
        "organisationName": name,
        "businessNumber1": _abn(rng),
        "status": "Active",
        "addresses": [
            {
                "type": "Billing",
                "line1": f"{rng.randint(1, 400)} {rng.choice(LAST)} Street",
                "town": town,
                "state": state,
                "postcode": postcode,
                "country": "Australia",
            }
        ],
        "phoneNumbers": [
            {"type": "Work", "countryCode": "61", "areaCode": area, "number": f"9{rng.randint(1000000, 9999999)}"}
        ],
        "electronicAddresses": [{"type": "Email", "address": f"accounts{n}@{name.split()[0].lower()}.example.com.au"}],
    }
    if role == "supplier":
        body["isTpar"] = rng.random() < 0.3
        return book.put("contacts", Suppliers().build(book, body))
    return book.put("contacts", Customers().build(book, dict(body, paymentTerms=rng.choice(list(book.table("terms"))))))


def _invoice(book, rng, customer, items, start, n, half_inclusive=False):
    issued = start + timedelta(days=rng.randint(0, 100))
    status = rng.choices(("Exclusive", "Inclusive", "NonTaxed"), (70, 25, 5))[0]
    if half_inclusive:  # every other invoice inclusive, the rest as drawn otherwise
        status = "Inclusive" if n % 2 == 0 else ("Exclusive" if status == "Inclusive" else status)
    lines = []
    for number in range(1, rng.randint(1, 4) + 1):
        item = rng.choice(items)
        lines.append(
            {
                "lineNumber": number,
                "description": item["name"],
                "itemDetails": {"item": item["id"], "quantity": rng.randint(1, 6), "price": item["sale"]["price"]},
            }
        )
    if status != "NonTaxed" and rng.random() < 0.2:  # a BAS-excluded pass-through line
        lines.append(
            {
                "lineNumber": len(lines) + 1,
                "description": "Council permit fee (on-charged)",
                "accountDetails": {"ledgerAccount": "Reimbursed Fees", "amount": kit_seed.amount(rng, 5000, 30000)},
                "taxRate": "N-T",
            }
        )
    body = {
        "customer": customer["id"],
        "invoiceDate": fmt_date_only(issued),
        "amountTaxStatus": status,
        "reference": f"PO-{4000 + n}",
        "lineItems": lines,
    }
    doc = book.put("invoices", Invoices().build(book, body))
    if rng.random() < 0.85:
        doc["status"] = "Approved"
    return doc


def fmt_date_only(day):
    return f"{day.isoformat()}T00:00:00Z"


def generate_book(
    book,
    *,
    customers=25,
    suppliers=6,
    both=3,
    items=8,
    invoices=40,
    receipts=25,
    credit_notes=4,
    bills=8,
    journals=2,
    payments=4,
    seed=1,
    start=None,
    half_inclusive=False,
    two_invoice_receipts=0,
):
    """Fill ``book`` (a store.Book) and return the counts per table.

    ``items`` beyond the named goods are numbered variants of them; ``half_inclusive`` makes
    every other invoice tax-inclusive; ``two_invoice_receipts`` receipts (of the ``receipts``)
    also pay a second approved invoice of their customer, in full."""
    rng = random.Random(seed)
    start = start or (date.today() - timedelta(days=120))
    book.name, book.country = "Harbourside Services Pty Ltd", "AU"
    accounts = LedgerAccounts()
    for code, name, kind, bank in ACCOUNTS:
        body = {"name": name, "accountCode": code, "accountType": kind}
        if bank:
            body["bankAccount"] = {
                "bankBranchNumber": f"062-{rng.randint(100, 999)}",
                "bankAccountNumber": str(rng.randint(10000000, 99999999)),
                "includeBalancingTransaction": False,
            }
        book.put("ledgeraccounts", accounts.build(book, body))
    _taxes(book)
    for name, days, rule in TERMS:
        book.put("terms", Terms().build(book, {"name": name, "netDueDay": days, "netDueDaySelection": rule}))
    for name in METHODS:
        book.put("paymentmethods", {"id": new_id(), "name": name})
    item_docs = []
    for n in range(items):
        name, service, cents, tax, tax_status = GOODS[n % len(GOODS)]
        code = name.upper().replace(" ", "")[:8]
        if n >= len(GOODS):
            name, code = f"{name} #{n // len(GOODS) + 1}", f"{code[:5]}{n:03d}"
        body = {
            "name": name,
            "itemType": "Service" if service else "Product",
            "amountTaxStatus": tax_status,
            "itemCode": code,
            "sale": {
                "price": money(Decimal(cents) / 100),
                "ledgerAccount": "Consulting Income" if service else "Sales",
                "taxRate": tax,
            },
        }
        if not service:
            body["purchase"] = {
                "price": money(Decimal(cents) / 200),
                "ledgerAccount": "Cost of Sales",
                "taxRate": "GST",
            }
        item_docs.append(book.put("items", Items().build(book, body)))
    used = set()
    customer_docs = [_contact(book, rng, n, used, "customer") for n in range(customers)]
    supplier_docs = [_contact(book, rng, customers + n, used, "supplier") for n in range(suppliers)]
    for customer in customer_docs[:both]:  # contacts that are customer and supplier
        customer["entityTypes"]["isSupplier"] = True
        customer["isTpar"] = False
        supplier_docs.append(book.put("contacts", customer))
    invoice_docs = [
        _invoice(book, rng, rng.choice(customer_docs), item_docs, start, n, half_inclusive) for n in range(invoices)
    ]
    approved = [d for d in invoice_docs if d["status"] == "Approved"]
    rng.shuffle(approved)
    spare = {}  # approved invoices no receipt of their own pays: the second invoice of a receipt
    for invoice in approved[receipts:]:
        spare.setdefault(invoice["customer"]["id"], []).append(invoice)
    for index, invoice in enumerate(approved[:receipts]):
        amount = (
            invoice["balance"] if rng.random() < 0.7 else money(invoice["balance"] * Decimal(rng.randint(20, 80)) / 100)
        )
        if amount <= 0:
            continue
        links = [{"transactionId": invoice["id"], "transactionType": "Invoice", "transactionAmount": amount}]
        received = min_date(invoice["invoiceDate"], rng)
        others = spare.get(invoice["customer"]["id"]) if index < two_invoice_receipts else None
        if others:
            other = others.pop()
            links.append(
                {"transactionId": other["id"], "transactionType": "Invoice", "transactionAmount": other["balance"]}
            )
            received = max(received, min_date(other["invoiceDate"], rng))
        body = {
            "customer": invoice["customer"]["id"],
            "totalAmount": money(sum(link["transactionAmount"] for link in links)),
            "paymentMethod": rng.choice(METHODS),
            "receiptDate": fmt_date(received),
            "reference": f"DEP-{invoice['invoiceNumber']}",
            "transactionLinks": links,
        }
        receipt = book.put("receipts", Receipts().build(book, body))
        Receipts().after_write(book, receipt, None)
    for n in range(credit_notes):
        body = {
            "customer": rng.choice(customer_docs)["id"],
            "creditNoteDate": fmt_date_only(start + timedelta(days=n * 7)),
            "amountTaxStatus": "Exclusive",
            "reference": f"RMA-{n + 1}",
            "lineItems": [
                {"lineNumber": 1, "itemDetails": {"item": item_docs[0]["id"], "quantity": 1}, "taxRate": "GST"}
            ],
        }
        book.put("creditnotes", dict(CreditNotes().build(book, body), status="Approved"))
    for n in range(bills):
        lines = [
            {
                "AccountingCategoryID": rng.choice(["Rent", "Electricity", "Stationery"]),
                "Description": "Monthly",
                "Amount": kit_seed.amount(rng, 5000, 250000),
                "TaxGroupID": "GST",
            }
        ]
        if n % 3 == 0:
            lines.append(
                {"AccountingCategoryID": "Bank Fees", "Amount": kit_seed.amount(rng, 500, 3000), "TaxGroupID": "ITS"}
            )
        body = {
            "CustomerID": rng.choice(supplier_docs)["id"],
            "BillDate": fmt_date_only(start + timedelta(days=n * 9)),
            "Reference": f"SUP-{7000 + n}",
            "AmountTaxStatus": 2,
            "LineItems": lines,
        }
        bill = Bills().build(book, body)
        bill["Status"] = 2
        book.put("bills", bill)
    for n in range(journals):
        amount = kit_seed.amount(rng, 100000, 1000000)
        body = {
            "JournalDate": fmt_date_only(start + timedelta(days=n)),
            "Summary": "Owner contribution",
            "Transactions": [
                {"AccountingCategoryId": "Business Cheque Account", "Debit": amount, "Narration": "Deposit"},
                {"AccountingCategoryId": "Owner's Capital", "Credit": amount, "Narration": "Capital"},
            ],
        }
        book.put("journals", Journals().build(book, body))
    bank = book.find("ledgeraccounts", "Business Cheque Account", "seed")
    for n in range(payments):  # supplier payments are read-only in the v2 document: stored as Reckon shows them
        amount = kit_seed.amount(rng, 10000, 90000)
        book.put(
            "payments",
            {
                "id": new_id(),
                "paymentNumber": book.next_number("PMNT"),
                "supplier": ref(rng.choice(supplier_docs)),
                "paymentDate": fmt_date_only(start + timedelta(days=n * 11)),
                "ledgerAccount": ref(bank),
                "allocateFullAmount": False,
                "totalAmount": amount,
                "reconciliationStatus": "Uncleared",
                "reference": f"EFT-{n + 1}",
                "transactionLinks": [],
                "lineItems": [
                    {
                        "lineNumber": 1,
                        "lineId": new_id(),
                        "description": "Office rent",
                        "accountDetails": {
                            "ledgerAccount": ref(book.find("ledgeraccounts", "Rent", "seed")),
                            "amount": amount,
                        },
                    }
                ],
                "lastModifiedDateTime": None,
            },
        )
    return {table: len(docs) for table, docs in book.tables.items() if docs}


def min_date(invoice_date, rng):
    from .store import parse_datetime

    return parse_datetime(invoice_date, "seed") + timedelta(days=rng.randint(0, 20))
