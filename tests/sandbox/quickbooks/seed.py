"""Generate a small, realistic QuickBooks company in the sandbox.

Everything goes through the store's own write rules, so totals, tax and balances are
what QuickBooks would compute. The generator is deterministic for a given ``seed``.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from ..kit import seed as kit_seed

ACCOUNTS = [
    ("Checking", "Bank", "Checking", "1010"),
    ("Savings", "Bank", "Savings", "1020"),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "1100"),
    ("Inventory Asset", "Other Current Asset", "Inventory", "1300"),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "2000"),
    ("Mastercard", "Credit Card", "CreditCard", "2100"),
    ("Board of Equalization Payable", "Other Current Liability", "SalesTaxPayable", "2200"),
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity", "3000"),
    ("Sales of Product Income", "Income", "SalesOfProductIncome", "4000"),
    ("Services", "Income", "ServiceFeeIncome", "4100"),
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs", "5000"),
    ("Rent or Lease", "Expense", "RentOrLeaseOfBuildings", "6100"),
    ("Utilities", "Expense", "Utilities", "6200"),
    ("Office Expenses", "Expense", "OfficeGeneralAdministrativeExpenses", "6300"),
]
FIRST = [
    "Amy",
    "Bill",
    "Cool",
    "Dukes",
    "Freeman",
    "Geeta",
    "Jeff",
    "John",
    "Kate",
    "Mark",
    "Paulsen",
    "Rago",
    "Red",
    "Rondonuwu",
    "Shara",
    "Sonnenschein",
    "Sushi",
    "Travis",
    "Video",
    "Weiskopf",
    "Lena",
    "Omar",
    "Priya",
    "Quentin",
    "Ursula",
    "Viktor",
    "Wendy",
    "Xavier",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Bird Sanctuary",
    "Windsurf Shop",
    "Cars",
    "Basketball",
    "Sporting Goods",
    "Realty",
    "Jalopies",
    "Melton",
    "Whelan",
    "Cho",
    "Medical",
    "Travel",
    "Rock Diner",
    "Fruit Company",
    "Barnett",
    "Family Store",
    "by Andrew",
    "Waters",
    "Games",
    "Consulting",
    "Landscaping",
    "Bakery",
    "Plumbing",
    "Dental",
]
STREETS = ["Ocean View Road", "Easy St.", "Main St", "Finch St.", "Sierra Way", "Country Road", "Pine Ave"]
CITIES = [
    ("Middlefield", "CA", "94482"),
    ("Bayshore", "CA", "94326"),
    ("San Pablo", "CA", "87999"),
    ("Palo Alto", "CA", "94303"),
    ("Sunnyvale", "CA", "94086"),
]
GOODS = [
    "Rock Fountain",
    "Fountain Pump",
    "Sprinkler Heads",
    "Sprinkler Pipes",
    "Concrete",
    "Garden Hose",
    "Pavers",
    "Mulch",
    "Planter Box",
    "Bird Bath",
    "Lantern",
    "Trellis",
    "Soil Bag",
    "Seed Pack",
]
SERVICES = [
    "Design",
    "Installation",
    "Trimming",
    "Gardening",
    "Pest Control",
    "Maintenance & Repair",
    "Lighting",
    "Consulting",
    "Weekly Visit",
    "Irrigation Check",
]


def _seed_taxes(company):
    """Tax rates and codes: read-only in the API, so seeded as QuickBooks holds them."""
    if company.tax_mode == "us":
        company.seed(
            "TaxRate",
            [
                {"Id": "1", "Name": "California", "RateValue": Decimal("7.25"), "Active": True},
                {"Id": "2", "Name": "Santa Clara County", "RateValue": Decimal("1.00"), "Active": True},
                {"Id": "3", "Name": "San Francisco Muni", "RateValue": Decimal("1.375"), "Active": True},
            ],
        )
        company.seed(
            "TaxCode",
            [
                {
                    "Id": "2",
                    "Name": "California",
                    "Taxable": True,
                    "TaxGroup": False,
                    "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "1"}, "TaxOrder": 0}]},
                },
                {
                    "Id": "3",
                    "Name": "Santa Clara",
                    "Taxable": True,
                    "TaxGroup": True,
                    "SalesTaxRateList": {
                        "TaxRateDetail": [
                            {"TaxRateRef": {"value": "1"}, "TaxOrder": 0},
                            {"TaxRateRef": {"value": "2"}, "TaxOrder": 0},
                        ]
                    },
                },
                {
                    "Id": "4",
                    "Name": "San Francisco",
                    "Taxable": True,
                    "TaxGroup": True,
                    "SalesTaxRateList": {
                        "TaxRateDetail": [
                            {"TaxRateRef": {"value": "1"}, "TaxOrder": 0},
                            {"TaxRateRef": {"value": "3"}, "TaxOrder": 0},
                        ]
                    },
                },
            ],
        )
        tax_codes = ["2", "3", "4"]
    elif company.country == "CA":
        tax_codes = _seed_canadian_taxes(company)
    else:
        company.seed(
            "TaxRate",
            [
                {"Id": "10", "Name": "GST", "RateValue": Decimal("10"), "Active": True},
                {"Id": "11", "Name": "GST free", "RateValue": Decimal("0"), "Active": True},
            ],
        )
        company.seed(
            "TaxCode",
            [
                {
                    "Id": "10",
                    "Name": "GST",
                    "Taxable": True,
                    "TaxGroup": False,
                    "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "10"}}]},
                    "PurchaseTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "10"}}]},
                },
                {
                    "Id": "11",
                    "Name": "FRE",
                    "Taxable": True,
                    "TaxGroup": False,
                    "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "11"}}]},
                    "PurchaseTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "11"}}]},
                },
            ],
        )
        tax_codes = ["10", "11"]
    return tax_codes


#: Canadian sales taxes: (TaxRate Id, name, percent)
CANADIAN_RATES = [
    ("20", "GST", "5"),
    ("21", "PST (charged on GST)", "7"),
    ("22", "QST", "9.975"),
    ("23", "HST ON", "13"),
    ("24", "HST NS", "15"),
    ("25", "Zero-rated", "0"),
]
#: Canadian tax codes: (TaxCode Id, name, [(TaxRate Id, TaxTypeApplicable)] in TaxOrder)
CANADIAN_CODES = [
    ("20", "GST", [("20", "TaxOnAmount")]),
    ("21", "GST/PST compound", [("20", "TaxOnAmount"), ("21", "TaxOnAmountPlusTax")]),
    ("22", "GST/QST QC", [("20", "TaxOnAmount"), ("22", "TaxOnAmount")]),
    ("23", "HST ON", [("23", "TaxOnAmount")]),
    ("24", "HST NS", [("24", "TaxOnAmount")]),
    ("25", "Zero-rated", [("25", "TaxOnAmount")]),
]


def _seed_canadian_taxes(company):
    """GST, HST, QST beside GST, and a PST charged on the amount with GST (TaxOnAmountPlusTax,
    the later TaxOrder): the codes a Canadian company's documents carry. Returns the codes
    documents are generated with (every rate; the compound code is left to the tests that
    want it)."""
    company.seed(
        "TaxRate",
        [{"Id": rid, "Name": name, "RateValue": Decimal(rate), "Active": True} for rid, name, rate in CANADIAN_RATES],
    )
    codes = []
    for code_id, name, rates in CANADIAN_CODES:
        details = [
            {"TaxRateRef": {"value": rid}, "TaxTypeApplicable": applicable, "TaxOrder": order}
            for order, (rid, applicable) in enumerate(rates)
        ]
        codes.append(
            {
                "Id": code_id,
                "Name": name,
                "Taxable": True,
                "TaxGroup": len(rates) > 1,
                "SalesTaxRateList": {"TaxRateDetail": details},
                "PurchaseTaxRateList": {"TaxRateDetail": details},
            }
        )
    company.seed("TaxCode", codes)
    return ["20", "23", "24", "22", "25"]


def _customers(company, rng, count, terms, foreign_share):
    write = company.write
    customer_docs = []
    used = set()
    for n in range(count):
        name = kit_seed.unique_name(rng, used, n, FIRST, LAST)
        city, state, postcode = rng.choice(CITIES)
        foreign = rng.random() < foreign_share
        doc = {
            "DisplayName": name,
            "CompanyName": name,
            "PrimaryEmailAddr": {"Address": f"billing{n}@{name.split()[0].lower()}.example"},
            "PrimaryPhone": {"FreeFormNumber": f"(415) 555-{1000 + n:04d}"},
            "BillAddr": {
                "Line1": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
                "City": city,
                "CountrySubDivisionCode": state,
                "PostalCode": postcode,
                "Country": "USA",
            },
            "SalesTermRef": _ref(rng.choice(terms), "Name"),
        }
        if foreign:
            doc["CurrencyRef"] = {"value": "EUR", "name": "Euro"}
            doc["BillAddr"].update(City="Berlin", CountrySubDivisionCode=None, PostalCode="10115", Country="Germany")
        customer_docs.append(write("Customer", doc))
    return customer_docs


def _invoice_lines(company, rng, item_docs, tax_codes, count, inclusive):
    lines = []
    for _ in range(count):
        item = rng.choice(item_docs)
        qty = Decimal(rng.randint(1, 12))
        price = kit_seed.amount(rng, 199, 29999)
        detail = {"ItemRef": _ref(item, "Name"), "Qty": qty, "UnitPrice": price}
        if company.tax_mode == "us":
            detail["TaxCodeRef"] = {"value": "TAX" if rng.random() < 0.6 else "NON"}
        else:
            detail["TaxCodeRef"] = {"value": rng.choice(tax_codes)}
        line = {
            "DetailType": "SalesItemLineDetail",
            "Amount": qty * price,
            "Description": item["Name"],
            "SalesItemLineDetail": detail,
        }
        if inclusive:  # the price is with tax: QuickBooks works out Amount and UnitPrice
            del line["Amount"], detail["UnitPrice"]
            detail["TaxInclusiveAmt"] = qty * price
        lines.append(line)
    return lines


def _ref(doc, name_key="DisplayName"):
    return {"value": doc["Id"], "name": doc.get(name_key) or doc.get("Name")}


def generate_company(
    company,
    *,
    customers=200,
    items=100,
    invoices=500,
    payments=300,
    bills=20,
    journal_entries=5,
    credit_memos=10,
    foreign_share=0.15,
    lines_per_invoice=None,
    seed=1,
    start=None,
    tax_inclusive_share=0.0,
):
    """Fill ``company`` (a store.Company) and return the counts per entity.

    ``tax_inclusive_share`` of the invoices of a non-US company are tax-inclusive
    (GlobalTaxCalculation TaxInclusive): their lines carry the amount with tax
    (TaxInclusiveAmt), which QuickBooks backs the tax out of."""
    rng = random.Random(seed)
    start = start or (date.today() - timedelta(days=120))
    write = company.write
    accounts = {}
    for name, kind, subtype, number in ACCOUNTS:
        accounts[name] = write(
            "Account", {"Name": name, "AccountType": kind, "AccountSubType": subtype, "AcctNum": number}
        )
    tax_codes = _seed_taxes(company)
    terms = [
        write("Term", {"Name": n, "DueDays": d}) for n, d in (("Due on receipt", 0), ("Net 15", 15), ("Net 30", 30))
    ]
    methods = [write("PaymentMethod", {"Name": n}) for n in ("Cash", "Check", "Visa", "Wire")]
    company.exchange_rates.setdefault("EUR", Decimal("1.0850"))

    customer_docs = _customers(company, rng, customers, terms, foreign_share)
    vendors = []
    for n in range(max(3, customers // 20)):
        vendors.append(
            write(
                "Vendor",
                {
                    "DisplayName": f"{rng.choice(LAST)} Supplies {n + 1}",
                    "CompanyName": f"{rng.choice(LAST)} Supplies {n + 1}",
                    "PrimaryEmailAddr": {"Address": f"ap{n}@supplier.example"},
                },
            )
        )
    item_docs = []
    for n in range(items):
        service = n % 2 == 0
        base = rng.choice(SERVICES if service else GOODS)
        item_docs.append(
            write(
                "Item",
                {
                    "Name": f"{base} {n + 1}",
                    "Type": "Service" if service else "NonInventory",
                    "UnitPrice": kit_seed.amount(rng, 500, 50000),
                    "PurchaseCost": kit_seed.amount(rng, 100, 20000),
                    "IncomeAccountRef": _ref(accounts["Services" if service else "Sales of Product Income"], "Name"),
                    "ExpenseAccountRef": _ref(accounts["Cost of Goods Sold"], "Name"),
                    "Taxable": not service,
                },
            )
        )
    invoice_docs = []
    for n in range(invoices):
        customer = rng.choice(customer_docs)
        currency = customer["CurrencyRef"]["value"]
        txn_date = start + timedelta(days=rng.randint(0, 100))
        inclusive = tax_inclusive_share and company.tax_mode != "us" and rng.random() < tax_inclusive_share
        lines = _invoice_lines(company, rng, item_docs, tax_codes, lines_per_invoice or rng.randint(1, 4), inclusive)
        doc = {
            "CustomerRef": _ref(customer),
            "TxnDate": txn_date.isoformat(),
            "DueDate": (txn_date + timedelta(days=30)).isoformat(),
            "DocNumber": str(1001 + n),
            "Line": lines,
            "CurrencyRef": {"value": currency},
            "SalesTermRef": customer.get("SalesTermRef"),
        }
        if company.tax_mode == "us":
            doc["TxnTaxDetail"] = {"TxnTaxCodeRef": {"value": rng.choice(tax_codes)}}
        if inclusive:
            doc["GlobalTaxCalculation"] = "TaxInclusive"
        if currency != company.home_currency:
            doc["ExchangeRate"] = company.exchange_rates[currency]
        invoice_docs.append(write("Invoice", doc))
    payment_count = 0
    open_invoices = [d for d in invoice_docs]
    rng.shuffle(open_invoices)
    for invoice in open_invoices[:payments]:
        balance = invoice["Balance"]
        partial = rng.random() < 0.3
        amount = (balance * Decimal(rng.randint(20, 80)) / 100).quantize(Decimal("0.01")) if partial else balance
        if amount <= 0:
            continue
        doc = {
            "CustomerRef": invoice["CustomerRef"],
            "TotalAmt": amount,
            "TxnDate": (date.fromisoformat(invoice["TxnDate"]) + timedelta(days=rng.randint(0, 20))).isoformat(),
            "PaymentRefNum": f"DEP-{payment_count + 1:05d}",
            "PaymentMethodRef": _ref(rng.choice(methods), "Name"),
            "DepositToAccountRef": _ref(accounts["Checking"], "Name"),
            "CurrencyRef": invoice["CurrencyRef"],
            "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        }
        if invoice["CurrencyRef"]["value"] != company.home_currency:
            doc["ExchangeRate"] = invoice["ExchangeRate"]
        write("Payment", doc)
        payment_count += 1
    for n in range(credit_memos):
        customer = rng.choice([c for c in customer_docs if c["CurrencyRef"]["value"] == company.home_currency])
        item = rng.choice(item_docs)
        detail = {
            "ItemRef": _ref(item, "Name"),
            "Qty": Decimal(1),
            "UnitPrice": kit_seed.amount(rng, 1000, 9000),
            "TaxCodeRef": {"value": "NON" if company.tax_mode == "us" else tax_codes[-1]},
        }
        write(
            "CreditMemo",
            {
                "CustomerRef": _ref(customer),
                "DocNumber": f"CM-{n + 1}",
                "TxnDate": (start + timedelta(days=rng.randint(0, 100))).isoformat(),
                "Line": [
                    {
                        "DetailType": "SalesItemLineDetail",
                        "Amount": detail["Qty"] * detail["UnitPrice"],
                        "SalesItemLineDetail": detail,
                    }
                ],
            },
        )
    bill_docs = []
    expense_accounts = [accounts[n] for n in ("Rent or Lease", "Utilities", "Office Expenses")]
    for n in range(bills):
        vendor = rng.choice(vendors)
        amount = kit_seed.amount(rng, 2000, 200000)
        detail = {"AccountRef": _ref(rng.choice(expense_accounts), "Name")}
        if company.tax_mode != "us":
            detail["TaxCodeRef"] = {"value": tax_codes[0]}
        bill_docs.append(
            write(
                "Bill",
                {
                    "VendorRef": _ref(vendor),
                    "DocNumber": f"B-{n + 1}",
                    "TxnDate": (start + timedelta(days=rng.randint(0, 100))).isoformat(),
                    "APAccountRef": _ref(accounts["Accounts Payable (A/P)"], "Name"),
                    "Line": [
                        {
                            "DetailType": "AccountBasedExpenseLineDetail",
                            "Amount": amount,
                            "Description": "Monthly",
                            "AccountBasedExpenseLineDetail": detail,
                        }
                    ],
                },
            )
        )
    for bill in bill_docs[: bills // 2]:
        write(
            "BillPayment",
            {
                "VendorRef": bill["VendorRef"],
                "PayType": "Check",
                "TotalAmt": bill["Balance"],
                "TxnDate": bill["TxnDate"],
                "CheckPayment": {"BankAccountRef": _ref(accounts["Checking"], "Name")},
                "Line": [{"Amount": bill["Balance"], "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}],
            },
        )
    for n in range(journal_entries):
        amount = kit_seed.amount(rng, 10000, 500000)
        write(
            "JournalEntry",
            {
                "DocNumber": f"JE-{n + 1}",
                "TxnDate": (start + timedelta(days=n)).isoformat(),
                "PrivateNote": "Owner contribution",
                "Line": [
                    {
                        "Amount": amount,
                        "DetailType": "JournalEntryLineDetail",
                        "Description": "Deposit",
                        "JournalEntryLineDetail": {
                            "PostingType": "Debit",
                            "AccountRef": _ref(accounts["Checking"], "Name"),
                        },
                    },
                    {
                        "Amount": amount,
                        "DetailType": "JournalEntryLineDetail",
                        "Description": "Owner contribution",
                        "JournalEntryLineDetail": {
                            "PostingType": "Credit",
                            "AccountRef": _ref(accounts["Opening Balance Equity"], "Name"),
                        },
                    },
                ],
            },
        )
    return {entity: len(company.docs[entity]) for entity in company.docs if company.docs[entity]}
