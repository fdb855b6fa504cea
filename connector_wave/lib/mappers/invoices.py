"""Invoices, both ways. Wave has customer invoices only: no credit notes, no bills.

From Wave: a line's taxes are listed in the order Wave applies them (the compound ones after
the others), its ``amount`` is the line subtotal less its share of the invoice's discount, and
an invoice still in ``DRAFT`` is a draft. The ``odoo:account.move:<id>`` stamp our export puts
in the ``memo`` comes back as the record's ``origin``, the rest of the memo as its memo.

To Wave: every line needs a product, so a line without one goes out with the connection's
generic product; Odoo's line discount is folded into the unit price (Wave discounts whole
invoices only), and a tax-inclusive price is brought back to the tax-exclusive price Wave
computes from, with the rates of the invoice's date (compound taxes on the amount plus the
taxes before them).
"""

from decimal import ROUND_HALF_UP, Decimal

from odoo.addons.connector_base.lib.money import quantize, to_decimal

from .common import code, dec, decimal, meta, money, ref, refuse, split_stamp, text, with_stamp

CENT = Decimal("0.01")
PRICE_PLACES = Decimal(1).scaleb(-8)  # Wave rounds an item's unit price and quantity to 8 places


def _discount_shares(doc, subtotals):
    """Each line's share of the invoice's discount, in proportion to the line subtotals."""
    total = money(doc.get("discountTotal"))
    subtotal = sum(subtotals, Decimal(0))
    shares, left = [], total
    for index, line_subtotal in enumerate(subtotals):
        if index == len(subtotals) - 1:
            share = left
        elif subtotal:
            share = (total * line_subtotal / subtotal).quantize(CENT, ROUND_HALF_UP)
        else:
            share = Decimal(0)
        shares.append(share)
        left -= share
    return shares


def _ordered_taxes(item):
    taxes = item.get("taxes") or []
    ordered = [t for t in taxes if not (t.get("salesTax") or {}).get("isCompound")]
    ordered += [t for t in taxes if (t.get("salesTax") or {}).get("isCompound")]
    return [t["salesTax"]["id"] for t in ordered]


def _line(item, share):
    subtotal = money(item.get("subtotal"))
    line = {
        "description": text(item.get("description")),
        "quantity": decimal(item.get("quantity") or 0, "quantity"),
        "price_unit": decimal(item.get("unitPrice") or 0, "unitPrice"),
        "amount": subtotal - share,
        "taxes": _ordered_taxes(item),
    }
    if ref(item, "product"):
        line["product"] = ref(item, "product")
    if share and subtotal:
        line["discount"] = (share / subtotal * 100).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return line


def invoice_to_canonical(doc):
    items = doc.get("items") or []
    subtotals = [money(item.get("subtotal")) for item in items]
    shares = _discount_shares(doc, subtotals)
    memo, origin = split_stamp(doc.get("memo"))
    subtotal = money(doc["subtotal"]) if doc.get("subtotal") else sum(subtotals, Decimal(0))
    record = {
        "external_id": doc["id"],
        **meta(doc),
        "move_type": "out_invoice",
        "number": text(doc.get("invoiceNumber"), 64),
        "reference": text(doc.get("poNumber"), 255),
        "partner": ref(doc, "customer"),
        "date": doc.get("invoiceDate"),
        "due_date": doc.get("dueDate"),
        "currency": code(doc, "currency"),
        "tax_mode": "exclusive",  # Wave's prices never include its sales taxes
        "memo": memo,
        "state": "draft" if doc.get("status") == "DRAFT" else "posted",
        "lines": [_line(item, share) for item, share in zip(items, shares, strict=True)],
        "amount_untaxed": subtotal - money(doc.get("discountTotal")),
        "amount_tax": money(doc.get("taxTotal")),
        "amount_total": money(doc.get("total")),
        "amount_residual": money(doc.get("amountDue")),
    }
    if origin:
        record["origin"] = origin
    if doc.get("exchangeRate") not in (None, ""):
        record["exchange_rate"] = decimal(doc["exchangeRate"], "exchangeRate")
    return record


