"""List records of a Reckon book: customers and suppliers (one contact, two views), items,
ledger accounts, payment terms, and the read-only tables (tax rates and groups, payment
methods, supplier payments).

A ``Resource`` turns an input body (references as an id or a name) into the stored record
(``build``), shows a stored record as its collection answers it (``view``), and turns a stored
record back into an input body (``to_input``) so that a PATCH is merged onto it (RFC 7396)
and built again. ``FIELDS`` are the properties the document defines for the record type, the
fields a ``filter`` or ``orderby`` may name.
"""

import copy

from .store import ReckonError, invalid, money, new_id, ref

CONTACT = (
    "id name organisationName branch notes businessNumber1 businessNumber2 entityTypes status "
    "electronicAddresses phoneNumbers addresses contacts balance lastModifiedDateTime"
).split()


class Resource:
    table = ""
    entity = ""
    key = "id"  # the id field
    FIELDS = ()
    INPUT = ()
    answer = "id"  # 201 body: "id" ({id}) or "idname" ({id, name})
    read_only = False
    prefix = ""  # document number prefix

    def visible(self, doc):
        return True

    def view(self, book, doc):
        return {k: copy.deepcopy(doc[k]) for k in self.FIELDS if doc.get(k) is not None}

    def to_input(self, book, doc):
        return {k: _inputish(doc[k]) for k in self.INPUT if doc.get(k) is not None}

    def build(self, book, body, old=None):
        raise NotImplementedError

    extension = False  # the sandbox's documented extension (switchable per book)

    def delete(self, book, doc):
        book.remove(self.table, doc[self.key])

    def created(self, doc):
        return {"id": doc[self.key], "name": doc.get("name")} if self.answer == "idname" else {"id": doc[self.key]}

    # ------------------------------------------------------------------ helpers for build
    @staticmethod
    def require(body, *names):
        missing = [(n, f"The {n} field is required.") for n in names if body.get(n) in (None, "")]
        if missing:
            raise ReckonError(400, errors=missing)

    @staticmethod
    def copy_fields(body, names, out):
        for name in names:
            if body.get(name) is not None:
                out[name] = copy.deepcopy(body[name])
        return out

    @staticmethod
    def choice(body, name, allowed, default):
        value = body.get(name) or default
        if value not in allowed:
            raise invalid(name, f"'{value}' is not one of {', '.join(allowed)}.")
        return value


