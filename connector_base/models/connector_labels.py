"""Words the connector's screens share: what a record of each canonical kind is, and rates
as a person writes them. No model here: imported by several models."""

import datetime
from decimal import Decimal, InvalidOperation

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

#: canonical kind -> what the record is, when its data does not say more
KIND_WORDS = {
    "party": _lt("Contact"),
    "product": _lt("Product"),
    "account": _lt("Account"),
    "tax": _lt("Tax"),
    "invoice": _lt("Invoice or bill"),
    "payment": _lt("Payment"),
    "journal_entry": _lt("Journal entry"),
}
MAPPING_MODELS = (
    "connector.tax.mapping",
    "connector.account.mapping",
    "connector.payment.method.mapping",
    "connector.payment.term.mapping",
)


def percent(value):
    """'10' from '10.0000', '8.625' from 8.625: a rate as a person writes it."""
    try:
        number = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return str(value)
    return format(number, "f")


def as_date(value):
    """The date in received data, or None when it is not one (quarantined data may be anything)."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def as_number(value):
    """The amount in received data as a float, or None when it is not a number."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def shorten(text, limit=200):
    """Text received, cut for a summary line."""
    text = str(text or "")
    return text if len(text) <= limit else text[: limit - 1] + "…"
