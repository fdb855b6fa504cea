"""The Reckon mappers, pure, writing: canonical records to the request bodies Reckon's
openapi.yaml defines (checked against its input schemas), and bills and journals both ways."""

from decimal import Decimal

import jsonschema
import pytest
from reckon_docs import CUSTOMER, GST, REF, conforms, published

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_reckon.lib import mappers

from tests.sandbox.reckon.extension import BILL_IN, JOURNAL_IN


def test_bills_and_journals_in_v1_names(valid):
    bill = {
        "BillID": "b1",
        "BillNumber": "BIL0112",
        "BillDate": "2016-03-13T00:00:00+00:00",
        "DueDate": "2016-04-13T00:00:00+00:00",
        "CustomerID": "sup-1",
        "BillAmount": Decimal("1115.50"),
        "TaxAmount": Decimal("100.00"),
        "Balance": Decimal("1115.50"),
        "Status": 3,
        "AmountTaxStatus": 2,
        "Notes": REF,
        "LineItems": [
            {"LineID": "l1", "AccountingCategoryID": "rent", "Amount": Decimal("1000.00"), "TaxGroupID": "g-gst"},
            {"LineID": "l2", "AccountingCategoryID": "fees", "Amount": Decimal("15.50"), "TaxGroupID": "g-its"},
        ],
        "lastModifiedDateTime": "2026-03-01T01:02:03.000Z",
    }
    record = mappers.bill_to_canonical(bill, currency="AUD")
    assert (record["move_type"], record["state"], record["date"], record["due_date"]) == (
        "in_invoice",
        "posted",
        "2016-03-13",
        "2016-04-13",
    )
    assert record["lines"][0]["taxes"] == ["TaxGroup/g-gst"] and record["version"] == bill["lastModifiedDateTime"]
    valid("invoice", record)
    journal = {
        "JournalID": "j1",
        "JournalNumber": "JNL0001",
        "JournalDate": "2026-03-01T00:00:00+00:00",
        "Summary": "Owner contribution",
        "Status": "Posted",
        "Transactions": [
            {"AccountingCategoryId": "bank", "Debit": Decimal("500.00"), "Narration": "Deposit", "ContactId": "c1"},
            {"AccountingCategoryId": "capital", "Credit": Decimal("500.00"), "TaxGroupId": "g-nt"},
        ],
    }
    entry = mappers.journal_to_canonical(journal, currency="AUD")
    assert entry["lines"][0] == {
        "account": "bank",
        "description": "Deposit",
        "debit": Decimal("500.00"),
        "partner": "c1",
    }
    assert entry["lines"][1]["taxes"] == ["TaxGroup/g-nt"]
    valid("journal_entry", entry)
    names = {"TaxRate/r-gst": "GST"}
    body = mappers.bill_from_canonical(
        dict(record, lines=[dict(record["lines"][0], taxes=["TaxRate/r-gst"])]), reference=REF, tax_names=names
    )
    assert body["LineItems"] == [{"AccountingCategoryID": "rent", "Amount": Decimal("1000.00"), "TaxGroupID": "GST"}]
    assert body["BillDate"] == "2016-03-13T00:00:00+00:00" and body["AmountTaxStatus"] == 2 and body["Notes"] == REF
    back = mappers.journal_from_canonical(entry, reference=REF, tax_names={})
    assert back["Transactions"][1] == {
        "AccountingCategoryId": "capital",
        "Credit": Decimal("500.00"),
        "TaxGroupId": "g-nt",
    }
    assert back["Summary"] == f"Owner contribution\n{REF}"
    jsonschema.validate(body, BILL_IN)
    jsonschema.validate(back, JOURNAL_IN)


def test_sales_documents_to_reckon(contract):
    record = {
        "move_type": "out_invoice",
        "number": "INV/2026/00042",
        "partner": CUSTOMER,
        "date": "2026-02-01",
        "due_date": "2026-03-03",
        "currency": "AUD",
        "tax_mode": "inclusive",
        "memo": "Thanks",
        "payment_term": "term-30",
        "lines": [
            {
                "product": "item-1",
                "quantity": 2,
                "price_unit": Decimal("110.00"),
                "discount": Decimal(5),
                "taxes": [f"TaxRate/{GST}"],
            },
            {"account": "acc-1", "quantity": 1, "price_unit": Decimal("80.00"), "taxes": ["TaxGroup/g-fre"]},
        ],
    }
    table, body = mappers.sales_from_canonical(record, reference=REF, tax_names={"TaxGroup/g-fre": "FRE"})
    assert table == "invoices" and body["amountTaxStatus"] == "Inclusive" and body["reference"] == "INV/2026/00042"
    assert body["notes"] == f"Thanks\n{REF}" and body["invoiceDate"] == "2026-02-01T00:00:00Z"
    assert body["lineItems"][0]["itemDetails"] == {
        "item": "item-1",
        "quantity": 2,
        "price": Decimal("110.00"),
        "discountPercent": 5,
    }
    assert body["lineItems"][1] == {
        "lineNumber": 2,
        "accountDetails": {"ledgerAccount": "acc-1", "amount": Decimal("80.00")},
        "taxRate": "FRE",
    }
    assert conforms(contract, "InvoiceInput", body) == []
    table, note = mappers.sales_from_canonical(dict(record, move_type="out_refund", tax_mode="none"), reference=REF)
    assert table == "creditnotes" and note["amountTaxStatus"] == "NonTaxed" and "taxRate" not in note["lineItems"][0]
    assert note["lineItems"][0]["itemDetails"]["price"] == Decimal("104.500000")  # no discounts on credit notes
    assert conforms(contract, "CreditNoteInput", note) == []
    with pytest.raises(errors.PayloadValidationError, match="one tax rate per line"):
        mappers.sales_from_canonical(
            dict(record, lines=[dict(record["lines"][0], taxes=["TaxRate/a", "TaxRate/b"])]), reference=REF
        )
    with pytest.raises(errors.MappingMissingError):
        mappers.sales_from_canonical(
            dict(record, lines=[dict(record["lines"][1], taxes=["TaxGroup/unknown"])]), reference=REF
        )


