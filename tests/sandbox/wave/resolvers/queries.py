"""Query root and the fields of Business: lists with Wave's paging, filters and sorts."""

from .. import reference
from ..reference import COUNTRIES, SUBTYPE_TYPE
from ..store import decode_id
from .common import (
    CREATED_MODIFIED,
    archived,
    connection,
    ctx,
    get_or_raise,
    modified_between,
    not_found,
    sort_records,
    text_key,
)
from .objects import address


def _user(root, info):
    return ctx(info).sandbox.user


def _o_auth_application(root, info):
    grant = ctx(info).grant or {}
    client = ctx(info).sandbox.clients.get(grant.get("client"))
    if not client:
        return None
    return {
        "id": client["id"],
        "name": client["name"],
        "description": None,
        "clientId": grant["client"],
        "logoUrl": None,
        "sequence": 1,
        "balance": None,
        "balanceInBusinessCurrency": None,
    }


def _currencies(root, info):
    return [reference.currency(code) for code in info.schema.type_map["CurrencyCode"].values]


def _countries(root, info):
    return [reference.country(code) for code in COUNTRIES]


def _businesses(root, info, page=1, pageSize=10, isArchived=None):
    records = ctx(info).businesses()
    if isArchived is not None:
        records = [b for b in records if b.doc["isArchived"] == isArchived]
    return connection(records, page, pageSize)


def _business(root, info, id=None):  # noqa: A002 - the argument's name in Wave's schema
    business = ctx(info).business(id) if id and set(decode_id(id)) == {"Business"} else None
    if business is None:
        raise not_found("Business", id)
    return business


QUERY = {
    "user": _user,
    "oAuthApplication": _o_auth_application,
    "currencies": _currencies,
    "currency": lambda root, info, code: reference.currency(code),
    "countries": _countries,
    "country": lambda root, info, code: reference.country(code),
    "province": lambda root, info, code: reference.province(code),
    "businesses": _businesses,
    "business": _business,
    "accountTypes": lambda root, info: [reference.account_type(v) for v in reference.ACCOUNT_TYPES],
    "accountSubtypes": lambda root, info: [reference.account_subtype(v) for v in SUBTYPE_TYPE],
}


# ---------------------------------------------------------------------------- Business lists
def _customers(b, info, page=1, pageSize=45, sort=None, email=None, modifiedAtAfter=None, modifiedAtBefore=None):
    records = modified_between(b.records("Customer"), modifiedAtAfter, modifiedAtBefore)
    if email is not None:
        records = [r for r in records if (r.get("email") or "").lower() == email.lower()]
    records = sort_records(records, sort, {**CREATED_MODIFIED, "NAME": text_key("name")})
    return connection(records, page, pageSize)


def _vendors(b, info, page=1, pageSize=45, email=None, modifiedAtAfter=None, modifiedAtBefore=None):
    records = modified_between(b.records("Vendor"), modifiedAtAfter, modifiedAtBefore)
    if email is not None:
        records = [r for r in records if (r.get("email") or "").lower() == email.lower()]
    return connection(sort_records(records, ["CREATED_AT_DESC"], CREATED_MODIFIED), page, pageSize)


def _products(b, info, page=1, pageSize=45, sort=None, isSold=None, isBought=None, isArchived=False, **window):
    records = archived(
        modified_between(b.records("Product"), window.get("modifiedAtAfter"), window.get("modifiedAtBefore")),
        isArchived,
    )
    if isSold is not None:
        records = [r for r in records if (r.get("incomeAccount") is not None) == isSold]
    if isBought is not None:
        records = [r for r in records if (r.get("expenseAccount") is not None) == isBought]
    records = sort_records(records, sort, {**CREATED_MODIFIED, "NAME": text_key("name")})
    return connection(records, page, pageSize)


