"""Reckon documents for the mapper tests: Reckon's published examples (from ../shared, the
test skipped without them) and documents built in Reckon's v2 shape."""

import json
import os

import pytest

from odoo.addons.connector_base.lib.money import json_dumps

from tests.sandbox.reckon.contract import locate

FIXTURES = os.path.dirname(str(locate()))
GST, FRE = "2d276d3a-85cb-4ae3-b23c-cfcdb26510b8", "6f5b31a8-0f0e-4a53-9a43-4a4c8c1f0d11"
CUSTOMER = "fa900bde-b588-4088-be5f-63375f6a693f"
REF = "odoo:account.move:4711"


def published(name, index=0):
    path = os.path.join(FIXTURES, f"{name}.json")
    if not os.path.exists(path):
        pytest.skip("../shared/fixtures/reckon is not here")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)[index]


def conforms(contract, schema, body):
    """Errors of a request body, as it goes on the wire, against a schema of the document
    (objects closed, as the sandbox reads them)."""
    wire = json.loads(json_dumps(body))
    return contract._errors({"$ref": f"#/components/schemas/{schema}"} if isinstance(schema, str) else schema, wire)


def line(number, *, item=None, account=None, rate=GST, **details):
    out = {"lineNumber": number, "lineId": f"line-{number}", "description": f"line {number}"}
    if item:
        out["itemDetails"] = {"item": {"id": item, "name": item}, **details}
    else:
        out["accountDetails"] = {"ledgerAccount": {"id": account, "name": account}, **details}
    if rate:
        out["taxRate"] = {"id": rate, "name": "GST" if rate == GST else "FRE"}
    return out


def invoice(status="Exclusive", lines=None, **extra):
    doc = {
        "id": "8aa81e9a-d5e9-4cdb-8079-2d7acecf35f0",
        "invoiceNumber": "INV0042",
        "customer": {"id": CUSTOMER, "name": "Company Ltd"},
        "invoiceDate": "2026-02-01T00:00:00Z",
        "dueDate": "2026-03-03T00:00:00Z",
        "amountTaxStatus": status,
        "status": "Approved",
        "reference": "PO-1",
        "notes": f"Thanks for your business\n{REF}",
        "lineItems": lines or [],
    }
    doc.update(extra)
    return doc