def test_contacts_to_reckon_keep_what_odoo_does_not_know(contract):
    current = dict(
        published("Supplier"),
        bankDetails={"name": "Ops", "bankBranchNumber": "062-000", "bankAccountNumber": "444555"},
        entityTypes={"isCustomer": False, "isSupplier": True, "isEmployee": False, "isSuperfund": False},
        addresses=published("Supplier")["addresses"]
        + [{"type": {"id": "x", "name": "Delivery"}, "line1": "Dock 4", "town": "Botany"}],
    )
    record = {
        "name": "John Doe",
        "is_company": True,
        "company_name": "Doe Holdings Pty Ltd",
        "roles": ["customer"],
        "email": "ap@doe.example",
        "phone": "+61 2 9999 0000",
        "vat": "51 824 753 556",
        "active": True,
        "address": {"street": "1 Main St", "city": "Perth", "zip": "6000", "state_code": "WA", "country_code": "AU"},
    }
    body = mappers.party_from_canonical(record, "suppliers", current)
    assert body["entityTypes"] == {"isCustomer": True, "isSupplier": True}  # a role is added, none taken away
    assert body["isTpar"] is True and body["bankDetails"]["bankAccountNumber"] == "444555"
    assert body["bankDetails"]["bankBranchNumber"] == "062000"  # the input takes digits only
    assert [a["type"] for a in body["addresses"]] == ["Billing", "Delivery"] and body["addresses"][0][
        "country"
    ] == "Australia"
    assert body["businessNumber1"] == "51824753556" and body["electronicAddresses"] == [
        {"type": "Email", "address": "ap@doe.example"}
    ]
    assert conforms(contract, "SupplierInput", body) == []
    new = mappers.party_from_canonical(dict(record, roles=["customer", "vendor"], payment_term="t1"), "customers")
    assert new["entityTypes"] == {"isCustomer": True, "isSupplier": True} and new["paymentTerms"] == "t1"
    assert conforms(contract, "CustomerInput", new) == []
    assert mappers.party_view({"roles": ["vendor"]}) == "suppliers"


def test_items_and_accounts_to_reckon(contract):
    product = {
        "name": "Garden hose 30m",
        "type": "goods",
        "sku": "HOSE30",
        "sale_price": Decimal("54.50"),
        "sale_taxes": [f"TaxRate/{GST}"],
    }
    with pytest.raises(errors.MappingMissingError, match="income account"):
        mappers.product_from_canonical(product)
    body = mappers.product_from_canonical(product, income_account="acc-sales")
    assert body["sale"] == {"price": Decimal("54.50"), "ledgerAccount": "acc-sales", "taxRate": GST}
    assert body["amountTaxStatus"] == "Exclusive" and "purchase" not in body
    assert conforms(contract, "ItemInput", body) == []
    item = published("Item")
    again = mappers.product_from_canonical(
        dict(product, cost=Decimal(2)), current=dict(item, parentItem={"id": "p", "name": "Widgets"})
    )
    assert again["sale"]["ledgerAccount"] == "7667528a-c88c-4e6d-b55b-2d43177d16f0" and again["parentItem"] == "p"
    assert again["purchase"] == {
        "price": 2,
        "priceAccuracy": 8,
        "ledgerAccount": "59bfdb84-ab9c-4fa6-8364-b2ed60b87f31",
        "description": "A green widget that can be bought",
        "taxRate": "9f85a156-8a3b-449a-893b-02d603daee3b",
    }
    account = mappers.account_from_canonical({"name": "Westpac Cheque", "type": "bank", "code": "1-1115"})
    assert account == {
        "accountType": "CurrentAsset_Bank",
        "bankAccount": {"includeBalancingTransaction": False},
        "name": "Westpac Cheque",
        "status": "Active",
        "accountCode": "1-1115",
    }
    assert conforms(contract, "LedgerAccountInput", account) == []
    kept = mappers.account_from_canonical({"name": "Renamed", "type": "income"}, current=published("LedgerAccount"))
    assert kept["accountType"] == "Income" and kept["parentLedgerAccount"] == "d4012795-b884-47a9-a6bb-eb4bb7d2B374"
    assert conforms(contract, "LedgerAccountInput", kept) == []
    with pytest.raises(errors.PayloadValidationError, match="off_balance"):
        mappers.account_from_canonical({"name": "Memo", "type": "off_balance"})