def _accounts(b, info, page=1, pageSize=45, subtypes=None, excludedSubtypes=None, types=None, isArchived=False):
    records = archived(b.records("Account"), isArchived)
    if subtypes is not None:
        records = [r for r in records if r["subtype"] in subtypes]
    if excludedSubtypes:
        records = [r for r in records if r["subtype"] not in excludedSubtypes]
    if types is not None:
        records = [r for r in records if SUBTYPE_TYPE[r["subtype"]] in types]
    return connection(sorted(records, key=lambda r: r["n"]), page, pageSize)


def _sales_taxes(b, info, isArchived=False, modifiedAtAfter=None, modifiedAtBefore=None, page=1, pageSize=45):
    records = archived(modified_between(b.records("SalesTax"), modifiedAtAfter, modifiedAtBefore), isArchived)
    return connection(sorted(records, key=lambda r: r["n"]), page, pageSize)


def _invoice_keys(b):
    from ..totals import compute, status

    def figure(name):
        return lambda r: compute(b, r)[name]

    customers = b.tables["Customer"]
    return {
        **CREATED_MODIFIED,
        "AMOUNT_DUE": figure("amountDue"),
        "AMOUNT_PAID": figure("amountPaid"),
        "TOTAL": figure("total"),
        "CUSTOMER_NAME": lambda r: (customers.get(r["customer"], {}).get("name") or "").lower(),
        "DUE_AT": lambda r: r["dueDate"],
        "INVOICE_DATE": lambda r: r["invoiceDate"],
        "INVOICE_NUMBER": lambda r: (len(r["invoiceNumber"]), r["invoiceNumber"]),
        "STATUS": lambda r: status(b, r),
    }


def _invoices(
    b,
    info,
    page=1,
    pageSize=45,
    sort=None,
    status=None,
    customerId=None,
    currency=None,
    sourceId=None,
    invoiceDateStart=None,
    invoiceDateEnd=None,
    modifiedAtAfter=None,
    modifiedAtBefore=None,
    invoiceNumber=None,
    amountDue=None,
):
    from ..totals import compute
    from ..totals import status as status_of

    records = modified_between(b.records("Invoice"), modifiedAtAfter, modifiedAtBefore)
    if customerId is not None:
        number = b.number("Customer", customerId)
        records = [r for r in records if r["customer"] == number]
    if currency is not None:
        records = [r for r in records if r["currency"] == currency]
    if sourceId is not None:
        records = []  # no invoice here comes from an estimate or a recurring invoice
    if invoiceDateStart is not None:
        records = [r for r in records if r["invoiceDate"] >= invoiceDateStart]
    if invoiceDateEnd is not None:
        records = [r for r in records if r["invoiceDate"] <= invoiceDateEnd]
    if invoiceNumber is not None:
        records = [r for r in records if r["invoiceNumber"] == invoiceNumber]
    if status is not None:
        records = [r for r in records if status_of(b, r) == status]
    if amountDue is not None:
        records = [r for r in records if compute(b, r)["amountDue"] == amountDue]
    return connection(sort_records(records, sort, _invoice_keys(b)), page, pageSize)


def _one(kind):
    def resolve(b, info, id):  # noqa: A002
        return get_or_raise(b, kind, id)

    return resolve


def _estimates(b, info, **_args):
    return connection([], 1, 1)  # estimates are not part of the sandbox's books


def _estimate(b, info, id, **_args):  # noqa: A002
    raise not_found("Estimate", id)


BUSINESS = {
    "id": lambda b, info: b.id,
    "currency": lambda b, info: reference.currency(b.currency()),
    "address": lambda b, info: address(b.doc["address"]),
    "customers": _customers,
    "customer": _one("Customer"),
    "vendors": _vendors,
    "vendor": _one("Vendor"),
    "products": _products,
    "product": _one("Product"),
    "accounts": _accounts,
    "account": _one("Account"),
    "salesTaxes": _sales_taxes,
    "salesTax": _one("SalesTax"),
    "invoices": _invoices,
    "invoice": _one("Invoice"),
    "invoicePayment": _one("InvoicePayment"),
    "estimates": _estimates,
    "estimate": _estimate,
    "invoiceEstimateSettings": lambda b, info: {"generalSettings": {"accentColor": "#1C4BD4", "logoUrl": None}},
}
