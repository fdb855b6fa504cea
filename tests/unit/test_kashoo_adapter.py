"""The Kashoo adapter over loopback HTTP: a generated Canadian company read whole and to the cent,
the rolling window of dates, writes stamped in memo, a lost answer looked up before anything is
written again, updates, deletions and removed records, counts and open items, capabilities."""

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.provider import KINDS_IN_ORDER
from odoo.addons.connector_kashoo.lib import adapter as adapter_module
from odoo.addons.connector_kashoo.lib.adapter import KashooAdapter
from odoo.addons.connector_kashoo.lib.settings import FIELDS

pytest_plugins = ["kashoo_fixtures"]
ACTIONS = ("read", "create", "update", "delete", "incremental", "push")


def read_all(adapter, kind, since=None):
    return [record for record, _position in adapter.changes(kind, since)]


def tax_amounts(record, rates):
    """Each tax of a canonical document, computed per line as Kashoo does (half away from zero; a
    tax-included line's taxes backed out of its gross)."""
    totals = {}
    for line in record["lines"]:
        codes = line["taxes"]
        whole = 100 + sum(rates[c] for c in codes) if record["tax_mode"] == "inclusive" else Decimal(100)
        for code in codes:
            tax = line["amount"] * rates[code] / whole
            totals[code] = totals.get(code, 0) + int((tax * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return totals


def test_capabilities_say_plainly_what_kashoo_does_not_allow():
    assert KashooAdapter.party_roles_separate is False
    assert set(KashooAdapter.capabilities) == set(KINDS_IN_ORDER) == set(KashooAdapter.capability_notes)
    for kind, can in KashooAdapter.capabilities.items():
        assert set(can) == set(ACTIONS) and all(isinstance(v, bool) for v in can.values())
        assert can["read"] == (kind in KashooAdapter.readable_kinds)
        assert can["create"] == (kind in KashooAdapter.writable_kinds)
        assert not can["incremental"] and not can["push"]  # no modified-since filter, no webhooks
    assert not any(KashooAdapter.capabilities["product"].values())
    assert "no path to change or delete a contact" in KashooAdapter.capability_notes["party"]


def test_the_generated_company_comes_in_whole_and_to_the_cent(kashoo, valid):
    size = {"customers": 200, "vendors": 30, "invoices": 500, "bills": 100, "payments": 300}
    kashoo.control("generate", size=size)
    adapter = kashoo.adapter()
    assert adapter.test_connection() == "Sandbox Trading Ltd."
    wire = {doc["id"]: doc for doc in kashoo.docs("records")}
    taxes = read_all(adapter, "tax")
    rates = {tax["external_id"]: tax["rate"] for tax in taxes}
    assert rates == {"GST": 5, "PST": 7, "HST": 13, "QST": Decimal("9.975")}
    documents = read_all(adapter, "invoice")
    live = [r for r in documents if not r.get("deleted")]
    assert len(documents) == 600 and len(live) == 600 - 500 // 40
    assert sum(r["tax_mode"] == "inclusive" for r in live) > 100
    for record in live:
        valid("invoice", record)
        doc = wire[int(record["external_id"])]
        assert record["amount_total"] * 100 == doc["amount"] and record["amount_residual"] * 100 == doc["balanceDue"]
        assert tax_amounts(record, rates) == {t["abbreviation"]: t["amount"] for t in doc["taxes"]}
    paid = read_all(adapter, "payment")
    assert len(paid) == 300 and {p["payment_type"] for p in paid} == {"inbound", "outbound"}
    for record in paid:
        valid("payment", record)
        assert record["allocations"][0]["amount"] == record["amount"]
    parties = read_all(adapter, "party")
    assert len(parties) == 230 and all(valid("party", p) == [] for p in parties)
    flagged = [p for p in parties if p.get("rejected_vat")]
    spoiled = sum(n % 17 == 16 for n in range(200)) + sum(n % 17 == 16 for n in range(30))  # the generator's
    assert len(flagged) == spoiled and all("vat" not in p for p in flagged)
    assert adapter.count("invoice") == len(live) and adapter.count("party") == 230
    open_items = adapter.open_items()
    due = sum(doc["balanceDue"] for doc in wire.values() if doc["type"] == "INVOICE" and not doc["removed"])
    assert sum(entry["receivable"] for entry in open_items.values()) * 100 == due
    assert adapter.balances() is None  # not available from Kashoo


def test_a_rolling_window_of_record_dates(kashoo):
    today = date(2026, 6, 30)
    business = kashoo.business
    business.add_contact({"name": "Client"}, ["customer"])
    contact = next(iter(business.contacts))
    client = kashoo.client()
    for days in (100, 40, 30, 0):
        day = (today - timedelta(days=days)).isoformat()
        client.create_record("invoices", {"contact": contact, "date": day, "lines": [{"amount": 1000}]})
    moment = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
    adapter = KashooAdapter(client, clock=lambda: moment)
    assert len(read_all(adapter, "invoice")) == 4  # None: everything
    assert [r["date"] for r in read_all(adapter, "invoice", "2026-05-01")] == ["2026-05-21", "2026-05-31", "2026-06-30"]
    last_poll = "2026-06-30T11:55:00+00:00"
    assert [r["date"] for r in read_all(adapter, "invoice", last_poll)] == ["2026-05-31", "2026-06-30"]  # 35 days
    assert adapter.window("2026-05-01T00:00:00+00:00") == ("2026-03-27", None)  # a poll missed: further back
    assert {position for _r, position in adapter.changes("invoice", last_poll)} == {"2026-06-30T12:00:00+00:00"}
    assert adapter.count("invoice", "2026-05-01") == 3


def new_invoice(contact, account, **fields):
    lines = [
        {"description": "Design", "quantity": Decimal("2.5"), "price_unit": Decimal("95.00"), "taxes": ["HST"]},
        {"description": "Licence", "quantity": 1, "price_unit": Decimal("79.99"), "account": account, "taxes": []},
    ]
    return {
        "move_type": "out_invoice",
        "partner": contact,
        "date": date.today().isoformat(),
        "due_date": date.today().isoformat(),
        "currency": "CAD",
        "tax_mode": "exclusive",
        "memo": "Thank you",
        "lines": lines,
        **fields,
    }


@pytest.fixture
def customer(kashoo):
    adapter = kashoo.adapter()
    party = {"name": "Laurentian Labs Ltée", "roles": ["customer"], "email": "ap@labs.example"}
    party["vat"] = "123456782RT0001"
    contact, _version = adapter.write("party", party, reference="odoo:res.partner:11")
    account = next(a["external_id"] for a in read_all(adapter, "account") if a["name"] == "Service Revenue")
    return contact, account


def test_a_write_carries_the_stamp_and_reads_back_the_same(kashoo, customer, valid):
    adapter = kashoo.adapter()
    external_id, version = adapter.write(
        "invoice", new_invoice(*customer), reference="odoo:account.move:42", idempotency_key="k"
    )
    back = adapter.read("invoice", external_id)
    valid("invoice", back)
    assert back["origin"] == "odoo:account.move:42" and back["memo"] == "Thank you" and back["version"] == version
    assert (back["amount_untaxed"], back["amount_tax"], back["amount_total"]) == (
        Decimal("317.49"),
        Decimal("30.88"),
        Decimal("348.37"),
    )
    assert adapter.find_by_reference("invoice", "odoo:account.move:42") == (external_id, version)
    assert adapter.find_by_reference("invoice", "odoo:account.move:43") is None
    party = adapter.read("party", customer[0])
    assert party["vat"] == "123456782RT0001" and party["roles"] == ["customer"]
    payment = {
        "payment_type": "inbound",
        "partner": customer[0],
        "date": date.today().isoformat(),
        "amount": Decimal("100.00"),
        "currency": "CAD",
        "allocations": [{"document": external_id, "document_kind": "invoice", "amount": Decimal("100.00")}],
    }
    paid, _version = adapter.write("payment", payment, reference="odoo:account.payment:5")
    assert adapter.read("payment", paid)["origin"] == "odoo:account.payment:5"
    assert adapter.read("invoice", external_id)["amount_residual"] == Decimal("248.37")


@pytest.mark.parametrize("kind", ["invoice", "payment", "party"])
def test_a_lost_answer_is_looked_up_before_anything_is_written_again(kashoo, customer, kind):
    adapter = kashoo.adapter()
    reference = f"odoo:test.{kind}:7"
    if kind == "invoice":
        record = new_invoice(*customer)
    elif kind == "payment":
        invoice_id, _v = adapter.write("invoice", new_invoice(*customer), reference="odoo:account.move:1")
        allocation = {"document": invoice_id, "document_kind": "invoice", "amount": Decimal("10.00")}
        record = {**{k: v for k, v in new_invoice(*customer).items() if k in ("partner", "date", "currency")}}
        record.update(payment_type="inbound", amount=Decimal("10.00"), allocations=[allocation])
    else:
        record = {"name": "Prairie Foods Inc.", "roles": ["vendor"], "email": "ar@prairie.example"}
    kashoo.control("faults", lose_response=1)
    with pytest.raises(errors.OutcomeUnknownError):
        adapter.write(kind, record, reference=reference)
    found = adapter.find_by_reference(kind, reference)
    assert found is not None  # it happened: the engine binds it
    again = kashoo.adapter().write(kind, record, reference=reference)  # a retry job, another adapter
    assert again[0] == found[0]
    entity = "contacts" if kind == "party" else "records"
    if kind == "party":
        assert [c["name"] for c in kashoo.docs(entity)].count("Prairie Foods Inc.") == 1
    else:
        assert [(d["memo"] or "").split("\n")[0] for d in kashoo.docs(entity)].count(reference) == 1


def test_stamped_records_are_found_in_another_process(kashoo, customer):
    adapter_module.LOST.clear()
    kashoo.control("faults", lose_response=1)
    with pytest.raises(errors.OutcomeUnknownError):
        kashoo.adapter().write("invoice", new_invoice(*customer), reference="odoo:account.move:9")
    adapter_module.LOST.clear()  # what a new worker knows: only the stamp
    assert kashoo.adapter().find_by_reference("invoice", "odoo:account.move:9") is not None
    assert kashoo.adapter().find_by_reference("party", "odoo:res.partner:99") is None  # contacts carry no stamp


def test_updates_compare_versions_and_contacts_cannot_change(kashoo, customer):
    adapter = kashoo.adapter()
    external_id, version = adapter.write("invoice", new_invoice(*customer), reference="odoo:account.move:3")
    changed = new_invoice(*customer, memo="Second version")
    external_id, version = adapter.write(
        "invoice", changed, external_id=external_id, version=version, reference="odoo:account.move:3"
    )
    assert adapter.read("invoice", external_id)["memo"] == "Second version"
    kashoo.control("change", record=int(external_id), fields={"poNumber": "PO-77"})  # changed in Kashoo
    with pytest.raises(errors.ConflictError, match="changed since the last sync"):
        adapter.write("invoice", changed, external_id=external_id, version=version, reference="odoo:account.move:3")
    winner = KashooAdapter(adapter.client, conflict_policy="odoo")
    winner.write("invoice", changed, external_id=external_id, version=version, reference="odoo:account.move:3")
    with pytest.raises(errors.PermanentError, match="cannot change a party"):
        adapter.write("party", {"name": "X", "roles": ["customer"]}, external_id=customer[0], reference="r")
    with pytest.raises(errors.PermanentError, match="takes no tax from Odoo"):
        adapter.write("tax", {}, reference="odoo:account.tax:1")


@pytest.mark.parametrize("listed", [True, False])
def test_deleted_in_kashoo_or_by_us(kashoo, customer, listed):
    kashoo.control("settings", removed_listed=listed)
    adapter = kashoo.adapter()
    first, _v = adapter.write("invoice", new_invoice(*customer), reference="odoo:account.move:1")
    second, _v = adapter.write("invoice", new_invoice(*customer), reference="odoo:account.move:2")
    adapter.delete("invoice", first)
    kashoo.control("change", record=int(second), removed=True)  # a person deleted it in Kashoo
    records = read_all(adapter, "invoice")
    if listed:
        assert records == [{"external_id": first, "deleted": True}, {"external_id": second, "deleted": True}]
    else:  # the ids disappear: the sweep's comparison finds them; one read says they are gone
        assert records == []
    assert adapter.read("invoice", first) == {"external_id": first, "deleted": True}  # flat path still answers
    with pytest.raises(errors.PermanentError, match="cannot delete a party"):
        adapter.delete("party", customer[0])


def test_a_record_read_as_the_wrong_kind_or_gone(kashoo, customer):
    adapter = kashoo.adapter()
    invoice_id, _v = adapter.write("invoice", new_invoice(*customer), reference="odoo:account.move:1")
    with pytest.raises(errors.PayloadValidationError, match="is not a payment"):
        adapter.read("payment", invoice_id)
    with pytest.raises(errors.NotFoundError):
        adapter.read("invoice", "999999999")
    with pytest.raises(errors.NotFoundError):
        adapter.read("party", "999999999")
    with pytest.raises(errors.NotFoundError, match="is not among the businesses"):
        kashoo.adapter(business_id=999).test_connection()


@pytest.mark.parametrize("renamed", [False, True], ids=["sandbox names", "every name otherwise"])
def test_every_line_tax_and_payment_field_name_both_ways(kashoo, valid, renamed):
    names = {name: f"x{wire[0].upper()}{wire[1:]}" for name, wire in FIELDS.items()} if renamed else {}
    kashoo.control("settings", fields=names)
    kashoo.control("generate", size={"customers": 6, "vendors": 3, "invoices": 12, "bills": 6, "payments": 10})
    adapter = kashoo.adapter(fields=names)
    for kind in ("tax", "invoice", "payment"):
        found = read_all(adapter, kind)
        assert found and not any(r.get("unmapped") for r in found)
        for record in found:
            if not record.get("deleted"):
                valid(kind, record)
    bill = next(r for r in read_all(adapter, "invoice") if r["move_type"] == "in_invoice" and r["amount_residual"])
    inclusive = dict(bill, tax_mode="inclusive", number="NEW-1")
    new_id, _v = adapter.write("invoice", inclusive, reference="odoo:account.move:70")
    back = adapter.read("invoice", new_id)
    assert back["tax_mode"] == "inclusive" and back["amount_total"] == sum(line["amount"] for line in bill["lines"])
    allocation = {"document": new_id, "document_kind": "invoice", "amount": Decimal("1.00")}
    payment = {"payment_type": "outbound", "partner": bill["partner"], "date": bill["date"], "currency": "CAD"}
    paid, _v = adapter.write("payment", dict(payment, amount=Decimal("1.00"), allocations=[allocation]), reference="p")
    assert adapter.read("payment", paid)["allocations"] == [allocation]
    assert adapter.read("invoice", new_id)["amount_residual"] == back["amount_total"] - 1
