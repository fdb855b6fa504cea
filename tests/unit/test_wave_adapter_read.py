"""The Wave adapter reading a generated company from the Wave sandbox over loopback HTTP:
every kind as valid canonical records, oldest first; polls from a cursor; accounts by their
sequence; payments through their invoices; counts, balances and the ids a sweep compares."""

import base64
from datetime import date, timedelta
from decimal import Decimal

import pytest

from odoo.addons.connector_base.lib import canonical, errors
from odoo.addons.connector_wave.lib.reading import ACCOUNT_POSITION

KINDS = ("account", "tax", "party", "product", "invoice", "payment")


@pytest.fixture
def books(wave):
    wave.control("generate", size={"customers": 12, "products": 7, "invoices": 30, "payments": 20})
    return wave


def read_all(adapter, kind, since=None):
    return list(adapter.changes(kind, since=since))


def test_every_kind_reads_as_valid_canonical_records_oldest_first(books, valid):
    adapter = books.adapter()
    for kind in KINDS:
        pairs = read_all(adapter, kind)
        for record, _position in pairs:
            valid(kind, record)
        positions = [position for _record, position in pairs]
        assert positions == sorted(positions), kind
        if kind != "payment":
            assert adapter.count(kind) == len(pairs), kind
    parties = [record for record, _position in read_all(adapter, "party")]
    assert sorted(p["roles"][0] for p in parties) == ["customer"] * 12 + ["vendor"] * 3
    taxes = {record["name"]: record for record, _position in read_all(adapter, "tax")}
    assert taxes["City Surcharge"]["compound"] and taxes["State Sales Tax"]["rates"][-1]["rate"] == Decimal("6.25")
    strict = books.adapter(known_fields_only=True)  # as Odoo reads them: what the schema defines, valid
    for record, _position in read_all(strict, "tax"):
        canonical.validate("tax", record)
    tax = next(record for record, _position in read_all(strict, "tax") if record["name"] == "City Surcharge")
    canonical.validate("tax", strict.read("tax", tax["external_id"]))
    assert len(read_all(adapter, "payment")) == len(books.docs("InvoicePayment")) == 20
    assert adapter.count("payment") is None


def test_invoice_totals_and_amounts_due_are_wave_s_to_the_cent(books):
    adapter = books.adapter()
    client = books.client()
    invoices = [record for record, _position in read_all(adapter, "invoice")]
    assert len(invoices) == 30 and {i["state"] for i in invoices} == {"draft", "posted"}
    for record in invoices[:6]:
        wave = client.one("Invoice", "invoice", record["external_id"])
        assert record["amount_total"] == Decimal(wave["total"]["value"])
        assert record["amount_residual"] == Decimal(wave["amountDue"]["value"])
        paid = sum((Decimal(p["amount"]) for p in wave["payments"]), Decimal(0))
        assert record["amount_total"] - paid == record["amount_residual"]
        assert sum((line["amount"] for line in record["lines"]), Decimal(0)) == record["amount_untaxed"]


def test_a_poll_reads_what_changed_after_its_cursor_and_nothing_else(books):
    adapter = books.adapter(overlap_seconds=0)
    cursors = {kind: read_all(adapter, kind)[-1][1] for kind in ("party", "product", "tax", "invoice")}
    for kind, cursor in cursors.items():
        assert read_all(adapter, kind, since=cursor) == [], kind
    customer = books.docs("Customer")[4]
    vendor = books.docs("Vendor")[0]
    control = books.control_client
    control.mutate("customerPatch", "CustomerPatchInput", "customer { id }", id=customer["id"], email="new@x.example")
    books.control("change", kind="Vendor", id=vendor["id"], fields={"phone": "555-0199"})
    product = books.docs("Product")[2]
    control.mutate("productArchive", "ProductArchiveInput", "product { id }", id=product["id"])
    changed = read_all(adapter, "party", since=cursors["party"])
    assert [(r["external_id"], r["roles"]) for r, _p in changed] == [
        (customer["id"], ["customer"]),
        (vendor["id"], ["vendor"]),
    ]
    assert changed[0][0]["email"] == "new@x.example" and changed[1][1] > changed[0][1] > cursors["party"]
    archived = read_all(adapter, "product", since=cursors["product"])
    assert [(r["external_id"], r["active"]) for r, _p in archived] == [(product["id"], False)]
    # by default a poll starts a second before its cursor: what changed in that second is read again
    again = read_all(books.adapter(), "party", since=changed[-1][1])
    assert {r["external_id"] for r, _p in again} == {customer["id"], vendor["id"]}


def test_a_window_longer_than_a_page_is_read_whole_while_records_change_and_within_one_millisecond(wave):
    uuid = wave.sandbox.tenant().uuid
    same = "2026-01-05T10:00:00.123Z"
    customers = [
        {
            "id": base64.b64encode(f"Business:{uuid};Customer:{70000000 + n}".encode()).decode(),
            "name": f"Same Moment {n:02d}",
            "createdAt": same,
            "modifiedAt": same if n < 12 else f"2026-01-05T10:00:0{n - 11}.000Z",
        }
        for n in range(17)
    ]
    wave.control("seed", documents={"Customer": customers})
    adapter = wave.adapter(wave.client(page_size=5))
    seen = []
    for record, _position in adapter.changes("party"):
        seen.append(record["external_id"])
        if len(seen) == 3:  # a customer already read changes while the list is being read
            wave.control("change", kind="Customer", id=seen[0], fields={"phone": "1"})
    assert set(seen) == {c["id"] for c in customers} and len(seen) == 18 and seen[-1] == seen[0]