# ====================================================================== canonical -> Wave
def check_move_type(record):
    move_type = record.get("move_type")
    if move_type in ("in_invoice", "in_refund"):
        raise refuse("Wave's public API has no bills: vendor bills and refunds cannot be sent to Wave")
    if move_type == "out_refund":
        raise refuse("Wave's public API has no credit notes: customer credit notes cannot be sent to Wave")
    if move_type != "out_invoice":
        raise refuse(f"Wave takes customer invoices only, not {move_type!r}")


def tax_factor(taxes, on_date, tax_rate):
    """What a tax-exclusive amount is multiplied by to include ``taxes`` on ``on_date``."""
    simple, compound = Decimal(0), Decimal(1)
    for tax_id in taxes or []:
        rate, is_compound = tax_rate(tax_id, on_date)
        if is_compound:
            compound *= 1 + rate
        else:
            simple += rate
    return (1 + simple) * compound


def _unit_price(quantity, price, subtotal):
    """A unit price (8 places) whose line subtotal, rounded to the cent as Wave does, is ``subtotal``."""
    unit = price.quantize(PRICE_PLACES, ROUND_HALF_UP)
    if quantity and quantize(quantity * unit) != subtotal:
        unit = (subtotal / quantity).quantize(PRICE_PLACES, ROUND_HALF_UP)
    return unit


def _item(line, number, record, generic_product, tax_rate):
    product = line.get("product") or generic_product
    if not product:
        raise refuse(
            f"line {number}: every Wave invoice line needs a product and this one has none; "
            "set the connection's generic product"
        )
    quantity = to_decimal(line.get("quantity") or 0)
    price = to_decimal(line.get("price_unit") or 0) * (1 - to_decimal(line.get("discount") or 0) / 100)
    amount = quantize(line["amount"] if line.get("amount") is not None else quantity * price)
    if record.get("tax_mode") == "inclusive" and line.get("taxes"):
        if tax_rate is None:
            raise refuse(f"line {number}: a tax-inclusive price needs the rates of its taxes")
        factor = tax_factor(line["taxes"], record["date"], tax_rate)
        amount = quantize(amount / factor)
        price = price / factor
    item = {
        "productId": product,
        "quantity": dec(quantity),
        "unitPrice": dec(_unit_price(quantity, price, amount)),
        "taxes": [{"salesTaxId": tax} for tax in line.get("taxes") or []],  # [] is none, not the product's
    }
    if line.get("description") is not None:
        item["description"] = line["description"]
    return item


def invoice_from_canonical(record, *, creating, reference=None, generic_product=None, tax_rate=None):
    """InvoiceCreateInput (without businessId) or InvoicePatchInput (without id).

    ``tax_rate(tax_id, date) -> (fraction, compound)`` is needed for tax-inclusive documents."""
    check_move_type(record)
    if record.get("state") == "void" and creating:
        raise refuse("a cancelled invoice is not created in Wave")
    data = {
        "customerId": record["partner"],
        "currency": record.get("currency"),
        "invoiceDate": record.get("date"),
        "dueDate": record.get("due_date") or record.get("date"),
        "invoiceNumber": text(record.get("number")),
        "poNumber": text(record.get("reference")),
        "memo": with_stamp(record.get("memo"), reference),
        "items": [
            _item(line, number, record, generic_product, tax_rate)
            for number, line in enumerate(record.get("lines") or [], 1)
        ],
    }
    if record.get("exchange_rate"):
        data["exchangeRate"] = dec(record["exchange_rate"])
    if creating:
        data["status"] = "DRAFT" if record.get("state") == "draft" else "SAVED"  # SAVED: approved
    return {key: value for key, value in data.items() if value is not None}
