"""Kashoo invoices and bills <-> canonical invoices, and taxes from the documents' tax lines.

The names of the line and tax fields are settings (``KashooSettings.fields``: no source shows
them). A document entered tax-included (``taxIncluded``) is ``tax_mode`` inclusive: each line's
unit price and amount are the gross, as Kashoo keeps them. A line's taxes are abbreviations, in
the order they are applied (a tax the settings call compound after the others). Kashoo has no
tax list in any source: the taxes are those the documents name, with the name and rate of their
tax lines, for sales, purchases or both.
"""

from decimal import Decimal

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.money import quantize, to_decimal

from .mappers import ext, kashoo_id, money, split_memo, stamped_memo, text, version_of

MOVE_TYPES = {"invoice": "out_invoice", "bill": "in_invoice"}
ROLE_OF_MOVE_TYPE = {move_type: role for role, move_type in MOVE_TYPES.items()}


def _abbreviation(value, settings):
    if isinstance(value, dict):
        value = value.get(settings.field("tax_abbreviation")) or value.get("id")
    return text(value)


def _ordered(codes, settings):
    """Taxes in application order: a compound tax after those it is charged on (stable)."""
    compound = set(settings.compound_taxes)
    return sorted(codes, key=lambda code: code in compound)


def line_to_canonical(line, where, settings):
    field = settings.field
    if not isinstance(line, dict):
        raise errors.PayloadValidationError(f"{where}: a line is an object, Kashoo sent {line!r}")
    quantity = line.get(field("line_quantity"))
    try:
        quantity = to_decimal(1 if quantity is None else quantity, field="quantity")
    except ValueError as exc:
        raise errors.PayloadValidationError(f"{where}: {exc}") from None
    unit = line.get(field("line_unit_price"))
    amount = line.get(field("line_amount"))
    if amount is None and unit is None:
        raise errors.PayloadValidationError(f"{where}: neither {field('line_amount')} nor {field('line_unit_price')}")
    if amount is not None:
        amount = money(amount, f"{where}.{field('line_amount')}")
    if unit is not None:
        price = money(unit, f"{where}.{field('line_unit_price')}")
        amount = quantize(price * quantity) if amount is None else amount
    else:
        price = quantize(amount / quantity, 6) if quantity else amount
    taxes = line.get(field("line_taxes")) or []
    if not isinstance(taxes, list):
        raise errors.PayloadValidationError(f"{where}.{field('line_taxes')}: a list, Kashoo sent {taxes!r}")
    result = {
        "description": text(line.get(field("line_description"))),
        "quantity": quantity,
        "price_unit": price,
        "amount": amount,
        "taxes": _ordered([code for code in (_abbreviation(t, settings) for t in taxes) if code], settings),
    }
    account = ext(line.get(field("line_account")))
    if account:
        result["account"] = account
    return result


def document_to_canonical(doc, role, settings):
    """An invoice (``role`` invoice) or a bill (bill) with its lines and totals."""
    field = settings.field
    name = f"Kashoo {role} {doc.get('id')}"
    lines = doc.get(field("lines"))
    if not isinstance(lines, list):
        raise errors.PayloadValidationError(
            f"{name} carries no {field('lines')!r}: Kashoo sent no lines, or names them otherwise "
            "(set the line field names of the connection)",
            details={"keys": sorted(doc)},
        )
    origin, memo = split_memo(doc.get("memo"))
    total = money(doc.get("amount"), f"{name}: amount")
    record = {
        "external_id": ext(doc.get("id")),
        "version": version_of(doc),
        "move_type": MOVE_TYPES[role],
        "number": text(doc.get("number"), 64),
        "reference": text(doc.get("poNumber"), 255),
        "partner": ext(doc.get("contact")),
        "date": doc.get("date"),
        "due_date": doc.get("dueDate") or doc.get("date"),
        "currency": text(doc.get("currency")) or settings.home_currency,
        "tax_mode": "inclusive" if doc.get(field("tax_included")) is True else "exclusive",
        "memo": memo,
        "state": "posted",
        "lines": [line_to_canonical(line, f"{name} line {n + 1}", settings) for n, line in enumerate(lines)],
        "amount_total": total,
    }
    if origin:
        record["origin"] = origin
    tax_lines = doc.get(field("taxes"))
    if isinstance(tax_lines, list):
        tax = sum((money(t.get(field("tax_amount")), f"{name}: tax {t}") for t in tax_lines), Decimal(0))
        record["amount_tax"] = tax
        record["amount_untaxed"] = total - tax
    elif record["tax_mode"] == "exclusive":
        untaxed = sum((line["amount"] for line in record["lines"]), Decimal(0))
        record["amount_untaxed"] = untaxed
        record["amount_tax"] = total - untaxed
    if doc.get("balanceDue") is not None:
        record["amount_residual"] = money(doc["balanceDue"], f"{name}: balanceDue")
    return record


