"""The Reckon mappers, pure, reading: Reckon's documents (its published examples where ../shared
has them) to canonical records, each validated with connector_base's schemas."""

from datetime import date
from decimal import Decimal

import pytest
from reckon_docs import CUSTOMER, FRE, GST, REF, conforms, invoice, line, published

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_reckon.lib import mappers
from odoo.addons.connector_reckon.lib.mappers import common, payments


def test_dates_as_reckon_writes_them():
    assert common.day("2026-02-01T00:00:00Z") == "2026-02-01"
    assert common.day("2016-03-13T00:00:00+00:00") == "2016-03-13"  # v1 form
    assert common.day("2026-02-01T23:30:00-05:00") == "2026-02-01"  # as written: no time-zone shift
    assert common.reckon_date("2026-02-01") == common.reckon_date(date(2026, 2, 1)) == "2026-02-01T00:00:00Z"
    assert common.v1_date("2026-02-01") == "2026-02-01T00:00:00+00:00"
    with pytest.raises(errors.PayloadValidationError):
        common.day("01/02/2026")


def test_the_odoo_stamp_in_notes():
    note = common.stamped("Thanks", REF)
    assert note == f"Thanks\n{REF}" and common.memo(note) == "Thanks" and common.origin(note) == {"origin": REF}
    assert common.carries(note, REF) and not common.carries(note, "odoo:account.move:471")
    long = common.stamped("x" * 300, REF, limit=255)
    assert len(long) == 255 and long.endswith(REF)
    assert common.stamped(None, REF) == REF


def test_published_contacts_one_party_each_roles_from_entity_types(valid):
    supplier = mappers.party_to_canonical(published("Supplier"))
    assert supplier["roles"] == ["vendor"] and supplier["external_id"] == "c4e3cc74-8e81-4ae0-90d2-324d1e1a4479"
    assert supplier["phone"] == "+61 02 90101234 ext 4321" and supplier["email"] == "x@y.com"
    assert supplier["address"] == {
        "street": "Level 2",
        "street2": "100 Pacific Highway Line 3",
        "city": "Sydney",
        "zip": "2060",
        "state_code": "NSW",
        "country_code": "AU",
    }
    assert supplier["vat"] == "18001234" and supplier["company_name"] == "My customer Pty Ltd"
    customer = mappers.party_to_canonical(published("Customer"), "customer")
    valid("party", supplier), valid("party", customer)
    both = dict(published("Customer"), entityTypes={"isCustomer": True, "isSupplier": True}, id="b0th")
    assert mappers.party_to_canonical(both, "vendor")["roles"] == ["customer", "vendor"]
    assert mappers.party_to_canonical(both, "customer") == mappers.party_to_canonical(both, "vendor")


def test_published_item_account_and_taxes(valid):
    item = published("Item")
    product = mappers.product_to_canonical(item, {"d45f44de-e37e-4cb6-8685-d2b96e4bf720": Decimal(10)})
    assert product["sale_price"] == Decimal("4.132231")  # 4.54545455 included 10% GST: without it
    assert product["cost"] == Decimal("4.54545455")  # its purchase tax (NCG) is not in force: as it is
    assert product["sale_taxes"] == ["TaxRate/d45f44de-e37e-4cb6-8685-d2b96e4bf720"]
    assert product["income_account"] == "7667528a-c88c-4e6d-b55b-2d43177d16f0" and product["sku"] == "WID001"
    account = mappers.account_to_canonical(published("LedgerAccount"))
    assert (account["type"], account["code"], account["name"]) == (
        "income",
        "4-0000",
        "Parent account name:Account name",
    )
    cash = dict(published("LedgerAccount"), accountType="CurrentAsset_Bank", bankAccount={"isCash": True})
    assert mappers.account_to_canonical(cash)["type"] == "cash"
    group = mappers.group_to_canonical(published("TaxGroup"))
    rate = mappers.rate_to_canonical(published("TaxRate"))
    assert (group["scope"], group["rate"], "components" in group) == ("sale", Decimal("10.0"), False)
    assert rate["external_id"] == "TaxRate/d45f44de-e37e-4cb6-8685-d2b96e4bf720"
    for kind, record in (("product", product), ("account", account), ("tax", group), ("tax", rate)):
        valid(kind, record)


def test_a_tax_group_of_several_codes_has_components(valid):
    group = dict(
        published("TaxGroup"),
        rate=15,
        taxCodes=[{"name": "GST", "rate": 10}, {"name": "WET", "rate": 5}],
        useOnPurchases=True,
    )
    record = mappers.group_to_canonical(group)
    assert record["scope"] == "both" and record["components"] == [
        {"name": "GST", "rate": 10, "compound": False},
        {"name": "WET", "rate": 5, "compound": False},
    ]
    assert valid("tax", record) in ([], ["components"])  # pending until tax.json has it (ISSUE13)


