"""Writing to a Reckon book: create, update, find a write whose answer was lost, delete.

Reckon takes no idempotency key. So a create (POST) is sent once: when its answer is lost
the client raises ``OutcomeUnknownError`` and the engine calls ``find_by_reference`` before
anything is written again. Documents carry the Odoo stamp (``odoo:<model>:<id>``) in their
``notes`` (bills: ``Notes``; journals: ``Summary``) and are found by it; contacts, items and
accounts, whose names Reckon keeps unique, by name. An update (PUT) replaces the record, so
it is built on the record Reckon has; Reckon has no version token either, so the version is
``lastModifiedDateTime`` or a digest of the document (``mappers.common.version_of``): an
update finds the record changed in Reckon since the last sync and, unless the connection
lets Odoo win, refuses it as a conflict. A document is created Draft and approved.
"""

import logging

from odoo.addons.connector_base.lib import errors

from . import mappers
from .client import where
from .faults import ReckonValidationError
from .mappers.common import carries, money, version_of
from .mappers.documents import approval

_logger = logging.getLogger(__name__)
#: where each table keeps the stamp
STAMP_FIELDS = {
    "invoices": "notes",
    "creditnotes": "notes",
    "receipts": "notes",
    "bills": "Notes",
    "journals": "Summary",
}
LIST_TABLES = {"product": "items", "account": "ledgeraccounts"}


class _Names:
    """Tax names, read only when a line needs one."""

    def __init__(self, adapter):
        self.adapter = adapter

    def get(self, key, default=None):
        return self.adapter.tax_names().get(key, default)


