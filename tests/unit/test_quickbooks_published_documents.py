"""What a new user meets when they load QuickBooks documents as QuickBooks publishes them
(recorded answers of its API) into the sandbox and import them: the sandbox answers as
QuickBooks does, and the mappers and the adapter make sense of what they are given."""

from datetime import timedelta

import pytest

from odoo.addons.connector_base.lib import canonical, errors
from odoo.addons.connector_quickbooks.lib import mappers
from odoo.addons.connector_quickbooks.lib.adapter import QuickBooksAdapter
from odoo.addons.connector_quickbooks.lib.client import QuickBooksClient

from tests.sandbox.quickbooks import Company, Fault, Sandbox, generate_company

#: a journal entry as QuickBooks answers a read of it
JOURNAL_ENTRY = {
    "Id": "227",
    "SyncToken": "0",
    "TxnDate": "2026-04-02",
    "CurrencyRef": {"value": "USD"},
    "MetaData": {"CreateTime": "2026-04-02T10:00:00-07:00", "LastUpdatedTime": "2026-04-02T10:00:00-07:00"},
    "Line": [
        {
            "Id": "0",
            "Amount": 100,
            "DetailType": "JournalEntryLineDetail",
            "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "44"}},
        },
        {
            "Id": "1",
            "Amount": 100,
            "DetailType": "JournalEntryLineDetail",
            "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": "65"}},
        },
    ],
}
#: QuickBooks' answer to ``POST /journalentry?operation=delete``
DELETE_ANSWER = {"Id": "227", "status": "Deleted", "domain": "QBO"}
#: the Detail of a 610 as QuickBooks answers it (Boulevard/ExQuickBooks, test/fixtures/item/read_item_error.json):
#: it never says which reference it could not find
OBJECT_NOT_FOUND = (
    "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, "
    "customers, items, vendors or employees."
)


# ---------------------------------------------------------------------- the sandbox
def test_a_seeded_delete_answer_is_a_deletion_that_no_read_or_query_returns():
    company = Company("4620816365000000001")
    since = company.now() - timedelta(minutes=1)
    company.seed("JournalEntry", [JOURNAL_ENTRY, dict(JOURNAL_ENTRY, Id="228")])
    company.seed("JournalEntry", [DELETE_ANSWER, dict(DELETE_ANSWER, Id="990")])  # 990: deleted before it was seen
    live = company.query("SELECT * FROM JournalEntry")
    assert [doc["Id"] for doc in live["JournalEntry"]] == ["228"]
    assert company.query("SELECT COUNT(*) FROM JournalEntry")["totalCount"] == 1
    for doc_id in ("227", "990"):
        with pytest.raises(Fault) as fault:
            company.get("JournalEntry", doc_id)
        assert fault.value.code == "610"
    changes, _total = company.cdc(["JournalEntry"], since)
    deleted = {doc["Id"]: doc for doc in changes["CDCResponse"][0]["QueryResponse"][0]["JournalEntry"]}
    assert set(deleted) == {"227", "990"}  # 228 was recorded long before: not a change since
    assert deleted["227"]["status"] == deleted["990"]["status"] == "Deleted"


def test_a_credit_memo_made_in_the_sandbox_has_no_due_date_as_in_quickbooks():
    sb = Sandbox()
    generate_company(sb.company, customers=3, items=2, invoices=1, payments=0, bills=1, credit_memos=2)
    assert all("DueDate" not in doc for doc in sb.company.snapshot("CreditMemo"))
    assert all(doc["DueDate"] for doc in sb.company.snapshot("Invoice") + sb.company.snapshot("Bill"))


# ---------------------------------------------------------------------- the mappers
def test_credit_notes_without_a_due_date_fall_due_on_their_own_date():
    line = {"Amount": 100, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}
    memo = {"Id": "181", "TxnDate": "2026-05-05", "CustomerRef": {"value": "1"}, "Line": [line], "TotalAmt": 100}
    record = mappers.to_canonical("CreditMemo", memo)
    canonical.validate("invoice", record)
    assert record["due_date"] == "2026-05-05"
    credit = {
        "Id": "9",
        "TxnDate": "2026-05-06",
        "VendorRef": {"value": "56"},
        "Line": [
            {
                "Amount": 40,
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "69"}},
            }
        ],
        "TotalAmt": 40,
    }
    assert mappers.to_canonical("VendorCredit", credit)["due_date"] == "2026-05-06"
    invoice = dict(memo, DueDate="2026-06-04", SalesTermRef={"value": "3"})
    assert mappers.to_canonical("Invoice", invoice)["due_date"] == "2026-06-04"


