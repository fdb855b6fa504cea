"""Field resolvers of Wave's object types: ids, links between records, Money, computed figures."""

from decimal import Decimal

from .. import reference
from ..totals import compute, money, rate_on, status


def _b(record):
    return record["_b"]


def _id(kind):
    return lambda r, info: _b(r).ref(kind, r["n"])


def _link(kind, key):
    def resolve(r, info):
        number = r.get(key)
        return None if number is None else _b(r).tables[kind].get(number)

    return resolve


def address(value):
    if not value:
        return None
    country = value.get("countryCode")
    return {
        "addressLine1": value.get("addressLine1"),
        "addressLine2": value.get("addressLine2"),
        "city": value.get("city"),
        "province": reference.province(value.get("provinceCode")),
        "country": reference.country(country) if country else None,
        "postalCode": value.get("postalCode"),
    }


def _shipping(r, info):
    details = r.get("shippingDetails")
    return None if details is None else {**details, "address": address(details.get("address"))}


def _currency(r, info):
    return reference.currency(r["currency"]) if r.get("currency") else None


def figures(info, invoice):
    """compute() once per invoice and request."""
    cache = info.context.__dict__.setdefault("_figures", {})
    key = (id(invoice), invoice["modifiedAt"], len(_b(invoice).invoice_payments(invoice["n"])))
    if key not in cache:
        cache[key] = compute(_b(invoice), invoice)
    return cache[key]


def _customer_amount(overdue):
    def resolve(r, info):
        b = _b(r)
        due = Decimal(0)
        for invoice in b.tables["Invoice"].values():
            if invoice["customer"] != r["n"] or invoice["status"] == "DRAFT":
                continue
            if overdue and invoice["dueDate"] >= b.today():
                continue
            due += max(figures(info, invoice)["amountDue"], Decimal(0))
        return money(due, r.get("currency") or b.currency())

    return resolve


CONTACT = {
    "business": lambda r, info: _b(r),
    "address": lambda r, info: address(r.get("address")),
    "currency": _currency,
    "shippingDetails": _shipping,
    "internalId": lambda r, info: str(r["n"]),
}
CUSTOMER = {
    **CONTACT,
    "id": _id("Customer"),
    "outstandingAmount": _customer_amount(False),
    "overdueAmount": _customer_amount(True),
}
VENDOR = {**CONTACT, "id": _id("Vendor")}

PRODUCT = {
    "id": _id("Product"),
    "business": lambda r, info: _b(r),
    "incomeAccount": _link("Account", "incomeAccount"),
    "expenseAccount": _link("Account", "expenseAccount"),
    "defaultSalesTaxes": lambda r, info: [_b(r).tables["SalesTax"][n] for n in r.get("defaultSalesTaxes") or []],
    "isSold": lambda r, info: r.get("incomeAccount") is not None,
    "isBought": lambda r, info: r.get("expenseAccount") is not None,
    "internalId": lambda r, info: str(r["n"]),
}

ACCOUNT = {
    "id": _id("Account"),
    "business": lambda r, info: _b(r),
    "currency": _currency,
    "type": lambda r, info: reference.account_type(reference.SUBTYPE_TYPE[r["subtype"]]),
    "subtype": lambda r, info: reference.account_subtype(r["subtype"]),
    "normalBalanceType": lambda r, info: reference.ACCOUNT_TYPES[reference.SUBTYPE_TYPE[r["subtype"]]][1],
    "balanceInBusinessCurrency": lambda r, info: r.get("balance"),
}

SALES_TAX = {
    "id": _id("SalesTax"),
    "business": lambda r, info: _b(r),
    "rate": lambda r, info, **args: rate_on(r, args.get("for") or _b(r).today()),
    "rates": lambda r, info: [{"effective": d, "rate": rate} for d, rate in sorted(r["rates"])],
    "internalId": lambda r, info: str(r["n"]),
}


def _invoice_money(name):
    return lambda r, info: money(figures(info, r)[name], r["currency"])


