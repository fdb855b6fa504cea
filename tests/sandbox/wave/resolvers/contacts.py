"""customerCreate, customerPatch, customerDelete (vendors have no mutations: they are read-only)."""

from ..store import CONTACT_FIELDS, InputErrors, input_error
from .mutate import check_address, check_email, mutation, patcher, required_text, target

FIELDS = tuple(f for f in CONTACT_FIELDS if f not in ("name", "email")) + ("currency",)


def _shipping(value, path):
    if value is None:
        return None
    return {
        "name": value.get("name"),
        "address": check_address(value.get("address"), [*path, "address"]),
        "phone": value.get("phone"),
        "instructions": value.get("instructions"),
    }


def _apply(business, record, data):
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
    _apply(business, record, data)
    return {"customer": business.add("Customer", record)}


customer_patch = patcher("Customer", "customer", _apply)


@mutation()
def customer_delete(info, data):
    business, record = target(info, data, "Customer")
    number = record["n"]
    if any(invoice["customer"] == number for invoice in business.tables["Invoice"].values()):
        raise InputErrors(input_error(["id"], "A customer with invoices cannot be deleted.", "INVALID"))
    business.remove("Customer", number)
    return {}


MUTATIONS = {"customerCreate": customer_create, "customerPatch": customer_patch, "customerDelete": customer_delete}
