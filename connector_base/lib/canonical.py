"""The canonical records: JSON Schema 2020-12 contracts plus business rules.

A provider mapper produces canonical dicts (amounts as Decimal); ``validate(kind, record)``
checks them before the engine touches the database and raises ``PayloadValidationError``
listing every problem found. Rules that need the database (known currency, lock dates,
mapped accounts and taxes) live in the engine.
"""

import datetime
import json
import os
import re
from decimal import Decimal
from functools import cache

import jsonschema
from referencing import Registry, Resource

from .errors import PayloadValidationError
from .money import quantize, to_decimal

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "schemas")

KINDS = {
    "party": "party.json",
    "product": "product.json",
    "account": "account.json",
    "tax": "tax.json",
    "invoice": "invoice.json",
    "payment": "payment.json",
    "journal_entry": "journal_entry.json",
}


def _is_number(_checker, instance):
    return isinstance(instance, int | float | Decimal) and not isinstance(instance, bool)


_TYPE_CHECKER = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("number", _is_number)
_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=_TYPE_CHECKER)


@cache
def _registry():
    resources = []
    for name in os.listdir(SCHEMA_DIR):
        if name.endswith(".json"):
            with open(os.path.join(SCHEMA_DIR, name), encoding="utf-8") as fh:
                schema = json.load(fh)
            resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def validator(kind):
    if kind not in KINDS:
        raise ValueError(f"unknown canonical kind {kind!r}")
    with open(os.path.join(SCHEMA_DIR, KINDS[kind]), encoding="utf-8") as fh:
        schema = json.load(fh)
    _Validator.check_schema(schema)
    return _Validator(schema, registry=_registry())


def schema_errors(kind, record):
    messages = []
    for error in sorted(validator(kind).iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(record)"
        messages.append(f"{where}: {error.message[:300]}")
    return messages


def _check_date(value, where, messages):
    if value:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            messages.append(f"{where}: {value!r} is not a calendar date")


_NOT_TEXT = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape


def _check_text(value, path, messages):
    """Every string is real text: a provider answer with bytes that are not UTF-8 is refused."""
    if isinstance(value, str):
        if _NOT_TEXT.search(value):
            messages.append(f"{path or 'record'}: not valid UTF-8 (the provider sent bytes that are not text)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(item, f"{path}/{key}" if path else str(key), messages)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(item, f"{path}/{index}", messages)


def rule_errors(kind, record):
    """Business rules that need no database."""
    messages = []
    _check_text(record, "", messages)
    for key in ("date", "due_date"):
        _check_date(record.get(key), key, messages)
    check = _RULES.get(kind)
    if check:
        check(record, messages)
    return messages


def _journal_entry_rules(record, messages):
    debit = credit = Decimal(0)
    for i, line in enumerate(record.get("lines", [])):
        d = to_decimal(line.get("debit", 0))
        c = to_decimal(line.get("credit", 0))
        if d < 0 or c < 0:
            messages.append(f"lines/{i}: debit and credit cannot be negative")
        if d and c:
            messages.append(f"lines/{i}: a line is either a debit or a credit, not both")
        debit += d
        credit += c
    if quantize(debit) != quantize(credit):
        messages.append(f"lines: debits {quantize(debit)} and credits {quantize(credit)} do not balance")


def _invoice_rules(record, messages):
    if not record.get("lines"):
        messages.append("lines: a document needs at least one line")
    for i, line in enumerate(record.get("lines", [])):
        if not line.get("product") and not line.get("account"):
            messages.append(f"lines/{i}: a line needs a product or an account")
    parts = [record.get(k) for k in ("amount_untaxed", "amount_tax", "amount_total")]
    if all(p is not None for p in parts) and quantize(parts[0]) + quantize(parts[1]) != quantize(parts[2]):
        messages.append(f"amount_total: {parts[2]} is not untaxed {parts[0]} plus tax {parts[1]}")
    residual = record.get("amount_residual")
    if residual is not None and parts[2] is not None and abs(to_decimal(residual)) > abs(to_decimal(parts[2])):
        messages.append(f"amount_residual: {residual} exceeds the total {parts[2]}")


def _payment_rules(record, messages):
    """The money of a payment is the invoices allocated less the credit notes allocated (plus
    what is unapplied): 0 only when credit notes are applied with no money moving, or when
    the payment is void."""
    amount = to_decimal(record.get("amount", 0))
    allocations = record.get("allocations", [])
    credited = sum(
        (to_decimal(a["amount"]) for a in allocations if a.get("document_kind") == "credit_note"), Decimal(0)
    )
    charged = sum((to_decimal(a["amount"]) for a in allocations if a.get("document_kind") != "credit_note"), Decimal(0))
    if amount < 0 or (amount == 0 and not credited and record.get("state") != "void"):
        messages.append(f"amount: a payment must be positive, got {amount} (0 only when it applies credit notes)")
    if any(to_decimal(a["amount"]) <= 0 for a in allocations):
        messages.append("allocations: every allocation must be positive")
    if quantize(credited) > quantize(charged):
        messages.append(
            f"allocations: credit notes of {quantize(credited)} exceed the invoices allocated {quantize(charged)}"
        )
    elif quantize(charged - credited) > quantize(amount):
        messages.append(
            f"allocations: {quantize(charged - credited)} allocated exceeds the payment {quantize(amount)}"
            + (f" (invoices {quantize(charged)} less credit notes {quantize(credited)})" if credited else "")
        )


def combined_rate(components):
    """The percent that ``components`` ({rate, compound} in application order) charge together:
    a compound component is charged on the amount with the components before it
    (GST 5% then PST 7% compound: 5 + 7 x 1.05 = 12.35)."""
    total = Decimal(0)
    for component in components:
        rate = to_decimal(component["rate"])
        total += rate * (1 + total / 100) if component.get("compound") else rate
    return total


def _tax_rules(record, messages):
    rate = to_decimal(record.get("rate", 0))
    if rate < 0 or rate > 100:
        messages.append(f"rate: {rate} is not a percentage between 0 and 100")
    components = record.get("components") or []
    for i, component in enumerate(components):
        part = to_decimal(component["rate"])
        if part < 0 or part > 100:
            messages.append(f"components/{i}: {part} is not a percentage between 0 and 100")
    if components and components[0].get("compound"):
        messages.append("components/0: the first component cannot be compound, no tax comes before it")
    if components and not messages:
        combined = combined_rate(components)
        if abs(combined - rate) > Decimal("0.0001"):
            messages.append(f"rate: {rate} is not the {combined.normalize()} its components make together")


_RULES = {
    "journal_entry": _journal_entry_rules,
    "invoice": _invoice_rules,
    "payment": _payment_rules,
    "tax": _tax_rules,
}


def validate(kind, record):
    """Raise PayloadValidationError unless ``record`` is a valid canonical ``kind``."""
    messages = schema_errors(kind, record)
    if not messages:
        messages = rule_errors(kind, record)
    if messages:
        raise PayloadValidationError(
            f"Invalid {kind} {record.get('external_id', '?') if isinstance(record, dict) else '?'}: "
            + "; ".join(messages[:10]),
            details={"errors": messages},
        )
    return record