def test_accounts_are_read_whole_and_compared_by_their_sequence(books):
    adapter = books.adapter()
    first = read_all(adapter, "account")
    position = first[0][1]
    assert position.startswith(ACCOUNT_POSITION) and {p for _r, p in first} == {position}
    assert read_all(adapter, "account", since=position) == []
    account = next(r for r, _p in first if r["name"] == "Office Supplies")
    books.control_client.mutate(
        "accountPatch",
        "AccountPatchInput",
        "account { id }",
        id=account["external_id"],
        sequence=int(account["version"]),
        name="Office Costs",
    )
    again = read_all(adapter, "account", since=position)
    renamed = next(r for r, _p in again if r["external_id"] == account["external_id"])
    assert renamed["name"] == "Office Costs" and int(renamed["version"]) == int(account["version"]) + 1
    assert again[0][1] > position


def test_payments_are_read_through_the_invoices_changed_since_the_cursor(books):
    adapter = books.adapter(overlap_seconds=0)
    payments = read_all(adapter, "payment")
    cursor = payments[-1][1]
    assert read_all(adapter, "payment", since=cursor) == []
    unpaid = next(
        i
        for i, _p in read_all(adapter, "invoice")
        if i["state"] == "posted" and not any(r["allocations"][0]["document"] == i["external_id"] for r, _q in payments)
    )
    bank = books.control_client.accounts("CASH_AND_BANK")[0]
    books.control_client.mutate(
        "invoicePaymentCreateManual",
        "InvoicePaymentCreateManualInput",
        "invoicePayment { id }",
        invoiceId=unpaid["external_id"],
        paymentAccountId=bank,
        amount="10.00",
        paymentDate=date.today().isoformat(),
        paymentMethod="CASH",
        exchangeRate="1",
    )
    new = read_all(adapter, "payment", since=cursor)
    assert [(r["allocations"][0]["document"], r["amount"], r["method"]) for r, _p in new] == [
        (unpaid["external_id"], Decimal("10.00"), "CASH")
    ]
    assert new[0][1] > cursor and new[0][0]["deposit_account"] == bank
    gone = books.docs("Invoice")[0]["id"]
    books.control("change", kind="Invoice", id=gone, delete=True)
    found = adapter.invoice_payments([gone, unpaid["external_id"]])
    assert list(found) == [unpaid["external_id"]]  # an invoice deleted meanwhile is left out


def test_a_first_import_reads_the_lists_whole_and_the_invoices_from_the_start_date(books):
    adapter = books.adapter()
    start = (date.today() - timedelta(days=30)).isoformat()
    invoices = [r for r, _p in read_all(adapter, "invoice", since=start)]
    assert invoices and all(r["date"] >= start for r in invoices) and len(invoices) < 30
    assert len(read_all(adapter, "party", since=start)) == 15
    counting = books.adapter()
    before = books.stats()["query_operations"]
    counts = [counting.count(kind, since=start) for kind in ("party", "product", "tax", "account", "invoice")]
    assert counts == [15, 7, 3, 15, len(invoices)]
    assert books.stats()["query_operations"] == before + 1  # one request counts every kind


def test_one_record_of_each_kind_is_read_fresh(books, valid):
    adapter = books.adapter()
    for kind in KINDS:
        record, _position = read_all(adapter, kind)[0]
        again = adapter.read(kind, record["external_id"])
        valid(kind, again)
        assert again == record
    vendor = books.docs("Vendor")[0]["id"]
    assert adapter.read("party", vendor)["roles"] == ["vendor"]
    customer = books.docs("Customer")[-1]["id"]
    books.control("change", kind="Customer", id=customer, delete=True)
    with pytest.raises(errors.NotFoundError):
        adapter.read("party", customer)
    with pytest.raises(errors.PayloadValidationError, match="cannot read"):
        adapter.read("journal_entry", "anything")


def test_balances_open_amounts_and_the_ids_a_sweep_compares(books):
    adapter = books.adapter()
    balances = adapter.account_balances()
    assert len(balances) == 15 and all(isinstance(v, Decimal) for v in balances.values())
    owed = adapter.open_amounts()
    due = sum((r["amount_residual"] for r, _p in read_all(adapter, "invoice") if r["state"] == "posted"), Decimal(0))
    assert sum((v["outstanding"] for v in owed.values()), Decimal(0)) == due
    assert adapter.remote_ids("invoice") == {d["id"] for d in books.docs("Invoice")}
    assert adapter.remote_ids("payment") == {d["id"] for d in books.docs("InvoicePayment")}
    assert len(adapter.remote_ids("party")) == 15
    assert all(adapter.remote_ids(kind) is None for kind in ("product", "account", "tax", "journal_entry"))
