"""Reckon contacts <-> canonical parties.

Reckon keeps one contact per company: ``/customers`` and ``/suppliers`` are two views of it,
and ``entityTypes`` says which it is (``isCustomer``, ``isSupplier``; a contact can be both).
So a party is one contact, external id the contact's id, ``roles`` from its entity types.
Writing goes through the view of a role the contact has; a PUT replaces the whole contact, so
it is built on the contact as Reckon has it: what Odoo does not know (a delivery address,
bank details, a credit limit, the TPAR flag) is sent back unchanged.
"""

from .common import country_code, country_name, meta, ref_id, text

ROLES = (("customer", "isCustomer"), ("vendor", "isSupplier"))
#: the fields each view takes (openapi.yaml CustomerInput / SupplierInput)
SHARED_INPUT = (
    "name",
    "organisationName",
    "branch",
    "notes",
    "businessNumber1",
    "businessNumber2",
    "status",
    "addresses",
    "phoneNumbers",
    "electronicAddresses",
    "entityTypes",
)
INPUT = {
    "customers": SHARED_INPUT + ("creditLimit", "paymentTerms"),
    "suppliers": SHARED_INPUT + ("isTpar", "bankDetails"),
}
ADDRESS_FIELDS = ("line1", "line2", "line3", "suburb", "town", "state", "postcode", "country")
PHONE_FIELDS = ("countryCode", "areaCode", "number", "extension")
#: the address a party has, in the order one is taken
ADDRESS_TYPES = ("Billing", "Business", "Delivery")


def _type(entry):
    kind = (entry or {}).get("type")
    return str(kind.get("name") if isinstance(kind, dict) else kind or "")


def _first(entries, *types):
    for wanted in types:
        for entry in entries or []:
            if _type(entry).casefold() == wanted.casefold():
                return entry
    return None


def phone_text(phone):
    if not phone:
        return None
    parts = [
        f"+{phone['countryCode']}" if phone.get("countryCode") else None,
        phone.get("areaCode"),
        phone.get("number"),
    ]
    value = " ".join(str(p) for p in parts if p)
    if phone.get("extension"):
        value += f" ext {phone['extension']}"
    return text(value, 64)


def roles_of(doc, view_role=None):
    types = doc.get("entityTypes") or {}
    roles = [role for role, flag in ROLES if types.get(flag)]
    return roles or ([view_role] if view_role else ["customer"])


def party_to_canonical(doc, view_role=None):
    """A contact (from either view) as a canonical party; ``view_role`` is the role of the
    view it was read from, for a contact that does not say (``entityTypes`` absent)."""
    address = _first(doc.get("addresses"), *ADDRESS_TYPES) or {}
    emails = doc.get("electronicAddresses")
    phones = doc.get("phoneNumbers")
    record = {
        "external_id": str(doc["id"]),
        **meta(doc),
        "name": doc.get("name") or doc.get("organisationName") or str(doc["id"]),
        "is_company": bool(doc.get("organisationName")),
        "company_name": text(doc.get("organisationName")),
        "roles": roles_of(doc, view_role),
        "email": text((_first(emails, "Email") or {}).get("address"), 240),
        "website": text((_first(emails, "Website") or {}).get("address"), 500),
        "phone": phone_text(
            _first(phones, "Work", "Home") or next((p for p in phones or [] if _type(p) != "Mobile"), None)
        ),
        "mobile": phone_text(_first(phones, "Mobile")),
        "active": doc.get("status", "Active") != "Inactive",
        "notes": text(doc.get("notes")),
        "address": {
            "street": text(address.get("line1"), 500),
            "street2": text(" ".join(filter(None, (address.get("line2"), address.get("line3")))), 500),
            "city": text(address.get("town") or address.get("suburb"), 128),
            "zip": text(address.get("postcode"), 32),
            "state_code": text(address.get("state"), 64),
            "country_code": country_code(address.get("country")),
        },
    }
    vat = doc.get("businessNumber1") or doc.get("businessNumber")
    if vat:
        record["vat"] = text(vat, 64)
    term = ref_id(doc.get("paymentTerms"))
    if term:
        record["payment_term"] = term
    return record


