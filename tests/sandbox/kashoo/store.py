"""One Kashoo business in memory: its accounts, contacts and records, and how they go on the wire.

Ids are integers from one counter of the sandbox (every id is unique, as a flat
``records/{id}`` path needs). Money is kept and answered in integer cents. A record keeps the 22
keys a client reads from ``/records`` ([C-EI]) plus the sandbox's own: ``kind``, ``lines``,
``tax_included``, ``tax_totals``, ``ref`` (the invoice or bill a payment pays) and ``extra``
(keys of a seeded record the sandbox does not know, answered as they came).
"""

import threading
from datetime import UTC, date, datetime

from . import taxes as tx

#: the 22 keys of a record, in the order [C-EI] reads them
RECORD_KEYS = (
    "id type number date dueDate contact contactName amount totalDue balanceDue currency keepInOriginalCurrency "
    "exchangePayment terms depositAccount depositCurrency account memo poNumber removed readOnly "
    "collaberationContext"
).split()
ACCOUNT_TYPES = ("ASSET", "LIABILITY", "EQUITY", "INCOME", "EXPENSE")
#: the chart a new business starts with: (number, name, type, role)
CHART = (
    (1000, "Chequing", "ASSET", "bank"),
    (1200, "Accounts Receivable", "ASSET", "receivable"),
    (2000, "Accounts Payable", "LIABILITY", "payable"),
    (3000, "Owner's Equity", "EQUITY", None),
    (4000, "Sales", "INCOME", "sales"),
    (4100, "Service Revenue", "INCOME", None),
    (5000, "Cost of Goods Sold", "EXPENSE", None),
    (6000, "Office Expenses", "EXPENSE", "expenses"),
    (6100, "Rent", "EXPENSE", None),
    (6200, "Professional Fees", "EXPENSE", None),
)
TAX_ACCOUNT_NUMBERS = {"GST": 2200, "HST": 2205, "PST": 2210, "QST": 2220}
CONTACT_KEYS = ("id", "name", "email", "phone", "businessNumber", "address", "currency", "customer", "vendor")


