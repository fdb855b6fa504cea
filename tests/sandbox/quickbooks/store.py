"""The in-memory QuickBooks Online company behind the sandbox server.

It keeps documents in QuickBooks' own JSON shape and applies the rules a connector
meets: SyncToken optimistic concurrency (5010), DisplayName unique across Customer,
Vendor and Employee (6240), references to missing or inactive records (610), closed
books (6210), DocNumber at most 21 characters, computed TotalAmt / Balance / tax, payments
applied to invoices and bills (and credit memos or vendor credits applied to them by a
payment, of 0 when no money moves), void and delete, and a change log for CDC and webhooks.
Amounts are Decimal; the server turns them into JSON numbers.
"""

import copy
import re
import threading
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
PACIFIC = timezone(timedelta(hours=-8))

NAME_ENTITIES = ("Customer", "Vendor", "Employee")
LIST_ENTITIES = NAME_ENTITIES + ("Item", "Account", "Term", "PaymentMethod", "TaxCode", "TaxRate", "Class")
SALES_DOCS = ("Invoice", "CreditMemo")
PURCHASE_DOCS = ("Bill", "VendorCredit")
TXN_ENTITIES = SALES_DOCS + PURCHASE_DOCS + ("Payment", "BillPayment", "JournalEntry")
ENTITIES = LIST_ENTITIES + TXN_ENTITIES
PATHS = {name.lower(): name for name in ENTITIES}
#: entities whose records are deactivated, never deleted
NO_DELETE = LIST_ENTITIES
READ_ONLY = ("TaxCode", "TaxRate")
#: what a payment's lines may link: +1 a document it settles, -1 a credit it applies to them
PAYMENT_LINKS = {"Payment": {"Invoice": 1, "CreditMemo": -1}, "BillPayment": {"Bill": 1, "VendorCredit": -1}}
ACCOUNT_CLASSIFICATION = {
    "Bank": "Asset",
    "Accounts Receivable": "Asset",
    "Other Current Asset": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Other Current Liability": "Liability",
    "Long Term Liability": "Liability",
    "Equity": "Equity",
    "Income": "Revenue",
    "Other Income": "Revenue",
    "Cost of Goods Sold": "Expense",
    "Expense": "Expense",
    "Other Expense": "Expense",
}


class Fault(Exception):
    """A QuickBooks fault: HTTP status, fault type and error list."""

    def __init__(self, code, message, detail="", *, status=400, fault_type="ValidationFault", element=""):
        super().__init__(f"{code} {message}")
        self.code = str(code)
        self.message = message
        self.detail = detail or message
        self.status = status
        self.fault_type = fault_type
        self.element = element

    def body(self, now):
        return {
            "Fault": {
                "Error": [
                    {
                        "Message": self.message,
                        "Detail": f"{self.message} : {self.detail}",
                        "code": self.code,
                        "element": self.element,
                    }
                ],
                "type": self.fault_type,
            },
            "time": now,
        }


def not_found():
    """610, word for word as QuickBooks answers it: it never says which reference it is."""
    return Fault(
        610,
        "Object Not Found",
        "Something you're trying to use has been made inactive. Check the fields with accounts, customers, "
        "items, vendors or employees.",
    )


def required(element, detail=None):
    """2020: a required field is missing (or holds what QuickBooks does not take)."""
    return Fault(
        2020,
        "Required param missing, need to supply the required value for the API",
        detail or f"Required parameter {element} is missing in the request",
        element=element,
    )


def business(detail):
    """6000: QuickBooks' catch-all business rule fault."""
    return Fault(6000, "A business validation error has occurred while processing your request", detail)


def money(value):
    if value is None or value == "":
        return Decimal(0)
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def dec(value, default="0"):
    return Decimal(str(value if value not in (None, "") else default))


def ref_value(obj, key):
    ref = (obj or {}).get(key) or {}
    return str(ref.get("value")) if ref.get("value") not in (None, "") else None


