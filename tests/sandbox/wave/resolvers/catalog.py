"""Products, accounts and sales taxes: create, patch, archive (none of them is ever deleted)."""

from datetime import date

from .. import reference
from ..store import InputErrors, input_error
from .mutate import archiver, mutation, patcher, required_text, rounded, target

FIRST_DAY = date(1, 1, 1)  # the effective date of a sales tax's first rate, as Wave answers it


# ---------------------------------------------------------------------------- products
def _product_account(business, wire_id, path, subtypes, label):
    if wire_id is None:
        return None
    account = business.get("Account", wire_id, path)
    if account["subtype"] not in subtypes:
        raise InputErrors(
            input_error(path, f"The {label} account must be one of subtypes: {', '.join(sorted(subtypes))}.")
        )
    return account["n"]


def _product_apply(business, record, data):
    if "name" in data:
        record["name"] = required_text(data["name"], ["name"], "Name")
    if "description" in data:
        record["description"] = data["description"]
    if data.get("unitPrice") is not None:
        record["unitPrice"] = rounded(data["unitPrice"], 5)
    if "incomeAccountId" in data:
        record["incomeAccount"] = _product_account(
            business, data["incomeAccountId"], ["incomeAccountId"], reference.INCOME_SUBTYPES, "income"
        )
    if "expenseAccountId" in data:
        record["expenseAccount"] = _product_account(
            business, data["expenseAccountId"], ["expenseAccountId"], reference.EXPENSE_SUBTYPES, "expense"
        )
    if "defaultSalesTaxIds" in data:
        taxes = []
        for index, tax_id in enumerate(data["defaultSalesTaxIds"] or []):
            tax = business.get("SalesTax", tax_id, ["defaultSalesTaxIds", index])
            if tax["isArchived"]:
                raise InputErrors(input_error(["defaultSalesTaxIds", index], "The sales tax is archived."))
            taxes.append(tax["n"])
        record["defaultSalesTaxes"] = taxes
    if record.get("incomeAccount") is None and record.get("expenseAccount") is None:
        raise InputErrors(
            input_error(
                ["incomeAccountId"],
                "A product needs an income account (sold) or an expense account (bought).",
                "REQUIRED",
            )
        )


@mutation("product")
def product_create(info, data):
    business = info.context.business_for(data["businessId"], ["businessId"])
    record = {
        "name": None,
        "description": None,
        "unitPrice": 0,
        "incomeAccount": None,
        "expenseAccount": None,
        "defaultSalesTaxes": [],
        "isArchived": False,
    }
    _product_apply(business, record, data)
    return {"product": business.add("Product", record)}


product_patch = patcher("Product", "product", _product_apply)
product_archive = archiver("Product", "product")


# ---------------------------------------------------------------------------- accounts
@mutation("account")
def account_create(info, data):
    business = info.context.business_for(data["businessId"], ["businessId"])
    name = required_text(data.get("name"), ["name"], "Name")
    record = business.new_account(
        name,
        data["subtype"],
        currency=data.get("currency"),
        display_id=data.get("displayId"),
        description=data.get("description"),
        silent=False,
    )
    return {"account": record}


@mutation("account")
def account_patch(info, data):
    business, record = target(info, data, "Account")
    if data["sequence"] != record["sequence"]:
        raise InputErrors(
            input_error(
                ["sequence"],
                f"The account changed since revision {data['sequence']} " f"(now {record['sequence']}): read it again.",
                "CONFLICT",
            )
        )
    if "name" in data:
        record["name"] = required_text(data["name"], ["name"], "Name")
    for key in ("description", "displayId"):
        if key in data:
            record[key] = data[key]
    business.touch("Account", record)
    return {"account": record}


def _archivable(record):
    if record["subtype"] in reference.SYSTEM_SUBTYPES:
        raise InputErrors(input_error(["id"], "This account cannot be archived.", "INVALID"))


account_archive = archiver("Account", check=_archivable)


# ---------------------------------------------------------------------------- sales taxes
def _abbreviation(business, value, number, path):
    value = required_text(value, path, "Abbreviation")
    if len(value) > 10:
        raise InputErrors(input_error(path, "Abbreviation must be at most 10 characters.", "INVALID"))
    if any(t["abbreviation"].lower() == value.lower() and t["n"] != number for t in business.records("SalesTax")):
        raise InputErrors(input_error(path, f"A sales tax with abbreviation '{value}' exists.", "DUPLICATE"))
    return value


def _rate(value, path):
    rate = rounded(value, 6)
    if rate < 0:
        raise InputErrors(input_error(path, "Rate cannot be negative.", "INVALID"))
    return rate


@mutation("salesTax")
def sales_tax_create(info, data):
    business = info.context.business_for(data["businessId"], ["businessId"])
    record = {
        "name": required_text(data["name"], ["name"], "Name"),
        "abbreviation": _abbreviation(business, data["abbreviation"], None, ["abbreviation"]),
        "description": data.get("description"),
        "taxNumber": data.get("taxNumber"),
        "showTaxNumberOnInvoices": bool(data.get("showTaxNumberOnInvoices")),
        "rates": [(FIRST_DAY, _rate(data["rate"], ["rate"]))],
        "isCompound": bool(data.get("isCompound")),
        "isRecoverable": bool(data.get("isRecoverable")),
        "isArchived": False,
    }
    return {"salesTax": business.add("SalesTax", record)}


def _sales_tax_apply(business, draft, data):
    if "name" in data:
        draft["name"] = required_text(data["name"], ["name"], "Name")
    if "abbreviation" in data:
        draft["abbreviation"] = _abbreviation(business, data["abbreviation"], draft["n"], ["abbreviation"])
    for key in ("description", "taxNumber", "showTaxNumberOnInvoices"):
        if key in data:
            draft[key] = data[key]
    if data.get("rates") is not None:
        rates = {}
        for index, rate in enumerate(data["rates"]):
            rates[rate["effective"]] = _rate(rate["rate"], ["rates", index, "rate"])
        if not rates:
            raise InputErrors(input_error(["rates"], "A sales tax needs at least one rate.", "REQUIRED"))
        draft["rates"] = sorted(rates.items())


sales_tax_patch = patcher("SalesTax", "salesTax", _sales_tax_apply)
sales_tax_archive = archiver("SalesTax", "salesTax")


MUTATIONS = {
    "productCreate": product_create,
    "productPatch": product_patch,
    "productArchive": product_archive,
    "accountCreate": account_create,
    "accountPatch": account_patch,
    "accountArchive": account_archive,
    "salesTaxCreate": sales_tax_create,
    "salesTaxPatch": sales_tax_patch,
    "salesTaxArchive": sales_tax_archive,
}
