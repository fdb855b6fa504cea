"""Canonical taxes of several components, compound taxes and tax-inclusive documents."""

from decimal import Decimal as D

import pytest

from odoo.addons.connector_base.lib import canonical, errors

GST_PST = {
    "external_id": "7",
    "name": "GST/PST (compound)",
    "rate": D("12.35"),
    "scope": "sale",
    "components": [
        {"name": "GST", "rate": D("5")},
        {"name": "PST", "rate": D("7"), "compound": True},
    ],
}


def test_a_compound_component_is_charged_on_the_amount_with_those_before_it():
    assert canonical.combined_rate(GST_PST["components"]) == D("12.35")
    assert canonical.combined_rate([{"rate": D("5")}, {"rate": D("9.975")}]) == D("14.975")
    assert canonical.validate("tax", dict(GST_PST))


def test_a_tax_on_its_own_can_be_compound():
    pst = {"external_id": "PST", "name": "PST", "rate": D("7"), "scope": "sale", "compound": True}
    assert canonical.validate("tax", pst)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"rate": D("12")}, "is not the 12.35 its components make together"),
        (
            {"components": [{"name": "PST", "rate": D("7"), "compound": True}], "rate": D("7")},
            "the first component cannot be compound",
        ),
        ({"components": [{"name": "GST", "rate": D("120")}], "rate": D("120")}, "between 0 and 100"),
        ({"components": [{"rate": D("5")}]}, "'name' is a required property"),
    ],
)
def test_inconsistent_components_are_refused(change, message):
    with pytest.raises(errors.PayloadValidationError, match=message):
        canonical.validate("tax", dict(GST_PST, **change))


def test_an_inclusive_document_carries_its_lines_with_and_without_tax():
    invoice = {
        "external_id": "Invoice/185",
        "move_type": "out_invoice",
        "partner": "Customer/8",
        "date": "2021-04-14",
        "currency": "AUD",
        "tax_mode": "inclusive",
        "lines": [
            {
                "product": "11",
                "quantity": D("450"),
                "price_unit": D("1"),
                "amount": D("450.00"),
                "amount_untaxed": D("409.09"),
                "taxes": ["10"],
            }
        ],
        "amount_tax": D("40.91"),
        "amount_total": D("450.00"),
    }
    assert canonical.validate("invoice", invoice)