class Company:
    """One realm: its settings, its documents and its change log."""

    def __init__(
        self,
        realm_id,
        *,
        name="Sandbox Company US",
        country="US",
        home_currency="USD",
        multicurrency=True,
        tax_mode=None,
        clock=None,
    ):
        self.realm_id = str(realm_id)
        self.name = name
        self.country = country
        self.home_currency = home_currency
        self.multicurrency = multicurrency
        self.tax_mode = tax_mode or ("us" if country == "US" else "global")
        self.custom_doc_numbers = True
        self.books_closed_on = None  # a date: transactions on or before it are refused (6210)
        self.exchange_rates = {}  # currency -> Decimal home units per unit
        self.docs = {name: {} for name in ENTITIES}
        self.deleted = {name: {} for name in ENTITIES}  # id -> (time, stub)
        self.next_id = {name: 1 for name in ENTITIES}
        self.requests = {}  # requestid -> (status, body)
        self._names = {}  # casefolded DisplayName -> (entity, Id), across customers, vendors, employees
        self.events = []  # (time, entity, id, operation, extra) for webhooks
        self.lock = threading.RLock()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._last_time = None

    # ------------------------------------------------------------------ time
    def now(self):
        """Company time, strictly increasing at one-second resolution as QuickBooks shows it."""
        moment = self._clock().astimezone(PACIFIC).replace(microsecond=0)
        if self._last_time and moment < self._last_time:
            moment = self._last_time
        self._last_time = moment
        return moment

    @staticmethod
    def fmt(moment):
        return moment.isoformat()

    def info(self):
        return {
            "CompanyName": self.name,
            "LegalName": self.name,
            "Country": self.country,
            "Id": "1",
            "SyncToken": "0",
            "domain": "QBO",
            "sparse": False,
            "CompanyAddr": {"Country": self.country},
            "SupportedLanguages": "en",
            "DefaultTimeZone": "America/Los_Angeles",
        }

    def preferences(self):
        return {
            "Id": "1",
            "SyncToken": "0",
            "domain": "QBO",
            "CurrencyPrefs": {
                "MultiCurrencyEnabled": self.multicurrency,
                "HomeCurrency": {"value": self.home_currency},
            },
            "SalesFormsPrefs": {"CustomTxnNumbers": self.custom_doc_numbers},
            "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": self.tax_mode == "us"},
        }

    # ------------------------------------------------------------------ seeding
    def seed(self, entity, documents):
        """Load documents as QuickBooks returned them (ids, SyncTokens and all). The answer of a
        delete (``{"Id", "status": "Deleted"}``, also how CDC shows a deletion) deletes: such a
        record is seen by CDC only, never by a read or a query."""
        with self.lock:
            for doc in documents:
                if doc.get("status") == "Deleted":
                    live = self.docs[entity].pop(str(doc["Id"]), None)
                    self._index_name(entity, None, live)
                    updated = (doc.get("MetaData") or {}).get("LastUpdatedTime")
                    self._tombstone(entity, doc["Id"], datetime.fromisoformat(updated) if updated else None)
                    continue
                doc = copy.deepcopy(doc)
                doc.setdefault("Id", str(self.next_id[entity]))
                doc.setdefault("SyncToken", "0")
                doc.setdefault("domain", "QBO")
                doc.setdefault("sparse", False)
                stamp = self.fmt(self.now())
                meta = doc.setdefault("MetaData", {})
                meta.setdefault("CreateTime", stamp)
                meta.setdefault("LastUpdatedTime", stamp)
                if entity in LIST_ENTITIES:
                    doc.setdefault("Active", True)
                self.docs[entity][str(doc["Id"])] = doc
                self._index_name(entity, doc)
                if str(doc["Id"]).isdigit():
                    self.next_id[entity] = max(self.next_id[entity], int(doc["Id"]) + 1)
            # seeded transactions keep their recorded totals; balances follow their payments
            return len(documents)

    def snapshot(self, entity):
        with self.lock:
            return [copy.deepcopy(d) for d in self.docs[entity].values()]

    # ------------------------------------------------------------------ reading
    def get(self, entity, doc_id):
        doc = self.docs[entity].get(str(doc_id))
        if doc is None:
            raise not_found()
        return doc

    def _ref_exists(self, entity, value, *, active=True):
        doc = self.docs[entity].get(str(value))
        if doc is None:
            return False
        return not active or doc.get("Active", True)

    def _require_ref(self, entity, doc, key, *, required=False):
        value = ref_value(doc, key)
        if value is None:
            if required:
                raise required(key)
            return None
        if not self._ref_exists(entity, value):
            raise not_found()
        return value

    # ------------------------------------------------------------------ writing
    def write(self, entity, body, *, operation="create", sparse=False):
        """Create, update (full or sparse), delete or void; return the stored document."""
        with self.lock:
            if entity in READ_ONLY:
                raise Fault(
                    500,
                    "Unsupported Operation",
                    f"Operation {operation} is not supported for {entity}",
                    fault_type="ValidationFault",
                )
            if operation == "create" and not body.get("Id"):
                return self._create(entity, body)
            current = self.get(entity, body.get("Id"))
            if str(body.get("SyncToken")) != str(current["SyncToken"]):
                raise Fault(
                    5010,
                    "Stale Object Error",
                    f"You and another user were working on this {entity} at the same time. The other user "
                    f"finished before you did, so your work was not saved.",
                )
            if operation == "delete":
                return self._delete(entity, current)
            if operation == "void":
                return self._void(entity, current)
            return self._update(entity, current, body, sparse=sparse or bool(body.get("sparse")))

    def _create(self, entity, body):
        doc = copy.deepcopy(body)
        doc_id = str(self.next_id[entity])
        self.next_id[entity] += 1
        doc.update({"Id": doc_id, "SyncToken": "0", "domain": "QBO", "sparse": False})
        stamp = self.fmt(self.now())
        doc["MetaData"] = {"CreateTime": stamp, "LastUpdatedTime": stamp}
        self._prepare(entity, doc, None)
        self.docs[entity][doc_id] = doc
        self._index_name(entity, doc)
        self._after_write(entity, doc, None)
        self._event(entity, doc_id, "Create")
        return doc

    def _update(self, entity, current, body, *, sparse):
        old = copy.deepcopy(current)
        if sparse:
            doc = copy.deepcopy(current)
            doc.update({k: copy.deepcopy(v) for k, v in body.items() if k not in ("Id", "SyncToken", "MetaData")})
        else:
            doc = copy.deepcopy(body)
            doc["MetaData"] = dict(current["MetaData"])
        doc.update({"Id": current["Id"], "domain": "QBO", "sparse": False})
        doc["SyncToken"] = str(int(current["SyncToken"]) + 1)
        doc["MetaData"] = dict(current["MetaData"], LastUpdatedTime=self.fmt(self.now()))
        self._undo_effects(entity, old)
        try:
            self._prepare(entity, doc, old)
        except Fault:
            self._after_write(entity, old, None)  # put the old effects back
            raise
        self.docs[entity][current["Id"]] = doc
        self._index_name(entity, doc, old)
        self._after_write(entity, doc, old)
        self._event(entity, current["Id"], "Update")
        return doc

    def _delete(self, entity, current):
        if entity in NO_DELETE:
            raise business(f"{entity} cannot be deleted: make it inactive instead")
        self._check_not_linked(entity, current)
        self._check_open_period(current)
        self._undo_effects(entity, current)
        del self.docs[entity][current["Id"]]
        self._tombstone(entity, current["Id"])
        self._event(entity, current["Id"], "Delete")
        return {"Id": current["Id"], "status": "Deleted", "domain": "QBO"}

    def _void(self, entity, current):
        if entity not in ("Invoice", "Payment", "BillPayment", "CreditMemo", "Bill", "VendorCredit"):
            raise Fault(500, "Unsupported Operation", f"{entity} cannot be voided")
        self._check_not_linked(entity, current)
        self._check_open_period(current)
        self._undo_effects(entity, current)
        doc = copy.deepcopy(current)
        for line in doc.get("Line", []):
            line["Amount"] = Decimal(0)
            detail = line.get(line.get("DetailType") or "", {})
            if isinstance(detail, dict) and "Qty" in detail:
                detail["Qty"] = Decimal(0)
            if isinstance(detail, dict) and "TaxInclusiveAmt" in detail:
                detail["TaxInclusiveAmt"] = Decimal(0)
        if entity in ("Payment", "BillPayment"):
            doc["Line"] = []
        doc.update({"TotalAmt": Decimal(0), "Balance": Decimal(0), "PrivateNote": "Voided"})
        doc.setdefault("TxnTaxDetail", {})["TotalTax"] = Decimal(0)
        doc["TxnTaxDetail"].pop("TaxLine", None)
        if entity == "Payment":
            doc["UnappliedAmt"] = Decimal(0)
        doc["SyncToken"] = str(int(current["SyncToken"]) + 1)
        doc["MetaData"] = dict(current["MetaData"], LastUpdatedTime=self.fmt(self.now()))
        doc["_voided"] = True
        self.docs[entity][current["Id"]] = doc
        self._event(entity, current["Id"], "Void")
        return doc

    def merge(self, entity, from_id, to_id):
        """Merge two name-list records as a person does in QuickBooks (not an API operation)."""
        with self.lock:
            source, target = self.get(entity, from_id), self.get(entity, to_id)
            key = {"Customer": "CustomerRef", "Vendor": "VendorRef"}[entity]
            for txn_entity in TXN_ENTITIES:
                for doc in self.docs[txn_entity].values():
                    if ref_value(doc, key) == source["Id"]:
                        doc[key] = {"value": target["Id"], "name": target.get("DisplayName")}
                        doc["SyncToken"] = str(int(doc["SyncToken"]) + 1)
                        doc["MetaData"]["LastUpdatedTime"] = self.fmt(self.now())
            del self.docs[entity][source["Id"]]
            self._index_name(entity, None, source)
            self._tombstone(entity, source["Id"])
            self._event(entity, source["Id"], "Merge", {"deletedId": source["Id"], "mergedIntoId": target["Id"]})
            return target

    def _tombstone(self, entity, doc_id, moment=None):
        """Remember a deletion for CDC, which shows it as ``{"Id", "status": "Deleted"}``."""
        moment = moment or self.now()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=PACIFIC)
        self.deleted[entity][str(doc_id)] = (
            moment,
            {
                "Id": str(doc_id),
                "status": "Deleted",
                "domain": "QBO",
                "MetaData": {"LastUpdatedTime": self.fmt(moment)},
            },
        )

    def _index_name(self, entity, doc, old=None):
        """Keep the DisplayName index of customers, vendors and employees (unique across the three)."""
        if entity not in NAME_ENTITIES:
            return
        if old and old.get("DisplayName"):
            key = old["DisplayName"].casefold()
            if self._names.get(key) == (entity, str(old["Id"])):
                del self._names[key]
        if doc and doc.get("DisplayName"):
            self._names[doc["DisplayName"].casefold()] = (entity, str(doc["Id"]))

    def _event(self, entity, doc_id, operation, extra=None):
        self.events.append((self.now(), entity, str(doc_id), operation, extra or {}))

    # ------------------------------------------------------------------ validation and computed fields
    def _prepare(self, entity, doc, old):
        getattr(self, f"_prepare_{entity.lower()}", lambda d, o: None)(doc, old)
        if entity in LIST_ENTITIES:
            doc.setdefault("Active", True)
        if entity in TXN_ENTITIES:
            self._prepare_txn(entity, doc)
        if old is not None and entity in SALES_DOCS + PURCHASE_DOCS and "Balance" in old:
            # the payments applied stay applied: a changed total moves the balance by as much
            applied = money(old.get("TotalAmt")) - money(old.get("Balance"))
            if applied > money(doc.get("TotalAmt")):
                raise business(f"Payments of {applied} are applied: the total cannot go below that")
            doc["Balance"] = money(doc.get("TotalAmt")) - applied
            if "RemainingCredit" in doc:
                doc["RemainingCredit"] = doc["Balance"]

    def _check_display_name(self, entity, doc):
        name = (doc.get("DisplayName") or "").strip()
        if not name:
            parts = [doc.get(k) for k in ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")]
            name = " ".join(p for p in parts if p) or doc.get("CompanyName") or ""
        if not name:
            raise business(
                "You must fill out at least one of: Title, Given Name, Middle Name, Family Name, "
                "Suffix, Display Name or Company Name"
            )
        if ":" in name or "\t" in name or "\n" in name:
            raise business("Display name cannot contain a colon (:), a tab or a new line")
        if len(name) > 500:
            raise Fault(
                2050,
                "String length is either shorter or longer than supported by specification",
                "Min:0 Max:500 supported. Supplied length:" + str(len(name)),
                element="DisplayName",
            )
        holder = self._names.get(name.casefold())
        if holder and holder != (entity, str(doc.get("Id"))):
            raise Fault(
                6240,
                "Duplicate Name Exists Error",
                f"The name supplied already exists. : Another customer, vendor or employee is already "
                f"using this name (Id={holder[1]}). Please use a different name.",
            )
        doc["DisplayName"] = name
        doc.setdefault("PrintOnCheckName", doc.get("CompanyName") or name)
        doc["FullyQualifiedName"] = name

    def _prepare_customer(self, doc, old):
        self._check_display_name("Customer", doc)
        doc.setdefault("CurrencyRef", {"value": self.home_currency})
        doc.setdefault("Taxable", self.tax_mode == "us")
        doc.setdefault("Balance", Decimal(0))
        doc.setdefault("BalanceWithJobs", doc["Balance"])
        self._require_ref("Term", doc, "SalesTermRef")

    def _prepare_vendor(self, doc, old):
        self._check_display_name("Vendor", doc)
        doc.setdefault("CurrencyRef", {"value": self.home_currency})
        doc.setdefault("Balance", Decimal(0))
        self._require_ref("Term", doc, "TermRef")

    def _prepare_employee(self, doc, old):
        self._check_display_name("Employee", doc)

    def _unique_name(self, entity, doc, field="Name"):
        name = (doc.get(field) or "").strip()
        if not name:
            raise required(field)
        for other in self.docs[entity].values():
            if other["Id"] != doc.get("Id") and (other.get(field) or "").casefold() == name.casefold():
                raise Fault(
                    6240,
                    "Duplicate Name Exists Error",
                    f"The name supplied already exists. : Another {entity.lower()} is already using "
                    f"this name (Id={other['Id']}).",
                )
        doc[field] = name
        doc["FullyQualifiedName"] = name

    def _prepare_item(self, doc, old):
        self._unique_name("Item", doc)
        doc.setdefault("Type", "Service")
        if doc["Type"] not in ("Service", "Inventory", "NonInventory", "Group", "Category"):
            raise Fault(2170, "Invalid Enumeration", f"Invalid Item Type: {doc['Type']}", element="Type")
        for key in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"):
            self._require_ref("Account", doc, key)
        if doc["Type"] in ("Service", "NonInventory", "Inventory") and not ref_value(doc, "IncomeAccountRef"):
            raise business("Sales items must have an income account")

    def _prepare_account(self, doc, old):
        self._unique_name("Account", doc)
        kind = doc.get("AccountType")
        if kind not in ACCOUNT_CLASSIFICATION:
            raise Fault(2170, "Invalid Enumeration", f"Invalid AccountType: {kind}", element="AccountType")
        doc["Classification"] = ACCOUNT_CLASSIFICATION[kind]
        doc.setdefault("CurrencyRef", {"value": self.home_currency})
        doc.setdefault("CurrentBalance", Decimal(0))
        doc.setdefault("SubAccount", False)

    def _prepare_term(self, doc, old):
        self._unique_name("Term", doc)
        doc.setdefault("Type", "STANDARD")
        doc.setdefault("DueDays", 0)

    def _prepare_paymentmethod(self, doc, old):
        self._unique_name("PaymentMethod", doc)

    def _check_open_period(self, doc):
        txn_date = doc.get("TxnDate")
        if self.books_closed_on and txn_date and date.fromisoformat(txn_date) <= self.books_closed_on:
            raise Fault(
                6210,
                "Account Period Closed, cannot update through API",
                f"The account period has closed and the books are locked (closing date "
                f"{self.books_closed_on.isoformat()}); {txn_date} cannot be changed",
            )

    def _prepare_txn(self, entity, doc):
        today = self.now().date()
        doc.setdefault("TxnDate", today.isoformat())
        try:
            date.fromisoformat(doc["TxnDate"])
        except ValueError:
            raise Fault(2010, "Request has invalid or unsupported property", f"TxnDate {doc['TxnDate']}") from None
        self._check_open_period(doc)
        number = doc.get("DocNumber")
        if number is not None and len(str(number)) > 21:
            raise Fault(
                2050,
                "String length is either shorter or longer than supported by specification",
                f"Min:0 Max:21 supported. Supplied length:{len(str(number))}",
                element="DocNumber",
            )
        currency = ref_value(doc, "CurrencyRef") or self.home_currency
        if currency != self.home_currency and not self.multicurrency:
            raise business("Multicurrency is not enabled for this company")
        doc["CurrencyRef"] = {"value": currency}
        if currency == self.home_currency:
            doc["ExchangeRate"] = Decimal(1)
        else:
            doc["ExchangeRate"] = dec(doc.get("ExchangeRate") or self.exchange_rates.get(currency) or 1)
        getattr(self, f"_prepare_txn_{entity.lower()}")(doc)
        if "TotalAmt" in doc:
            doc["HomeTotalAmt"] = money(dec(doc["TotalAmt"]) * doc["ExchangeRate"])

    def _check_party_currency(self, doc, key, entity):
        party = self.docs[entity][ref_value(doc, key)]
        party_currency = ref_value(party, "CurrencyRef") or self.home_currency
        if party_currency != doc["CurrencyRef"]["value"]:
            raise business(
                f"The currency of the transaction ({doc['CurrencyRef']['value']}) must match the "
                f"currency of the {entity.lower()} ({party_currency})"
            )

    def _sales_lines(self, doc, detail_key="SalesItemLineDetail"):
        """Compute line amounts; return (subtotal, taxable amounts per tax code)."""
        subtotal = Decimal(0)
        taxable = {}
        kept = []
        for line in doc.get("Line") or []:
            kind = line.get("DetailType")
            if kind in ("SubTotalLineDetail",):
                continue  # QuickBooks recomputes the subtotal line
            if kind == "DescriptionOnly":
                kept.append(line)
                continue
            if kind != detail_key:
                raise Fault(
                    2010,
                    "Request has invalid or unsupported property",
                    f"Line DetailType {kind} is not valid here",
                    element="Line.DetailType",
                )
            detail = line.setdefault(detail_key, {})
            self._require_ref("Item", detail, "ItemRef", required=True)
            if detail.get("Qty") is not None and detail.get("UnitPrice") is not None:
                computed = money(dec(detail["Qty"]) * dec(detail["UnitPrice"]))
                if line.get("Amount") is not None and money(line["Amount"]) != computed:
                    raise Fault(
                        6070,
                        "Amount is not equal to UnitPrice * Qty",
                        f"Amount {line['Amount']} is not equal to UnitPrice * Qty = {computed}",
                    )
                line["Amount"] = computed
            if line.get("Amount") is None and detail.get("TaxInclusiveAmt") is None:
                raise required("Line.Amount", "Required parameter Line.Amount is missing")
            code = ref_value(detail, "TaxCodeRef") or "NON"
            base = self._line_net(doc, line, detail, code)
            subtotal += line["Amount"]
            taxable[code] = taxable.get(code, Decimal(0)) + base
            kept.append(line)
        for number, line in enumerate(kept, 1):
            line["Id"] = str(number)
            line["LineNum"] = number
        kept.append({"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
        doc["Line"] = kept
        return subtotal, taxable

    def _rates_of(self, code_id, purchase=False):
        """[(TaxRate Id, percent, TaxTypeApplicable)] of a tax code, in TaxOrder."""
        code = self.docs["TaxCode"].get(str(code_id))
        if code is None:
            raise not_found()
        details = (code.get("PurchaseTaxRateList" if purchase else "SalesTaxRateList") or {}).get("TaxRateDetail", [])
        ordered = sorted(enumerate(details), key=lambda pair: (int(pair[1].get("TaxOrder") or 0), pair[0]))
        rates = []
        for _position, detail in ordered:
            rate = self.docs["TaxRate"].get(ref_value(detail, "TaxRateRef"))
            if rate is not None:
                rates.append((rate["Id"], dec(rate.get("RateValue")), detail.get("TaxTypeApplicable") or "TaxOnAmount"))
        return rates

    @staticmethod
    def _taxes_on(net, rates):
        """[(rate Id, percent, taxable, tax)] of a net amount, unrounded: a TaxOnAmountPlusTax
        rate (Canadian PST or QST charged on the amount with GST) is charged on the net with
        the taxes of the rates before it, a TaxOnTax rate on those taxes alone."""
        out, before = [], Decimal(0)
        for rate_id, rate, applicable in rates:
            if applicable == "TaxOnAmountPlusTax":
                base = net + before
            elif applicable == "TaxOnTax":
                base = before
            else:
                base = net
            tax = base * rate / 100
            out.append((rate_id, rate, base, tax))
            before += tax
        return out

    def _line_net(self, doc, line, detail, code):
        """A line's amount without tax (Line.Amount) and what its tax is computed on.

        GlobalTaxCalculation TaxInclusive (non-US companies): Line.Amount and UnitPrice stay
        amounts WITHOUT tax and SalesItemLineDetail.TaxInclusiveAmt (minor version 1 and
        later) holds the amount with tax; QuickBooks backs the tax out of it. Published
        answers of an Australian QuickBooks company show it: TaxInclusiveAmt 450.0, Amount
        409.09, UnitPrice 0.9090889 (409.09 / 450), Qty 450, TxnTaxDetail.TotalTax 40.91 with
        NetAmountTaxable 409.09, TotalAmt 450.0; and TaxInclusiveAmt 6600.0, Amount 6000.0,
        UnitPrice 2000, Qty 3, TotalTax 600.0. Without TaxInclusiveAmt the amount is taken as
        without tax (quickbooks-ruby issue #346: "By default QuickBooks assumes all prices
        exclude tax") and TaxInclusiveAmt is computed. Tax is computed on the net backed out
        unrounded, rounded per rate on the document (as on tax-exclusive documents)."""
        inclusive = doc.get("GlobalTaxCalculation") == "TaxInclusive" and self.tax_mode != "us"
        purchase = "SalesItemLineDetail" not in line
        if not inclusive or code in ("TAX", "NON"):
            line["Amount"] = money(line.get("Amount"))
            detail.pop("TaxInclusiveAmt", None)
            return line["Amount"]
        rates = self._rates_of(code, purchase)
        if detail.get("TaxInclusiveAmt") is not None:
            gross = money(detail["TaxInclusiveAmt"])
            per_unit = sum((tax for *_r, tax in self._taxes_on(Decimal(1), rates)), Decimal(0))
            net = gross / (1 + per_unit)
            line["Amount"] = money(net)
            qty = dec(detail.get("Qty"))
            if qty:
                detail["UnitPrice"] = (line["Amount"] / qty).quantize(Decimal("0.0000001"), ROUND_HALF_UP)
        else:
            net = line["Amount"] = money(line.get("Amount"))
            taxes = sum((tax for *_r, tax in self._taxes_on(net, rates)), Decimal(0))
            gross = money(net + taxes)
        detail["TaxInclusiveAmt"] = gross
        return net

    def _compute_tax(self, doc, taxable, *, purchase=False):
        """TxnTaxDetail from the lines; an explicit TotalTax the caller sent is honoured.
        ``taxable``: the amount without tax per line tax code (unrounded where backed out of
        tax-inclusive amounts); each rate's tax is rounded once on the document."""
        detail = doc.get("TxnTaxDetail") or {}
        sent_total = detail.get("TotalTax")
        per_rate = {}  # rate Id -> (taxable, tax, percent)
        if self.tax_mode == "us":
            code_id = ref_value(detail, "TxnTaxCodeRef")
            for code in taxable:
                if code not in ("TAX", "NON"):
                    raise business(f"Invalid tax code {code}: US companies use TAX or NON on lines")
            taxable = {code_id: taxable["TAX"]} if taxable.get("TAX") and code_id else {}
        elif any(code in ("TAX", "NON") for code in taxable):
            raise business("Make sure all your transactions have a GST/VAT rate before you save")
        for code, net in taxable.items():
            for rate_id, rate, base, tax in self._taxes_on(net, self._rates_of(code, purchase)):
                taxed, charged, _rate = per_rate.get(rate_id, (Decimal(0), Decimal(0), rate))
                per_rate[rate_id] = (taxed + base, charged + tax, rate)
        lines = [
            {
                "Amount": money(tax),
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    "TaxRateRef": {"value": rate_id},
                    "PercentBased": True,
                    "TaxPercent": rate,
                    "NetAmountTaxable": money(base),
                },
            }
            for rate_id, (base, tax, rate) in sorted(per_rate.items())
        ]
        computed = sum((line["Amount"] for line in lines), Decimal(0))
        total = money(sent_total) if sent_total is not None and lines else computed
        if lines and total != computed:
            # an explicit amount is honoured and prorated over the rates
            spread, left = [], total
            for line in lines[:-1]:
                share = money(total * line["Amount"] / computed) if computed else Decimal(0)
                spread.append(share)
                left -= share
            spread.append(left)
            for line, share in zip(lines, spread, strict=True):
                line["Amount"] = share
        result = {"TotalTax": total, "TaxLine": lines}
        if ref_value(detail, "TxnTaxCodeRef"):
            result["TxnTaxCodeRef"] = detail["TxnTaxCodeRef"]
        doc["TxnTaxDetail"] = result
        return total

    def _prepare_txn_invoice(self, doc):
        self._require_ref("Customer", doc, "CustomerRef", required=True)
        self._check_party_currency(doc, "CustomerRef", "Customer")
        self._require_ref("Term", doc, "SalesTermRef")
        if doc.get("DocNumber") is None and not self.custom_doc_numbers:
            doc["DocNumber"] = str(1000 + len(self.docs["Invoice"]) + 1)
        doc.setdefault("GlobalTaxCalculation", "TaxExcluded")
        subtotal, taxable = self._sales_lines(doc)
        tax = self._compute_tax(doc, taxable)
        doc["TotalAmt"] = self._total(doc, subtotal, tax, "SalesItemLineDetail")
        doc["Balance"] = doc["TotalAmt"]
        if doc.get("DueDate") is None:
            doc["DueDate"] = doc["TxnDate"]

    def _total(self, doc, subtotal, tax, *detail_keys):
        """TotalAmt: the amounts without tax plus the tax; on a tax-inclusive document the
        sum of the lines' amounts with tax (TaxInclusiveAmt), what the customer was shown."""
        if doc.get("GlobalTaxCalculation") != "TaxInclusive" or self.tax_mode == "us":
            return subtotal + tax
        total = Decimal(0)
        for line in doc.get("Line") or []:
            detail = line.get(line.get("DetailType") or "") or {}
            if line.get("DetailType") in detail_keys:
                gross = detail.get("TaxInclusiveAmt")
                total += money(gross) if gross is not None else line["Amount"]
        return total

    def _prepare_txn_creditmemo(self, doc):
        self._prepare_txn_invoice(doc)
        doc.pop("DueDate", None)  # QuickBooks' credit memos have none
        doc["RemainingCredit"] = doc["Balance"]

    def _expense_lines(self, doc):
        subtotal = Decimal(0)
        taxable = {}
        for number, line in enumerate(doc.get("Line") or [], 1):
            kind = line.get("DetailType")
            if kind not in ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail"):
                raise Fault(
                    2010,
                    "Request has invalid or unsupported property",
                    f"Line DetailType {kind} is not valid here",
                    element="Line.DetailType",
                )
            detail = line.setdefault(kind, {})
            if kind == "AccountBasedExpenseLineDetail":
                self._require_ref("Account", detail, "AccountRef", required=True)
            else:
                self._require_ref("Item", detail, "ItemRef", required=True)
                if detail.get("Qty") is not None and detail.get("UnitPrice") is not None:
                    line["Amount"] = money(dec(detail["Qty"]) * dec(detail["UnitPrice"]))
            code = ref_value(detail, "TaxCodeRef") or "NON"
            base = self._line_net(doc, line, detail, code)
            line["Id"] = str(number)
            line["LineNum"] = number
            subtotal += line["Amount"]
            taxable[code] = taxable.get(code, Decimal(0)) + base
        return subtotal, taxable

    def _prepare_txn_bill(self, doc):
        self._require_ref("Vendor", doc, "VendorRef", required=True)
        self._check_party_currency(doc, "VendorRef", "Vendor")
        self._require_ref("Account", doc, "APAccountRef")
        doc.setdefault("GlobalTaxCalculation", "TaxExcluded")
        subtotal, taxable = self._expense_lines(doc)
        tax = self._compute_tax(doc, taxable, purchase=True) if self.tax_mode != "us" else Decimal(0)
        if self.tax_mode == "us":
            doc.pop("TxnTaxDetail", None)
        doc["TotalAmt"] = self._total(doc, subtotal, tax, "AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")
        doc["Balance"] = doc["TotalAmt"]
        doc.setdefault("DueDate", doc["TxnDate"])

    def _prepare_txn_vendorcredit(self, doc):
        self._prepare_txn_bill(doc)
        doc.pop("DueDate", None)

    def _apply_lines(self, doc, entity):
        """(charges, credits) a payment's lines apply: invoices (bills), and the credit memos
        (vendor credits) applied to them, each within its open balance."""
        kinds = PAYMENT_LINKS[entity]
        party_key = "VendorRef" if entity == "BillPayment" else "CustomerRef"
        charges = credits = Decimal(0)
        for line in doc.get("Line") or []:
            line["Amount"] = money(line.get("Amount"))
            links = line.get("LinkedTxn") or []
            if not links:
                raise required("Line.LinkedTxn", "Line.LinkedTxn is missing")
            for link in links:
                txn_type = link.get("TxnType")
                if txn_type not in kinds:
                    raise Fault(
                        2010,
                        "Request has invalid or unsupported property",
                        f"LinkedTxn.TxnType {txn_type} is not valid here",
                    )
                target = self.docs[txn_type].get(str(link.get("TxnId")))
                if target is None or target.get("_voided"):
                    raise not_found()
                if kinds[txn_type] < 0 and ref_value(target, party_key) != ref_value(doc, party_key):
                    raise business(f"{txn_type} {target['Id']} belongs to another {party_key[:-3].lower()}")
                if line["Amount"] > money(target.get("Balance")):
                    raise business(
                        f"The payment amount {line['Amount']} is more than the open balance "
                        f"{target.get('Balance')} of {txn_type} {target['Id']}"
                    )
            if kinds[links[0].get("TxnType")] > 0:
                charges += line["Amount"]
            else:
                credits += line["Amount"]
        if credits > charges:
            raise business(f"The credits applied ({credits}) are more than the charges they apply to ({charges})")
        return charges, credits

    def _prepare_txn_payment(self, doc):
        self._require_ref("Customer", doc, "CustomerRef", required=True)
        self._require_ref("Account", doc, "DepositToAccountRef")
        self._require_ref("PaymentMethod", doc, "PaymentMethodRef")
        if doc.get("TotalAmt") is None:
            raise required("TotalAmt", "Required parameter TotalAmt is missing")
        doc["TotalAmt"] = money(doc["TotalAmt"])
        charges, credits = self._apply_lines(doc, "Payment")
        applied = charges - credits  # a Payment of 0 applies credit memos to invoices
        if applied > doc["TotalAmt"]:
            raise business(f"The amounts applied ({applied}) are more than the payment total ({doc['TotalAmt']})")
        doc["UnappliedAmt"] = doc["TotalAmt"] - applied
        doc.setdefault("Line", [])

    def _prepare_txn_billpayment(self, doc):
        self._require_ref("Vendor", doc, "VendorRef", required=True)
        pay_type = doc.get("PayType")
        if pay_type == "Check":
            self._require_ref("Account", doc.get("CheckPayment") or {}, "BankAccountRef", required=True)
        elif pay_type == "CreditCard":
            self._require_ref("Account", doc.get("CreditCardPayment") or {}, "CCAccountRef", required=True)
        else:
            raise required("PayType", "PayType must be Check or CreditCard")
        doc["TotalAmt"] = money(doc.get("TotalAmt"))
        charges, credits = self._apply_lines(doc, "BillPayment")
        applied = charges - credits
        if applied > doc["TotalAmt"]:
            raise business(f"The amounts applied ({applied}) are more than the payment total ({doc['TotalAmt']})")

    def _prepare_txn_journalentry(self, doc):
        debit = credit = Decimal(0)
        for number, line in enumerate(doc.get("Line") or [], 1):
            detail = line.get("JournalEntryLineDetail") or {}
            self._require_ref("Account", detail, "AccountRef", required=True)
            entity = detail.get("Entity") or {}
            if entity:
                kind = entity.get("Type")
                if kind not in NAME_ENTITIES:
                    raise Fault(2010, "Request has invalid or unsupported property", f"Entity.Type {kind}")
                self._require_ref(kind, entity, "EntityRef", required=True)
            line["Amount"] = money(line.get("Amount"))
            line["Id"] = str(number - 1)
            if detail.get("PostingType") == "Debit":
                debit += line["Amount"]
            elif detail.get("PostingType") == "Credit":
                credit += line["Amount"]
            else:
                raise required("PostingType", "PostingType must be Debit or Credit")
        if debit != credit:
            raise business(f"Transaction must balance: debits {debit}, credits {credit}")
        doc["TotalAmt"] = debit

    # ------------------------------------------------------------------ effects between documents
    def _links(self, doc):
        for line in doc.get("Line") or []:
            for link in line.get("LinkedTxn") or []:
                yield link, money(line.get("Amount"))

    def _payment_targets(self, entity, doc):
        """(document, amount) of each invoice, bill or credit a payment's lines link."""
        for link, amount in self._links(doc):
            if link.get("TxnType") in PAYMENT_LINKS[entity]:
                target = self.docs[link["TxnType"]].get(str(link.get("TxnId")))
                if target is not None:
                    yield target, amount

    def _move_balance(self, target, change):
        target["Balance"] = money(target.get("Balance")) + change
        target["HomeBalance"] = money(target["Balance"] * dec(target.get("ExchangeRate"), "1"))
        if "RemainingCredit" in target:  # a credit memo's credit left to apply
            target["RemainingCredit"] = target["Balance"]

    def _after_write(self, entity, doc, old):
        if entity in PAYMENT_LINKS and not doc.get("_voided"):
            for target, amount in self._payment_targets(entity, doc):
                self._move_balance(target, -amount)
                target.setdefault("LinkedTxn", [])
                entry = {"TxnId": doc["Id"], "TxnType": entity}
                if entry not in target["LinkedTxn"]:
                    target["LinkedTxn"].append(entry)
        if entity in SALES_DOCS + PURCHASE_DOCS:
            doc["HomeBalance"] = money(dec(doc.get("Balance")) * dec(doc.get("ExchangeRate"), "1"))

    def _undo_effects(self, entity, doc):
        if entity in PAYMENT_LINKS and not doc.get("_voided"):
            for target, amount in self._payment_targets(entity, doc):
                self._move_balance(target, amount)
                target["LinkedTxn"] = [
                    x
                    for x in target.get("LinkedTxn", [])
                    if not (x.get("TxnId") == doc["Id"] and x.get("TxnType") == entity)
                ]

    def _check_not_linked(self, entity, doc):
        if entity in SALES_DOCS + PURCHASE_DOCS:
            paid_by = [x for x in doc.get("LinkedTxn", []) if x.get("TxnType") in PAYMENT_LINKS]
            if paid_by:
                raise business(f"This {entity.lower()} has payments applied ({len(paid_by)}): remove them first")

    # ------------------------------------------------------------------ query language
    def query(self, text):
        """Run a QuickBooks query; return the QueryResponse dict."""
        with self.lock:
            parsed = parse_query(text)
            entity = parsed["entity"]
            if entity == "CompanyInfo":
                return {"CompanyInfo": [self.info()], "startPosition": 1, "maxResults": 1}
            if entity == "Preferences":
                return {"Preferences": [self.preferences()], "startPosition": 1, "maxResults": 1}
            if entity not in self.docs:
                raise Fault(4000, "Error parsing query", f"QueryParserError: Invalid entity {entity}")
            rows = list(self.docs[entity].values())
            mentions_active = any(c[0].lower() == "active" for c in parsed["where"])
            if entity in LIST_ENTITIES and not mentions_active:
                rows = [r for r in rows if r.get("Active", True)]
            for field, op, value in parsed["where"]:
                rows = [r for r in rows if _matches(_field(r, field), op, value)]
            if parsed["count"]:
                return {"totalCount": len(rows)}
            if parsed["order"]:
                field, descending = parsed["order"]
                rows.sort(
                    key=lambda r: (_sort_key(_field(r, field)), int(r["Id"]) if r["Id"].isdigit() else 0),
                    reverse=descending,
                )
            else:
                rows.sort(key=lambda r: int(r["Id"]) if r["Id"].isdigit() else 0)
            start = parsed["start"]
            size = parsed["max"]
            page = rows[start - 1 : start - 1 + size]
            result = {"startPosition": start, "maxResults": len(page)}
            if page:
                result[entity] = [public(r) for r in page]
            return result

    def cdc(self, entities, since):
        """Changed and deleted records of ``entities`` since ``since`` (an aware datetime)."""
        with self.lock:
            responses = []
            total = 0
            for entity in entities:
                if entity not in self.docs:
                    raise Fault(4000, "Error parsing query", f"CDC: unsupported entity {entity}")
                changed = [
                    public(d)
                    for d in self.docs[entity].values()
                    if datetime.fromisoformat(d["MetaData"]["LastUpdatedTime"]) > since
                ]
                changed += [stub for moment, stub in self.deleted[entity].values() if moment > since]
                changed.sort(key=lambda d: d["MetaData"]["LastUpdatedTime"])
                room = 1000 - total
                changed = changed[:room]
                total += len(changed)
                responses.append({entity: changed} if changed else {})
            return {"CDCResponse": [{"QueryResponse": responses}]}, total


def public(doc):
    """The document without the sandbox's private marks."""
    out = copy.deepcopy(doc)
    for key in [k for k in out if k.startswith("_")]:
        del out[key]
    return out


_TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'|(\()|(\))|(,)|(>=|<=|!=|=|<|>)|([^\s,()=<>!']+))", re.S)


