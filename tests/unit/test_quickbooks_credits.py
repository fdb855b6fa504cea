"""Credit memos applied to invoices in QuickBooks: a Payment whose lines link a CreditMemo and
an Invoice (of 0 when no money moves). The sandbox applies them as QuickBooks does, and the
mappers read and write them as canonical payments that allocate credit notes."""

import re
from decimal import Decimal as D

import pytest

from odoo.addons.connector_base.lib import canonical
from odoo.addons.connector_quickbooks.lib import mappers

from tests.sandbox.quickbooks import Company, Fault, generate_company

#: the shape of the Payment QuickBooks makes when a credit memo is applied to an invoice
#: (its ``LineEx`` left out)
LINKING_PAYMENT = {
    "CustomerRef": {"value": "1", "name": "Amy's Bird Sanctuary"},
    "TotalAmt": 0,
    "UnappliedAmt": 0,
    "ProcessPayment": False,
    "Id": "74",
    "SyncToken": "1",
    "MetaData": {"CreateTime": "2026-04-07T12:51:28-07:00", "LastUpdatedTime": "2026-04-07T12:52:08-07:00"},
    "TxnDate": "2026-03-22",
    "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
    "PrivateNote": "Created by QB Online to link credits to charges.",
    "Line": [
        {"Amount": 100, "LinkedTxn": [{"TxnId": "71", "TxnType": "Invoice"}]},
        {"Amount": 100, "LinkedTxn": [{"TxnId": "73", "TxnType": "CreditMemo"}]},
    ],
}


def test_a_payment_of_nothing_linking_a_credit_memo_is_a_valid_credit_application():
    record = mappers.to_canonical("Payment", LINKING_PAYMENT)
    assert canonical.validate("payment", record) is record
    assert (record["amount"], record["payment_type"], record["partner"]) == (D("0.00"), "inbound", "Customer/1")
    assert record["allocations"] == [
        {"document": "Invoice/71", "amount": D("100.00")},
        {"document": "CreditMemo/73", "document_kind": "credit_note", "amount": D("100.00")},
    ]


def test_a_bill_payment_applies_vendor_credits_the_same_way():
    doc = {
        "Id": "90",
        "VendorRef": {"value": "56"},
        "PayType": "Check",
        "CheckPayment": {"BankAccountRef": {"value": "35"}},
        "TotalAmt": 60,
        "TxnDate": "2026-03-22",
        "Line": [
            {"Amount": 100, "LinkedTxn": [{"TxnId": "80", "TxnType": "Bill"}]},
            {"Amount": 40, "LinkedTxn": [{"TxnId": "81", "TxnType": "VendorCredit"}]},
        ],
    }
    record = canonical.validate("payment", mappers.to_canonical("BillPayment", doc))
    assert [(a["document"], a.get("document_kind")) for a in record["allocations"]] == [
        ("Bill/80", None),
        ("VendorCredit/81", "credit_note"),
    ]
    entity, body = mappers.payment_from_canonical(record, home_currency="USD", reference="odoo:account.payment:7")
    assert entity == "BillPayment"
    assert [(ln["Amount"], ln["LinkedTxn"]) for ln in body["Line"]] == [
        (D("100.00"), [{"TxnId": "80", "TxnType": "Bill"}]),
        (D("40.00"), [{"TxnId": "81", "TxnType": "VendorCredit"}]),
    ]


def test_a_credit_application_goes_out_as_a_payment_of_nothing_linking_both():
    record = {
        "payment_type": "inbound",
        "partner": "Customer/1",
        "date": "2026-03-22",
        "amount": D("0.00"),
        "currency": "USD",
        "allocations": [
            {"document": "Invoice/71", "amount": D("30.00")},
            {"document": "CreditMemo/73", "document_kind": "credit_note", "amount": D("30.00")},
        ],
    }
    entity, body = mappers.payment_from_canonical(
        record, home_currency="USD", reference="odoo:connector.credit.application:4"
    )
    assert (entity, body["TotalAmt"], body["CustomerRef"]) == ("Payment", D("0.00"), {"value": "1"})
    assert [ln["LinkedTxn"][0] for ln in body["Line"]] == [
        {"TxnId": "71", "TxnType": "Invoice"},
        {"TxnId": "73", "TxnType": "CreditMemo"},
    ]
    assert body["PrivateNote"] == "odoo:connector.credit.application:4"


