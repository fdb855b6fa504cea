"""Customers (both ways) and vendors (import only: Wave's API has no vendor mutation).

Wave keeps customers and vendors as separate records with ids of their own, so a party is
bound once per role (``party_roles_separate``). A customer created from Odoo carries the
``odoo:res.partner:<id>`` stamp in its ``displayId`` (Wave's account number), which is how a
create whose answer was lost is found again.
"""

from .common import code, meta, province_to_state, refuse, state_to_province, text

#: the canonical fields a customer patch sends (and what Wave calls them)
FIELDS = (
    ("name", "name"),
    ("email", "email"),
    ("phone", "phone"),
    ("mobile", "mobile"),
    ("website", "website"),
    ("notes", "internalNotes"),
)


def _is_person(doc):
    first, last = text(doc.get("firstName")), text(doc.get("lastName"))
    return bool(first and last and text(doc.get("name")) == f"{first} {last}")


def _address(value):
    value = value or {}
    country = code(value, "country")
    return {
        "street": text(value.get("addressLine1"), 500),
        "street2": text(value.get("addressLine2"), 500),
        "city": text(value.get("city"), 128),
        "zip": text(value.get("postalCode"), 32),
        "state_code": text(province_to_state(code(value, "province"), country), 64),
        "country_code": country,
    }


def contact_to_canonical(doc, role):
    """A Wave Customer (``role`` customer) or Vendor (``role`` vendor) as a canonical party."""
    record = {
        "external_id": doc["id"],
        **meta(doc),
        "name": text(doc.get("name")) or text(doc.get("email")) or doc["id"],
        "is_company": not _is_person(doc),
        "roles": [role],
        "email": text(doc.get("email"), 240),
        "phone": text(doc.get("phone"), 64),
        "mobile": text(doc.get("mobile"), 64),
        "website": text(doc.get("website"), 500),
        "notes": text(doc.get("internalNotes")),
        "active": not doc.get("isArchived"),
        "address": _address(doc.get("address")),
    }
    currency = code(doc, "currency")
    if currency:
        record["currency"] = currency
    return record


def customer_to_canonical(doc):
    return contact_to_canonical(doc, "customer")


def vendor_to_canonical(doc):
    return contact_to_canonical(doc, "vendor")


def _address_input(address):
    address = address or {}
    if not any(address.values()):
        return None
    country = address.get("country_code")
    return {
        "addressLine1": address.get("street"),
        "addressLine2": address.get("street2"),
        "city": address.get("city"),
        "provinceCode": state_to_province(address.get("state_code"), country),
        "countryCode": country,
        "postalCode": address.get("zip"),
    }


def customer_from_canonical(record, *, creating, reference=None):
    """CustomerCreateInput (without businessId) or CustomerPatchInput (without id).

    Only a party with the customer role goes to Wave; a vendor cannot be written there."""
    if "customer" not in (record.get("roles") or []):
        raise refuse(
            f"{record.get('name')}: Wave's API cannot create or change vendors (they are read-only there); "
            "only customers are sent to Wave"
        )
    data = {wave: record.get(field) or None for field, wave in FIELDS}
    data["name"] = text(record.get("name")) or record.get("email")
    address = _address_input(record.get("address"))
    if address or not creating:
        data["address"] = address
    if creating:
        data["displayId"] = reference  # the stamp that finds a create whose answer was lost
        if record.get("currency"):
            data["currency"] = record["currency"]  # set once, as for an Odoo partner's first invoice
        data = {key: value for key, value in data.items() if value is not None}
    return data
