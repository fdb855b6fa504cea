"""The connect step's probe over loopback HTTP, with the Kashoo sandbox's switches turned: what
answers, the record types and keys seen, what to turn off and why, and the settings it learns
(types, contacts path, record path, tax list), after which the adapter reads everything."""

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_kashoo.lib.adapter import KashooAdapter
from odoo.addons.connector_kashoo.lib.probe import probe

pytest_plugins = ["kashoo_fixtures"]


def generated(kashoo, **size):
    kashoo.control("generate", size={"customers": 9, "vendors": 4, "invoices": 24, "bills": 8, "payments": 12, **size})


def applied(client, report, **changes):
    """The client a connection has once it saved what the probe learned."""
    return client.with_settings(
        **report.settings_changes(), type_map=report.type_map(client.settings.type_map), **changes
    )


def test_a_kashoo_as_the_evidence_has_it_answers_everywhere(kashoo):
    generated(kashoo)
    client = kashoo.client(business_id=None)
    report = probe(client)
    assert (report.business_id, report.business_name) == (kashoo.business.id, "Sandbox Trading Ltd.")
    assert client.settings.business_id == kashoo.business.id  # the user's only business is chosen
    assert all(answer["ok"] for name, answer in report.answers.items() if name != "taxes")
    assert report.types_seen["records/invoices"] == ["INVOICE"] and report.types_seen["records/bills"] == ["BILL"]
    assert report.unknown_types == [] and report.unknown_keys == {} and report.missing_keys == {}
    assert report.off == {} and report.kinds_off == {"product": "Kashoo's API has no products or items"}
    learned = {"disabled": {}, "tax_list": False, "business_id": kashoo.business.id, "record_path": "flat"}
    assert report.settings_changes() == learned
    assert "Taxes: no tax list; read from the tax lines of invoices and bills" in report.summary()


def test_bills_off_and_an_unknown_type_quarantined_everything_else_read(kashoo, valid):
    """The issue's variant: the bills collection answers 404 and /records has a type nobody mapped."""
    generated(kashoo)
    kashoo.control("settings", disabled=["bills"])
    expense = {"id": 300000001, "type": "EXPENSE", "date": "2026-01-15", "amount": 4599, "contact": None}
    kashoo.control("seed", documents={"Record": [dict(expense, workflowStatus="APPROVED")]})
    client = kashoo.client()
    report = probe(client)
    assert "bill" in report.off and "404" in report.off["bill"] and "Could not locate" in report.off["bill"]
    assert "invoice" not in report.kinds_off  # invoices still answer
    assert report.unknown_types == ["EXPENSE"] and report.unknown_keys == {"records": ["workflowStatus"]}
    assert "Off: bill: GET /businesses/123456789/records/bills does not answer" in report.summary()

    adapter = KashooAdapter(applied(client, report))
    invoices = [record for record, _position in adapter.changes("invoice")]
    assert {record["move_type"] for record in invoices} == {"out_invoice"}  # no bills read
    assert len(invoices) == len([d for d in kashoo.docs("records") if d["type"] == "INVOICE"])
    others = [record for record, _position in adapter.changes("journal_entry")]
    assert [(r["external_id"], r["unmapped"]["type"]) for r in others] == [("300000001", "EXPENSE")]
    assert "type 'EXPENSE' (listed by records)" in others[0]["unmapped"]["reason"]
    for kind in ("account", "tax", "party", "invoice", "payment"):
        for record, _position in adapter.changes(kind):
            if not record.get("deleted"):
                valid(kind, record)
    bill = {"move_type": "in_invoice", "partner": "1", "date": "2026-01-01", "currency": "CAD", "lines": []}
    with pytest.raises(errors.PermanentError, match="Kashoo bills are off: GET .*records/bills does not answer"):
        adapter.write("invoice", bill, reference="odoo:account.move:1")


