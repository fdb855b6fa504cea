"""Which credit note goes to which invoice, when a payment applies both.

A provider's payment lists what it settles: invoices (bills) for an amount each, and credit
notes (vendor credits) for an amount each, the money being the difference. Odoo reconciles
each credit note with the invoices line against line, so the credit has to be shared out:
``plan_credits`` gives each credit note to the invoices in their order, as far as each
invoice's allocation goes, and leaves for the money what the credit did not cover.
"""

from decimal import Decimal

from .money import quantize, to_decimal


def plan_credits(invoices, credits, digits=2):
    """Share the credit notes out over the invoices.

    ``invoices`` and ``credits`` are lists of (document, amount allocated). Return
    (applied, money): ``applied`` lists (credit note, invoice, amount) in order, ``money``
    lists (invoice, amount left for the money) for the invoices the credit did not cover.
    Raise ValueError when the credit notes exceed the invoices (canonical validation
    refuses such a payment before)."""
    left = [[document, quantize(to_decimal(amount), digits)] for document, amount in invoices]
    applied = []
    for credit, amount in credits:
        remaining = quantize(to_decimal(amount), digits)
        for entry in left:
            if not remaining:
                break
            share = min(entry[1], remaining)
            if share > 0:
                applied.append((credit, entry[0], share))
                entry[1] -= share
                remaining -= share
        if remaining > 0:
            raise ValueError(f"a credit of {remaining} is left over: the credit notes exceed the invoices")
    money = [(document, amount) for document, amount in left if amount > Decimal(0)]
    return applied, money
