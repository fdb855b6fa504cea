"""The QuickBooks ProviderAdapter: connector_base's interface over the client and mappers."""

import hashlib
import logging
import time
from datetime import UTC, datetime, timedelta

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.lost import LostWrites
from odoo.addons.connector_base.lib.provider import ProviderAdapter

from . import mappers, references
from .client import BATCH_SIZE, CDC_MAX_AGE, CDC_MAX_OBJECTS, fault_error, parse_datetime, qbo_datetime, quote
from .figures import QuickBooksFigures

_logger = logging.getLogger(__name__)

LIST_ENTITIES = ("Customer", "Vendor", "Item", "Account", "TaxCode", "TaxRate", "Term", "PaymentMethod")
#: seconds of overlap when polling: records changed in the cursor's own second are read again
OVERLAP = timedelta(seconds=1)
#: company settings (country, home currency) per realm, kept this long in the process
SETTINGS_TTL = 3600.0
_SETTINGS = {}
#: what creates sent, by (company URL, reference), for the lookup of one whose answer was lost: a
#: retry's ``requestid`` keeps QuickBooks from creating twice, so no create waits for a lookup
SENT = LostWrites()


def position_of(doc):
    """The cursor value of a document: its LastUpdatedTime in UTC, ISO 8601."""
    updated = (doc.get("MetaData") or {}).get("LastUpdatedTime")
    if not updated:
        return None
    return parse_datetime(updated).astimezone(UTC).isoformat(timespec="seconds")