def test_type_values_learned_from_the_collections_that_name_them(kashoo):
    types = {"invoice": "Invoice", "bill": "Bill", "invoicePayment": "Payment", "billPayment": "BillPayment"}
    kashoo.control("settings", types=types)
    generated(kashoo, payments=40)
    client = kashoo.client()
    before = [record for record, _position in KashooAdapter(client).changes("invoice")]
    assert before and all("gives to" not in r.get("unmapped", {}).get("reason", "") for r in before)
    assert all(r["unmapped"]["type"] in ("Invoice", "Bill") for r in before)  # the map does not know them
    report = probe(client)
    assert report.learned_types == {
        "Bill": "bill",
        "BillPayment": "bill_payment",
        "Invoice": "invoice",
        "Payment": "invoice_payment",
    }
    assert report.unknown_types == []
    adapter = KashooAdapter(applied(client, report))
    assert not any(record.get("unmapped") for record, _p in adapter.changes("invoice"))
    assert not any(record.get("unmapped") for record, _p in adapter.changes("payment"))


@pytest.mark.parametrize(
    ("contacts", "path"),
    [("sync", None), ("business", "/businesses/{business}/contacts/{role}"), ("both", None)],
)
def test_the_contacts_path_that_answers(kashoo, contacts, path):
    kashoo.control("settings", contacts=contacts)
    generated(kashoo, customers=5, vendors=3)
    client = kashoo.client()
    report = probe(client)
    assert report.contacts_path == path and report.answers["contacts"]["ok"]
    parties = [record for record, _p in KashooAdapter(applied(client, report)).changes("party")]
    assert len(parties) == 8 and {tuple(p["roles"]) for p in parties} == {("customer",), ("vendor",)}


def test_no_contacts_path_answers(kashoo):
    kashoo.control("settings", contacts="business", disabled=["contacts"])
    report = probe(kashoo.client())
    assert report.kinds_off["party"].startswith("no contacts path answers: /sync/{sync}/contacts/{role}: Kashoo 404")


@pytest.mark.parametrize("record_path", ["flat", "typed", "none"])
def test_the_path_to_one_record(kashoo, record_path):
    kashoo.control("settings", record_path=record_path)
    generated(kashoo)
    client = kashoo.client()
    report = probe(client)
    assert report.record_path == record_path
    adapter = KashooAdapter(applied(client, report))
    first = next(d for d in kashoo.docs("records") if d["type"] == "BILL")
    assert adapter.read("invoice", str(first["id"]))["amount_total"] * 100 == first["amount"]


def test_a_tax_list_and_renamed_line_and_tax_fields(kashoo, valid):
    names = {"lines": "items", "line_unit_price": "rate", "taxes": "salesTaxes", "tax_amount": "total"}
    kashoo.control("settings", tax_list=True, fields=names)
    generated(kashoo)
    client = kashoo.client()
    report = probe(client)
    assert report.tax_list is True and report.answers["taxes"]["ok"]
    assert report.missing_keys["records/invoices"] == ["lines", "taxes"]
    assert report.unknown_keys["records/invoices"] == ["items", "salesTaxes"]
    wrong = [record for record, _p in KashooAdapter(applied(client, report)).changes("invoice")]
    assert all("carries no 'lines'" in r["unmapped"]["reason"] for r in wrong)
    fields = {**client.settings.fields, **names}
    fixed = applied(client, report, fields=fields)
    assert probe(fixed).missing_keys == {}
    adapter = KashooAdapter(fixed)
    for kind in ("invoice", "tax"):
        records = [record for record, _p in adapter.changes(kind)]
        assert records and not any(r.get("unmapped") for r in records)
        for record in records:
            if not record.get("deleted"):
                valid(kind, record)
    assert {r["external_id"]: r["scope"] for r, _p in adapter.changes("tax")} == dict.fromkeys(
        ("GST", "HST", "PST", "QST"), "both"
    )


def test_without_line_detail_the_documents_are_refused_by_name(kashoo):
    kashoo.control("settings", line_detail=False)
    generated(kashoo)
    report = probe(kashoo.client())
    assert report.missing_keys["records/invoices"] == ["lines", "taxes"]


def test_several_businesses_and_a_refused_token(kashoo):
    kashoo.control("business", name="Second Books Inc.", province="ON")
    with pytest.raises(errors.ProviderValidationError, match="Choose the Kashoo business.*Second Books Inc."):
        probe(kashoo.client(business_id=None))
    client = kashoo.client()
    assert probe(client).business_name == "Sandbox Trading Ltd."
    kashoo.control("expire_tokens")
    with pytest.raises(errors.AuthError):
        probe(client)