# ---------------------------------------------------------------------- the sandbox
@pytest.fixture
def company():
    company = Company("4620816365000000077")
    generate_company(company, customers=3, items=2, invoices=0, payments=0, bills=0, journal_entries=0, credit_memos=1)
    return company


def sales(company, entity, customer, amount):
    item = company.snapshot("Item")[0]
    line = {
        "DetailType": "SalesItemLineDetail",
        "Amount": D(amount),
        "SalesItemLineDetail": {
            "ItemRef": {"value": item["Id"]},
            "Qty": 1,
            "UnitPrice": D(amount),
            "TaxCodeRef": {"value": "NON"},
        },
    }
    return company.write(entity, {"CustomerRef": {"value": customer}, "Line": [line]})


def linking(customer, invoice, memo, invoice_amount, memo_amount, total="0"):
    return {
        "CustomerRef": {"value": customer},
        "TotalAmt": D(total),
        "Line": [
            {"Amount": D(invoice_amount), "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]},
            {"Amount": D(memo_amount), "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]},
        ],
    }


def test_the_sandbox_applies_a_credit_memo_and_takes_it_off_again_when_voided(company):
    customer = company.snapshot("Customer")[0]["Id"]
    invoice = sales(company, "Invoice", customer, "100.00")
    memo = sales(company, "CreditMemo", customer, "45.00")
    payment = company.write("Payment", linking(customer, invoice, memo, "30.00", "30.00"))
    assert (payment["TotalAmt"], payment["UnappliedAmt"]) == (D("0.00"), D("0.00"))
    invoice, memo = company.get("Invoice", invoice["Id"]), company.get("CreditMemo", memo["Id"])
    assert (invoice["Balance"], memo["Balance"], memo["RemainingCredit"]) == (D("70.00"), D("15.00"), D("15.00"))
    assert {"TxnId": payment["Id"], "TxnType": "Payment"} in memo["LinkedTxn"]
    with pytest.raises(Fault) as fault:
        company.write("CreditMemo", {"Id": memo["Id"], "SyncToken": memo["SyncToken"]}, operation="void")
    assert "has payments applied" in fault.value.detail
    company.write("Payment", {"Id": payment["Id"], "SyncToken": payment["SyncToken"]}, operation="void")
    invoice, memo = company.get("Invoice", invoice["Id"]), company.get("CreditMemo", memo["Id"])
    assert (invoice["Balance"], memo["Balance"], memo["RemainingCredit"]) == (D("100.00"), D("45.00"), D("45.00"))


def test_the_sandbox_takes_money_and_credit_in_one_payment_and_refuses_what_does_not_add_up(company):
    first, second = (doc["Id"] for doc in company.snapshot("Customer")[:2])
    invoice = sales(company, "Invoice", first, "100.00")
    memo = sales(company, "CreditMemo", first, "30.00")
    other_memo = sales(company, "CreditMemo", second, "30.00")
    for body, message in (
        (linking(first, invoice, memo, "100.00", "30.00", total="60.00"), r"applied \(70.00\) are more than"),
        (linking(first, invoice, memo, "20.00", "30.00"), r"credits applied \(30.00\) are more than the charges"),
        (linking(first, invoice, memo, "40.00", "40.00"), "more than the open balance 30.00"),
        (linking(first, invoice, other_memo, "30.00", "30.00"), "belongs to another customer"),
    ):
        with pytest.raises(Fault) as fault:
            company.write("Payment", body)
        assert re.search(message, fault.value.detail), fault.value.detail
    payment = company.write("Payment", linking(first, invoice, memo, "100.00", "30.00", total="70.00"))
    assert payment["UnappliedAmt"] == D("0.00")
    assert company.get("Invoice", invoice["Id"])["Balance"] == D("0.00")
    assert company.get("CreditMemo", memo["Id"])["RemainingCredit"] == D("0.00")
