"""The Kashoo ProviderAdapter: connector_base's interface over the client, readers and mappers.

Kashoo has no modified-since filter, change feed or webhooks. ``changes`` therefore re-reads a
rolling window of record dates (the last ``poll_window_days``, 35 by default, reaching back
further when the last poll is older); the engine's content hash skips what did not change. Given a
date instead (a first import, the nightly sweep of the whole range), records are read from that
date; given nothing, all of them. Lists without
dates (accounts, contacts, taxes from a tax list) are read whole. Removed records come as
deletions. Writes carry the ``odoo:<model>:<id>`` stamp first in ``memo``; a create whose answer
was lost is looked up by it (or, for contacts and accounts, by what it sent) before anything is
written again.
"""

import functools
import json
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from odoo.addons.connector_base.lib import canonical, errors
from odoo.addons.connector_base.lib.lost import LostWrites
from odoo.addons.connector_base.lib.provider import ProviderAdapter

from . import documents, mappers, payments, records
from .settings import ROLES

_NONE = {"read": False, "create": False, "update": False, "delete": False, "incremental": False, "push": False}
_RECORDS = {"read": True, "create": True, "update": True, "delete": True, "incremental": False, "push": False}

#: what creates sent and which lost their answer, by (api url, business, reference)
LOST = LostWrites()