def _inputish(value):
    """An output value as input: a reference becomes its id, a type reference its name."""
    if isinstance(value, list):
        return [_inputish(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value and set(value) <= {"id", "name"} and "id" in value:
        return value["id"]
    out = {k: _inputish(v) for k, v in value.items() if k != "id"}
    if isinstance(value.get("type"), dict):
        out["type"] = value["type"].get("name")
    return out


class Contacts(Resource):
    """Customers and suppliers are views of one contact (``entityTypes``); a contact may be both."""

    table = "contacts"
    answer = "idname"
    role = "isCustomer"
    SHARED_INPUT = (
        "name organisationName branch notes businessNumber1 businessNumber2 status addresses phoneNumbers "
        "electronicAddresses entityTypes"
    ).split()

    def visible(self, doc):
        return bool((doc.get("entityTypes") or {}).get(self.role))

    def build(self, book, body, old=None):
        self.require(body, "name")
        name = str(body["name"]).strip()
        if len(name) > 100:
            raise invalid("name", "The name must be at most 100 characters.")
        for other in book.table("contacts").values():
            if other["name"].casefold() == name.casefold() and (old is None or other["id"] != old["id"]):
                raise invalid("name", f"The name '{name}' is already used by another contact.")
        doc = dict(old or {}, id=(old or {}).get("id") or new_id())
        for key in self.INPUT:
            doc.pop(key, None)
        doc["name"] = name
        self.copy_fields(body, ("organisationName", "branch", "notes", "businessNumber1", "businessNumber2"), doc)
        doc["status"] = self.choice(body, "status", ("Active", "Inactive"), "Active")
        types = {k: False for k in ("isCustomer", "isSupplier", "isEmployee", "isSuperfund")}
        types.update((old or {}).get("entityTypes") or {})
        types.update({k: bool(v) for k, v in (body.get("entityTypes") or {}).items() if k in types})
        types[self.role] = True
        doc["entityTypes"] = types
        doc["addresses"] = [
            dict(
                self.copy_fields(a, ("line1", "line2", "line3", "suburb", "town", "state", "postcode", "country"), {}),
                type=book.lookup("address", a.get("type") or "", f"addresses[{n}].type"),
            )
            for n, a in enumerate(body.get("addresses") or [])
        ]
        doc["phoneNumbers"] = [
            dict(
                self.copy_fields(p, ("countryCode", "areaCode", "number", "extension"), {}),
                type=book.lookup("phone", p.get("type") or "", f"phoneNumbers[{n}].type"),
            )
            for n, p in enumerate(body.get("phoneNumbers") or [])
        ]
        doc["electronicAddresses"] = [
            {
                "type": book.lookup("electronic", e.get("type") or "", f"electronicAddresses[{n}].type"),
                "address": e.get("address"),
            }
            for n, e in enumerate(body.get("electronicAddresses") or [])
        ]
        self.build_role(book, body, doc)
        doc.setdefault("balance", money(0))
        doc["lastModifiedDateTime"] = None
        return doc

    def build_role(self, book, body, doc):
        if body.get("creditLimit") is not None:
            doc["creditLimit"] = money(body["creditLimit"])
        if body.get("paymentTerms"):
            doc["paymentTerms"] = ref(book.find("terms", body["paymentTerms"], "paymentTerms"))

    def view(self, book, doc):
        out = super().view(book, doc)
        out["balance"] = self.balance(book, doc)
        return out

    def balance(self, book, doc):
        invoices = [i for i in book.table("invoices").values() if i["customer"]["id"] == doc["id"]]
        return sum((i["balance"] for i in invoices if i["status"] != "Draft"), money(0))

    def delete(self, book, doc):
        for table, key in (("invoices", "customer"), ("creditnotes", "customer"), ("receipts", "customer")):
            if any(d[key]["id"] == doc["id"] for d in book.table(table).values()):
                raise invalid("id", f"'{doc['name']}' has transactions and cannot be deleted.")
        types = dict(doc["entityTypes"], **{self.role: False})
        if any(types.values()):  # still the other kind of contact
            doc["entityTypes"] = types
            book.put("contacts", doc)
        else:
            book.remove("contacts", doc["id"])


class Customers(Contacts):
    entity = "Customer"
    FIELDS = tuple(CONTACT) + ("creditLimit", "paymentTerms", "invoiceCount")
    INPUT = tuple(Contacts.SHARED_INPUT) + ("creditLimit", "paymentTerms")

    def view(self, book, doc):
        out = super().view(book, doc)
        out["invoiceCount"] = sum(1 for i in book.table("invoices").values() if i["customer"]["id"] == doc["id"])
        return out


class Suppliers(Contacts):
    entity = "Supplier"
    role = "isSupplier"
    FIELDS = tuple(CONTACT) + ("isTpar", "billCount", "bankDetails")
    INPUT = tuple(Contacts.SHARED_INPUT) + ("isTpar", "bankDetails")

    def build_role(self, book, body, doc):
        if body.get("isTpar") is None:
            raise invalid("isTpar", "The isTpar field is required.")
        doc["isTpar"] = bool(body["isTpar"])
        if body.get("bankDetails"):
            doc["bankDetails"] = self.copy_fields(
                body["bankDetails"], ("name", "bankBranchNumber", "bankAccountNumber"), {}
            )

    def balance(self, book, doc):
        bills = [b for b in book.table("bills").values() if b.get("CustomerID") == doc["id"]]
        return sum((b["Balance"] for b in bills), money(0))

    def view(self, book, doc):
        out = super().view(book, doc)
        out["billCount"] = sum(1 for b in book.table("bills").values() if b.get("CustomerID") == doc["id"])
        return out


class Items(Resource):
    table, entity = "items", "Item"
    FIELDS = tuple(
        "id name parentItem itemType itemCode amountTaxStatus status fullName purchase sale createdDateTime "
        "lastModifiedDateTime".split()
    )
    INPUT = tuple("name parentItem itemType itemCode status purchase sale amountTaxStatus".split())

    def build(self, book, body, old=None):
        self.require(body, "name", "amountTaxStatus")
        doc = {"id": (old or {}).get("id") or new_id(), "name": str(body["name"]).strip()}
        doc["itemType"] = self.choice(body, "itemType", ("Product", "Service"), "Product")
        doc["amountTaxStatus"] = self.choice(body, "amountTaxStatus", ("Inclusive", "Exclusive"), None)
        doc["status"] = self.choice(body, "status", ("Active", "Inactive"), "Active")
        self.copy_fields(body, ("itemCode",), doc)
        doc["fullName"] = doc["name"]
        if body.get("parentItem"):
            parent = book.find("items", body["parentItem"], "parentItem")
            doc["parentItem"] = ref(parent)
            doc["fullName"] = f"{parent['fullName']}:{doc['name']}"
        for use in ("sale", "purchase"):
            given = body.get(use)
            if not given:
                continue
            if not given.get("ledgerAccount"):
                raise invalid(f"{use}.ledgerAccount", "The ledgerAccount field is required.")
            out = self.copy_fields(given, ("priceAccuracy", "description"), {})
            if given.get("price") is not None:
                out["price"] = given["price"]
            out["ledgerAccount"] = ref(book.find("ledgeraccounts", given["ledgerAccount"], f"{use}.ledgerAccount"))
            if given.get("taxRate"):
                out["taxRate"] = ref(book.find("taxrates", given["taxRate"], f"{use}.taxRate"))
            doc[use] = out
        doc["createdDateTime"] = (old or {}).get("createdDateTime") or book.stamp()
        doc["lastModifiedDateTime"] = None
        return doc

    def delete(self, book, doc):
        for table in ("invoices", "creditnotes"):
            for d in book.table(table).values():
                if any(
                    ((line.get("itemDetails") or {}).get("item") or {}).get("id") == doc["id"]
                    for line in d["lineItems"]
                ):
                    raise invalid("id", f"'{doc['name']}' is used on transactions and cannot be deleted.")
        book.remove(self.table, doc["id"])


#: account types whose balance is a debit
DEBIT_TYPES = ("Expense", "CurrentAsset", "NonCurrentAsset", "Expense_Other", "Expense_CostOfGoodsSold")


class LedgerAccounts(Resource):
    table, entity = "ledgeraccounts", "LedgerAccount"
    FIELDS = tuple(
        "id name description fullName isDebit parentLedgerAccount sortOrder status defaultTaxRate accountType "
        "accountCode exportCode bankAccount creditAccount balance lastModifiedDateTime".split()
    )
    INPUT = tuple(
        "name description parentLedgerAccount sortOrder status defaultTaxRate accountType accountCode exportCode "
        "bankAccount creditAccount".split()
    )
    TYPES = (
        "Income Expense CurrentAsset_Other CurrentLiability_Other Equity Income_Other Expense_Other "
        "Expense_CostOfGoodsSold CurrentAsset_Bank CurrentAsset_AccountsReceivable NonCurrentAsset_Fixed "
        "NonCurrentAsset_Other CurrentLiability_CreditCard CurrentLiability_AccountsPayable NonCurrentLiability"
    ).split()

    def build(self, book, body, old=None):
        self.require(body, "name", "accountType")
        doc = {"id": (old or {}).get("id") or new_id(), "name": str(body["name"]).strip()}
        doc["accountType"] = self.choice(body, "accountType", self.TYPES, None)
        if old and old["accountType"] != doc["accountType"]:
            raise invalid("accountType", "The account type cannot be changed.")
        code = body.get("accountCode")
        if code and any(a.get("accountCode") == code and a["id"] != doc["id"] for a in book.table(self.table).values()):
            raise invalid("accountCode", f"The account code '{code}' is already used.")
        self.copy_fields(body, ("description", "accountCode", "exportCode"), doc)
        doc["isDebit"] = doc["accountType"].startswith(DEBIT_TYPES)
        doc["status"] = self.choice(body, "status", ("Active", "Inactive"), "Active")
        doc["sortOrder"] = int(body.get("sortOrder") or (old or {}).get("sortOrder") or len(book.table(self.table)) + 1)
        doc["fullName"] = doc["name"]
        if body.get("parentLedgerAccount"):
            parent = book.find(
                "ledgeraccounts", body["parentLedgerAccount"], "parentLedgerAccount", name_keys=("name", "fullName")
            )
            doc["parentLedgerAccount"] = ref(parent)
            doc["fullName"] = f"{parent['fullName']}:{doc['name']}"
        if body.get("defaultTaxRate"):
            doc["defaultTaxRate"] = ref(book.find("taxrates", body["defaultTaxRate"], "defaultTaxRate"))
        if body.get("bankAccount") is not None:
            bank = self.copy_fields(
                body["bankAccount"],
                (
                    "dateOpened",
                    "lockoffDate",
                    "bankBranchNumber",
                    "bankAccountNumber",
                    "openingBalance",
                    "payerIdentifier",
                ),
                {},
            )
            bank["includeBalancingTransaction"] = bool(body["bankAccount"].get("includeBalancingTransaction"))
            bank["isCash"] = False
            doc["bankAccount"] = bank
        if body.get("creditAccount") is not None:
            doc["creditAccount"] = self.copy_fields(
                body["creditAccount"], ("dateOpened", "lockoffDate", "openingBalance"), {}
            )
        doc["balance"] = (old or {}).get("balance", money(0))
        doc["lastModifiedDateTime"] = None
        return doc

    def delete(self, book, doc):
        if doc.get("balance"):
            raise invalid("id", f"'{doc['name']}' has a balance and cannot be deleted.")
        book.remove(self.table, doc["id"])


class Terms(Resource):
    table, entity = "terms", "PaymentTerm"
    FIELDS = tuple(
        "id name description status isDefault useForInvoice netDueDay netDueDaySelection isDueDateWeekend "
        "isIssuedWithinDays issuedWithinDays".split()
    )
    INPUT = FIELDS[1:]

    def build(self, book, body, old=None):
        self.require(body, "name", "netDueDaySelection")
        if body.get("netDueDay") is None:
            raise invalid("netDueDay", "The netDueDay field is required.")
        doc = {"id": (old or {}).get("id") or new_id(), "name": str(body["name"]).strip()}
        self.copy_fields(body, ("description",), doc)
        doc["status"] = self.choice(body, "status", ("Active", "Inactive"), "Active")
        for flag in ("isDefault", "useForInvoice", "isDueDateWeekend", "isIssuedWithinDays"):
            doc[flag] = bool(body.get(flag, flag == "useForInvoice"))
        doc["netDueDay"] = int(body["netDueDay"])
        doc["netDueDaySelection"] = self.choice(
            body, "netDueDaySelection", ("DaysAfterIssue", "DayOfMonth", "DayOfNextMonth"), None
        )
        doc["issuedWithinDays"] = int(body.get("issuedWithinDays") or 0)
        return doc


class ReadOnly(Resource):
    read_only = True

    def __init__(self, table, entity, fields):
        self.table, self.entity, self.FIELDS = table, entity, tuple(fields.split())


TAX_RATES = ReadOnly("taxrates", "TaxRate", "id name description rate status useOnPurchases useOnSales")
TAX_GROUPS = ReadOnly(
    "taxgroups",
    "TaxGroup",
    "id name description rate exportCode status useOnPurchases useOnSales taxCodes reportingLocations "
    "purchaseTaxLedgerAccounts saleTaxLedgerAccounts lastModifiedDateTime",
)
PAYMENT_METHODS = ReadOnly("paymentmethods", "PaymentMethod", "id name")
PAYMENTS = ReadOnly(
    "payments",
    "Payment",
    "id paymentNumber supplier paymentDate ledgerAccount allocateFullAmount paymentMethod reference notes totalAmount "
    "reconciliationStatus internalNotes recurring accountsPayableLedgerAccount classification transactionLinks "
    "lineItems lastModifiedDateTime",
)
