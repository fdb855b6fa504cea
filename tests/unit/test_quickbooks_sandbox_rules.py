"""The QuickBooks sandbox refuses what QuickBooks refuses, with QuickBooks' fault: a document
missing a reference it must carry gets fault 2020 naming the element."""

from decimal import Decimal as D

import pytest

from tests.sandbox.quickbooks import Company, Fault, generate_company


@pytest.fixture
def company():
    company = Company("4620816365000000078")
    generate_company(company, customers=1, items=1, invoices=0, payments=0, bills=0, journal_entries=0)
    return company


def line(item=None):
    detail = {"Qty": 1, "UnitPrice": D("10.00"), "TaxCodeRef": {"value": "NON"}}
    if item:
        detail["ItemRef"] = {"value": item}
    return {"DetailType": "SalesItemLineDetail", "Amount": D("10.00"), "SalesItemLineDetail": detail}


def test_an_invoice_without_its_customer_or_a_line_without_its_item_gets_fault_2020(company):
    customer, item = company.snapshot("Customer")[0]["Id"], company.snapshot("Item")[0]["Id"]
    with pytest.raises(Fault) as fault:
        company.write("Invoice", {"Line": [line(item)]})
    assert (fault.value.code, fault.value.element) == ("2020", "CustomerRef")
    with pytest.raises(Fault) as fault:
        company.write("Invoice", {"CustomerRef": {"value": customer}, "Line": [line()]})
    assert (fault.value.code, fault.value.element) == ("2020", "ItemRef")
    invoice = company.write("Invoice", {"CustomerRef": {"value": customer}, "Line": [line(item)]})
    assert invoice["TotalAmt"] == D("10.00")
