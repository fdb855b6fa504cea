"""QuickBooks tax-inclusive documents and compound tax codes: the sandbox computes them as
QuickBooks does, the mappers carry them both ways."""

from datetime import date
from decimal import Decimal as D

import pytest

from odoo.addons.connector_base.lib import canonical, errors
from odoo.addons.connector_quickbooks.lib import mappers

from tests.sandbox.quickbooks import Company, generate_company


def australian_company():
    """An Australian company as a published recording shows it: GST 10% (rate 20, code 10)."""
    company = Company("4620816365000000002", country="AU", home_currency="AUD")
    company.seed("TaxRate", [{"Id": "20", "Name": "GST (sales)", "RateValue": D("10"), "Active": True}])
    details = {"TaxRateDetail": [{"TaxRateRef": {"value": "20"}, "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0}]}
    company.seed("TaxCode", [{"Id": "10", "Name": "GST", "Taxable": True, "SalesTaxRateList": details}])
    company.write("Customer", {"DisplayName": "Clement's Cleaners", "CurrencyRef": {"value": "AUD"}})
    income = company.write("Account", {"Name": "Billable Expenses Income", "AccountType": "Income"})
    company.write("Item", {"Name": "Promotional items:Misc", "IncomeAccountRef": {"value": income["Id"]}})
    return company


def sales_line(qty, tax_code, **amounts):
    detail = {"ItemRef": {"value": "1"}, "Qty": D(qty), "TaxCodeRef": {"value": tax_code}}
    line = {"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}
    if "inclusive" in amounts:
        detail["TaxInclusiveAmt"] = D(amounts["inclusive"])
    if "price" in amounts:
        detail["UnitPrice"] = D(amounts["price"])
        line["Amount"] = D(qty) * D(amounts["price"])
    return line


def write_invoice(company, lines, *, inclusive=False):
    """An invoice of customer 1 in the company's home currency, written as an API client does."""
    body = {
        "CustomerRef": {"value": "1"},
        "TxnDate": "2026-02-01",
        "CurrencyRef": {"value": company.home_currency},
        "Line": lines,
    }
    if inclusive:
        body["GlobalTaxCalculation"] = "TaxInclusive"
    return company.write("Invoice", body)


def canadian_company():
    company = Company("4620816365000000003", country="CA", home_currency="CAD")
    generate_company(
        company, customers=2, items=2, invoices=0, payments=0, bills=0, journal_entries=0, credit_memos=0,
        foreign_share=0, start=date(2026, 1, 1),
    )  # fmt: skip
    return company


# ---------------------------------------------------------------------- the sandbox
def test_a_tax_inclusive_invoice_keeps_its_amounts_without_tax_and_the_amount_with_tax_apart():
    """As the published answers of an Australian company: TaxInclusiveAmt 450.0, Qty 450 ->
    Amount 409.09, UnitPrice 0.9090889, TotalTax 40.91 on NetAmountTaxable 409.09, TotalAmt 450.0."""
    company = australian_company()
    doc = write_invoice(
        company,
        [sales_line("450", "10", inclusive="450.00"), sales_line("3", "10", inclusive="6600.00")],
        inclusive=True,
    )
    first, second = doc["Line"][:2]
    assert (first["Amount"], first["SalesItemLineDetail"]["UnitPrice"]) == (D("409.09"), D("0.9090889"))
    assert first["SalesItemLineDetail"]["TaxInclusiveAmt"] == D("450.00")
    assert (second["Amount"], second["SalesItemLineDetail"]["UnitPrice"]) == (D("6000.00"), D("2000"))
    assert doc["TotalAmt"] == D("7050.00")
    assert doc["TxnTaxDetail"]["TotalTax"] == D("640.91")
    assert doc["TxnTaxDetail"]["TaxLine"][0]["TaxLineDetail"]["NetAmountTaxable"] == D("6409.09")


def test_without_the_amount_with_tax_quickbooks_takes_the_amount_as_without_tax():
    company = australian_company()
    doc = write_invoice(company, [sales_line("2", "10", price="50")], inclusive=True)
    assert doc["Line"][0]["SalesItemLineDetail"]["TaxInclusiveAmt"] == D("110.00")
    assert (doc["TotalAmt"], doc["TxnTaxDetail"]["TotalTax"]) == (D("110.00"), D("10.00"))


def test_a_rate_applied_on_amount_plus_tax_is_charged_on_the_amount_with_the_rates_before_it():
    company = canadian_company()
    doc = write_invoice(
        company,
        [
            sales_line("1", "21", price="100"),
            sales_line("2", "22", price="100"),
            sales_line("1", "20", price="50"),
        ],
    )
    taxes = {line["TaxLineDetail"]["TaxRateRef"]["value"]: line for line in doc["TxnTaxDetail"]["TaxLine"]}
    assert taxes["20"]["Amount"] == D("17.50")  # GST on 100 + 200 + 50
    assert (taxes["21"]["Amount"], taxes["21"]["TaxLineDetail"]["NetAmountTaxable"]) == (D("7.35"), D("105.00"))
    assert taxes["22"]["Amount"] == D("19.95")  # QST on 200, without the GST
    assert (doc["TotalAmt"], doc["TxnTaxDetail"]["TotalTax"]) == (D("394.80"), D("44.80"))


def test_a_tax_inclusive_invoice_backs_out_compound_rates_together():
    company = canadian_company()
    doc = write_invoice(company, [sales_line("1", "21", inclusive="224.70")], inclusive=True)
    assert doc["Line"][0]["Amount"] == D("200.00")
    assert (doc["TotalAmt"], doc["TxnTaxDetail"]["TotalTax"]) == (D("224.70"), D("24.70"))


def test_the_generator_makes_tax_inclusive_invoices_of_mixed_rates():
    company = Company("4620816365000000004", country="CA", home_currency="CAD")
    generate_company(
        company, customers=5, items=6, invoices=20, payments=0, bills=0, credit_memos=0, foreign_share=0,
        tax_inclusive_share=1.0,
    )  # fmt: skip
    invoices = company.snapshot("Invoice")
    assert {doc["GlobalTaxCalculation"] for doc in invoices} == {"TaxInclusive"}
    codes = {line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for doc in invoices for line in doc["Line"][:-1]}
    assert len(codes) >= 4
    for doc in invoices:
        gross = sum(line["SalesItemLineDetail"]["TaxInclusiveAmt"] for line in doc["Line"][:-1])
        assert doc["TotalAmt"] == gross


# ---------------------------------------------------------------------- the mappers
def test_a_tax_inclusive_invoice_comes_in_with_prices_including_tax():
    company = australian_company()
    doc = write_invoice(company, [sales_line("450", "10", inclusive="450.00")], inclusive=True)
    record = canonical.validate("invoice", mappers.to_canonical("Invoice", doc, tax_mode="global"))
    line = record["lines"][0]
    assert record["tax_mode"] == "inclusive"
    assert (line["quantity"], line["price_unit"], line["amount"], line["amount_untaxed"]) == (
        D("450"),
        D("1"),
        D("450.00"),
        D("409.09"),
    )
    assert (record["amount_total"], record["amount_tax"]) == (D("450.00"), D("40.91"))
    # without TaxInclusiveAmt (a US company, an old minor version) the same document comes in without tax included
    detail = {k: v for k, v in doc["Line"][0]["SalesItemLineDetail"].items() if k != "TaxInclusiveAmt"}
    bare = dict(doc, Line=[dict(doc["Line"][0], SalesItemLineDetail=detail)])
    record = canonical.validate("invoice", mappers.to_canonical("Invoice", bare, tax_mode="global"))
    assert (record["tax_mode"], record["lines"][0]["amount"]) == ("exclusive", D("409.09"))


def test_tax_codes_list_their_rates_in_tax_order_with_the_compound_ones():
    company = canadian_company()
    rates = {doc["Id"]: doc for doc in company.snapshot("TaxRate")}
    codes = {doc["Id"]: doc for doc in company.snapshot("TaxCode")}
    compound = canonical.validate("tax", mappers.to_canonical("TaxCode", codes["21"], rates=rates))
    assert compound["rate"] == D("12.35")
    assert compound["components"] == [
        {"name": "GST", "rate": D("5"), "compound": False},
        {"name": "PST (charged on GST)", "rate": D("7"), "compound": True},
    ]
    quebec = mappers.to_canonical("TaxCode", codes["22"], rates=rates)
    assert (quebec["rate"], [c["compound"] for c in quebec["components"]]) == (D("14.975"), [False, False])
    assert "components" not in mappers.to_canonical("TaxCode", codes["20"], rates=rates)
    on_tax = dict(codes["21"], SalesTaxRateList={"TaxRateDetail": [{"TaxRateRef": {"value": "21"}}]})
    on_tax["SalesTaxRateList"]["TaxRateDetail"].insert(0, {"TaxRateRef": {"value": "20"}})
    on_tax["SalesTaxRateList"]["TaxRateDetail"][1]["TaxTypeApplicable"] = "TaxOnTax"
    with pytest.raises(errors.PayloadValidationError, match="TaxOnTax"):
        mappers.to_canonical("TaxCode", on_tax, rates=rates)
    # the rates as percents only (no names) still make the code
    assert mappers.to_canonical("TaxCode", codes["21"], rates={"20": 5, "21": 7})["rate"] == D("12.35")


def inclusive_record():
    return {
        "move_type": "out_invoice",
        "partner": "Customer/1",
        "date": "2026-02-01",
        "currency": "CAD",
        "tax_mode": "inclusive",
        "lines": [
            {
                "product": "1",
                "quantity": D("3"),
                "price_unit": D("74.90"),
                "amount": D("224.70"),
                "amount_untaxed": D("200.00"),
                "taxes": ["21"],
            }
        ],
        "amount_untaxed": D("200.00"),
        "amount_tax": D("24.70"),
        "amount_total": D("224.70"),
    }


def test_a_tax_inclusive_document_goes_out_with_its_amounts_without_tax_and_with_tax():
    entity, body = mappers.invoice_from_canonical(
        inclusive_record(), tax_mode="global", home_currency="CAD", reference="odoo:account.move:7"
    )
    line = body["Line"][0]
    assert (entity, body["GlobalTaxCalculation"]) == ("Invoice", "TaxInclusive")
    assert (line["Amount"], line["SalesItemLineDetail"]["TaxInclusiveAmt"]) == (D("200.00"), D("224.70"))
    assert line["SalesItemLineDetail"]["UnitPrice"] == D("66.666667")
    # QuickBooks computes it back to the cent
    company = canadian_company()
    doc = company.write("Invoice", body)
    assert (doc["TotalAmt"], doc["TxnTaxDetail"]["TotalTax"]) == (D("224.70"), D("24.70"))
    back = mappers.to_canonical("Invoice", doc, tax_mode="global")
    assert (back["tax_mode"], back["lines"][0]["amount"], back["lines"][0]["amount_untaxed"]) == (
        "inclusive",
        D("224.70"),
        D("200.00"),
    )
    # a US company has no tax-inclusive documents: the lines go without tax, the tax Odoo computed with them
    _entity, us = mappers.invoice_from_canonical(
        dict(inclusive_record(), lines=[dict(inclusive_record()["lines"][0], taxes=["3"])]),
        tax_mode="us",
        home_currency="USD",
        reference="odoo:account.move:7",
    )
    assert us["GlobalTaxCalculation"] == "TaxExcluded"
    assert us["Line"][0]["Amount"] == D("200.00")
    assert "TaxInclusiveAmt" not in us["Line"][0]["SalesItemLineDetail"]
    assert us["TxnTaxDetail"]["TotalTax"] == D("24.70")
    # an inclusive line without its amount without tax cannot be sent
    record = inclusive_record()
    del record["lines"][0]["amount_untaxed"]
    with pytest.raises(errors.PayloadValidationError, match="amount without tax"):
        mappers.invoice_from_canonical(record, tax_mode="global", home_currency="CAD", reference="odoo:account.move:7")


def test_a_tax_inclusive_bill_goes_out_and_comes_back_with_its_amounts_with_tax():
    company = canadian_company()
    vendor = company.snapshot("Vendor")[0]
    expense = next(doc for doc in company.snapshot("Account") if doc["Name"] == "Office Expenses")
    record = dict(
        inclusive_record(),
        move_type="in_invoice",
        partner=f"Vendor/{vendor['Id']}",
        lines=[
            {
                "account": expense["Id"],
                "quantity": D("1"),
                "price_unit": D("57.50"),
                "amount": D("57.50"),
                "amount_untaxed": D("50.00"),
                "taxes": ["24"],  # HST 15%
            }
        ],
        amount_untaxed=D("50.00"),
        amount_tax=D("7.50"),
        amount_total=D("57.50"),
    )
    entity, body = mappers.invoice_from_canonical(
        record, tax_mode="global", home_currency="CAD", reference="odoo:account.move:8"
    )
    detail = body["Line"][0]["AccountBasedExpenseLineDetail"]
    assert (entity, body["Line"][0]["Amount"], detail["TaxInclusiveAmt"]) == ("Bill", D("50.00"), D("57.50"))
    doc = company.write("Bill", body)
    assert (doc["TotalAmt"], doc["TxnTaxDetail"]["TotalTax"]) == (D("57.50"), D("7.50"))
    back = canonical.validate("invoice", mappers.to_canonical("Bill", doc, tax_mode="global"))
    assert (back["tax_mode"], back["lines"][0]["price_unit"], back["lines"][0]["amount_untaxed"]) == (
        "inclusive",
        D("57.50"),
        D("50.00"),
    )
