"""The Reckon adapter reading a generated Australian book over loopback HTTP: every kind,
every record valid canonical, totals and balances equal to Reckon's to the cent, one party per
contact, changes by stamp and by a rolling window, and the book's refusals."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.provider import KINDS_IN_ORDER
from odoo.addons.connector_reckon.lib.adapter import ReckonAdapter
from odoo.addons.connector_reckon.lib.faults import PermissionDeniedError


def everything(adapter, kind, since=None):
    return [record for record, _position in adapter.changes(kind, since)]


def test_what_reckon_can_do_is_declared():
    assert ReckonAdapter.party_roles_separate is False
    assert not any(entry["push"] for entry in ReckonAdapter.capabilities.values())  # no webhooks at Reckon
    assert ReckonAdapter.can("invoice", "create", "out_invoice") and not ReckonAdapter.can(
        "invoice", "create", "in_refund"
    )
    assert ReckonAdapter.can("payment", "read", "outbound") and not ReckonAdapter.can("payment", "create", "outbound")
    assert not ReckonAdapter.can("invoice", "incremental", "out_invoice")  # a rolling window, no stamp
    assert ReckonAdapter.can("invoice", "incremental", "in_invoice") and not ReckonAdapter.can("tax", "create")
    assert "403" in ReckonAdapter.capabilities["invoice/in_invoice"]["note"]
    assert set(ReckonAdapter.readable_kinds) == set(KINDS_IN_ORDER)


def test_connection_books_and_reference_lists(reckon):
    adapter = reckon.adapter()
    assert adapter.test_connection() == "Harbourside Services Pty Ltd (AU)" and adapter.currency == "AUD"
    assert adapter.books() == [(reckon.book_id, "Harbourside Services Pty Ltd", "AU")]
    lists = adapter.reference_lists()
    terms = {name: extra for _id, name, extra in lists["payment_term"]}
    assert terms["Net 30"] == {"due_days": 30} and terms["End of next month"] == {}
    assert {name for _id, name, _extra in lists["payment_method"]} == {"Cash", "Cheque", "EFT", "Credit Card", "BPAY"}


@pytest.mark.book(customers=30, both=8, invoices=60, receipts=40)
def test_import_all_agrees_with_the_book_to_the_cent(reckon, valid):
    adapter = reckon.adapter()
    found = {kind: everything(adapter, kind) for kind in KINDS_IN_ORDER}
    for kind, records in found.items():
        for record in records:
            valid(kind, record)
        assert adapter.count(kind) == len(records), kind
    parties = {p["external_id"]: p for p in found["party"]}
    contacts = reckon.docs("contacts")
    assert len(parties) == len(contacts) == 36  # 30 customers and 6 suppliers, 8 of them both: one party each
    both = [c["id"] for c in contacts if c["entityTypes"]["isCustomer"] and c["entityTypes"]["isSupplier"]]
    assert len(both) == 8 and all(parties[c]["roles"] == ["customer", "vendor"] for c in both)
    invoices = {i["external_id"]: i for i in found["invoice"]}
    modes = set()
    for doc in reckon.docs("invoices"):
        record = invoices[f"Invoice/{doc['id']}"]
        assert (record["amount_total"], record["amount_tax"], record["amount_residual"]) == (
            doc["totalAmount"],
            doc["totalTaxAmount"],
            doc["balance"],
        )
        lines = sum((line["amount"] for line in record["lines"]), Decimal(0))
        assert lines == (record["amount_total"] if record["tax_mode"] == "inclusive" else record["amount_untaxed"])
        modes.add(record["tax_mode"])
    assert modes == {"exclusive", "inclusive", "none"}
    bills = [i for i in found["invoice"] if i["move_type"] == "in_invoice"]
    assert len(bills) == 8 and all(b["lines"][0]["taxes"][0].startswith("TaxGroup/") for b in bills)
    receipts = {p["external_id"]: p for p in found["payment"] if p["external_id"].startswith("Receipt/")}
    for doc in reckon.docs("receipts"):
        record = receipts[f"Receipt/{doc['id']}"]
        assert [(a["document"], a["amount"]) for a in record["allocations"]] == [
            (f"Invoice/{x['transactionId']}", x["transactionAmount"]) for x in doc["transactionLinks"]
        ]
    partial = [r for r in receipts.values() if r["amount"] < invoices[r["allocations"][0]["document"]]["amount_total"]]
    assert partial, "some receipts pay part of an invoice"
    assert adapter.remote_ids("invoice") == set(invoices)


def test_changes_by_stamp_since_a_cursor(reckon):
    adapter = reckon.adapter(overlap_seconds=0)
    cursor = max(position for _record, position in adapter.changes("party"))
    assert everything(adapter, "party", cursor) == []
    customer = reckon.docs("contacts")[4]
    reckon.control("change", collection="customers", id=customer["id"], body={"name": "Renamed Pty Ltd"})
    changed = list(adapter.changes("party", cursor))
    assert [(r["external_id"], r["name"]) for r, _p in changed] == [(customer["id"], "Renamed Pty Ltd")]
    assert changed[0][1] > cursor and adapter.count("party", cursor) == 1
    later = reckon.adapter()  # the default overlap (2 minutes) reads again what changed just before the cursor
    assert customer["id"] in {r["external_id"] for r in everything(later, "party", changed[0][1])}


def test_documents_without_a_stamp_are_read_by_a_window_of_dates(reckon):
    today = datetime.now(UTC).date()
    adapter = reckon.adapter(window_days=30)
    cursor = datetime.now(UTC).isoformat()
    window = {r["external_id"] for r in everything(adapter, "invoice", cursor) if r["move_type"] == "out_invoice"}
    recent = {
        f"Invoice/{d['id']}" for d in reckon.docs("invoices") if d["invoiceDate"][:10] >= str(today - timedelta(30))
    }
    assert window == recent and 0 < len(window) < len(reckon.docs("invoices"))
    positions = {p for r, p in adapter.changes("invoice", cursor) if r["move_type"] == "out_invoice"}
    assert len(positions) == 1 and positions.pop() >= cursor[:19]  # the poll's own moment
    start = str(today - timedelta(days=50))
    dated = everything(adapter, "payment", start)
    assert dated and all(p["date"] >= start for p in dated)
    assert adapter.count("payment", start) == len(dated)


def test_a_book_without_bills_and_journals(reckon, caplog):
    reckon.control("book", extension=False)
    adapter = reckon.adapter()
    invoices = everything(adapter, "invoice")  # the invoices come, the bills are skipped with one warning
    assert invoices and {i["move_type"] for i in invoices} == {"out_invoice", "out_refund"}
    assert adapter.unavailable == {"bills"} and "bills skipped" in caplog.text
    assert adapter.count("invoice") == len(invoices)
    with pytest.raises(PermissionDeniedError, match="journals") as refused:
        everything(adapter, "journal_entry")
    assert refused.value.table == "journals"


def test_read_one_record_of_each_kind(reckon, valid):
    adapter = reckon.adapter()
    supplier_only = next(c for c in reckon.docs("contacts") if not c["entityTypes"]["isCustomer"])
    assert adapter.read("party", supplier_only["id"])["roles"] == ["vendor"]
    rate = reckon.docs("taxrates")[0]
    assert adapter.read("tax", f"TaxRate/{rate['id']}")["rate"] == rate["rate"]
    variant = adapter.read("tax", f"TaxRate/{rate['id']}@12.5")
    assert variant["rate"] == Decimal("12.5") and variant["external_id"].endswith("@12.5")
    group = reckon.docs("taxgroups")[0]
    assert adapter.read("tax", f"TaxGroup/{group['id']}")["name"] == group["name"]
    invoice = reckon.docs("invoices")[0]
    record = adapter.read("invoice", f"Invoice/{invoice['id']}")
    assert record["amount_total"] == invoice["totalAmount"]
    for kind, external_id in (
        ("product", reckon.docs("items")[0]["id"]),
        ("account", reckon.docs("ledgeraccounts")[0]["id"]),
        ("invoice", f"Bill/{reckon.docs('bills')[0]['BillID']}"),
        ("payment", f"Receipt/{reckon.docs('receipts')[0]['id']}"),
        ("payment", f"Payment/{reckon.docs('payments')[0]['id']}"),
        ("journal_entry", reckon.docs("journals")[0]["JournalID"]),
    ):
        valid(kind, adapter.read(kind, external_id))
    with pytest.raises(errors.PayloadValidationError, match="is not a payment"):
        adapter.read("payment", f"Invoice/{invoice['id']}")
    with pytest.raises(errors.NotFoundError, match="no longer allocates"):
        adapter.read("payment", f"CreditApplication/{reckon.docs('creditnotes')[0]['id']}")
    with pytest.raises(errors.NotFoundError):
        adapter.read("party", "00000000-0000-4000-8000-000000000000")


def test_balances_and_open_items(reckon):
    adapter = reckon.adapter()
    balances = adapter.account_balances()
    assert set(balances) == {a["id"] for a in reckon.docs("ledgeraccounts")}
    customer = next(
        c["id"]
        for c in reckon.docs("contacts")
        if any(
            i["customer"]["id"] == c["id"] and i["balance"] > 0 and i["status"] != "Draft"
            for i in reckon.docs("invoices")
        )
    )
    owing = sum(
        i["balance"]
        for i in reckon.docs("invoices")
        if i["customer"]["id"] == customer and i["balance"] > 0 and i["status"] != "Draft"
    ) - sum(
        n["balance"]
        for n in reckon.docs("creditnotes")
        if n["customer"]["id"] == customer and n["balance"] > 0 and n["status"] != "Draft"
    )
    assert adapter.open_items()[customer]["receivable"] == owing


def test_dates_of_documents_are_reckons(reckon):
    adapter = reckon.adapter()
    doc = reckon.docs("invoices")[0]
    record = adapter.read("invoice", f"Invoice/{doc['id']}")
    assert record["date"] == doc["invoiceDate"][:10] and record["due_date"] == doc["dueDate"][:10]
    assert date.fromisoformat(record["date"]) <= datetime.now(UTC).date()
