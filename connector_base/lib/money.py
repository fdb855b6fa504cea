"""Money as Decimal, from the wire to the ORM.

Floats never carry an amount: a JSON number is parsed with ``parse_float=Decimal``
(see ``json_loads``) or converted through its shortest repr, never through binary
arithmetic.
"""

import json
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_decimal(value, *, field="amount"):
    """Return ``value`` as a finite Decimal; raise ValueError on anything else."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{field}: {value!r} is not an amount")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{field}: {value!r} is not an amount") from None
    else:
        raise ValueError(f"{field}: {value!r} is not an amount")
    if not result.is_finite():
        raise ValueError(f"{field}: {value!r} is not a finite amount")
    return result


def quantize(amount, digits=2):
    """Round half away from zero to ``digits`` decimals, as accountants do."""
    exp = Decimal(1).scaleb(-digits)
    return to_decimal(amount).quantize(exp, rounding=ROUND_HALF_UP)


def from_cents(cents):
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise ValueError(f"{cents!r} is not a whole number of cents")
    return (Decimal(cents) / 100).quantize(CENT)


def to_cents(amount):
    return int(quantize(amount, 2) * 100)


def money_equal(a, b, digits=2):
    return quantize(a, digits) == quantize(b, digits)


def json_loads(text):
    """json.loads that keeps every non-integer number as a Decimal."""
    return json.loads(text, parse_float=Decimal)


_MARK = "\u0001dec:"
_MARK_RE = re.compile(r'"\\u0001dec:(-?[0-9.E+-]+)"')


def _mark_decimals(data):
    if isinstance(data, Decimal):
        return _MARK + format(data, "f")
    if isinstance(data, dict):
        return {k: _mark_decimals(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_mark_decimals(v) for v in data]
    return data


def json_dumps(data, **kwargs):
    """json.dumps that writes Decimals as JSON numbers with all their digits."""
    return _MARK_RE.sub(r"\1", json.dumps(_mark_decimals(data), **kwargs))