class ReckonWriting:
    """Mixed into ReckonAdapter."""

    def write(self, kind, record, *, external_id=None, version=None, reference, idempotency_key=None):
        if kind not in self.writable_kinds:
            raise errors.PayloadValidationError(f"Reckon does not take {kind} records from Odoo")
        return getattr(self, f"_write_{'list' if kind in LIST_TABLES else kind}")(
            kind, record, external_id, version, reference
        )

    # ------------------------------------------------------------------ helpers
    def _check_version(self, current, version, what):
        """Refuse an update of a record changed in Reckon since the last sync (unless Odoo wins)."""
        remote = version_of(current)
        if version and remote != version and self.conflict_policy != "odoo":
            raise errors.ConflictError(
                f"{what} changed in Reckon since the last sync (version {version} -> {remote})",
                details={"remote_version": remote},
            )

    def _version_after(self, table, doc_id):
        """The version of a record just written (None when it cannot be read now: the write
        stands, and must not be repeated for a failed read)."""
        try:
            return version_of(self.client.get(self.path(table), doc_id))
        except errors.ConnectorError as exc:
            _logger.info("Reckon %s %s written; its version is not known yet: %s", table, doc_id, exc)
            return None

    def _created(self, table, body, reference, **attempt):
        self._attempts[reference] = dict(attempt, table=table, body=body)
        doc_id = str(self.client.create(self.path(table), body)["id"])
        self._attempts[reference]["id"] = doc_id
        return doc_id

    def _approve(self, table, doc_id):
        if table == "bills":
            self.client.action(f"bills/{doc_id}/approve")
        else:
            self.client.patch(self.path(table), doc_id, {"status": "Approved"})

    # ------------------------------------------------------------------ master data
    def _write_party(self, kind, record, external_id, version, reference):
        if external_id:
            first = "customers" if "customer" in record["roles"] else "suppliers"
            current, role = self._contact(external_id, first)
            view = "customers" if role == "customer" else "suppliers"
            self._check_version(current, version, f"Reckon contact {current.get('name')}")
            self.client.replace(view, external_id, mappers.party_from_canonical(record, view, current))
            return str(external_id), self._version_after(view, external_id)
        view = mappers.party_view(record)
        body = mappers.party_from_canonical(record, view)
        try:
            doc_id = self._created(view, body, reference)
        except ReckonValidationError as exc:
            if "name" not in exc.locations:
                raise
            doc_id = self._on_name_collision(record, exc)
        return doc_id, self._version_after(view, doc_id)

    def _on_name_collision(self, record, exc):
        """Reckon keeps contact names unique, whatever their case: a contact of this name with
        the same e-mail or ABN is this party (it gets the roles it lacks), any other is a collision."""
        name = record["name"].strip()[:100]
        for view in ("customers", "suppliers"):
            for doc in self.client.iterate(view, filter=where("tolower(name)", "eq", name.lower())):
                found = mappers.party_to_canonical(doc)
                same = any(
                    found.get(key)
                    and record.get(key)
                    and found[key].casefold() == record[key].replace(" ", "").casefold()
                    for key in ("email", "vat")
                )
                if same and self.name_collision != "quarantine":
                    body = mappers.party_from_canonical(
                        dict(record, roles=sorted({*record["roles"], *found["roles"]})), view, doc
                    )
                    self.client.replace(view, doc["id"], body)
                    _logger.info("Reckon contact %s already existed as %s: linked", name, doc["id"])
                    return str(doc["id"])
        raise errors.NameCollisionError(f"Reckon already has another contact named {name!r}: {exc}") from exc

    def _write_list(self, kind, record, external_id, version, reference):
        table = LIST_TABLES[kind]
        current = self._get(table, external_id) if external_id else None
        if current:
            self._check_version(current, version, f"Reckon {table[:-1]} {current.get('name')}")
        if kind == "product":
            income, sold_on = None, ((current or {}).get("sale") or {}).get("ledgerAccount")
            if record.get("sale_price") is not None and not record.get("income_account") and not sold_on:
                income = self.income_account or self._default_income()
            body = mappers.product_from_canonical(
                record, current=current, income_account=income, expense_account=self.expense_account
            )
        else:
            body = mappers.account_from_canonical(record, current=current)
        if current:
            self.client.replace(table, external_id, body)
            return str(external_id), self._version_after(table, external_id)
        doc_id = self._created(table, body, reference)
        return doc_id, self._version_after(table, doc_id)

    def _default_income(self):
        for doc in self.client.iterate("ledgeraccounts", filter=where("accountType", "eq", "Income")):
            self.income_account = str(doc["id"])
            return self.income_account
        return None

    # ------------------------------------------------------------------ documents
    def _write_invoice(self, kind, record, external_id, version, reference):
        move_type = record["move_type"]
        if move_type == "in_invoice":
            table = "bills"
            body = mappers.bill_from_canonical(
                record, reference=reference, tax_names=_Names(self), accounts=self._purchase_accounts(record)
            )
        elif move_type in ("out_invoice", "out_refund"):
            table, body = mappers.sales_from_canonical(record, reference=reference, tax_names=_Names(self))
        else:
            raise errors.PayloadValidationError("Reckon's API has no supplier adjustment notes (vendor credit notes)")
        entity, status = mappers.TABLE_ENTITIES[table], approval(record)
        if external_id:
            doc_id = mappers.split_id(external_id, entity)[1]
            current = self._get(table, doc_id)
            self._check_version(current, version, f"Reckon {entity} {doc_id}")
            self.client.replace(self.path(table), doc_id, body)
            if status and (current.get("status") or current.get("Status")) in ("Draft", 1):
                self._approve(table, doc_id)
            return external_id, self._version_after(table, doc_id)
        doc_id = self._created(table, body, reference, approve=bool(status))
        if status:
            try:
                self._approve(table, doc_id)
            except errors.ConnectorError as exc:  # created: never create it again; found and approved later
                raise errors.OutcomeUnknownError(
                    f"Reckon {entity} {doc_id} was created but not approved ({exc}): it is found by its stamp"
                ) from exc
            self._attempts[reference]["approve"] = False
        return mappers.ext_id(entity, doc_id), self._version_after(table, doc_id)

    def _purchase_accounts(self, record):
        """Item id -> the ledger account it is bought on, for bill lines that name only an item."""
        accounts = {}
        for line in record.get("lines") or []:
            product = line.get("product")
            if product and not line.get("account") and str(product) not in accounts:
                item = self._get("items", product)
                account = mappers.common.ref_id((item.get("purchase") or {}).get("ledgerAccount"))
                accounts[str(product)] = account or self.expense_account
        return accounts

    def _write_journal_entry(self, kind, record, external_id, version, reference):
        body = mappers.journal_from_canonical(record, reference=reference, tax_names=_Names(self))
        if external_id:
            current = self._get("journals", external_id)
            self._check_version(current, version, f"Reckon journal {current.get('JournalNumber')}")
            self.client.replace("journals", external_id, body)
            return str(external_id), self._version_after("journals", external_id)
        doc_id = self._created("journals", body, reference)
        return doc_id, self._version_after("journals", doc_id)

    # ------------------------------------------------------------------ payments
    def _write_payment(self, kind, record, external_id, version, reference):
        if mappers.payments.is_credit_application(record):
            return self._write_application(record, external_id, reference)
        body = mappers.receipt_from_canonical(record, reference=reference)
        if external_id:
            doc_id = mappers.split_id(external_id, "Receipt")[1]
            current = self._get("receipts", doc_id)
            self._check_version(current, version, f"Reckon receipt {current.get('receiptNumber')}")
            self.client.replace("receipts", doc_id, body)
            return external_id, self._version_after("receipts", doc_id)
        doc_id = self._created("receipts", body, reference)
        return mappers.ext_id("Receipt", doc_id), self._version_after("receipts", doc_id)

    def _links(self, note_id):
        note = self._get("creditnotes", note_id)
        return note, {
            str(link["transactionId"]).lower(): link
            for link in note.get("transactionLinks") or []
            if link.get("transactionType") == "Invoice"
        }

    def _write_application(self, record, external_id, reference):
        """A credit note applied to invoices: the credit note's ``transactionLinks``, each added
        or changed once (a repeat finds them there); on an update, links Odoo no longer has go."""
        note_id, wanted = mappers.payments.application_links(record)
        if external_id and mappers.split_id(external_id, "CreditApplication")[1].lower() != note_id.lower():
            raise errors.PayloadValidationError("The credit note of a credit allocation cannot change")
        self._attempts[reference] = {"table": "creditnotes", "application": (note_id, wanted)}
        _note, existing = self._links(note_id)
        links = f"creditNotes/{note_id}/transactionlinks"
        for invoice, amount in wanted.items():
            link = existing.pop(invoice.lower(), None)
            if link is None:
                self.client.create(
                    f"creditNotes/{note_id}/transactionLinks",
                    {"transactionId": invoice, "transactionType": "Invoice", "transactionAmount": amount},
                )
            elif money(link.get("transactionAmount")) != amount:
                self.client.patch(links, link["linkId"], {"transactionAmount": amount})
        for link in existing.values() if external_id else ():
            self.client.delete(links, link["linkId"])
        note, _links = self._links(note_id)
        application = mappers.credit_application(note, currency=self.currency)
        return mappers.ext_id("CreditApplication", note_id), application["version"] if application else None

    # ------------------------------------------------------------------ lost answers
    def find_by_reference(self, kind, reference):
        """The record a write whose answer was lost made, or None: by what that write sent
        (this adapter's memory of it), else by the stamp in the documents of ``kind``."""
        attempt = self._attempts.get(reference) or {}
        if attempt.get("id"):
            table, doc_id = attempt["table"], attempt["id"]
            return self._found(table, self._get(table, doc_id), attempt)
        if attempt.get("application"):
            note_id, wanted = attempt["application"]
            note, existing = self._links(note_id)
            done = all(
                i.lower() in existing and money(existing[i.lower()]["transactionAmount"]) == a
                for i, a in wanted.items()
            )
            if not done:
                return None
            return mappers.ext_id("CreditApplication", note_id), mappers.credit_application(
                note, currency=self.currency
            )["version"]
        if attempt.get("table") in ("customers", "suppliers", "items", "ledgeraccounts"):
            body = attempt["body"]
            clause = where("accountCode", "eq", body["accountCode"]) if body.get("accountCode") else None
            for doc in self.client.iterate(attempt["table"], filter=clause or where("name", "eq", body["name"])):
                return str(doc["id"]), version_of(doc)
            return None
        tables = [attempt["table"]] if attempt.get("table") else mappers.KIND_TABLES.get(kind, ())
        for table in tables:
            field = STAMP_FIELDS.get(table)
            if not field or table in self.unavailable or (kind == "payment" and table == "creditnotes"):
                continue
            for doc in self.client.iterate(table, filter=where(field, "contains", reference)):
                if carries(doc.get(field), reference):
                    return self._found(table, doc, attempt)
        return None

    def finish_found(self, kind, found, data):
        """A document found by its stamp after its job died (this process's memory of the write
        gone with it) is approved when the Odoo record is posted: the job may have died between
        Reckon's create (Draft) and the approval, which would leave it Draft for good, refusing
        the payments Odoo then sends."""
        if kind != "invoice" or not approval(data):
            return found
        entity, doc_id = mappers.split_id(
            found[0], *(mappers.TABLE_ENTITIES[t] for t in mappers.KIND_TABLES["invoice"])
        )
        table = mappers.ENTITY_TABLES[entity]
        return self._found(table, self._get(table, doc_id), {"approve": True})

    def _found(self, table, doc, attempt):
        key = mappers.ID_FIELDS.get(table, "id")
        entity = mappers.TABLE_ENTITIES.get(table, "")
        if attempt.get("approve") and (doc.get("status") or doc.get("Status")) in ("Draft", 1):
            try:
                self._approve(table, doc[key])
                doc = self._get(table, doc[key])
            except errors.ConnectorError as exc:  # it exists: bound now, approved in Reckon by a person
                _logger.warning("Reckon %s %s stays Draft: %s", entity or table, doc[key], exc)
        return mappers.ext_id(entity, doc[key]), version_of(doc)

    # ------------------------------------------------------------------ deleting
    def delete(self, kind, external_id, version=None):
        """Contacts, items and accounts are deactivated (Reckon refuses to delete one in use);
        documents, receipts and journals deleted; a credit allocation's links removed."""
        try:
            if kind == "party":
                _doc, role = self._contact(external_id)
                self.client.patch(
                    "customers" if role == "customer" else "suppliers", external_id, {"status": "Inactive"}
                )
            elif kind in LIST_TABLES:
                self.client.patch(LIST_TABLES[kind], external_id, {"status": "Inactive"})
            elif kind == "journal_entry":
                self.client.delete("journals", external_id)
            else:
                entity, doc_id = mappers.split_id(external_id)
                if entity == "CreditApplication":
                    _note, existing = self._links(doc_id)
                    for link in existing.values():
                        self.client.delete(f"creditNotes/{doc_id}/transactionlinks", link["linkId"])
                elif entity in ("Invoice", "CreditNote", "Bill", "Receipt"):
                    self.client.delete(self.path(mappers.ENTITY_TABLES[entity]), doc_id)
                else:
                    raise errors.PayloadValidationError(f"Reckon's API cannot delete {external_id}")
        except errors.NotFoundError:
            _logger.info("Reckon %s %s was already gone", kind, external_id)