def test_the_tax_rate_in_force_on_the_documents_date(valid):
    """GST's id stays when its percentage changes: a document of the old percentage names a
    variant, which reads as a tax of its own."""
    calls = []

    def fetch(on):
        calls.append(on)
        return [
            {"id": GST, "name": "GST", "rate": 10 if on >= date(2025, 7, 1) else Decimal("12.5"), "useOnSales": True}
        ]

    calendar = mappers.TaxCalendar(fetch, date(2026, 3, 1))
    calendar.prepare(["2026-01-05T00:00:00Z", "2026-02-20T00:00:00Z"])
    assert calendar.line_tax(GST, "2026-01-20") == f"TaxRate/{GST}"
    assert len(calls) == 2  # today and the first date, alike: the dates between need no call
    assert calendar.line_tax(GST, "2025-06-30") == f"TaxRate/{GST}@12.5"
    variant = mappers.rate_variant(calendar.docs[GST], Decimal("12.5"))
    assert (variant["external_id"], variant["name"], variant["rate"]) == (f"TaxRate/{GST}@12.5", "GST (12.5%)", 12.5)
    valid("tax", variant)
    record = mappers.sales_to_canonical(
        invoice(lines=[line(1, account="Sales", amount=100)], invoiceDate="2025-06-01T00:00:00Z"),
        "invoices",
        currency="AUD",
        tax_of=calendar.line_tax,
    )
    assert record["lines"][0]["taxes"] == [f"TaxRate/{GST}@12.5"]


def test_invoices_exclusive_inclusive_and_untaxed(valid):
    lines = [
        line(1, item="consulting", price=Decimal("165.00"), quantity=Decimal(2), discountPercent=Decimal(10)),
        line(2, item="hose", price=Decimal("59.95"), quantity=Decimal(3), discountAmount=Decimal("10.00")),
        line(3, account="Reimbursed Fees", amount=Decimal("80.00"), rate=FRE),
    ]
    exclusive = mappers.sales_to_canonical(
        invoice(lines=lines, totalAmount=Decimal("543.59"), totalTaxAmount=Decimal("46.69"), balance=Decimal("100")),
        "invoices",
        currency="AUD",
    )
    assert exclusive["tax_mode"] == "exclusive" and exclusive["state"] == "posted"
    first, second, third = exclusive["lines"]
    assert (first["price_unit"], first["discount"], first["amount"]) == (Decimal("165.00"), 10, Decimal("297.00"))
    assert (second["price_unit"], second["amount"], "discount" in second) == (
        Decimal("56.616667"),
        Decimal("169.85"),
        False,
    )
    assert (third["account"], third["amount"], third["taxes"]) == (
        "Reimbursed Fees",
        Decimal("80.00"),
        [f"TaxRate/{FRE}"],
    )
    assert exclusive["amount_untaxed"] == Decimal("496.90") and exclusive["amount_residual"] == Decimal("100.00")
    assert exclusive["origin"] == REF and exclusive["memo"] == "Thanks for your business"
    assert (exclusive["date"], exclusive["due_date"], exclusive["number"]) == ("2026-02-01", "2026-03-03", "INV0042")
    inclusive = mappers.sales_to_canonical(
        invoice(
            "Inclusive",
            [line(1, item="hose", price=Decimal("59.95"), quantity=1)],
            totalAmount=Decimal("59.95"),
            totalTaxAmount=Decimal("5.45"),
        ),
        "invoices",
        currency="AUD",
    )
    assert inclusive["tax_mode"] == "inclusive" and inclusive["lines"][0]["amount"] == Decimal("59.95")
    assert inclusive["amount_untaxed"] == Decimal("54.50")
    for status in ("NonTaxed", "NoTax"):
        untaxed = mappers.sales_to_canonical(
            invoice(status, [line(1, account="Sales", amount=5)], totalAmount=5), "invoices", currency="AUD"
        )
        assert untaxed["tax_mode"] == "none" and untaxed["lines"][0]["taxes"] == [] and untaxed["amount_tax"] == 0
    for record in (exclusive, inclusive, untaxed):
        valid("invoice", record)


def test_published_documents_map_and_validate(valid):
    published_invoice = mappers.sales_to_canonical(
        dict(published("Invoice"), invoiceDate="2026-02-01T00:00:00Z"), "invoices", currency="AUD"
    )
    assert (published_invoice["amount_total"], published_invoice["amount_residual"]) == (
        Decimal("110.00"),
        Decimal("54.00"),
    )
    note = mappers.sales_to_canonical(published("CreditNote"), "creditnotes", currency="AUD")
    assert note["move_type"] == "out_refund" and note["external_id"].startswith("CreditNote/")
    valid("invoice", published_invoice), valid("invoice", dict(note, date="2026-01-01", due_date="2026-01-01"))
    receipt = mappers.receipt_to_canonical(
        dict(published("Receipt"), receiptDate="2026-02-20T00:00:00Z"), currency="AUD"
    )
    assert (
        receipt["allocations"] == [] and receipt["method"] == "8c03b982-9309-4c9d-ba7a-3f2adf9572a8"
    )  # an estimate is no allocation
    payment = mappers.supplier_payment_to_canonical(
        dict(published("Payment"), paymentDate="2026-02-20T00:00:00Z"), currency="AUD"
    )
    assert payment["payment_type"] == "outbound" and payment["partner"] == CUSTOMER
    valid("payment", receipt), valid("payment", payment)