def document_from_canonical(record, settings, reference):
    """(role, the body of a create or a whole-record save) for a canonical invoice or bill."""
    role = ROLE_OF_MOVE_TYPE.get(record["move_type"])
    if role is None:
        raise errors.PayloadValidationError(
            f"Kashoo's API has no {record['move_type']} documents (credit notes): only invoices and bills"
        )
    field = settings.field
    body = {
        "contact": kashoo_id(record["partner"], "partner"),
        "date": record["date"],
        "currency": record["currency"],
        "memo": stamped_memo(reference, record.get("memo")),
        field("tax_included"): record.get("tax_mode") == "inclusive",
        field("lines"): [_line_from_canonical(line, n, settings) for n, line in enumerate(record["lines"], 1)],
    }
    if record.get("due_date"):
        body["dueDate"] = record["due_date"]
    if record.get("number"):
        body["number"] = str(record["number"])[:64]
    if record.get("reference"):
        body["poNumber"] = str(record["reference"])[:255]
    return role, body


def _line_from_canonical(line, number, settings):
    field = settings.field
    quantity = to_decimal(line["quantity"], field="quantity")
    price = to_decimal(line["price_unit"], field="price_unit")
    discount = to_decimal(line.get("discount") or 0, field="discount")
    if discount:
        price = price * (1 - discount / 100)
    amount = quantize(line["amount"]) if line.get("amount") is not None else quantize(quantity * price)
    out = {
        field("line_description"): line.get("description") or "",
        field("line_quantity"): int(quantity) if quantity == quantity.to_integral_value() else quantity,
        field("line_amount"): int(amount * 100),
        field("line_taxes"): [str(tax) for tax in line.get("taxes") or []],
    }
    unit_cents = price * 100
    # Kashoo keeps whole cents: a unit price with a fraction of a cent travels as the line amount alone
    if unit_cents == unit_cents.to_integral_value() and quantize(quantity * price) == amount:
        out[field("line_unit_price")] = int(unit_cents)
    if line.get("account"):
        out[field("line_account")] = kashoo_id(line["account"], f"line {number} account")
    return out


# ====================================================================== taxes
def tax_to_canonical(abbreviation, name, rate, scope, settings, *, active=True):
    record = {
        "external_id": abbreviation,
        "name": text(name, 500) or abbreviation,
        "description": f"Kashoo tax {abbreviation}",
        "rate": to_decimal(rate, field="rate"),
        "scope": scope,
        "price_include": False,  # a document says whether its amounts include tax (tax_mode)
        "active": active,
        "compound": abbreviation in set(settings.compound_taxes),
    }
    record["version"] = version_of({k: v for k, v in record.items() if k != "external_id"})
    return record


def taxes_from_documents(docs, settings):
    """Canonical taxes from invoices and bills: ``docs`` are (document, role) pairs.

    The rate of the latest document wins (Kashoo keeps an old rate on earlier documents). A tax
    that lines name but no tax line rates comes out as an ``unmapped`` error for quarantine."""
    field = settings.field
    seen, named = {}, {}
    for doc, role in docs:
        scope = "sale" if role == "invoice" else "purchase"
        for line in doc.get(field("lines")) or []:
            if isinstance(line, dict):
                for code in line.get(field("line_taxes")) or []:
                    named.setdefault(_abbreviation(code, settings), doc)
        for tax in doc.get(field("taxes")) or []:
            code = _abbreviation(tax, settings)
            if not code:
                continue
            entry = seen.setdefault(code, {"scopes": set(), "date": "", "name": None, "rate": None})
            entry["scopes"].add(scope)
            if (doc.get("date") or "") >= entry["date"] and tax.get(field("tax_rate")) is not None:
                entry.update(date=doc.get("date") or "", name=tax.get(field("tax_name")), rate=tax[field("tax_rate")])
    records, problems = [], []
    for code in sorted(seen):
        entry = seen[code]
        if entry["rate"] is None:
            problems.append((code, named.get(code)))
            continue
        scope = "both" if len(entry["scopes"]) == 2 else next(iter(entry["scopes"]))
        records.append(tax_to_canonical(code, entry["name"], entry["rate"], scope, settings))
    for code in sorted(set(named) - set(seen)):
        problems.append((code, named[code]))
    return records, problems


def tax_from_list(doc, settings):
    """One entry of ``GET .../taxes`` (when the business answers it): registered taxes are charged
    on sales and paid on purchases, the others only paid."""
    code = text(doc.get("abbreviation")) or text(doc.get("name"))
    if not code or doc.get("rate") is None:
        raise errors.PayloadValidationError(f"Kashoo tax {doc.get('id')} has no abbreviation or rate")
    scope = "both" if doc.get("registered", True) else "purchase"
    return tax_to_canonical(code, doc.get("name"), doc["rate"], scope, settings, active=not doc.get("removed"))
