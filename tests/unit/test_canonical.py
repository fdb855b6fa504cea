import json
import os
from decimal import Decimal as D

import pytest

from odoo.addons.connector_base.lib import canonical, errors

INVOICE = {
    "external_id": "130",
    "move_type": "out_invoice",
    "partner": "8",
    "date": "2026-02-01",
    "currency": "USD",
    "lines": [{"product": "7", "quantity": D("2"), "price_unit": D("100.00"), "taxes": ["3"]}],
    "amount_untaxed": D("200.00"),
    "amount_tax": D("16.50"),
    "amount_total": D("216.50"),
}


def test_every_schema_is_valid_2020_12():
    for kind in canonical.KINDS:
        canonical.validator(kind)
    with open(os.path.join(canonical.SCHEMA_DIR, "invoice.json")) as fh:
        assert json.load(fh)["$schema"].endswith("2020-12/schema")


def test_valid_invoice_passes_with_decimals():
    assert canonical.validate("invoice", dict(INVOICE)) is not None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"currency": "usd"}, "currency"),
        ({"date": "2026-02-30"}, "not a calendar date"),
        ({"amount_total": D("300")}, "amount_total"),
        ({"lines": []}, "at least one line"),
        ({"lines": [{"quantity": D(1), "price_unit": D(1)}]}, "product or an account"),
        ({"move_type": "receipt"}, "move_type"),
        ({"unknown": 1}, "Additional properties"),
        ({"lines": [{"product": "7", "quantity": "2", "price_unit": D(1)}]}, "not of type 'number'"),
    ],
)
def test_invalid_invoices_are_refused_with_a_reason(change, message):
    with pytest.raises(errors.PayloadValidationError, match=message):
        canonical.validate("invoice", dict(INVOICE, **change))


def test_unbalanced_journal_entry_is_refused():
    entry = {
        "external_id": "8",
        "date": "2026-01-31",
        "currency": "USD",
        "lines": [{"account": "1", "debit": D("100.00")}, {"account": "2", "credit": D("99.99")}],
    }
    with pytest.raises(errors.PayloadValidationError, match="do not balance"):
        canonical.validate("journal_entry", entry)
    entry["lines"][1]["credit"] = D("100.00")
    canonical.validate("journal_entry", entry)


def test_payment_allocations_cannot_exceed_the_payment():
    payment = {
        "external_id": "p1",
        "payment_type": "inbound",
        "partner": "8",
        "date": "2026-02-20",
        "amount": D("50"),
        "currency": "USD",
        "allocations": [{"document": "130", "amount": D("60")}],
    }
    with pytest.raises(errors.PayloadValidationError, match="exceeds the payment"):
        canonical.validate("payment", payment)


@pytest.mark.parametrize(
    "roles, message",
    [
        (["customer"], None),
        (["vendor"], None),
        (["customer", "vendor"], None),  # one contact that is both (Reckon's entityTypes)
        ([], "should be non-empty|too short"),
        (["customer", "customer"], "non-unique"),
        (["supplier"], "is not one of"),
    ],
)
def test_a_party_has_one_role_or_both(roles, message):
    party = {"external_id": "Vendor/12", "name": "Harbour Supplies", "roles": roles}
    if message is None:
        canonical.validate("party", party)
    else:
        with pytest.raises(errors.PayloadValidationError, match=message):
            canonical.validate("party", party)


def test_error_taxonomy_reasons_are_quarantine_reasons():
    reasons = {code for code, _label in errors.QUARANTINE_REASONS}
    for cls in (
        errors.MappingMissingError,
        errors.PartnerAmbiguousError,
        errors.NameCollisionError,
        errors.ClosedPeriodError,
        errors.CurrencyMismatchError,
        errors.RoundingDiffError,
        errors.PayloadValidationError,
        errors.ConflictError,
        errors.OutcomeUnknownError,
        errors.AuthError,
    ):
        assert cls.reason in reasons
    assert len(reasons) == 10
