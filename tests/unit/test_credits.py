"""Credit notes applied to invoices: the canonical payment's rules and the sharing out of a
payment's credit notes over its invoices."""

from decimal import Decimal as D

import pytest

from odoo.addons.connector_base.lib import canonical, errors
from odoo.addons.connector_base.lib.credits import plan_credits


def payment(amount, *allocations, **extra):
    record = {
        "external_id": "Payment/74",
        "payment_type": "inbound",
        "partner": "Customer/1",
        "date": "2026-03-22",
        "amount": D(amount),
        "currency": "USD",
        "allocations": [
            dict({"document": document, "amount": D(value)}, **({"document_kind": kind} if kind else {}))
            for document, value, kind in allocations
        ],
    }
    record.update(extra)
    return record


def test_a_payment_of_nothing_applies_a_credit_note_to_an_invoice():
    record = payment("0", ("Invoice/71", "100.00", None), ("CreditMemo/73", "100.00", "credit_note"))
    assert canonical.validate("payment", record) is record


def test_a_payment_of_money_may_apply_credit_notes_too():
    record = payment("70.00", ("Invoice/71", "100.00", "invoice"), ("CreditMemo/73", "30.00", "credit_note"))
    assert canonical.validate("payment", record) is record


def test_a_payment_of_nothing_that_applies_no_credit_is_refused_unless_void():
    with pytest.raises(errors.PayloadValidationError, match="0 only when it applies credit notes"):
        canonical.validate("payment", payment("0", ("Invoice/71", "10.00", None)))
    with pytest.raises(errors.PayloadValidationError, match="0 only when it applies credit notes"):
        canonical.validate("payment", payment("0"))
    # QuickBooks shows a voided payment at 0, its lines gone
    assert canonical.validate("payment", payment("0", state="void"))


def test_credit_beyond_the_invoices_or_the_money_is_refused():
    with pytest.raises(errors.PayloadValidationError, match="credit notes of 120.00 exceed the invoices allocated"):
        canonical.validate(
            "payment", payment("0", ("Invoice/71", "100.00", None), ("CreditMemo/73", "120.00", "credit_note"))
        )
    with pytest.raises(errors.PayloadValidationError, match="80.00 allocated exceeds the payment 70.00"):
        canonical.validate(
            "payment", payment("70.00", ("Invoice/71", "100.00", None), ("CreditMemo/73", "20.00", "credit_note"))
        )
    with pytest.raises(errors.PayloadValidationError, match="document_kind"):
        canonical.validate("payment", payment("0", ("CreditMemo/73", "20.00", "refund")))


def test_each_credit_note_goes_to_the_invoices_in_order_and_the_money_pays_the_rest():
    applied, money = plan_credits(
        [("INV1", D("100.00")), ("INV2", D("50.00")), ("INV3", D("25.00"))],
        [("CM1", D("30.00")), ("CM2", D("90.00"))],
    )
    assert applied == [
        ("CM1", "INV1", D("30.00")),
        ("CM2", "INV1", D("70.00")),
        ("CM2", "INV2", D("20.00")),
    ]
    assert money == [("INV2", D("30.00")), ("INV3", D("25.00"))]
    assert sum(a for _c, _i, a in applied) + sum(a for _i, a in money) == D("175.00")


def test_a_credit_that_covers_the_invoice_leaves_nothing_for_money():
    applied, money = plan_credits([("INV1", D("100"))], [("CM1", D("100"))])
    assert (applied, money) == ([("CM1", "INV1", D("100.00"))], [])
    with pytest.raises(ValueError, match="exceed the invoices"):
        plan_credits([("INV1", D("10"))], [("CM1", D("10.01"))])
