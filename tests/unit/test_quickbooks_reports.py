"""QuickBooks' reports (TrialBalance, CustomerBalance, VendorBalance) from the sandbox over real
HTTP, and the adapter's ``balances`` / ``open_items`` read from them (the books-agree check)."""

from datetime import date, timedelta
from decimal import Decimal

import requests

from odoo.addons.connector_quickbooks.lib.adapter import QuickBooksAdapter

from tests.unit import test_quickbooks_client as qbo

make_client = qbo.make_client
sandbox = qbo.sandbox  # the fixture: a generated company on a loopback sandbox


def test_trial_balance_is_shaped_as_intuit_documents_it_and_balances(sandbox):
    report = make_client(sandbox).report("TrialBalance", start_date="2000-01-01")
    assert report["Header"]["ReportName"] == "TrialBalance"
    assert [c["ColTitle"] for c in report["Columns"]["Column"]] == ["", "Debit", "Credit"]
    rows = report["Rows"]["Row"]
    grand = rows[-1]
    assert grand["group"] == "GrandTotal"
    debit, credit = (Decimal(cell["value"]) for cell in grand["Summary"]["ColData"][1:])
    assert debit == credit > 0, "every posting has its counterpart"
    names = {row["ColData"][0]["value"] for row in rows[:-1]}
    assert {"Accounts Receivable (A/R)", "Checking", "Accounts Payable (A/P)"} <= names


def test_adapter_balances_follow_a_new_invoice_and_its_period(sandbox):
    adapter = QuickBooksAdapter(make_client(sandbox))
    before = adapter.balances(since="2000-01-01")
    assert sum(before.values()) == 0
    receivable = next(d["Id"] for d in sandbox.company.snapshot("Account") if d["AccountType"] == "Accounts Receivable")
    customer = sandbox.company.snapshot("Customer")[0]
    item = next(d for d in sandbox.company.snapshot("Item") if not d.get("Taxable"))
    line = {
        "DetailType": "SalesItemLineDetail",
        "Amount": 250,
        "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}},
    }
    body = {"CustomerRef": {"value": customer["Id"]}, "TxnDate": date.today().isoformat(), "Line": [line]}
    if customer.get("CurrencyRef", {}).get("value") not in (None, "USD"):
        body["CurrencyRef"] = customer["CurrencyRef"]
        body["ExchangeRate"] = 1
    answer = requests.post(f"{sandbox.url}/_sandbox/change", json={"entity": "Invoice", "body": body}, timeout=5)
    assert answer.status_code == 200, answer.text
    after = adapter.balances(since="2000-01-01")
    assert after[receivable] - before[receivable] == Decimal("250.00")
    assert after[item["IncomeAccountRef"]["value"]] - before[item["IncomeAccountRef"]["value"]] == Decimal("-250.00")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert adapter.balances(since=tomorrow) == {}, "nothing moved after today"


def test_open_items_are_each_partys_open_documents(sandbox):
    adapter = QuickBooksAdapter(make_client(sandbox))
    items = adapter.open_items()
    company = sandbox.company
    for customer in company.snapshot("Customer"):
        expected = (
            sum(
                (
                    Decimal(str(d.get("HomeBalance", d["Balance"])))
                    for d in company.snapshot("Invoice")
                    if d["CustomerRef"]["value"] == customer["Id"]
                ),
                Decimal(0),
            )
            - sum(
                (
                    Decimal(str(d["Balance"]))
                    for d in company.snapshot("CreditMemo")
                    if d["CustomerRef"]["value"] == customer["Id"]
                ),
                Decimal(0),
            )
            - sum(
                (
                    Decimal(str(d.get("UnappliedAmt") or 0))
                    for d in company.snapshot("Payment")
                    if d["CustomerRef"]["value"] == customer["Id"]
                ),
                Decimal(0),
            )
        )
        got = items.get(f"Customer/{customer['Id']}", {}).get("receivable", Decimal(0))
        assert got == expected.quantize(Decimal("0.01")), customer["DisplayName"]
    bills_open = sum(Decimal(str(d["Balance"])) for d in company.snapshot("Bill"))
    assert sum(v["payable"] for v in items.values()) == bills_open > 0


def test_capabilities_declare_every_kind_with_its_actions():
    rows = QuickBooksAdapter.capability_matrix()
    kinds = {key.split("/")[0] for key, _can, _note in rows}
    assert kinds == {"account", "tax", "party", "product", "invoice", "payment", "journal_entry"}
    tax = next(can for key, can, _note in rows if key == "tax")
    assert tax["read"] and not tax["create"] and tax["push"]