class RequestError(Exception):
    """A request Kashoo would refuse: answered with ``status`` and ``{"message": ...}``."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class Business:
    def __init__(self, business_id, name, *, settings, next_id, province="BC", currency="CAD", number=None):
        self.id = business_id
        self.name, self.province, self.currency = name, province, currency
        self.business_number = number
        self.settings = settings
        self.next_id = next_id
        self.lock = threading.RLock()
        self.accounts, self.contacts, self.records = {}, {}, {}
        self.changes = []  # (time, type, id, operation) of what changed through the API, for notifications
        self.roles = {}  # account role -> account id
        self.numbers = {"invoice": 1000}
        self.rates = {code: rate for code, (_name, rate) in tx.TAXES.items()}
        for number_, account_name, kind, role in CHART:
            self.add_account({"name": account_name, "number": number_, "type": kind}, role=role)

    def today(self):
        return date.today()

    def changed(self, what, record_id, operation):
        """A change a notification names: ``what`` a record's wire type, ``contact`` or ``account``."""
        if isinstance(what, dict):  # a record
            what = self.settings.types.get(what["kind"], what.get("type"))
        moment = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.changes.append((moment, what, record_id, operation))

    # ------------------------------------------------------------------ accounts
    def add_account(self, body, role=None, keep_id=False):
        name, number, kind = body.get("name"), body.get("number"), body.get("type")
        if not isinstance(name, str) or not name.strip():
            raise RequestError("an account needs a name")
        if kind not in ACCOUNT_TYPES:
            raise RequestError(f"account type must be one of {', '.join(ACCOUNT_TYPES)}")
        if number is not None and any(a["number"] == number for a in self.accounts.values()):
            raise RequestError(f"account number {number} is already used")
        account_id = self.next_id(body.get("id") if keep_id else None)
        self.accounts[account_id] = {"id": account_id, "name": name.strip(), "number": number, "type": kind}
        if role:
            self.roles[role] = account_id
        return self.accounts[account_id]

    def account(self, value, field, default_role):
        if value is None:
            return self.roles[default_role]
        if value not in self.accounts:
            raise RequestError(f"{field}: account {value} is not in this business")
        return value

    def tax_account(self, code):
        """A tax's account, created the first time the tax is used ([K-TAX])."""
        role = f"tax:{code}"
        if role not in self.roles:
            name = f"{code} Payable"
            self.add_account({"name": name, "number": TAX_ACCOUNT_NUMBERS.get(code), "type": "LIABILITY"}, role=role)
        return self.roles[role]

    def tax_list(self):
        return [
            {"id": n, "name": name, "abbreviation": code, "rate": rate, "registered": True}
            for n, (code, (name, rate)) in enumerate(tx.TAXES.items(), start=1)
        ]

    # ------------------------------------------------------------------ contacts
    def add_contact(self, body, roles, keep_id=False):
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise RequestError("a contact needs a name")
        if keep_id and body.get("id") in self.contacts:  # the same contact seeded as a customer and a vendor
            self.contacts[body["id"]]["roles"] |= set(roles)
            return self.contacts[body["id"]]
        contact_id = self.next_id(body.get("id") if keep_id else None)
        contact = {key: body.get(key) for key in CONTACT_KEYS if key not in ("customer", "vendor")}
        contact.update(id=contact_id, name=name.strip(), currency=body.get("currency") or self.currency)
        contact["removed"] = bool(body.get("removed", False))
        contact["roles"] = set(roles) | {r for r in ("customer", "vendor") if body.get(r)}
        if not contact["roles"]:
            raise RequestError("a contact is a customer, a vendor or both")
        self.contacts[contact_id] = contact
        return contact

    def contact(self, value, role):
        found = self.contacts.get(value) if isinstance(value, int) else None
        if found is None or role not in found["roles"]:
            raise RequestError(f"contact: {value!r} is not a {role} of this business")
        return found

    def contact_province(self, contact):
        return (contact.get("address") or {}).get("province")

    def wire_contact(self, contact):
        doc = {key: contact.get(key) for key in CONTACT_KEYS}
        doc.update(customer="customer" in contact["roles"], vendor="vendor" in contact["roles"])
        doc["removed"] = contact["removed"]
        return doc

    def list_contacts(self, role=None):
        chosen = [c for c in self.contacts.values() if role is None or role in c["roles"]]
        return [self.wire_contact(c) for c in sorted(chosen, key=lambda c: c["id"])]

    # ------------------------------------------------------------------ records
    def paid(self):
        """Cents paid on each invoice and bill by live payments."""
        paid = {}
        for record in self.records.values():
            if record.get("ref") and not record["removed"]:
                paid[record["ref"]] = paid.get(record["ref"], 0) + record["amount"]
        return paid

    def balance(self, record, paid=None):
        paid = self.paid() if paid is None else paid
        return record["totalDue"] - paid.get(record["id"], 0)

    def list_records(self, kinds=None, start=None, end=None):
        """Stored records in id order: of these kinds (None: all), dated within [start, end]."""
        chosen = []
        for record_id in sorted(self.records):
            record = self.records[record_id]
            if kinds is not None and record["kind"] not in kinds:
                continue
            if record["removed"] and not self.settings.removed_listed:
                continue
            if (start or end) and not record.get("date"):
                continue
            if (start and record["date"] < start) or (end and record["date"] > end):
                continue
            chosen.append(record)
        return chosen

    def wire(self, record, paid=None):
        settings, field = self.settings, self.settings.field
        doc = {key: record.get(key) for key in RECORD_KEYS}
        doc["type"] = settings.types.get(record["kind"], record.get("type"))
        contact = self.contacts.get(record.get("contact"))
        doc["contactName"] = contact["name"] if contact else record.get("contactName")
        if record["kind"] in ("invoice", "bill"):
            doc["balanceDue"] = self.balance(record, paid)
            if settings.line_detail:
                doc[field("lines")] = [self.wire_line(line) for line in record["lines"]]
                doc[field("taxes")] = [
                    {
                        field("tax_name"): tx.TAXES[code][0],
                        field("tax_abbreviation"): code,
                        field("tax_rate"): self.rates[code],
                        field("tax_amount"): amount,
                    }
                    for code, amount in record["tax_totals"].items()
                ]
                doc[field("tax_included")] = record["tax_included"]
        elif record.get("ref"):
            doc[field("paid_invoice" if record["kind"] == "invoicePayment" else "paid_bill")] = record["ref"]
        doc.update(record.get("extra") or {})
        return doc

    def wire_line(self, line):
        field = self.settings.field
        return {
            field("line_description"): line["description"],
            field("line_quantity"): line["quantity"],
            field("line_unit_price"): line["unit_price"],
            field("line_amount"): line["amount"],
            field("line_account"): line["account"],
            field("line_taxes"): list(line["taxes"]),
        }

    def snapshot(self, entity):
        """``/_sandbox/docs/<entity>``: records, contacts, accounts as the API answers them."""
        with self.lock:
            if entity == "records":
                paid = self.paid()
                return [self.wire(record, paid) for record in self.list_records()]
            if entity == "contacts":
                return self.list_contacts()
            if entity == "accounts":
                return [self.accounts[key] for key in sorted(self.accounts)]
        raise KeyError(f"unknown entity {entity}: records, contacts or accounts")

    def wire_business(self, base_url):
        return {
            "id": self.id,
            "contactInformation": {"name": self.name, "province": self.province, "country": "CA"},
            "currency": self.currency,
            "businessNumber": self.business_number,
            "links": [{"rel": "self", "href": f"{base_url}/businesses/{self.id}"}],
        }