class KashooAdapter(ProviderAdapter):
    readable_kinds = ("account", "tax", "party", "invoice", "payment", "journal_entry")
    writable_kinds = ("account", "party", "invoice", "payment")
    #: a Kashoo contact carries both roles (its customer and vendor flags): one binding, role "all"
    party_roles_separate = False

    capabilities = {
        "account": dict(_NONE, read=True, create=True),
        "tax": dict(_NONE, read=True),
        "party": dict(_NONE, read=True, create=True),
        "product": dict(_NONE),
        "invoice": dict(_RECORDS),
        "payment": dict(_RECORDS),
        "journal_entry": dict(_NONE, read=True),
    }
    capability_notes = {
        "account": "Accounts are listed and created (POST); Kashoo's API has no path to change or delete one.",
        "tax": "No tax endpoint is published: taxes are read from the documents' tax lines (or a tax list where "
        "the business answers one); they cannot be created or changed through the API.",
        "party": "Contacts are listed (legacy sync session or a business path) and created (unconfirmed); the API "
        "has no path to change or delete a contact.",
        "product": "Kashoo's API exposes no products or items: document lines carry an account.",
        "invoice": "Invoices and bills: created by POST, saved back whole (PUT, inferred) and deleted (DELETE sets "
        "removed); no credit notes. No modified-since filter or webhooks: changes are found by re-reading a "
        "window of dates.",
        "payment": "Invoice and bill payments, one document each: created, saved back whole (PUT, inferred), "
        "deleted. No modified-since filter or webhooks.",
        "journal_entry": "Transfers are read as two-line journal entries; the API creates no transfers and has "
        "no journal entries.",
    }

    def __init__(self, client, *, conflict_policy="manual", clock=None):
        self.client = client
        self.settings = client.settings
        self.conflict_policy = conflict_policy
        self._clock = clock or (lambda: datetime.now(UTC))

    # ------------------------------------------------------------------ connection
    def test_connection(self):
        """The business's name (Kashoo's ``contactInformation.name``)."""
        wanted = self.settings.business_id
        for business in self.client.businesses():
            if isinstance(business, dict) and str(business.get("id")) == str(wanted):
                info = business.get("contactInformation") or {}
                return info.get("name") or business.get("name") or f"Kashoo business {wanted}"
        raise errors.NotFoundError(f"Kashoo business {wanted} is not among the businesses this user can reach")

    # ------------------------------------------------------------------ reading
    def _today(self):
        return self._clock().date()

    def window(self, since):
        """(startDate, endDate) for ``since``: None (everything), a date (from it), or a cursor
        position (the rolling window: ``poll_window_days`` before that poll, at most before today)."""
        if not since:
            return None, None
        if len(since) == 10:
            return since, None
        try:
            moment = datetime.fromisoformat(since.replace("Z", "+00:00")).date()
        except ValueError:
            moment = self._today()
        start = min(moment, self._today()) - timedelta(days=self.settings.poll_window_days)
        return start.isoformat(), None

    def position(self):
        return self._clock().astimezone(UTC).isoformat(timespec="seconds")

    def _all(self, kind, start=None, end=None):
        if kind == "account":
            return records.accounts(self.client)
        if kind == "party":
            return records.contacts(self.client)
        if kind == "tax":
            return records.taxes(self.client, start, end)
        if kind in records.RECORD_KINDS:
            return records.records(self.client, kind, start, end)
        return []

    def changes(self, kind, since=None):
        start, end = self.window(since) if kind in records.RECORD_KINDS or kind == "tax" else (None, None)
        position = self.position()
        for record in self._all(kind, start, end):
            yield _schema_fit(kind, record), position

    def count(self, kind, since=None):
        """Live records of ``kind`` at Kashoo (from ``since`` for dated kinds); Kashoo has no count."""
        start, end = self.window(since) if kind in records.RECORD_KINDS else (None, None)
        return sum(
            1
            for record in self._all(kind, start, end)
            if not record.get("deleted") and not record.get("unmapped") and record.get("active", True)
        )

    def read(self, kind, external_id):
        if kind in records.RECORD_KINDS:
            return self._read_record(kind, external_id)
        for record in self._all(kind):
            if str(record.get("external_id")) == str(external_id):
                if record.get("unmapped"):
                    raise errors.PayloadValidationError(record["unmapped"]["reason"])
                return record
        raise errors.NotFoundError(f"Kashoo has no {kind} {external_id}")

    def _read_record(self, kind, external_id):
        record_id = mappers.kashoo_id(external_id, kind)
        roles = records.roles_of(kind, self.settings)
        doc = None
        if self.settings.record_path == "flat":
            doc = self.client.record(record_id)
        elif self.settings.record_path == "typed":
            for role in roles:
                try:
                    doc = self.client.record(record_id, ROLES[role][2])
                    break
                except errors.NotFoundError:
                    continue
        else:
            doc = next((d for d, _r, _w in records.record_docs(self.client, kind) if d.get("id") == record_id), None)
        if doc is None:
            raise errors.NotFoundError(f"Kashoo has no {kind} {external_id}")
        if doc.get("removed") is True:
            return mappers.deleted(doc)
        role = mappers.role_of(doc, self.settings, where=f"record {record_id}")
        if role is None or ROLES[role][0] != kind:
            raise errors.PayloadValidationError(f"Kashoo record {record_id} ({doc.get('type')}) is not a {kind}")
        record = records.canonical(doc, self.settings, expected=role, where=f"record {record_id}")
        if record.get("unmapped"):
            raise errors.PayloadValidationError(record["unmapped"]["reason"])
        return record

    def open_items(self):
        """Each contact's open receivable and payable: the balance due of its live invoices and bills."""
        result = {}
        for role, side in (("invoice", "receivable"), ("bill", "payable")):
            if self.settings.is_off(role):
                continue
            for doc in self.client.records(ROLES[role][2]):
                if doc.get("removed") or not doc.get("balanceDue"):
                    continue
                entry = result.setdefault(str(doc.get("contact")), {"receivable": Decimal(0), "payable": Decimal(0)})
                entry[side] += mappers.money(doc["balanceDue"], f"record {doc.get('id')} balanceDue")
        return result

    def balances(self):
        """Account balances: not available from Kashoo (no report or balance in any source)."""
        return None

    # ------------------------------------------------------------------ writing
    def _key(self, reference):
        return (self.settings.api_url, self.settings.business_id, reference)

    def write(self, kind, record, *, external_id=None, version=None, reference, idempotency_key=None):
        if kind not in self.writable_kinds:
            raise errors.PermanentError(f"Kashoo takes no {kind} from Odoo: {self.capability_notes.get(kind, '')}")
        if external_id:
            return self._update(kind, record, external_id, version, reference)
        key = self._key(reference)
        found = LOST.found_before(key, lambda: self.find_by_reference(kind, reference))
        if found:  # an earlier create lost its answer, and made the record
            return found
        with LOST.creating(key):
            doc = self._create(kind, record, reference)
        # a create answered by its URL alone, and not read back, has no version to compare with later
        return mappers.ext(doc["id"]), (mappers.version_of(doc) if len(doc) > 1 else None)

    def _remember(self, reference, kind, role, body):
        LOST.remember(self._key(reference), (kind, role, body))

    def _document(self, kind, record, reference):
        """(role, body) for an invoice or a payment; a turned-off role is refused with its reason."""
        if kind == "invoice":
            role, body = documents.document_from_canonical(record, self.settings, reference)
        else:
            role, body = payments.payment_from_canonical(record, self.settings, reference)
        if self.settings.is_off(role):
            raise errors.PermanentError(f"Kashoo {role.replace('_', ' ')}s are off: {self.settings.disabled[role]}")
        return role, body

    def _create(self, kind, record, reference):
        if kind == "account":
            body = mappers.account_from_canonical(record, self.settings)
            self._remember(reference, kind, None, body)
            return self.client.create_account(body)
        if kind == "party":
            if self.settings.is_off("contacts"):
                raise errors.PermanentError(f"Kashoo contacts are off: {self.settings.disabled['contacts']}")
            body = mappers.party_from_canonical(record)
            segment = "customers" if body["customer"] else "vendors"
            self._remember(reference, kind, None, body)
            return self.client.create_contact(segment if "{role}" in self.settings.contacts_path else None, body)
        role, body = self._document(kind, record, reference)
        self._remember(reference, kind, role, body)
        return self.client.create_record(ROLES[role][2], body)

    def _update(self, kind, record, external_id, version, reference):
        if kind not in ("invoice", "payment"):
            raise errors.PermanentError(f"Kashoo's API cannot change a {kind}: {self.capability_notes[kind]}")
        if self.settings.record_path == "none":
            raise errors.PermanentError("Kashoo's path to one record is unknown (record_path none): no update")
        role, body = self._document(kind, record, reference)
        record_id = mappers.kashoo_id(external_id, kind)
        collection = ROLES[role][2]
        current = self.client.record(record_id, collection)
        if version and mappers.version_of(current) != version and self.conflict_policy != "odoo":
            raise errors.ConflictError(
                f"Kashoo {role.replace('_', ' ')} {record_id} changed since the last sync",
                details={"remote_version": mappers.version_of(current)},
            )
        doc = self.client.update_record(record_id, collection, body)
        return mappers.ext(record_id), mappers.version_of(doc or current)

    def find_by_reference(self, kind, reference):
        """(external id, version) of what a create stamped with ``reference`` made, or None."""
        attempt = LOST.attempt(self._key(reference))
        if kind in ("invoice", "payment"):
            found = self._find_record(kind, reference, attempt)
        elif attempt:
            found = self._find_listed(kind, attempt[2])
        else:
            found = None  # contacts and accounts carry no stamp: only what this process sent identifies them
        return found  # a lost create stays "lost" until a write resolves it (the engine's bind may roll back)

    def _find_listed(self, kind, body):
        for record in self._all(kind):
            if record.get("unmapped") or record.get("deleted") or not _same(record.get("name"), body.get("name")):
                continue
            if kind == "party" and _same(record.get("email"), body.get("email")):
                return record["external_id"], record.get("version")
            if kind == "account" and (body.get("number") is None or _same(record.get("code"), str(body["number"]))):
                return record["external_id"], record.get("version")
        return None

    def _find_record(self, kind, reference, attempt):
        roles = [attempt[1]] if attempt else records.roles_of(kind, self.settings)
        day = attempt[2].get("date") if attempt else None
        for role in roles:
            for doc in self.client.records(ROLES[role][2], day, day):
                if isinstance(doc, dict) and mappers.reference_in(doc, reference):
                    return mappers.ext(doc["id"]), mappers.version_of(doc)
        return None

    def delete(self, kind, external_id, version=None):
        """Delete a document or payment (Kashoo marks it removed); contacts and accounts cannot be."""
        if kind not in ("invoice", "payment"):
            raise errors.PermanentError(f"Kashoo's API cannot delete a {kind}: {self.capability_notes.get(kind, '')}")
        record_id = mappers.kashoo_id(external_id, kind)
        if self.settings.record_path != "typed":
            return self.client.delete_record(record_id, None)
        for role in records.roles_of(kind, self.settings):
            try:
                return self.client.delete_record(record_id, ROLES[role][2])
            except errors.NotFoundError:
                continue
        raise errors.NotFoundError(f"Kashoo has no {kind} {external_id} to delete")


#: canonical fields the mappers emit ahead of connector_base's schemas (tax: compound, components)
PENDING_FIELDS = {"tax": ("compound", "components")}


@functools.cache
def _schema_fields(kind):
    with open(os.path.join(canonical.SCHEMA_DIR, canonical.KINDS[kind]), encoding="utf-8") as handle:
        return frozenset(json.load(handle)["properties"])


def _schema_fit(kind, record):
    """``record`` less the pending fields its canonical schema does not have yet (a schema that
    has them keeps them): until then a compound tax is mapped by hand in Odoo."""
    pending = [name for name in PENDING_FIELDS.get(kind, ()) if name in record]
    if not pending or record.get("unmapped"):
        return record
    known = _schema_fields(kind)
    return {key: value for key, value in record.items() if key in known or key not in pending}


def _same(a, b):
    return (a or "").strip().casefold() == (b or "").strip().casefold()