def _tokens(text):
    pos = 0
    out = []
    text = text.strip().rstrip(";")
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip() == "":
                break
            raise Fault(4000, "Error parsing query", f"QueryParserError: Encountered unexpected text at {pos}")
        quoted, lpar, rpar, comma, op, word = match.groups()
        if quoted is not None:
            out.append(("str", quoted.replace("''", "'").replace("\\'", "'")))
        elif lpar:
            out.append(("(", lpar))
        elif rpar:
            out.append((")", rpar))
        elif comma:
            out.append((",", comma))
        elif op:
            out.append(("op", op))
        else:
            out.append(("word", word))
        pos = match.end()
    return out


def parse_query(text):
    """The SELECT subset QuickBooks accepts: one entity, AND-ed conditions, ORDERBY, paging."""
    toks = _tokens(text)

    def word(i):
        return toks[i][1].upper() if i < len(toks) and toks[i][0] == "word" else None

    if word(0) != "SELECT":
        raise Fault(4000, "Error parsing query", 'QueryParserError: Encountered "" at line 1, column 1')
    i = 1
    count = False
    if i < len(toks) and toks[i][1] == "*":
        i += 1
    elif word(i) == "COUNT(*)" or (word(i) == "COUNT" and i + 3 < len(toks)):
        count = True
        i += 1 if word(i) == "COUNT(*)" else 4
    else:
        while i < len(toks) and word(i) != "FROM":
            i += 1  # projections are ignored: QuickBooks returns every property
    if word(i) != "FROM":
        raise Fault(4000, "Error parsing query", "QueryParserError: FROM expected")
    entity = toks[i + 1][1]
    canonical = {name.lower(): name for name in (*ENTITIES, "CompanyInfo", "Preferences")}
    entity = canonical.get(entity.lower(), entity)
    i += 2
    where = []
    order = None
    start, size = 1, 100
    if word(i) == "WHERE":
        where, i = _parse_where(toks, i + 1)
    if word(i) in ("ORDERBY", "ORDER"):
        i += 1 if word(i) == "ORDERBY" else 2
        field = toks[i][1]
        i += 1
        descending = False
        if word(i) in ("ASC", "DESC"):
            descending = word(i) == "DESC"
            i += 1
        order = (field, descending)
    if word(i) == "STARTPOSITION":
        start = int(toks[i + 1][1])
        i += 2
    if word(i) == "MAXRESULTS":
        size = int(toks[i + 1][1])
        i += 2
    if i < len(toks):
        raise Fault(4000, "Error parsing query", f'QueryParserError: Encountered "{toks[i][1]}"')
    if size > 1000 or size < 1 or start < 1:
        raise Fault(4000, "Error parsing query", "QueryValidationError: MAXRESULTS must be 1 to 1000")
    return {"entity": entity, "count": count, "where": where, "order": order, "start": start, "max": size}


