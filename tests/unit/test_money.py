from decimal import Decimal

import pytest

from odoo.addons.connector_base.lib import money


def test_float_goes_through_its_shortest_repr_not_binary():
    assert money.to_decimal(0.1) == Decimal("0.1")
    assert money.to_decimal(1234.56) + money.to_decimal(0.01) == Decimal("1234.57")


@pytest.mark.parametrize("bad", [None, True, "abc", float("nan"), float("inf"), "Infinity", [1]])
def test_non_amounts_are_refused(bad):
    with pytest.raises(ValueError):
        money.to_decimal(bad)


def test_quantize_rounds_half_away_from_zero():
    assert money.quantize("2.675") == Decimal("2.68")
    assert money.quantize("-2.675") == Decimal("-2.68")
    assert money.quantize("0.125", 2) == Decimal("0.13")


def test_cents_round_trip():
    assert money.from_cents(123456) == Decimal("1234.56")
    assert money.to_cents(Decimal("1234.565")) == 123457
    with pytest.raises(ValueError):
        money.from_cents(12.5)


def test_json_keeps_every_digit_of_decimals():
    data = {"total": Decimal("1234567890.1234567890"), "lines": [Decimal("-0.10")], "n": 3, "s": "1.5"}
    text = money.json_dumps(data)
    assert "1234567890.1234567890" in text and '"1.5"' in text
    assert money.json_loads(text) == data
