"""The in-memory QuickBooks Online company behind the sandbox server.

``Company`` keeps documents in QuickBooks' own JSON shape: seeding and snapshots, reads and
references to missing or inactive records (610), writes with SyncToken optimistic
concurrency (5010) that create, update (full or sparse), delete or void, merges of name
records, and a change log (tombstones and events) for CDC and webhooks; ``query`` and ``cdc``
answer from it. The rules a write meets are mixed in from beside it: ``lists.py``
(DisplayName unique across Customer, Vendor and Employee (6240), names, accounts) and
``transactions.py`` (closed books (6210), DocNumber at most 21 characters, computed
TotalAmt / Balance / tax, payments applied to invoices and bills (and credit memos or vendor
credits applied to them by a payment, of 0 when no money moves)). The query language is
``query.py``, the faults ``errors.py``, the entity tables and money helpers ``common.py``
(re-exported here with ``Fault``). Amounts are Decimal; the server turns them into JSON numbers.
"""

import copy
import threading
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from .common import (
    CENT,
    ENTITIES,
    LIST_ENTITIES,
    NAME_ENTITIES,
    NO_DELETE,
    PATHS,
    PURCHASE_DOCS,
    READ_ONLY,
    SALES_DOCS,
    TXN_ENTITIES,
    dec,
    money,
    ref_value,
)
from .errors import Fault, business, not_found, required
from .lists import ListRules
from .query import _field, _matches, _sort_key, parse_query
from .transactions import TransactionRules

__all__ = ["CENT", "ENTITIES", "PATHS", "Company", "Fault", "dec", "money", "public", "ref_value"]

PACIFIC = timezone(timedelta(hours=-8))


class Company(ListRules, TransactionRules):
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

    def _require_ref(self, entity, doc, key, *, mandatory=False):
        value = ref_value(doc, key)
        if value is None:
            if mandatory:
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