def _word(toks, i):
    return toks[i][1].upper() if i < len(toks) and toks[i][0] == "word" else None


def _parse_condition(toks, i):
    """One ``field op value`` (op: = < > <= >= != IN LIKE); return it and the next index."""
    if i >= len(toks) or toks[i][0] != "word":
        raise Fault(4000, "Error parsing query", "QueryParserError: condition expected")
    field = toks[i][1]
    i += 1
    if _word(toks, i) == "IN":
        if i + 1 >= len(toks) or toks[i + 1][0] != "(":
            raise Fault(4000, "Error parsing query", "QueryParserError: ( expected after IN")
        i += 2
        values = []
        while i < len(toks) and toks[i][0] != ")":
            if toks[i][0] != ",":
                values.append(_literal(toks[i]))
            i += 1
        return (field, "IN", values), i + 1
    if _word(toks, i) == "LIKE":
        return (field, "LIKE", _literal(toks[i + 1])), i + 2
    if i < len(toks) and toks[i][0] == "op" and i + 1 < len(toks):
        return (field, toks[i][1], _literal(toks[i + 1])), i + 2
    raise Fault(4000, "Error parsing query", f"QueryParserError: operator expected after {field}")


def _parse_where(toks, i):
    """AND-ed conditions (QuickBooks has no OR); return them and the next index."""
    where = []
    while True:
        condition, i = _parse_condition(toks, i)
        where.append(condition)
        if _word(toks, i) == "AND":
            i += 1
            continue
        if _word(toks, i) == "OR":
            raise Fault(4000, "Error parsing query", "QueryParserError: OR is not supported")
        return where, i


