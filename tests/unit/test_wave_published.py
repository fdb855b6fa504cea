"""Records Wave published (../shared/fixtures/wave: answers recorded from the live API, and the
illustrative shapes of a client's tests) map to valid canonical records. Skipped where the
fixtures are not on this machine."""

import json
import os
from decimal import Decimal

import pytest

from odoo.addons.connector_wave.lib import mappers

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "fixtures", "wave")


def _published(name):
    path = os.path.join(SHARED, name)
    if not os.path.exists(path):
        pytest.skip(f"{path} is not on this machine")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _rebuild(fields):
    """A document from Bubble's recorded (path, sample value) pairs."""
    doc = {}
    for field in fields.values():
        target = doc
        for key in field["path"][:-1]:
            target = target.setdefault(key, {})
        target.setdefault(field["path"][-1], field.get("sample_value"))
    return doc


def test_the_invoice_and_customer_wave_answered_live_map_to_valid_canonical_records(valid):
    calls = _published("bubble-plugin-raw_calls.json")["calls"]
    calls = calls if isinstance(calls, list) else list(calls.values())
    invoices = next(c for c in calls if c["name"] == "Get Invoices")
    types = json.loads(invoices["types"])
    node = _rebuild(types["plugin_api.AAX.data.business.invoices.edges"]["fields"])["node"]
    line = _rebuild(types["plugin_api.AAX.node.items"]["fields"])
    line["unitPrice"] = line.pop("price")  # the recording selected the deprecated name of the field
    record = mappers.invoice_to_canonical({**node, "items": [line]})
    valid("invoice", record)
    assert (record["number"], record["amount_total"], record["amount_residual"]) == ("15", Decimal("40.00"), 0)
    assert record["lines"][0]["product"] == line["product"]["id"] and record["state"] == "posted"
    created = next(c for c in calls if c["name"] == "Create a Customer")
    customer = _rebuild(json.loads(created["types"])["plugin_api.AAw"]["fields"])["data"]["customerCreate"]["customer"]
    party = mappers.customer_to_canonical(customer)
    valid("party", party)
    assert party["address"]["state_code"] == "RI" and party["currency"] == "USD"


@pytest.mark.parametrize(
    ("test", "path", "mapper", "kind"),
    [
        ("it_returns_if_customer_exists", ["business", "customer"], mappers.customer_to_canonical, "party"),
        (
            "it_returns_all_products",
            ["business", "products", "edges", 0, "node"],
            mappers.product_to_canonical,
            "product",
        ),
        ("it_returns_all_taxes", ["business", "salesTaxes", "edges", 0, "node"], mappers.tax_to_canonical, "tax"),
    ],
)
def test_the_illustrative_shapes_map_to_valid_canonical_records(valid, test, path, mapper, kind):
    body = next(b for b in _published("illustrative-shapes.json") if b["test"] == test)["body"]["data"]
    for key in path:
        body = body[key]
    valid(kind, mapper(body))
