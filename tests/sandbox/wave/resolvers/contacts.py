"""customerCreate, customerPatch, customerDelete (vendors have no mutations: they are read-only)."""

from ..store import InputErrors, input_error
from .mutate import check_address, check_email, mutation, required_text

FIELDS = (
    "firstName",
    "lastName",
    "displayId",
    "mobile",
    "phone",
    "fax",
    "tollFree",
    "website",
    "internalNotes",
    "currency",
)


def _shipping(value, path):
    if value is None:
        return None
    return {
        "name": value.get("name"),
        "address": check_address(value.get("address"), [*path, "address"]),
        "phone": value.get("phone"),
        "instructions": value.get("instructions"),
    }


def _apply(record, data):
    for key in FIELDS:
        if key in data:
            record[key] = data[key]
    if "name" in data:
        record["name"] = required_text(data["name"], ["name"], "Name")
    if "email" in data:
        record["email"] = check_email(data["email"], ["email"])
    if "address" in data:
        record["address"] = check_address(data["address"], ["address"])
    if "shippingDetails" in data:
        record["shippingDetails"] = _shipping(data["shippingDetails"], ["shippingDetails"])


@mutation("customer")
def customer_create(info, data):
    business = info.context.business_for(data["businessId"], ["businessId"])
    record = {"name": None, "email": None, "address": None, "shippingDetails": None, "isArchived": False}
    record.update({key: None for key in FIELDS})
    _apply(record, data)
    return {"customer": business.add("Customer", record)}


@mutation("customer")
def customer_patch(info, data):
    business = info.context.business_for(data["id"], ["id"])
    record = business.get("Customer", data["id"], ["id"])
    draft = dict(record)
    _apply(draft, data)  # all checks pass before anything changes
    record.update(draft)
    business.touch("Customer", record)
    return {"customer": record}


@mutation()
def customer_delete(info, data):
    business = info.context.business_for(data["id"], ["id"])
    number = business.number("Customer", data["id"], ["id"])
    if any(invoice["customer"] == number for invoice in business.tables["Invoice"].values()):
        raise InputErrors(input_error(["id"], "A customer with invoices cannot be deleted.", "INVALID"))
    business.remove("Customer", number)
    return {}


MUTATIONS = {"customerCreate": customer_create, "customerPatch": customer_patch, "customerDelete": customer_delete}