def _literal(tok):
    kind, value = tok
    if kind == "str":
        return value
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return value


def _field(doc, path):
    value = doc
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        key = next((k for k in value if k.lower() == part.lower()), None)
        value = value.get(key) if key else None
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def _sort_key(value):
    if value is None:
        return (0, "")
    if isinstance(value, str):
        try:
            return (1, datetime.fromisoformat(value).timestamp())
        except ValueError:
            return (2, value.casefold())
    return (1, float(value))


def _coerce(actual, wanted):
    if isinstance(actual, bool):
        return actual, (wanted if isinstance(wanted, bool) else str(wanted).lower() == "true")
    if isinstance(actual, int | float | Decimal):
        return Decimal(str(actual)), Decimal(str(wanted))
    if isinstance(actual, str) and isinstance(wanted, str):
        try:
            return datetime.fromisoformat(actual), datetime.fromisoformat(wanted)
        except ValueError:
            pass
        if len(wanted) == 10 and len(actual) > 10:
            try:
                return datetime.fromisoformat(actual).date(), date.fromisoformat(wanted)
            except ValueError:
                pass
        return actual.casefold(), wanted.casefold()
    return actual, wanted


def _matches(actual, op, wanted):
    if op == "IN":
        return any(_matches(actual, "=", w) for w in wanted)
    if actual is None:
        return False
    if op == "LIKE":
        pattern = "^" + ".*".join(re.escape(p) for p in str(wanted).split("%")) + "$"
        return re.match(pattern, str(actual), re.I) is not None
    try:
        a, w = _coerce(actual, wanted)
        return {
            "=": a == w,
            "!=": a != w,
            "<": a < w,
            ">": a > w,
            "<=": a <= w,
            ">=": a >= w,
        }[op]
    except (TypeError, ValueError, ArithmeticError):
        return False
