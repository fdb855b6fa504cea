"""The Reckon sandbox's contract with Reckon's OpenAPI document (``../shared/fixtures/reckon``).

Skipped where the document is not here: the sandbox then runs unchecked."""

import json
import os

import pytest

from tests.sandbox.reckon import Sandbox
from tests.sandbox.reckon.contract import Contract, locate
from tests.sandbox.reckon.extension import OPERATIONS
from tests.sandbox.reckon.server import RESOURCES

pytestmark = pytest.mark.skipif(not locate().exists(), reason="../shared/fixtures/reckon/openapi.yaml is not here")
FIXTURES = os.path.dirname(str(locate()))


@pytest.fixture(scope="module")
def contract():
    return Contract(extension=OPERATIONS)


@pytest.fixture(scope="module")
def schemas(contract):
    return contract.schemas["components"]["schemas"]


def test_record_types_have_the_documents_fields(schemas):
    """The fields a filter may name, and those a PATCH is merged onto, are the document's own."""
    for collection, resource in RESOURCES.items():
        if resource.extension:
            continue
        assert list(resource.FIELDS) == list(schemas[resource.entity]["properties"]), collection
        if resource.INPUT:  # lines, links and templates are handled apart from the header fields
            header = set(schemas[f"{resource.entity}Input"]["properties"]) - {
                "lineItems",
                "transactionLinks",
                "template",
            }
            assert set(resource.INPUT) - {"lineItems"} == header, collection


def test_operations_are_found_by_the_documents_own_paths(contract):
    book = "5c933c97-e9bf-427c-a2b5-a4ddd539d575"
    assert contract.operation("GET", f"/{book}/creditnotes")[1] == "/{bookId}/creditnotes"
    assert contract.operation("PATCH", f"/{book}/CREDITNOTES/x")[1] == "/{bookId}/creditNotes/{creditNoteId}"
    assert contract.operation("GET", f"/{book}/invoices/summary")[1] == "/{bookId}/invoices/summary"
    assert contract.operation("GET", f"/{book}/invoices/abc")[1] == "/{bookId}/invoices/{invoiceId}"
    assert contract.operation("POST", f"/{book}/bills/abc/approve")[0] == "extension"
    assert contract.operation("POST", f"/{book}/payments") is None  # read-only in the document


def test_readings_of_the_document(contract):
    found = contract.operation("POST", "/b/customers")
    assert contract.check_request("POST", "/b/customers", found, b'{"name": "A"}') == []
    closed = contract.check_request("POST", "/b/customers", found, b'{"name": "A", "displayName": "A"}')
    assert closed and "displayName" in closed[0]
    assert contract.check_request("POST", "/b/customers", found, b'{"notes": "no name"}')
    patch = contract.operation("PATCH", "/b/customers/c")
    assert contract.check_request("PATCH", "/b/customers/c", patch, b'{"branch": null}') == []  # RFC 7396
    contract.check_answer("DELETE", "/b/customers/c", contract.operation("DELETE", "/b/customers/c"), 204, b"{}")
    report = contract.report()
    assert report["answers"]["failed"] == 1 and "must be empty" in report["failures"][-1]


def test_published_examples_that_break_their_own_schemas_are_caught(contract):
    """SOURCES.md keeps the document's quirks; validating its examples shows them."""
    item = json.load(open(os.path.join(FIXTURES, "Item.json")))[0]
    receipt = json.load(open(os.path.join(FIXTURES, "Receipt.json")))[0]
    ledger = json.load(open(os.path.join(FIXTURES, "LedgerAccount.json")))[0]
    assert any(e.startswith("parentItem") for e in contract._errors({"$ref": "#/components/schemas/Item"}, item))
    assert any("Name" in e for e in contract._errors({"$ref": "#/components/schemas/Receipt"}, receipt))
    assert contract._errors({"$ref": "#/components/schemas/LedgerAccount"}, ledger) == []


def test_every_generated_record_is_as_the_document_defines_it():
    """A generated book read through the API, every list page and every record, checks clean."""
    from test_reckon_sandbox import Api

    sb = Sandbox()
    sb.generate()
    sb.start()
    try:
        api = Api(sb)
        for path in (
            "customers",
            "suppliers",
            "items",
            "ledgeraccounts",
            "terms",
            "invoices",
            "creditnotes",
            "receipts",
            "payments",
            "bills",
            "journals",
            "taxrates/2025-01-01",
            "taxgroups/2025-01-01",
        ):
            for doc in api.all(path, perpage=100):
                key = doc.get("id") or doc.get("BillID") or doc.get("JournalID")
                one = f"{path.split('/')[0]}/{key}/2025-01-01" if path.startswith("tax") else f"{path}/{key}"
                assert api("GET", one).status_code == 200, one
        assert api("GET", "paymentMethods").status_code == 200
        report = sb.contract.report()
        print(f"contract: {report['answers']['validated']} answers validated, {report['by_source']}")
        assert report["answers"]["failed"] == 0, report["failures"]
        assert report["answers"]["validated"] > 150 and report["unchecked"] == 0
    finally:
        sb.stop()
