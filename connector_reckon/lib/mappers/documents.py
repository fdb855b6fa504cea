"""Reckon invoices and credit notes <-> canonical invoices (``out_invoice``, ``out_refund``).

``amountTaxStatus`` is the document's tax mode: ``Exclusive`` (line amounts without tax),
``Inclusive`` (line amounts include it: canonical ``tax_mode`` inclusive, each line's
``price_unit`` and ``amount`` with tax) and ``NonTaxed`` (no tax). A line is an item line
(``itemDetails``: price, quantity, a discount amount or percent) or an account line
(``accountDetails``: amount); Reckon answers no line amount, so it is price x quantity less
the discount, to the cent, as Reckon rounds each line. A line's tax is its ``taxRate`` as in
force on the document's date (``taxes.TaxCalendar``).

Writing: Reckon numbers documents itself, so Odoo's number goes in ``reference`` (unless the
document has a reference of its own) and the Odoo stamp on a line of its own in ``notes``;
a document is created ``Draft`` and approved by a PATCH of ``status`` (the adapter does it).
"""

from decimal import Decimal

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.money import quantize, to_decimal

from .common import (
    TAX_MODES,
    TAX_STATUSES,
    day,
    ext_id,
    memo,
    meta,
    money,
    origin,
    reckon_date,
    ref_id,
    split_id,
    stamped,
    text,
)
from .taxes import split_tax

#: Reckon table -> (entity, canonical move type, date field, number field)
SALES = {
    "invoices": ("Invoice", "out_invoice", "invoiceDate", "invoiceNumber"),
    "creditnotes": ("CreditNote", "out_refund", "creditNoteDate", "creditNoteNumber"),
}
STATES = {"Draft": "draft", "Approved": "posted", "Paid": "posted", "Closed": "posted", "Void": "void"}


def _line(line, tax_of):
    """A canonical line of a Reckon line; ``tax_of(rate_id)`` names the line's tax."""
    items, accounts = line.get("itemDetails") or {}, line.get("accountDetails") or {}
    out = {"description": text(line.get("description"))}
    if items:
        quantity = to_decimal(items.get("quantity") if items.get("quantity") is not None else 1)
        price = to_decimal(items.get("price") or 0)
        gross = price * quantity
        if items.get("discountAmount") not in (None, 0):
            total = quantize(gross - to_decimal(items["discountAmount"]))
            price = quantize(total / quantity, 6) if quantity else total  # an amount off: in the unit price
        elif items.get("discountPercent") not in (None, 0):
            out["discount"] = to_decimal(items["discountPercent"])
            total = quantize(gross * (1 - out["discount"] / 100))
        else:
            total = quantize(gross)
        out.update(product=ref_id(items.get("item")), quantity=quantity, price_unit=price, amount=total)
    else:
        total = money(accounts.get("amount"))
        quantity = to_decimal(accounts.get("quantity") or 1)
        price = quantize(total / quantity, 6) if quantity else total
        out.update(account=ref_id(accounts.get("ledgerAccount")), quantity=quantity, price_unit=price, amount=total)
    rate = ref_id(line.get("taxRate"))
    out["taxes"] = [tax_of(rate)] if rate else []
    return {k: v for k, v in out.items() if v is not None}


def sales_to_canonical(doc, table, *, currency, tax_of=None):
    """An invoice or credit note. ``tax_of(rate_id, date)`` names a line's tax as in force on
    the document's date (default: the rate itself)."""
    entity, move_type, date_field, number_field = SALES[table]
    on = day(doc.get(date_field))
    mode = TAX_MODES.get(doc.get("amountTaxStatus"), "exclusive")
    lines = [
        _line(line, lambda rate_id: tax_of(rate_id, on) if tax_of else ext_id("TaxRate", rate_id))
        for line in sorted(doc.get("lineItems") or [], key=lambda x: x.get("lineNumber") or 0)
    ]
    if mode == "none":
        for line in lines:
            line["taxes"] = []
    total, tax = money(doc.get("totalAmount")), money(doc.get("totalTaxAmount"))
    record = {
        "external_id": ext_id(entity, doc["id"]),
        **meta(doc),
        **origin(doc.get("notes")),
        "move_type": move_type,
        "number": text(doc.get(number_field), 64),
        "reference": text(doc.get("reference"), 255),
        "partner": ref_id(doc.get("customer")),
        "date": on,
        "due_date": day(doc.get("dueDate")) or on,  # a credit note falls due on its own date
        "currency": currency,
        "tax_mode": mode,
        "memo": memo(doc.get("notes")),
        "state": STATES.get(doc.get("status"), "posted"),
        "lines": lines,
        "amount_untaxed": total - tax,
        "amount_tax": tax,
        "amount_total": total,
    }
    if doc.get("balance") is not None:
        record["amount_residual"] = money(doc["balance"])
    term = ref_id(doc.get("paymentTerms"))
    if term:
        record["payment_term"] = term
    return record


