"""A generator for a realistic Wave company: USD (US) or CAD (Quebec) with sales taxes whose rates
changed over time (one of them compound), customers, vendors, products, draft and approved
invoices and full and partial payments, dated over the last months. Deterministic for a seed.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from .resolvers.invoices import LAYOUT
from .store import CONTACT_FIELDS
from .totals import compute

TAXES = {
    "USD": [  # (name, abbreviation, [(effective, rate)], compound, recoverable)
        ("State Sales Tax", "SST", [("0001-01-01", "0.06"), ("2023-07-01", "0.0625")], False, False),
        ("County Tax", "CTY", [("0001-01-01", "0.01")], False, False),
        ("City Surcharge", "CITY", [("0001-01-01", "0.005")], True, False),
    ],
    "CAD": [
        (
            "Goods and Services Tax",
            "GST",
            [("0001-01-01", "0.07"), ("2006-07-01", "0.06"), ("2008-01-01", "0.05")],
            False,
            True,
        ),
        (
            "Quebec Sales Tax",
            "QST",
            [("0001-01-01", "0.085"), ("2012-01-01", "0.095"), ("2013-01-01", "0.09975")],
            True,
            True,
        ),
    ],
}
FIRST = ["Acme", "Northwind", "Blue Harbor", "Maple", "Summit", "Riverside", "Granite", "Lakeshore", "Pioneer", "Cedar"]
SECOND = ["Consulting", "Builders", "Bakery", "Design", "Logistics", "Dental", "Outfitters", "Media", "Labs", "Foods"]
PRODUCTS = [
    ("Consulting (hour)", "150"),
    ("Design work (hour)", "95"),
    ("Site visit", "250"),
    ("Monthly retainer", "1200"),
    ("Training session", "480.50"),
    ("Software licence", "79.99"),
    ("Support plan", "39.95"),
]


#: the rate of an invoice in the second currency: business currency per unit of the invoice's
SECOND_RATES = {("USD", "CAD"): Decimal("0.7312"), ("CAD", "USD"): Decimal("1.3676")}


def generate_company(
    business, *, customers=12, vendors=3, products=7, invoices=30, payments=20, second_currency=None, seed=7
):
    """Accounts, sales taxes (one compound, rates by date), customers, vendors, products, approved
    and draft invoices with taxes, full and partial payments; dated over the last 120 days.

    With ``second_currency`` (CAD for a USD business, say) every fifth customer trades in it: its
    invoices and their payments are in that currency, with an exchange rate to the business's."""
    rng = random.Random(seed)
    now = business.now()

    def moment(days_ago):
        return now - timedelta(days=days_ago, seconds=rng.randint(0, 86000))

    with business.lock:
        if not business.tables["Account"]:
            business.default_chart()
        income = business.account_by_subtype("INCOME")["n"]
        bank = business.account_by_subtype("CASH_AND_BANK")["n"]
        taxes = [
            business.add(
                "SalesTax",
                {
                    "name": name,
                    "abbreviation": abbreviation,
                    "description": None,
                    "taxNumber": f"{abbreviation}-0001",
                    "showTaxNumberOnInvoices": True,
                    "rates": [(date.fromisoformat(d), Decimal(r)) for d, r in rates],
                    "isCompound": compound,
                    "isRecoverable": recoverable,
                    "isArchived": False,
                },
                when=moment(200),
                silent=True,
            )
            for name, abbreviation, rates, compound, recoverable in TAXES.get(business.currency(), TAXES["USD"])
        ]
        country = "CA" if business.currency() == "CAD" else "US"
        provinces = ["CA-QC", "CA-ON"] if country == "CA" else ["US-RI", "US-NY", "US-CA", "US-TX"]
        contact = {
            **dict.fromkeys(CONTACT_FIELDS),
            "currency": business.currency(),
            "isArchived": False,
            "shippingDetails": None,
            "address": None,
        }
        people = []
        for n in range(customers):
            name = f"{FIRST[n % len(FIRST)]} {SECOND[(n * 3 + n // len(FIRST)) % len(SECOND)]}" + (
                f" {n // len(FIRST) + 1}" if n >= len(FIRST) else ""
            )
            people.append(
                business.add(
                    "Customer",
                    {
                        **contact,
                        "name": name,
                        "firstName": rng.choice(["Ana", "Ben", "Chloé", "Dev", "Eli"]),
                        "lastName": "Moreau",
                        "displayId": f"C-{n + 1:04d}",
                        "email": f"ap{n + 1}@{name.split()[0].lower()}.example",
                        "phone": f"555-01{n:02d}",
                        "address": {
                            "addressLine1": f"{10 + n} Main St",
                            "addressLine2": None,
                            "city": "Springfield",
                            "provinceCode": rng.choice(provinces),
                            "countryCode": country,
                            "postalCode": "02904",
                        },
                    },
                    when=moment(150 - 150 * n // max(customers, 1)),  # 150 days ago to today, whatever the count
                    silent=True,
                )
            )
        for n in range(vendors):
            suffix = f" {n // len(FIRST) + 1}" if n >= len(FIRST) else ""
            business.add(
                "Vendor",
                {
                    **contact,
                    "name": f"{FIRST[-1 - n % len(FIRST)]} Supplies{suffix}",
                    "email": f"billing{n}@supplies.example",
                },
                when=moment(160),
                silent=True,
            )
        rate = SECOND_RATES.get((business.currency(), second_currency), Decimal(1)) if second_currency else None
        for n, person in enumerate(people):
            if rate is not None and n % 5 == 4:
                person["currency"] = second_currency
        catalogue = []
        for n in range(products):
            name, price = PRODUCTS[n % len(PRODUCTS)]
            catalogue.append(
                business.add(
                    "Product",
                    {
                        "name": name if n < len(PRODUCTS) else f"{name} {n}",
                        "description": f"{name} as agreed",
                        "unitPrice": Decimal(price),
                        "incomeAccount": income,
                        "expenseAccount": None,
                        "defaultSalesTaxes": [t["n"] for t in taxes[: 1 + n % len(taxes)]],
                        "isArchived": False,
                    },
                    when=moment(140),
                    silent=True,
                )
            )
        made = []
        for n in range(invoices):
            days = rng.randint(0, 110)
            issued = moment(days)
            lines = []
            for _line in range(rng.randint(1, 3)):
                product = rng.choice(catalogue)
                lines.append(
                    {
                        "n": business.next_number["InvoiceItem"],
                        "product": product["n"],
                        "account": income,
                        "description": product["description"],
                        "quantity": Decimal(rng.randint(1, 8)),
                        "unitPrice": product["unitPrice"],
                        "taxes": [{"salesTax": t, "amount": None} for t in product["defaultSalesTaxes"]],
                    }
                )
                business.next_number["InvoiceItem"] += 1
            customer = rng.choice(people)
            foreign = customer["currency"] != business.currency()
            made.append(
                business.add(
                    "Invoice",
                    {
                        **LAYOUT,
                        "customer": customer["n"],
                        "status": "DRAFT" if n % 6 == 5 else "SAVED",
                        "currency": customer["currency"],
                        "exchangeRate": rate if foreign else Decimal(1),
                        "invoiceNumber": str(n + 1),
                        "invoiceDate": issued.date(),
                        "dueDate": issued.date() + timedelta(days=30),
                        "items": lines,
                        "discounts": [],
                        "lastSentAt": None,
                        "lastSentVia": "NOT_SENT",
                        "lastViewedAt": None,
                        "anonymousId": f"{n:032x}",
                    },
                    when=issued,
                    silent=True,
                )
            )
        approved = [i for i in made if i["status"] != "DRAFT"]
        paid = 0
        for index, invoice in enumerate(rng.sample(approved, min(payments, len(approved)))):
            due = compute(business, invoice)["total"]
            amount = due if index % 3 else (due / 2).quantize(Decimal("0.01"))  # every third one partial
            when = max(invoice["createdAt"], moment(rng.randint(0, 20)))
            business.add(
                "InvoicePayment",
                {
                    "invoice": invoice["n"],
                    "customer": invoice["customer"],
                    "currency": invoice["currency"],
                    "account": bank,
                    "paymentDate": when.date(),
                    "amount": amount,
                    "exchangeRate": invoice["exchangeRate"],
                    "paymentMethod": rng.choice(["BANK_TRANSFER", "CHEQUE", "CREDIT_CARD"]),
                    "memo": f"REF-{index:04d}",
                },
                when=when,
                silent=True,
            )
            invoice["modifiedAt"] = max(invoice["modifiedAt"], when)
            paid += 1
    return {
        "SalesTax": len(taxes),
        "Customer": customers,
        "Vendor": vendors,
        "Product": products,
        "Invoice": invoices,
        "InvoicePayment": paid,
    }
