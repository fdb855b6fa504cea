"""Which reference a QuickBooks "Object Not Found" (610) is about.

QuickBooks answers 610 for any reference of a document it cannot use (a customer, item,
account, tax code, term, linked invoice... that does not exist or is inactive) and never
says which one. These helpers name it: for a read, the document read; for a write, the
references of the document sent, each looked up (only after a 610, at most ``MAX_LOOKUPS``).
"""

from odoo.addons.connector_base.lib import errors

from . import mappers

#: reference keys of QuickBooks documents -> the entity they point to
REF_ENTITIES = {
    "CustomerRef": "Customer",
    "VendorRef": "Vendor",
    "ItemRef": "Item",
    "AccountRef": "Account",
    "APAccountRef": "Account",
    "ARAccountRef": "Account",
    "BankAccountRef": "Account",
    "CCAccountRef": "Account",
    "DepositToAccountRef": "Account",
    "DiscountAccountRef": "Account",
    "IncomeAccountRef": "Account",
    "ExpenseAccountRef": "Account",
    "AssetAccountRef": "Account",
    "TaxCodeRef": "TaxCode",
    "TxnTaxCodeRef": "TaxCode",
    "SalesTermRef": "Term",
    "TermRef": "Term",
    "PaymentMethodRef": "PaymentMethod",
}
#: what a person maps to fix a missing reference of these entities (else: its binding)
MAPPING_MODELS = {
    "Account": "connector.account.mapping",
    "TaxCode": "connector.tax.mapping",
    "Term": "connector.payment.term.mapping",
    "PaymentMethod": "connector.payment.method.mapping",
}
MAX_LOOKUPS = 25


def references(body):
    """(entity, id) of every record a QuickBooks document refers to, once each, in order."""
    found = []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if node.get("TxnId") and node.get("TxnType") in mappers.ENTITY_KIND:
            found.append((node["TxnType"], str(node["TxnId"])))
        for key, value in node.items():
            entity = REF_ENTITIES.get(key)
            if key == "EntityRef" and node.get("Type") in ("Customer", "Vendor"):
                entity = node["Type"]
            doc_id = mappers.ref(node, key) if entity else None
            if doc_id and not (entity == "TaxCode" and doc_id in ("TAX", "NON")):
                found.append((entity, doc_id))
            elif isinstance(value, dict | list):
                walk(value)

    walk(body)
    return list(dict.fromkeys(found))


def _missing(entity, doc_id, message):
    return errors.MissingReferenceError(
        message,
        mapping_model=MAPPING_MODELS.get(entity, "connector.binding"),
        external_id=mappers.ext_id(entity, doc_id),
    )


def not_in_quickbooks(entity, doc_id):
    """A record read as the reference of another (a document's customer, a payment's invoice)
    that this connection has not imported and QuickBooks does not have."""
    return _missing(
        entity,
        doc_id,
        f"{entity} {doc_id} is not known to this connection, and QuickBooks has no {entity} {doc_id} (610 "
        f"Object Not Found: deleted, merged into another, or never in this company). Fix: import it (once it "
        f"is in QuickBooks), or map it: link {mappers.ext_id(entity, doc_id)} to its Odoo record. Then Retry.",
    )


def refused_write(client, entity, body, error, doc_id=None):
    """The typed error of a 610 answered to a write of ``body``: the first reference that
    QuickBooks does not have or has inactive (the document itself first, for an update)."""
    candidates = ([(entity, str(doc_id))] if doc_id else []) + references(body)
    for ref_entity, ref_id in candidates[:MAX_LOOKUPS]:
        itself = (ref_entity, ref_id) == (entity, str(doc_id))
        subject = f"{ref_entity} {ref_id} itself" if itself else f"its {ref_entity} {ref_id}"
        try:
            doc = client.read(ref_entity, ref_id)
        except errors.NotFoundError:
            return _missing(
                ref_entity,
                ref_id,
                f"QuickBooks refused the {entity}: {subject} is not in QuickBooks any more (610 Object Not Found: "
                f"deleted or merged there). Fix: import it again, or map the Odoo record to the QuickBooks "
                f"{ref_entity} that took its place. Then Retry.",
            )
        if doc.get("Active") is False:
            fix = f"make it active in QuickBooks, or map the Odoo record to another QuickBooks {ref_entity}"
            state = "inactive"
        elif mappers.is_voided(doc):
            fix = f"the void reaches Odoo with the next poll; then apply the {entity} to an open document"
            state = "voided"
        else:
            continue
        return _missing(
            ref_entity,
            ref_id,
            f"QuickBooks refused the {entity}: {subject} is {state} in QuickBooks (610 Object Not Found). Fix: "
            f"{fix}. Then Retry.",
        )
    named = ", ".join(f"{e} {i}" for e, i in candidates[:MAX_LOOKUPS]) or "nothing"
    return errors.NotFoundError(f"{error} (the {entity} refers to {named}: each is in QuickBooks and active)")