# ====================================================================== canonical -> Reckon
def tax_input(external_id, names, want="TaxRate"):
    """What a Reckon input field takes for a tax: the id when it is of the kind the field
    wants, else its name (Reckon takes an id or a name; a rate and the group of the same
    code share their name)."""
    entity, doc_id, _percent = split_tax(external_id)
    if entity == want:
        return doc_id
    name = names.get(str(external_id)) or names.get(ext_id(entity, doc_id))
    if not name:
        raise errors.MappingMissingError(
            f"Reckon needs a {'tax rate' if want == 'TaxRate' else 'tax group'} here; {external_id} has no name "
            "known to this connection",
            mapping_model="connector.tax.mapping",
            external_id=str(external_id),
        )
    return name


def _line_input(number, line, *, discounts, taxed, tax_names, what):
    quantity = to_decimal(line.get("quantity") if line.get("quantity") is not None else 1)
    price = to_decimal(line["price_unit"])
    discount = to_decimal(line.get("discount") or 0)
    out = {"lineNumber": number}
    if line.get("description"):
        out["description"] = line["description"][:1000]
    if line.get("product"):
        details = {"item": str(line["product"]), "quantity": quantity, "price": price}
        if discount and discounts:
            details["discountPercent"] = discount
        elif discount:  # credit notes take no discount: it goes into the price
            details["price"] = quantize(price * (1 - discount / 100), 6)
        out["itemDetails"] = details
    elif line.get("account"):
        total = line.get("amount")
        total = quantize(total if total is not None else quantity * price * (1 - discount / 100))
        out["accountDetails"] = {"ledgerAccount": str(line["account"]), "amount": total}
        if quantity != 1:
            out["accountDetails"]["quantity"] = quantity
    else:
        raise errors.PayloadValidationError(f"{what}: a Reckon line needs an item or a ledger account")
    taxes = (line.get("taxes") or []) if taxed else []
    if len(taxes) > 1:
        raise errors.PayloadValidationError(f"{what}: Reckon takes one tax rate per line, this line has {len(taxes)}")
    if taxes:
        out["taxRate"] = tax_input(taxes[0], tax_names)
    return out


def sales_from_canonical(record, *, reference, tax_names=None):
    """``(table, InvoiceInput or CreditNoteInput)`` of a canonical out_invoice or out_refund."""
    table = {"out_invoice": "invoices", "out_refund": "creditnotes"}.get(record["move_type"])
    if not table:
        raise errors.PayloadValidationError(f"{record['move_type']} is not a Reckon sales document")
    _entity, _move_type, date_field, _number = SALES[table]
    body = {
        "customer": str(record["partner"]),
        date_field: reckon_date(record["date"]),
        "amountTaxStatus": TAX_STATUSES.get(record.get("tax_mode") or "exclusive", "Exclusive"),
        "notes": stamped(record.get("memo"), reference, 2000),
        "lineItems": [
            _line_input(
                n,
                line,
                discounts=table == "invoices",
                taxed=record.get("tax_mode") != "none",
                tax_names=tax_names or {},
                what=f"line {n}",
            )
            for n, line in enumerate(record["lines"], 1)
        ],
    }
    ref = record.get("reference") or record.get("number")
    if ref:
        body["reference"] = str(ref)[:200]
    if table == "invoices":
        if record.get("due_date"):
            body["dueDate"] = reckon_date(record["due_date"])
        if record.get("payment_term"):
            body["paymentTerms"] = str(record["payment_term"])
    return table, body


def document_id(external_id, *entities):
    return split_id(external_id, *entities)[1]


def approval(record):
    """The status a written document must reach (Reckon creates them Draft)."""
    return "Approved" if record.get("state", "posted") == "posted" else None


def totals_differ(record, doc):
    """Odoo's total against the one Reckon computed, when they differ by more than a cent."""
    if record.get("amount_total") is None:
        return None
    ours, theirs = quantize(to_decimal(record["amount_total"])), money(doc.get("totalAmount"))
    return (ours, theirs) if abs(ours - theirs) > Decimal("0.01") else None
