"""Invoice arithmetic the way Wave shows it: line subtotals, sales taxes by date, compound taxes.

Per line: ``subtotal = quantity x unitPrice`` rounded to the currency's minor unit; a discount is
spread over the lines in proportion to their subtotals; each non-compound tax is charged on the
discounted line amount, then each compound tax on that amount plus the taxes before it; every tax
amount is rounded per line, half away from zero (Wave's documented rounding of its inputs). An
amount given with the tax on the line (``InvoiceCreateItemTaxInput.amount``) is taken as is.
``total = subtotal - discountTotal + taxTotal``; ``amountDue = total - amountPaid``.
"""

from decimal import ROUND_HALF_UP, Decimal

from . import reference


def rate_on(tax, on_date):
    """The rate of a sales tax effective on a date (the first rate before any effective date)."""
    rates = sorted(tax["rates"], key=lambda r: r[0])
    current = rates[0][1]
    for effective, rate in rates:
        if effective <= on_date:
            current = rate
    return current


def money(amount, code):
    """Wave's Money: value as a string with the minor digits, minorUnitValue, currency."""
    info = reference.currency(code)
    amount = Decimal(amount).quantize(reference.quantum(code), ROUND_HALF_UP)
    return {
        "value": f"{amount:.{info['exponent']}f}",
        "minorUnitValue": (amount * (10 ** info["exponent"])).to_integral_value(),
        "currency": info,
    }


def _round(value, q):
    return Decimal(value).quantize(q, ROUND_HALF_UP)


def _discount(invoice, subtotal, q):
    total = Decimal(0)
    for discount in invoice.get("discounts") or []:
        if discount["discountType"] == "FIXED":
            total += Decimal(discount.get("amount") or 0)
        else:
            total += _round(subtotal * Decimal(discount.get("percentage") or 0) / 100, q)
    return min(_round(total, q), subtotal) if subtotal > 0 else Decimal(0)


def compute(business, invoice):
    """Every figure of an invoice; ``lines[i]`` has ``subtotal``, ``total`` and ``taxes`` [(tax n, amount)]."""
    code = invoice["currency"]
    q = reference.quantum(code)
    taxes = business.tables["SalesTax"]
    subtotals = [_round(Decimal(item["quantity"]) * Decimal(item["unitPrice"]), q) for item in invoice["items"]]
    subtotal = sum(subtotals, Decimal(0))
    discount_total = _discount(invoice, subtotal, q)
    shares, left = [], discount_total
    for index, line_subtotal in enumerate(subtotals):
        if index == len(subtotals) - 1:
            share = left
        else:
            share = _round(discount_total * line_subtotal / subtotal, q) if subtotal else Decimal(0)
        shares.append(share)
        left -= share
    lines, tax_total = [], Decimal(0)
    for item, line_subtotal, share in zip(invoice["items"], subtotals, shares, strict=True):
        base = line_subtotal - share
        amounts = {}
        ordered = [t for t in item["taxes"] if not taxes[t["salesTax"]]["isCompound"]]
        ordered += [t for t in item["taxes"] if taxes[t["salesTax"]]["isCompound"]]
        for line_tax in ordered:
            tax = taxes[line_tax["salesTax"]]
            if line_tax.get("amount") is not None:
                amount = _round(line_tax["amount"], q)
            else:
                taxable = base + sum(amounts.values(), Decimal(0)) if tax["isCompound"] else base
                amount = _round(taxable * rate_on(tax, invoice["invoiceDate"]), q)
            amounts[line_tax["salesTax"]] = amount
        line_taxes = [(t["salesTax"], amounts[t["salesTax"]]) for t in item["taxes"]]
        line_tax_total = sum(amounts.values(), Decimal(0))
        tax_total += line_tax_total
        lines.append({"subtotal": line_subtotal, "total": line_subtotal + line_tax_total, "taxes": line_taxes})
    total = subtotal - discount_total + tax_total
    paid = sum((p["amount"] for p in business.invoice_payments(invoice["n"])), Decimal(0))
    return {
        "lines": lines,
        "subtotal": subtotal,
        "discountTotal": discount_total,
        "taxTotal": tax_total,
        "total": total,
        "amountPaid": paid,
        "amountDue": total - paid,
    }


def status(business, invoice, figures=None):
    """DRAFT until approved; then what payments, the due date and sending make of it."""
    if invoice["status"] == "DRAFT":
        return "DRAFT"
    figures = figures or compute(business, invoice)
    paid, total = figures["amountPaid"], figures["total"]
    if paid > total:
        return "OVERPAID"
    if paid and paid == total:
        return "PAID"
    if paid > 0:
        return "PARTIAL"
    if total > 0 and invoice["dueDate"] < business.today():
        return "OVERDUE"
    if invoice.get("lastViewedAt"):
        return "VIEWED"
    if invoice.get("lastSentAt"):
        return "SENT"
    return "SAVED"