def test_a_credit_note_undated_falls_due_on_its_date_and_its_allocations_are_an_application(valid):
    doc = {
        "id": "c0ffee00-0000-4000-8000-000000000001",
        "creditNoteNumber": "CAN0007",
        "customer": {"id": CUSTOMER, "name": "Company Ltd"},
        "creditNoteDate": "2026-02-10T00:00:00Z",
        "amountTaxStatus": "Exclusive",
        "status": "Approved",
        "totalAmount": Decimal("110.00"),
        "totalTaxAmount": Decimal("10.00"),
        "balance": Decimal("20.00"),
        "lineItems": [line(1, account="Sales", amount=Decimal(100))],
        "transactionLinks": [
            {
                "linkId": "INV-a",
                "transactionType": "Invoice",
                "transactionId": "inv-a",
                "transactionAmount": Decimal("60.00"),
            },
            {
                "linkId": "INV-b",
                "transactionType": "Invoice",
                "transactionId": "inv-b",
                "transactionAmount": Decimal("30.00"),
            },
            {
                "linkId": "EST-c",
                "transactionType": "Estimate",
                "transactionId": "est-c",
                "transactionAmount": Decimal("1.00"),
            },
        ],
    }
    note = mappers.sales_to_canonical(doc, "creditnotes", currency="AUD")
    assert note["due_date"] == note["date"] == "2026-02-10"
    application = mappers.credit_application(doc, currency="AUD")
    assert application["external_id"] == "CreditApplication/c0ffee00-0000-4000-8000-000000000001"
    assert application["amount"] == 0 and application["allocations"] == [
        {"document": f"CreditNote/{doc['id']}", "document_kind": "credit_note", "amount": Decimal("90.00")},
        {"document": "Invoice/inv-a", "document_kind": "invoice", "amount": Decimal("60.00")},
        {"document": "Invoice/inv-b", "document_kind": "invoice", "amount": Decimal("30.00")},
    ]
    assert mappers.credit_application(dict(doc, transactionLinks=[]), currency="AUD") is None
    valid("invoice", note), valid("payment", application)
    assert payments.application_links(application) == (
        doc["id"],
        {"inv-a": Decimal("60.00"), "inv-b": Decimal("30.00")},
    )
    with pytest.raises(errors.PayloadValidationError, match="moves no money"):
        payments.application_links(dict(application, amount=Decimal(5)))
    with pytest.raises(errors.PayloadValidationError, match="applies 90.00, the invoices take 60.00"):
        payments.application_links(dict(application, allocations=application["allocations"][:2]))


def test_a_receipt_over_two_invoices_partly(valid, contract):
    doc = {
        "id": "9d21eace-44a1-4a1f-bfbc-90f4f7315962",
        "receiptNumber": "RCPT0015",
        "customer": {"id": CUSTOMER, "name": "Company Ltd"},
        "receiptDate": "2026-02-20T00:00:00Z",
        "ledgerAccount": {"id": "bank-1", "name": "Business Cheque Account"},
        "totalAmount": Decimal("250.00"),
        "reference": "DEP-1",
        "notes": REF.replace("move", "payment"),
        "transactionLinks": [
            {"transactionType": "Invoice", "transactionId": "inv-a", "transactionAmount": Decimal("200.00")},
            {"transactionType": "Invoice", "transactionId": "inv-b", "transactionAmount": Decimal("40.00")},
        ],
    }
    record = mappers.receipt_to_canonical(doc, currency="AUD")
    assert [a["amount"] for a in record["allocations"]] == [Decimal("200.00"), Decimal("40.00")]
    assert (
        record["deposit_account"] == "bank-1"
        and record["origin"] == "odoo:account.payment:4711"
        and record["memo"] is None
    )
    valid("payment", record)
    body = mappers.receipt_from_canonical(record, reference="odoo:account.payment:9")
    assert body["transactionLinks"][1] == {
        "transactionId": "inv-b",
        "transactionType": "Invoice",
        "transactionAmount": 40,
    }
    assert body["notes"] == "odoo:account.payment:9" and body["receiptDate"] == "2026-02-20T00:00:00Z"
    assert conforms(contract, "ReceiptInput", body) == []
    with pytest.raises(errors.PayloadValidationError, match="read-only"):
        mappers.receipt_from_canonical(dict(record, payment_type="outbound"), reference=REF)
