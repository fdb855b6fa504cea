"""Reading Kashoo's records, accounts and contacts as canonical records, for the adapter.

Each records collection holds one role (``records/invoices`` invoices, ...) and its records'
``type`` must be the one the type map gives that role. The generic ``/records`` list is where a
record of a type nobody mapped shows up: the journal entries' pass reads it, maps transfers and
hands every record of an unknown type on as ``unmapped`` (quarantine, naming the type). A
collection, contacts, accounts or ``/records`` the connection has turned off is not read.
"""

from odoo.addons.connector_base.lib import errors

from . import documents, mappers, payments
from .settings import ROLES

RECORD_KINDS = ("invoice", "payment", "journal_entry")


def canonical(doc, settings, *, expected=None, where=None):
    """The canonical record of one Kashoo record, a deletion, ``unmapped`` or None (mapped to skip)."""
    if not isinstance(doc, dict):
        return mappers.unmapped({"id": None}, _error(f"{where}: Kashoo sent {doc!r} where a record belongs"))
    try:
        if doc.get("removed") is True:
            return mappers.deleted(doc)
        role = mappers.role_of(doc, settings, where=where, expected=expected)
        if role is None:
            return None
        if role in documents.MOVE_TYPES:
            return documents.document_to_canonical(doc, role, settings)
        if role in payments.PAYMENT_TYPES:
            return payments.payment_to_canonical(doc, role, settings)
        return payments.transfer_to_canonical(doc, settings)
    except errors.PermanentError as exc:
        return mappers.unmapped(doc, exc)


def _error(message):
    return errors.PayloadValidationError(message)


def roles_of(kind, settings):
    """The roles of a canonical kind this connection reads (not turned off)."""
    return [role for role, (k, _d, _c) in ROLES.items() if k == kind and not settings.is_off(role)]


def record_docs(client, kind, start=None, end=None):
    """(doc, expected role, where) of every Kashoo record of ``kind`` dated within [start, end]."""
    settings = client.settings
    generic = kind == "journal_entry" and not settings.is_off("records")
    if not generic:
        for role in roles_of(kind, settings):
            collection = ROLES[role][2]
            for doc in client.records(collection, start, end):
                yield doc, role, f"records/{collection}"
        return
    for doc in client.records(None, start, end):
        role = settings.role_of_type(doc.get("type")) if isinstance(doc, dict) else None
        if role is None and isinstance(doc, dict) and doc.get("removed") is True:
            continue  # a removed record of a type nobody mapped: nothing of ours to undo
        if role is None or (ROLES[role][0] == kind and not settings.is_off(role)):
            yield doc, None, "records"


def sort_key(doc):
    """Oldest first: by date, then by id (a record without a date first)."""
    doc_id = doc.get("id") if isinstance(doc, dict) else None
    return ((doc.get("date") or "") if isinstance(doc, dict) else "", doc_id if isinstance(doc_id, int) else 0)


def records(client, kind, start=None, end=None):
    """Canonical records (and deletions, ``unmapped``) of a record kind, oldest first."""
    found = sorted(record_docs(client, kind, start, end), key=lambda item: sort_key(item[0]))
    for doc, role, where in found:
        record = canonical(doc, client.settings, expected=role, where=where)
        if record is not None:
            yield record


def contacts(client):
    """Every contact once, its roles from its flags and the lists it is in; oldest id first."""
    settings = client.settings
    if settings.is_off("contacts"):
        return []
    merged, roles = {}, {}
    for segment in client.contact_roles():
        for doc in client.contacts(segment):
            key = doc.get("id") if isinstance(doc, dict) else None
            merged.setdefault(key, doc)
            if segment:
                roles.setdefault(key, set()).add(segment[:-1])  # customers -> customer
    ordered = sorted(merged, key=lambda k: k if isinstance(k, int) else 0)
    return each(
        [merged[key] for key in ordered],
        lambda doc: mappers.party_to_canonical(doc, settings, roles.get(doc.get("id"), ())),
    )


def each(docs, mapper):
    """Every document mapped, or ``unmapped`` with the reason when its mapper refuses it."""
    result = []
    for doc in docs:
        if not isinstance(doc, dict):
            result.append(mappers.unmapped({"id": None}, _error(f"Kashoo sent {doc!r} where an object belongs")))
            continue
        try:
            result.append(mapper(doc))
        except errors.PermanentError as exc:
            result.append(mappers.unmapped(doc, exc))
    return result


def accounts(client):
    settings = client.settings
    if settings.is_off("accounts"):
        return []
    return each(client.accounts(), lambda doc: mappers.account_to_canonical(doc, settings))


def taxes(client, start=None, end=None):
    """Taxes from the business's tax list when it has one, else from its invoices' and bills' tax lines."""
    settings = client.settings
    if settings.tax_list:
        return each(client.taxes(), lambda doc: documents.tax_from_list(doc, settings))
    docs = [
        (doc, role)
        for doc, role, _where in record_docs(client, "invoice", start, end)
        if isinstance(doc, dict) and not doc.get("removed") and settings.role_of_type(doc.get("type")) == role
    ]
    found, problems = documents.taxes_from_documents(docs, settings)
    for code, doc in problems:
        error = _error(
            f"Kashoo tax {code!r} is named on document lines but no tax line gives its rate"
            + (f" (first seen on record {doc.get('id')})" if doc else "")
        )
        found.append({"external_id": code, "unmapped": {"reason": error.message, "type": "tax"}})
    return found
