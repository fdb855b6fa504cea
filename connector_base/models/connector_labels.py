"""Words the connector's screens share: what a record of each canonical kind is, and rates
as a person writes them. No model here: imported by several models."""

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