class QuickBooksAdapter(QuickBooksFigures, ProviderAdapter):
    readable_kinds = tuple(mappers.KIND_ENTITIES)
    writable_kinds = ("party", "product", "invoice", "payment", "journal_entry")
    #: a company that sells and buys is a Customer and a Vendor (Customer/58, Vendor/12)
    party_roles_separate = True

    def __init__(
        self,
        client,
        *,
        tax_mode=None,
        home_currency=None,
        name_collision="link_or_suffix",
        conflict_policy="manual",
        income_account=None,
        expense_account=None,
        clock=None,
    ):
        self.client = client
        self._tax_mode = tax_mode
        self._home_currency = home_currency
        self.name_collision = name_collision
        self.conflict_policy = conflict_policy
        self.income_account = income_account
        self.expense_account = expense_account
        self._clock = clock or (lambda: datetime.now(UTC))
        self._rates = None

    # ------------------------------------------------------------------ company settings
    def _load_settings(self):
        cached = _SETTINGS.get(self.client.base)
        if cached and cached[0] > time.monotonic():
            _expires, info, prefs = cached
        else:  # two calls per realm an hour, not per job
            info = self.client.company_info()
            prefs = self.client.preferences()
            _SETTINGS[self.client.base] = (time.monotonic() + SETTINGS_TTL, info, prefs)
        if self._tax_mode is None:
            country = (info.get("Country") or (info.get("CompanyAddr") or {}).get("Country") or "US").upper()
            self._tax_mode = "us" if country in ("US", "USA") else "global"
        if self._home_currency is None:
            home = ((prefs.get("CurrencyPrefs") or {}).get("HomeCurrency") or {}).get("value")
            self._home_currency = home or "USD"
        return info

    @property
    def tax_mode(self):
        if self._tax_mode is None:
            self._load_settings()
        return self._tax_mode

    @property
    def home_currency(self):
        if self._home_currency is None:
            self._load_settings()
        return self._home_currency

    def rates(self):
        """TaxRate Id -> TaxRate (its RateValue and Name), for the tax codes that combine them."""
        if self._rates is None:
            self._rates = {
                str(doc["Id"]): doc
                for doc in self.client.query_all("TaxRate", ["Active IN (true, false)"], order_by=None)
            }
        return self._rates

    def test_connection(self):
        info = self._load_settings()
        return f"{info.get('CompanyName')} ({self.tax_mode.upper()} tax, {self.home_currency})"

    # ------------------------------------------------------------------ reading
    def _canonical(self, entity, doc):
        rates = self.rates() if entity == "TaxCode" else None
        return mappers.to_canonical(entity, doc, tax_mode=self.tax_mode, rates=rates)

    def _entity_of(self, kind, external_id):
        if kind in mappers.PREFIXED_KINDS:
            entity, doc_id = mappers.split_id(external_id)
            if entity not in mappers.KIND_ENTITIES[kind]:
                raise errors.PayloadValidationError(f"{external_id} is not a {kind}")
            return entity, doc_id
        return mappers.KIND_ENTITIES[kind][0], str(external_id)

    def read(self, kind, external_id):
        entity, doc_id = self._entity_of(kind, external_id)
        try:
            doc = self.client.read(entity, doc_id)
        except errors.NotFoundError:
            raise references.not_in_quickbooks(entity, doc_id) from None
        record = self._canonical(entity, doc)
        if record is None:
            raise errors.PayloadValidationError(f"QuickBooks {entity} {doc_id} cannot be imported as a {kind}")
        return record

    def changes(self, kind, since=None):
        """(canonical record, position) oldest first. ``since``: None (everything), a date
        (a first import: lists in full, transactions dated from it) or a cursor position."""
        entities = mappers.KIND_ENTITIES[kind]
        docs = []
        moment = None
        if since and len(since) > 10:
            moment = parse_datetime(since) - OVERLAP
        if moment is not None and self._clock() - moment < CDC_MAX_AGE - timedelta(hours=1):
            found, total = self.client.cdc(entities, moment)
            if total < CDC_MAX_OBJECTS:
                docs = [(entity, doc) for entity in entities for doc in found[entity]]
            else:  # the answer may be cut at 1,000 objects: page through queries instead
                _logger.info("CDC for %s hit the %s-object cap: reading by query", kind, CDC_MAX_OBJECTS)
                docs = self._query_since(entities, moment)
        elif moment is not None:
            docs = self._query_since(entities, moment)
        else:
            for entity in entities:
                where = []
                if entity in LIST_ENTITIES:
                    where.append("Active IN (true, false)")
                elif since:
                    where.append(f"TxnDate >= {quote(since[:10])}")
                docs += [(entity, doc) for doc in self.client.query_all(entity, where)]
        docs.sort(key=lambda pair: position_of(pair[1]) or "")
        for entity, doc in docs:
            record = self._readable(entity, doc)
            if record is not None:
                yield record, position_of(doc)

    def _readable(self, entity, doc):
        """The canonical record of ``doc``; a document the mappers cannot read comes back marked
        ``unmapped`` with the reason, so that it is quarantined alone and the import goes on."""
        try:
            return self._canonical(entity, doc)
        except (errors.PayloadValidationError, ArithmeticError, KeyError, TypeError, ValueError) as exc:
            reason = str(exc) if isinstance(exc, errors.PayloadValidationError) else f"{type(exc).__name__}: {exc}"
            _logger.info("QuickBooks %s %s cannot be read: %s", entity, doc.get("Id"), reason)
            return {
                "external_id": mappers.ext_id(entity, doc.get("Id")),
                "unmapped": {
                    "reason": f"QuickBooks {entity} {doc.get('Id')} cannot be read: {reason}",
                    "document": doc,
                },
            }

    def reference_lists(self):
        def rows(entity, extra):
            docs = self.client.query_all(entity, ["Active IN (true, false)"], order_by=None)
            return [(str(doc["Id"]), doc.get("Name") or str(doc["Id"]), extra(doc)) for doc in docs]

        return {
            "payment_term": rows("Term", lambda doc: {"due_days": int(doc.get("DueDays") or 0)}),
            "payment_method": rows("PaymentMethod", lambda doc: {}),
        }

    def count(self, kind, since=None):
        total = 0
        for entity in mappers.KIND_ENTITIES[kind]:
            where = []
            if entity in LIST_ENTITIES:
                where.append("Active IN (true, false)")
            elif since and len(since) == 10:
                where.append(f"TxnDate >= {quote(since)}")
            total += self.client.count(entity, where)
        return total

    def _query_since(self, entities, moment):
        where_time = f"MetaData.LastUpdatedTime >= {quote(qbo_datetime(moment))}"
        docs = []
        for entity in entities:
            where = [where_time]
            if entity in LIST_ENTITIES:
                where.append("Active IN (true, false)")
            docs += [(entity, doc) for doc in self.client.query_all(entity, where)]
        return docs

    # ------------------------------------------------------------------ writing
    def write(self, kind, record, *, external_id=None, version=None, reference, idempotency_key):
        creating = not external_id
        entity, body = self._document(kind, record, external_id, reference)
        doc_id = None if creating else self._entity_of(kind, external_id)[1]
        try:
            if creating:
                try:
                    doc = self.client.create(entity, body, idempotency_key)
                except errors.NameCollisionError as exc:
                    doc = self._on_name_collision(entity, body, record, idempotency_key, exc, reference)
            else:
                try:
                    doc = self._update(entity, doc_id, version, body, idempotency_key)
                except errors.NameCollisionError as exc:
                    doc = self._on_name_collision(
                        entity, body, record, idempotency_key, exc, reference, doc_id, version
                    )
        except errors.NotFoundError as exc:  # 610 never says which reference: find it
            raise references.refused_write(self.client, entity, body, exc, doc_id) from None
        return mappers.ext_id(entity, doc["Id"]), str(doc["SyncToken"])

    batch_size = BATCH_SIZE

    def create_many(self, kind, items):
        """New records in /batch requests of 30. The request id of each request follows from
        its items' idempotency keys, so a repeat of the same request changes nothing twice."""
        documents = [self._document(kind, record, None, reference) for record, reference, _key in items]
        keys = "|".join(key for _record, _reference, key in items)
        answers = {
            answer.get("bId"): answer
            for answer in self.client.batch(
                [
                    {"bId": str(number), "operation": "create", entity: body}
                    for number, (entity, body) in enumerate(documents)
                ],
                "b" + hashlib.sha1(keys.encode()).hexdigest()[:24],
            )
        }
        outcomes = []
        for number, (entity, _body) in enumerate(documents):
            answer = answers.get(str(number)) or {}
            doc = answer.get(entity)
            if isinstance(doc, dict) and doc.get("Id"):
                outcomes.append((mappers.ext_id(entity, doc["Id"]), str(doc["SyncToken"])))
            else:
                fault = answer.get("Fault") or {"Error": [{"Message": "no answer for this item of the batch"}]}
                outcomes.append(fault_error(400, fault))
        return outcomes

    def _document(self, kind, record, external_id, reference):
        """(entity, body) of the QuickBooks document for a canonical record."""
        if kind not in self.writable_kinds:
            raise errors.PayloadValidationError(f"QuickBooks does not take {kind} records from Odoo")
        creating = not external_id
        if kind == "party":
            entity = self._entity_of(kind, external_id)[0] if external_id else mappers.party_entity(record)
            body = mappers.party_from_canonical(record, entity, creating=creating)
        elif kind == "product":
            entity = "Item"
            body = mappers.product_from_canonical(
                record, income_account=self._default_account("income"), expense_account=self.expense_account
            )
        elif kind == "invoice":
            entity, body = mappers.invoice_from_canonical(
                record, tax_mode=self.tax_mode, home_currency=self.home_currency, reference=reference
            )
        elif kind == "payment":
            entity, body = mappers.payment_from_canonical(record, home_currency=self.home_currency, reference=reference)
        else:
            entity, body = mappers.journal_entry_from_canonical(
                record, home_currency=self.home_currency, reference=reference
            )
        SENT.remember((self.client.base, reference), (entity, body))
        return entity, body

    def _update(self, entity, doc_id, version, body, idempotency_key):
        body = dict(body, Id=str(doc_id), SyncToken=str(version or "0"))
        try:
            return self.client.update(entity, body, idempotency_key)
        except errors.StaleObjectError as exc:
            current = self.client.read(entity, doc_id)
            if self.conflict_policy != "odoo":
                raise errors.ConflictError(
                    f"QuickBooks {entity} {doc_id} changed since the last sync (SyncToken {version} -> "
                    f"{current.get('SyncToken')}): {exc}",
                    details={"remote_version": current.get("SyncToken")},
                ) from None
            body["SyncToken"] = str(current["SyncToken"])
            return self.client.update(entity, body, f"{idempotency_key[:44]}-s{current['SyncToken']}")

    def _on_name_collision(self, entity, body, record, idempotency_key, exc, reference, doc_id=None, version=None):
        """6240 (the DisplayName is another customer's, vendor's or employee's), by the
        connection's policy: link a new party to the existing one of its entity when its e-mail
        or VAT matches, else add a suffix. An update takes the suffix too: the vendor of a
        company whose customer has the name (one partner in Odoo, two records here) keeps its
        own, e.g. "Acme Ltd (Vendor)"."""
        if self.name_collision == "quarantine":
            raise exc
        name = body["DisplayName"]
        if doc_id is None:
            for other_entity in ("Customer", "Vendor"):
                for doc in self.client.query_all(
                    other_entity, [f"DisplayName = {quote(name)}", "Active IN (true, false)"], order_by=None
                ):
                    if other_entity == entity and self._same_party(doc, record):
                        _logger.info("QuickBooks %s %s already exists as %s: linked", entity, name, doc["Id"])
                        return doc
        for number in range(1, 10):
            suffix = f" ({entity})" if number == 1 else f" ({entity} {number})"
            candidate = dict(body, DisplayName=name[: 500 - len(suffix)] + suffix)
            key = f"{idempotency_key[:45]}-n{number}"
            try:
                if doc_id is None:
                    SENT.remember((self.client.base, reference), (entity, candidate))  # looked up by this name
                    return self.client.create(entity, candidate, key)
                return self._update(entity, doc_id, version, candidate, key)
            except errors.NameCollisionError:
                continue
        raise errors.NameCollisionError(f"{name}: every suffixed DisplayName is taken in QuickBooks") from exc

    @staticmethod
    def _same_party(doc, record):
        email = ((doc.get("PrimaryEmailAddr") or {}).get("Address") or "").strip().casefold()
        vat = (doc.get("PrimaryTaxIdentifier") or doc.get("TaxIdentifier") or "").strip().casefold()
        return bool(
            (email and email == (record.get("email") or "").strip().casefold())
            or (vat and vat == (record.get("vat") or "").strip().casefold())
        )

    def _default_account(self, which):
        if which == "income" and self.income_account:
            return self.income_account
        for doc in self.client.query_all("Account", ["AccountType = 'Income'"], order_by=None, page_size=10):
            self.income_account = str(doc["Id"])
            return self.income_account
        raise errors.MappingMissingError(
            "QuickBooks has no income account for new items",
            mapping_model="connector.account.mapping",
            external_id="income",
        )

    def find_by_reference(self, kind, reference):
        """The record a write with an unknown outcome created, looked up by what it carried."""
        attempt = SENT.attempt((self.client.base, reference))
        entities = (attempt[0],) if attempt else mappers.KIND_ENTITIES[kind]
        body = attempt[1] if attempt else {}
        for entity in entities:
            if entity in LIST_ENTITIES:
                key = "DisplayName" if entity in ("Customer", "Vendor") else "Name"
                if not body.get(key):
                    continue
                where = [f"{key} = {quote(body[key])}", "Active IN (true, false)"]
                for doc in self.client.query_all(entity, where, order_by=None):
                    if entity not in ("Customer", "Vendor") or (
                        (doc.get("PrimaryEmailAddr") or {}).get("Address")
                        == (body.get("PrimaryEmailAddr") or {}).get("Address")
                    ):
                        return mappers.ext_id(entity, doc["Id"]), str(doc["SyncToken"])
                continue
            if body.get("DocNumber"):
                where = [f"DocNumber = {quote(body['DocNumber'])}"]
            elif body.get("TxnDate"):
                where = [f"TxnDate = {quote(body['TxnDate'])}"]
            else:
                since = self._clock() - timedelta(days=2)
                where = [f"MetaData.LastUpdatedTime >= {quote(qbo_datetime(since))}"]
            for doc in self.client.query_all(entity, where):
                if mappers.reference_in(doc, reference):
                    return mappers.ext_id(entity, doc["Id"]), str(doc["SyncToken"])
        return None

    def delete(self, kind, external_id, version=None):
        """Deactivate a list record; void a document or payment; delete a journal entry."""
        entity, doc_id = self._entity_of(kind, external_id)
        current = self.client.read(entity, doc_id)
        key = f"del-{entity}-{doc_id}-{current['SyncToken']}"
        if entity in LIST_ENTITIES:
            body = {"Id": doc_id, "SyncToken": current["SyncToken"], "Active": False}
            if entity in ("Customer", "Vendor"):
                body["DisplayName"] = current.get("DisplayName")
            elif entity == "Item":
                body.update(Name=current.get("Name"), Type=current.get("Type"))
            return self.client.update(entity, body, key)
        if entity == "JournalEntry":
            return self.client.delete(entity, doc_id, current["SyncToken"], key)
        return self.client.void(entity, doc_id, current["SyncToken"], key)