def _items(r, info):
    return [{**item, "_b": _b(r), "_invoice": r, "_index": index} for index, item in enumerate(r["items"])]


def _payments(r, info):
    # "Only populated when details of a specific invoice is requested" (Wave's schema)
    if any(key == "edges" for key in info.path.as_list()):
        return None
    return sorted(_b(r).invoice_payments(r["n"]), key=lambda p: (p["paymentDate"], p["n"]))


def _url(kind):
    def resolve(r, info):
        b = _b(r)
        return f"{info.context.sandbox.public_url}/invoices/{b.uuid}/{kind}/{r['n']}/{r['anonymousId']}"

    return resolve


INVOICE = {
    "id": _id("Invoice"),
    "business": lambda r, info: _b(r),
    "customer": _link("Customer", "customer"),
    "payments": _payments,
    "status": lambda r, info: status(_b(r), r, figures(info, r)),
    "currency": _currency,
    "items": _items,
    "subtotal": _invoice_money("subtotal"),
    "taxTotal": _invoice_money("taxTotal"),
    "discountTotal": _invoice_money("discountTotal"),
    "total": _invoice_money("total"),
    "amountPaid": _invoice_money("amountPaid"),
    "amountDue": _invoice_money("amountDue"),
    "discounts": lambda r, info: r.get("discounts") or [],
    "pdfUrl": _url("export"),
    "viewUrl": _url("readonly"),
    "source": lambda r, info: None,
    "invoiceReminders": lambda r, info: [],
    "attachments": lambda r, info: [],
    "internalId": lambda r, info: str(r["n"]),
}


def _line(r, info):
    return figures(info, r["_invoice"])["lines"][r["_index"]]


INVOICE_ITEM = {
    "id": _id("InvoiceItem"),
    "product": _link("Product", "product"),
    "account": _link("Account", "account"),
    "price": lambda r, info: r["unitPrice"],
    "subtotal": lambda r, info: money(_line(r, info)["subtotal"], r["_invoice"]["currency"]),
    "total": lambda r, info: money(_line(r, info)["total"], r["_invoice"]["currency"]),
    "taxes": lambda r, info: [
        {"salesTax": _b(r).tables["SalesTax"][n], "amount": money(amount, r["_invoice"]["currency"])}
        for n, amount in _line(r, info)["taxes"]
    ],
}


def _payment_amount(r, info):
    code = _b(r).tables["Invoice"][r["invoice"]]["currency"] if r["invoice"] in _b(r).tables["Invoice"] else "USD"
    return money(r["amount"], code)["value"]


INVOICE_PAYMENT = {
    "id": _id("InvoicePayment"),
    "business": lambda r, info: _b(r),
    "customer": _link("Customer", "customer"),
    "account": _link("Account", "account"),
    "invoice": _link("Invoice", "invoice"),
    "amount": _payment_amount,
    "businessCurrency": lambda r, info: reference.currency(_b(r).currency()),
    "invoiceCurrency": lambda r, info: reference.currency(r["currency"]),
    "paymentCurrency": lambda r, info: reference.currency(r["currency"]),
    "displayExchangeRate": lambda r, info: str(r["exchangeRate"]),
    "origin": lambda r, info: "MANUAL",
    "state": lambda r, info: "ACTIVE",
    "transactionType": lambda r, info: "PAYMENT",
    "paymentProvider": lambda r, info: "MANUAL",
    "active": lambda r, info: True,
}

OBJECTS = {
    "Customer": CUSTOMER,
    "Vendor": VENDOR,
    "Product": PRODUCT,
    "Account": ACCOUNT,
    "SalesTax": SALES_TAX,
    "Invoice": INVOICE,
    "InvoiceItem": INVOICE_ITEM,
    "InvoicePayment": INVOICE_PAYMENT,
}


def discount_type(value, info, abstract_type):
    return "FixedInvoiceDiscount" if value.get("discountType") == "FIXED" else "PercentageInvoiceDiscount"