def test_a_tax_code_the_tax_mode_does_not_use_stays_on_its_line():
    """Dropped, the line would lose the tax QuickBooks charged; kept, its mapping decides."""

    def line(code):
        detail = {"ItemRef": {"value": "1"}, "TaxCodeRef": {"value": code}}
        return {"Amount": 100, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}

    invoice = {
        "Id": "130",
        "TxnDate": "2026-04-08",
        "CustomerRef": {"value": "24"},
        "Line": [line("TAX"), line("NON"), line("10")],
        "TxnTaxDetail": {"TxnTaxCodeRef": {"value": "2"}, "TotalTax": 18},
        "TotalAmt": 318,
    }
    us = mappers.to_canonical("Invoice", invoice, tax_mode="us")
    assert [item["taxes"] for item in us["lines"]] == [["2"], [], ["10"]]
    elsewhere = mappers.to_canonical("Invoice", invoice, tax_mode="global")
    assert [item["taxes"] for item in elsewhere["lines"]] == [["TAX"], [], ["10"]]


# ---------------------------------------------------------------------- object not found (610)
@pytest.fixture()
def served():
    """A small generated company served over HTTP, and an adapter on it."""
    sb = Sandbox()
    generate_company(sb.company, customers=3, items=2, invoices=2, payments=0, bills=0, journal_entries=0)
    sb.start()
    access = sb.issue_tokens("sandbox-client", sb.company.realm_id)["access_token"]
    client = QuickBooksClient(sb.company.realm_id, lambda rejected=None: access, api_url=sb.url, sleep=lambda s: 0)
    yield sb, QuickBooksAdapter(client)
    sb.stop()


def test_the_sandbox_says_object_not_found_as_quickbooks_does_without_naming_the_reference(served):
    _sb, adapter = served
    with pytest.raises(errors.NotFoundError) as missing:
        adapter.client.read("Customer", "58")
    with pytest.raises(errors.NotFoundError) as unknown_customer:
        adapter.client.create("Invoice", {"CustomerRef": {"value": "58"}, "Line": [], "TxnDate": "2026-05-05"}, "r-1")
    for error in (missing.value, unknown_customer.value):
        assert str(error) == f"QuickBooks 610: {OBJECT_NOT_FOUND}"


def test_a_reference_quickbooks_does_not_have_is_named_with_its_fix(served):
    """Read as the dependency of a document (Invoice 130 of customer 58, loaded without it)."""
    _sb, adapter = served
    with pytest.raises(errors.NotFoundError) as missing:
        adapter.read("party", "Customer/58")
    error = missing.value
    assert (error.reason, error.mapping_model, error.external_id) == (
        "mapping_missing",
        "connector.binding",
        "Customer/58",
    )
    assert str(error).startswith("Customer 58 is not known to this connection")
    assert "import it" in str(error) and "map it" in str(error)


def test_an_export_refused_with_object_not_found_names_the_reference_quickbooks_lacks(served):
    sb, adapter = served
    company = sb.company
    customer, item = company.snapshot("Customer")[0], company.snapshot("Item")[0]
    record = {
        "move_type": "out_invoice",
        "partner": f"Customer/{customer['Id']}",
        "date": "2026-05-05",
        "currency": customer["CurrencyRef"]["value"],
        "lines": [{"product": item["Id"], "quantity": 1, "price_unit": 10, "taxes": []}],
    }
    company.write("Customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "Active": False}, sparse=True)
    with pytest.raises(errors.NotFoundError) as refused:
        adapter.write("invoice", record, reference="odoo:account.move:7", idempotency_key="k-7")
    error = refused.value
    assert (error.reason, error.mapping_model, error.external_id) == (
        "mapping_missing",
        "connector.binding",
        f"Customer/{customer['Id']}",
    )
    assert f"Customer {customer['Id']} is inactive in QuickBooks" in str(error)
    invoice = company.snapshot("Invoice")[0]
    company.write("Invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}, operation="void")
    payment = {
        "payment_type": "inbound",
        "partner": f"Customer/{invoice['CustomerRef']['value']}",
        "date": "2026-05-05",
        "amount": 5,
        "currency": invoice["CurrencyRef"]["value"],
        "allocations": [{"document": f"Invoice/{invoice['Id']}", "amount": 5}],
    }
    with pytest.raises(errors.NotFoundError, match=f"Invoice {invoice['Id']} is voided in QuickBooks"):
        adapter.write("payment", payment, reference="odoo:account.payment:8", idempotency_key="k-8")
