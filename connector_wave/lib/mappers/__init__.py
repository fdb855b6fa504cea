"""Wave records <-> canonical records (connector_base/schemas), pure functions, by concern."""

from .catalog import (
    MONEY_SUBTYPES,
    account_from_canonical,
    account_to_canonical,
    product_from_canonical,
    product_to_canonical,
    rate_on,
    tax_from_canonical,
    tax_to_canonical,
)
from .common import carries, id_kind, split_stamp, stamps, with_stamp
from .contacts import contact_to_canonical, customer_from_canonical, customer_to_canonical, vendor_to_canonical
from .invoices import check_move_type, invoice_from_canonical, invoice_to_canonical, tax_factor
from .payments import (
    PAYMENT_METHODS,
    money_transaction_from_canonical,
    payment_from_canonical,
    payment_invoice,
    payment_to_canonical,
)
