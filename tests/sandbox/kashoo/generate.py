"""A generator for a realistic Canadian Kashoo company, deterministic for a seed.

A British Columbia business selling to customers in British Columbia (GST 5% + PST 7%), Ontario
(HST 13%) and Quebec (GST 5% + QST 9.975%), a third each, and buying from vendors, mostly local.
Invoices and bills are dated over the last 120 days, one to four lines each, a quarter of them
entered tax-included, a few lines zero-rated; full and partial payments follow; one invoice in
forty is removed. Contacts carry GST/HST numbers (BN9 + RT0001), a few with a bad check digit.
Everything goes through the API's own arithmetic (``records.create``).
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from ..kit.seed import unique_name
from . import records as rec
from . import taxes as tx

FIRST = ["Maple", "Cedar", "Harbour", "Summit", "Northern", "Pacific", "Laurentian", "Prairie", "Granite", "Aurora"]
SECOND = ["Consulting", "Builders", "Bakery", "Design", "Logistics", "Dental", "Outfitters", "Media", "Labs", "Foods"]
SUFFIX = ["Ltd.", "Inc.", "Corp.", "Co.", "Ltée", "LLP"]
CITIES = {
    "BC": [("Vancouver", "V6B 1A1"), ("Victoria", "V8W 1N2"), ("Kelowna", "V1Y 6H2"), ("Burnaby", "V5H 4M1")],
    "ON": [("Toronto", "M5V 2T6"), ("Ottawa", "K1P 5G4"), ("Hamilton", "L8P 4R5"), ("London", "N6A 3K7")],
    "QC": [("Montréal", "H3B 2Y5"), ("Québec", "G1R 4P5"), ("Laval", "H7T 2P5"), ("Gatineau", "J8X 3X7")],
}
STREETS = ["Main St", "King St W", "Rue Sainte-Catherine", "Granville St", "Bank St", "Boul. René-Lévesque"]
SALES = [  # description, unit price in cents, zero-rated
    ("Consulting (hour)", 15000, False),
    ("Design work (hour)", 9500, False),
    ("Site visit", 25000, False),
    ("Monthly retainer", 120000, False),
    ("Training session", 48050, False),
    ("Software licence", 7999, False),
    ("Support plan", 3995, False),
    ("Basic groceries (zero-rated)", 2499, True),
]
PURCHASES = [  # description, unit price in cents, account number
    ("Office supplies", 8745, 6000),
    ("Rent", 250000, 6100),
    ("Bookkeeping services", 45000, 6200),
    ("Stock purchase", 129999, 5000),
    ("Printer toner", 11999, 6000),
]
PROVINCES = ("BC", "ON", "QC")


def generate_company(business, *, customers=12, vendors=5, invoices=30, bills=10, payments=20, seed=7):
    """Customers, vendors, invoices, bills and payments; returns the counts made."""
    rng = random.Random(seed)
    today = business.today()
    business.business_number = business.business_number or tx.business_number("12345678")
    used = {c["name"] for c in business.contacts.values()}
    people = {"customer": [], "vendor": []}
    for role, count in (("customer", customers), ("vendor", vendors)):
        for n in range(count):
            province = PROVINCES[n % 3] if role == "customer" else ("BC", "BC", "ON", "QC")[n % 4]
            people[role].append(_contact(business, rng, used, n, role, province))
    accounts = {a["number"]: a["id"] for a in business.accounts.values()}
    made = {"invoice": [], "bill": []}
    for kind, count in (("invoice", invoices), ("bill", bills)):
        for _n in range(count):
            contact = rng.choice(people["customer" if kind == "invoice" else "vendor"])
            made[kind].append(_document(business, rng, today, kind, contact, accounts))
    for record in made["invoice"][39::40]:
        record["removed"] = True
    paid = _payments(business, rng, today, made, payments)
    return {
        "customers": customers,
        "vendors": vendors,
        "invoices": invoices,
        "bills": bills,
        "payments": paid,
        "removed": len(made["invoice"][39::40]),
    }


def _contact(business, rng, used, n, role, province):
    name = unique_name(rng, used, n, FIRST, SECOND, SUFFIX)
    city, postal = rng.choice(CITIES[province])
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
    body = {
        "name": name,
        "email": f"accounts@{slug}.example",
        "phone": f"+1 {rng.randint(200, 999)} {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}",
        "businessNumber": tx.business_number(f"{rng.randint(10000000, 99999999)}", valid=n % 17 != 16),
        "address": {
            "line1": f"{rng.randint(1, 2999)} {rng.choice(STREETS)}",
            "city": city,
            "province": province,
            "postalCode": postal,
            "country": "CA",
        },
    }
    return business.add_contact(body, [role])


def _document(business, rng, today, kind, contact, accounts):
    field = business.settings.field
    codes = list(tx.province_taxes(business.contact_province(contact)))
    included = rng.random() < 0.25
    lines = []
    for _ in range(rng.randint(1, 4)):
        if kind == "invoice":
            description, price, zero_rated = rng.choice(SALES)
            account = None
        else:
            description, price, number = rng.choice(PURCHASES)
            zero_rated, account = False, accounts[number]
        hours = "hour" in description
        quantity = Decimal(rng.choice(["0.5", "1.5", "2.25", "3"])) if hours else rng.randint(1, 6)
        line = {
            field("line_description"): description,
            field("line_quantity"): quantity,
            field("line_unit_price"): price,
            field("line_taxes"): [] if zero_rated else codes,
        }
        if account:
            line[field("line_account")] = account
        lines.append(line)
    issued = today - timedelta(days=rng.randint(0, 120))
    body = {"contact": contact["id"], "date": issued.isoformat(), field("lines"): lines}
    body[field("tax_included")] = included
    if kind == "invoice":
        body["poNumber"] = f"PO-{rng.randint(1000, 9999)}" if rng.random() < 0.3 else None
    else:
        body["number"] = f"{contact['name'][:3].upper()}-{rng.randint(10000, 99999)}"
        body["dueDate"] = (issued + timedelta(days=rng.choice([15, 30, 45]))).isoformat()
    return rec.create(business, kind, body)


def _payments(business, rng, today, made, count):
    field = business.settings.field
    payable = [r for r in made["invoice"] if not r["removed"]] + made["bill"]
    rng.shuffle(payable)
    done = 0
    for record in payable:
        if done >= count:
            break
        balance = business.balance(record)
        if balance <= 0:
            continue
        amount = balance if rng.random() < 0.7 else max(1, balance * rng.randint(20, 80) // 100)
        issued = record["date"]
        paid_on = min(today, date.fromisoformat(issued) + timedelta(days=rng.randint(1, 40)))
        kind = "invoicePayment" if record["kind"] == "invoice" else "billPayment"
        ref = field(rec.PAYMENTS[kind][1])
        rec.create(business, kind, {"date": paid_on.isoformat(), "amount": amount, ref: record["id"]})
        done += 1
        if done < count and amount < balance and rng.random() < 0.5:  # a second payment on a partial one
            rest = business.balance(record)
            rec.create(business, kind, {"date": paid_on.isoformat(), "amount": rest, ref: record["id"]})
            done += 1
    return done