# ====================================================================== canonical -> Reckon
def _as_input(value):
    """An answered value as input: ``{id, name}`` references become the id, types their name."""
    if isinstance(value, list):
        return [_as_input(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value and set(value) <= {"id", "name"} and "id" in value:
        return value["id"]
    out = {k: _as_input(v) for k, v in value.items() if k != "id"}
    if isinstance(value.get("type"), dict):
        out["type"] = value["type"].get("name") or value["type"].get("id")
    return out


def contact_input(current, view):
    """The input body of a contact as Reckon has it (what a PUT must send to keep it)."""
    body = {k: _as_input(current[k]) for k in INPUT[view] if current.get(k) not in (None, "", [])}
    for key, fields in (("addresses", ADDRESS_FIELDS), ("phoneNumbers", PHONE_FIELDS)):
        body[key] = [{f: e[f] for f in (*fields, "type") if e.get(f) not in (None, "")} for e in body.get(key, [])]
    body["electronicAddresses"] = [
        {"type": e["type"], "address": e["address"]} for e in body.get("electronicAddresses", []) if e.get("address")
    ]
    types = body.get("entityTypes") or {}
    body["entityTypes"] = {
        flag: True for flag in ("isCustomer", "isSupplier", "isEmployee", "isSuperfund") if types.get(flag)
    }
    if view == "suppliers":
        body.setdefault("isTpar", False)
    bank = body.get("bankDetails")
    if bank and bank.get("bankBranchNumber"):  # answered as kept, taken as digits only (a BSB 062-000)
        body["bankDetails"] = dict(
            bank, bankBranchNumber="".join(c for c in str(bank["bankBranchNumber"]) if c.isdigit())
        )
    return body


def _replace(entries, kind, entry):
    """``entries`` with the one of type ``kind`` replaced by ``entry`` (removed when None)."""
    kept = [e for e in entries if str(e.get("type", "")).casefold() != kind.casefold()]
    return [entry, *kept] if entry else kept


def party_view(record):
    """The view a new contact is created through: customers when it sells to it."""
    return "customers" if "customer" in record["roles"] else "suppliers"


def party_from_canonical(record, view, current=None):
    """The CustomerInput/SupplierInput of a party, on top of the contact Reckon has (``current``)."""
    body = contact_input(current, view) if current else {"entityTypes": {}}
    body["name"] = record["name"].strip()[:100]
    company = record.get("company_name") or (record["name"] if record.get("is_company") else None)
    if company:
        body["organisationName"] = company[:100]
    else:
        body.pop("organisationName", None)
    if record.get("notes"):
        body["notes"] = record["notes"][:1000]
    else:
        body.pop("notes", None)
    if record.get("vat"):
        body["businessNumber1"] = record["vat"].replace(" ", "")[:20]
    body["status"] = "Active" if record.get("active", True) else "Inactive"
    address = record.get("address") or {}
    # the address the party was read from (party_to_canonical's order), else a new Billing one
    kind = next((t for t in ADDRESS_TYPES if _first(body.get("addresses"), t)), "Billing")
    billing = None
    if any(address.values()):
        billing = {
            "type": kind,
            "line1": (address.get("street") or "")[:80],
            "line2": (address.get("street2") or "")[:80],
            "town": (address.get("city") or "")[:80],
            "state": (address.get("state_code") or "")[:80],
            "postcode": (address.get("zip") or "")[:30],
            "country": (country_name(address.get("country_code")) or "")[:30],
        }
        billing = {k: v for k, v in billing.items() if v}
    body["addresses"] = _replace(body.get("addresses", []), kind, billing)
    for kind, value in (("Work", record.get("phone")), ("Mobile", record.get("mobile"))):
        body["phoneNumbers"] = _replace(
            body.get("phoneNumbers", []), kind, {"type": kind, "number": value[:30]} if value else None
        )
    for kind, value, limit in (("Email", record.get("email"), 100), ("Website", record.get("website"), 100)):
        body["electronicAddresses"] = _replace(
            body.get("electronicAddresses", []), kind, {"type": kind, "address": value[:limit]} if value else None
        )
    types = dict(body.get("entityTypes") or {})
    for role, flag in ROLES:  # a role is added, never taken away: the contact may be in use for it
        if role in record["roles"]:
            types[flag] = True
    body["entityTypes"] = types
    if view == "customers" and record.get("payment_term"):
        body["paymentTerms"] = str(record["payment_term"])
    if view == "suppliers":
        body.setdefault("isTpar", False)
    return {k: v for k, v in body.items() if k in INPUT[view] and v not in (None, "", [])}
