"""The Wave mappers, pure functions: Wave's records to canonical ones (each validated with
connector_base.lib.canonical) and back to the inputs of Wave's mutations.
The records Wave published are mapped in test_wave_published.py."""

import base64
import json
import os
from decimal import ROUND_HALF_UP, Decimal

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_wave.lib import mappers

STAMP = "odoo:account.move:42"


def wid(*pairs):
    return base64.b64encode(";".join(f"{k}:{v}" for k, v in pairs).encode()).decode()


CUSTOMER = wid(("Business", "b"), ("Customer", 55703088))
VENDOR = wid(("Business", "b"), ("Vendor", 56120000))
PRODUCT = wid(("Business", "b"), ("Product", 56241241))
GST = wid(("Business", "b"), ("SalesTax", 1))
QST = wid(("Business", "b"), ("SalesTax", 2))
BANK = wid(("Account", 1), ("Business", "b"))
SALES = wid(("Account", 2), ("Business", "b"))
EXPENSE = wid(("Account", 3), ("Business", "b"))
INVOICE = wid(("Business", "b"), ("Invoice", 1257565365047690439))


def customer_doc(**fields):
    return {
        "id": CUSTOMER,
        "name": "John Doe",
        "firstName": "John",
        "lastName": "Doe",
        "displayId": "C-0001",
        "email": "jdoe@email.com",
        "phone": "4013167762",
        "mobile": None,
        "website": None,
        "internalNotes": "",
        "isArchived": False,
        "modifiedAt": "2021-08-02T20:48:43.189Z",
        "currency": {"code": "USD"},
        "address": {
            "addressLine1": "10 Water View Lane",
            "addressLine2": "Apt. 1",
            "city": "North Providence",
            "postalCode": "02904",
            "province": {"code": "US-RI", "name": "Rhode Island"},
            "country": {"code": "US", "name": "United States"},
        },
        **fields,
    }


def item(product=PRODUCT, quantity="1", price="40", subtotal="40.00", taxes=()):
    return {
        "description": "Spreadsheet changes",
        "quantity": quantity,
        "unitPrice": price,
        "product": {"id": product},
        "subtotal": {"value": subtotal},
        "taxes": [{"amount": {"value": amount}, "salesTax": {"id": tax, "isCompound": c}} for tax, c, amount in taxes],
    }


def invoice_doc(items, **fields):
    return {
        "id": INVOICE,
        "invoiceNumber": "15",
        "invoiceDate": "2026-02-01",
        "dueDate": "2026-03-03",
        "status": "PARTIAL",
        "poNumber": "",
        "memo": "",
        "exchangeRate": "1",
        "modifiedAt": "2026-02-01T10:00:00.000Z",
        "currency": {"code": "CAD"},
        "customer": {"id": CUSTOMER},
        "discountTotal": {"value": "0.00"},
        "items": items,
        **fields,
    }


# ---------------------------------------------------------------------------- contacts
def test_a_customer_and_a_vendor_are_parties_of_one_role_each(valid):
    record = mappers.customer_to_canonical(customer_doc())
    assert valid("party", record) == []
    assert record["roles"] == ["customer"] and record["is_company"] is False
    assert record["address"]["state_code"] == "RI" and record["address"]["country_code"] == "US"
    assert record["version"] == record["updated_at"] == "2021-08-02T20:48:43.189Z"
    vendor = mappers.vendor_to_canonical(customer_doc(id=VENDOR, name="Cedar Supplies", isArchived=True))
    assert vendor["roles"] == ["vendor"] and vendor["active"] is False and vendor["is_company"] is True
    valid("party", vendor)
    assert mappers.id_kind(VENDOR) == "Vendor" and mappers.id_kind("not base64!") is None


def test_a_customer_goes_out_with_its_stamp_and_iso_province_and_a_vendor_does_not_go_out():
    record = mappers.customer_to_canonical(customer_doc())
    created = mappers.customer_from_canonical(record, creating=True, reference="odoo:res.partner:7")
    assert created["displayId"] == "odoo:res.partner:7" and created["currency"] == "USD"
    assert created["address"]["provinceCode"] == "US-RI" and created["address"]["addressLine2"] == "Apt. 1"
    patch = mappers.customer_from_canonical({**record, "phone": None}, creating=False, reference="odoo:res.partner:7")
    assert "displayId" not in patch and patch["phone"] is None  # a patch clears what Odoo cleared
    with pytest.raises(errors.PayloadValidationError, match="vendors"):
        mappers.customer_from_canonical({**record, "roles": ["vendor"]}, creating=True)


# ---------------------------------------------------------------------------- catalog
def test_products_both_ways_with_an_account_wave_requires(valid):
    doc = {
        "id": PRODUCT,
        "name": "Misc. Services",
        "description": None,
        "unitPrice": "33.33",
        "isArchived": True,
        "modifiedAt": "2026-01-01T00:00:00.000Z",
        "incomeAccount": {"id": SALES},
        "expenseAccount": None,
        "defaultSalesTaxes": [{"id": GST}, {"id": QST}],
    }
    record = mappers.product_to_canonical(doc)
    valid("product", record)
    assert record["sale_price"] == Decimal("33.33") and record["sale_taxes"] == [GST, QST] and not record["active"]
    out = mappers.product_from_canonical({"name": "Hours", "sale_price": Decimal("95.50")}, income_account=SALES)
    assert out == {
        "name": "Hours",
        "description": None,
        "unitPrice": "95.5",
        "defaultSalesTaxIds": [],
        "incomeAccountId": SALES,
    }
    bought = mappers.product_from_canonical({"name": "Paper", "expense_account": EXPENSE}, income_account=SALES)
    assert "incomeAccountId" not in bought and bought["expenseAccountId"] == EXPENSE
    with pytest.raises(errors.PayloadValidationError, match="income or an expense account"):
        mappers.product_from_canonical({"name": "Orphan"})


def test_accounts_map_by_subtype_and_keep_their_sequence_as_version(valid):
    doc = {
        "id": BANK,
        "name": "Operating Bank Account",
        "displayId": "1010",
        "description": None,
        "sequence": 4,
        "isArchived": False,
        "currency": {"code": "USD"},
        "type": {"value": "ASSET"},
        "subtype": {"value": "CASH_AND_BANK"},
    }
    record = mappers.account_to_canonical(doc)
    valid("account", record)
    assert (record["type"], record["version"], record["code"]) == ("bank", "4", "1010")
    assert mappers.account_from_canonical(record, creating=True)["subtype"] == "CASH_AND_BANK"  # round trip
    fresh = mappers.account_from_canonical({"name": "Fuel", "type": "expense"}, creating=True)
    assert fresh == {"name": "Fuel", "subtype": "EXPENSE"}
    assert mappers.account_from_canonical(record, creating=False) == {
        "name": "Operating Bank Account",
        "description": None,
        "displayId": "1010",
    }
    with pytest.raises(errors.PayloadValidationError):
        mappers.account_to_canonical({**doc, "subtype": {"value": "SOMETHING_NEW"}})


def test_a_sales_tax_keeps_its_rates_by_date_and_its_compound_and_recoverable_flags(valid):
    doc = {
        "id": QST,
        "name": "Quebec Sales Tax",
        "abbreviation": "QST",
        "description": None,
        "rate": "0.09975",
        "rates": [
            {"effective": "2013-01-01", "rate": "0.09975"},
            {"effective": "0001-01-01", "rate": "0.085"},
            {"effective": "2012-01-01", "rate": "0.095"},
        ],
        "isCompound": True,
        "isRecoverable": True,
        "isArchived": False,
        "modifiedAt": "2026-01-01T00:00:00.000Z",
    }
    record = mappers.tax_to_canonical(doc)
    assert valid("tax", record) == [f for f in ("compound", "recoverable", "rates") if f in _pending("tax")]
    assert record["rate"] == Decimal("9.975") and record["scope"] == "both" and record["compound"]
    assert record["rates"] == [
        {"date_from": None, "rate": Decimal("8.5")},
        {"date_from": "2012-01-01", "rate": Decimal("9.5")},
        {"date_from": "2013-01-01", "rate": Decimal("9.975")},
    ]
    assert mappers.rate_on(doc["rates"], "2012-06-30") == Decimal("0.095")
    assert mappers.rate_on(doc["rates"], "1999-01-01") == Decimal("0.085")
    out = mappers.tax_from_canonical({"name": "Harmonized Sales Tax", "rate": Decimal("13"), "compound": False})
    assert out["abbreviation"] == "HST" and out["rate"] == "0.13" and out["isCompound"] is False
    with pytest.raises(errors.PayloadValidationError, match="one rate each"):
        mappers.tax_from_canonical({"name": "GST+QST", "rate": 14.975, "components": [{"name": "GST", "rate": 5}]})


def _pending(kind):
    from odoo.addons.connector_base.lib import canonical

    with open(os.path.join(canonical.SCHEMA_DIR, canonical.KINDS[kind]), encoding="utf-8") as handle:
        known = set(json.load(handle)["properties"])
    return [f for f in ("compound", "recoverable", "rates") if f not in known]


# ---------------------------------------------------------------------------- invoices
def test_an_invoice_with_a_compound_tax_and_a_discount_comes_in_as_wave_computed_it(valid):
    lines = [
        item(quantity="3", price="33.33", subtotal="99.99", taxes=[(QST, True, "9.47"), (GST, False, "4.50")]),
        item(quantity="1", price="19.99", subtotal="19.99", taxes=[(GST, False, "0.90")]),
    ]
    doc = invoice_doc(
        lines,
        subtotal={"value": "119.98"},
        discountTotal={"value": "12.00"},
        taxTotal={"value": "14.87"},
        total={"value": "122.85"},
        amountDue={"value": "22.85"},
        memo=f"Thanks for your business\n\n{STAMP}",
        status="DRAFT",
    )
    record = mappers.invoice_to_canonical(doc)
    valid("invoice", record)
    assert record["lines"][0]["taxes"] == [GST, QST]  # the compound tax after the one it is charged on
    assert [line["amount"] for line in record["lines"]] == [Decimal("89.99"), Decimal("17.99")]
    assert record["lines"][0]["discount"] == Decimal("10.0010")
    assert (record["amount_untaxed"], record["amount_tax"], record["amount_total"]) == (
        Decimal("107.98"),
        Decimal("14.87"),
        Decimal("122.85"),
    )
    assert record["origin"] == STAMP and record["memo"] == "Thanks for your business" and record["state"] == "draft"
    assert record["tax_mode"] == "exclusive" and record["amount_residual"] == Decimal("22.85")


def test_an_invoice_goes_out_with_a_product_on_every_line_and_the_stamp_in_its_memo():
    record = {
        "move_type": "out_invoice",
        "partner": CUSTOMER,
        "date": "2026-02-01",
        "due_date": "2026-03-03",
        "currency": "USD",
        "number": "INV/2026/00042",
        "memo": "Net 30",
        "state": "posted",
        "lines": [
            {"product": PRODUCT, "quantity": Decimal("3"), "price_unit": Decimal("19.99"), "discount": Decimal("10")},
            {"description": "Travel", "quantity": Decimal("1"), "price_unit": Decimal("250"), "taxes": [GST]},
        ],
    }
    with pytest.raises(errors.PayloadValidationError, match="generic product"):
        mappers.invoice_from_canonical(record, creating=True, reference=STAMP)
    out = mappers.invoice_from_canonical(record, creating=True, reference=STAMP, generic_product="GENERIC")
    first, second = out["items"]
    assert first["productId"] == PRODUCT and first["unitPrice"] == "17.991" and first["taxes"] == []
    assert second["productId"] == "GENERIC" and second["description"] == "Travel"
    assert second["taxes"] == [{"salesTaxId": GST}]
    assert out["memo"] == f"Net 30\n\n{STAMP}" and out["status"] == "SAVED" and out["invoiceNumber"] == "INV/2026/00042"
    patch = mappers.invoice_from_canonical(record, creating=False, reference=STAMP, generic_product="GENERIC")
    assert "status" not in patch and patch["memo"].endswith(STAMP)
    draft = mappers.invoice_from_canonical({**record, "state": "draft"}, creating=True, generic_product="GENERIC")
    assert draft["status"] == "DRAFT"
    for move_type, word in (("out_refund", "credit notes"), ("in_invoice", "bills"), ("in_refund", "bills")):
        with pytest.raises(errors.PayloadValidationError, match=word):
            mappers.invoice_from_canonical({**record, "move_type": move_type}, creating=True, generic_product="G")


def test_a_tax_inclusive_invoice_goes_out_at_the_exclusive_price_wave_computes_from():
    rates = {GST: (Decimal("0.05"), False), QST: (Decimal("0.09975"), True)}
    record = {
        "move_type": "out_invoice",
        "partner": CUSTOMER,
        "date": "2026-02-01",
        "currency": "CAD",
        "tax_mode": "inclusive",
        "lines": [
            {"product": PRODUCT, "quantity": Decimal("2"), "price_unit": Decimal("57.49"), "taxes": [GST, QST]},
        ],
    }
    out = mappers.invoice_from_canonical(
        record, creating=True, reference=STAMP, tax_rate=lambda tax, day: rates[tax] if day == "2026-02-01" else None
    )
    # 114.98 with 5 % and 9.975 % on top of it: 114.98 / (1.05 x 1.09975) = 99.5724 -> 99.57 before taxes;
    # Wave then adds GST 4.98 and QST 10.43 (on 104.55): 114.98 again
    subtotal = (Decimal(out["items"][0]["unitPrice"]) * 2).quantize(Decimal("0.01"), ROUND_HALF_UP)
    gst = (subtotal * Decimal("0.05")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    qst = ((subtotal + gst) * Decimal("0.09975")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert (subtotal, gst, qst, subtotal + gst + qst) == (
        Decimal("99.57"),
        Decimal("4.98"),
        Decimal("10.43"),
        Decimal("114.98"),
    )
    assert mappers.tax_factor([GST, QST], "2026-02-01", lambda tax, day: rates[tax]) == Decimal("1.1547375")


# ---------------------------------------------------------------------------- payments and money transactions
def test_a_payment_belongs_to_one_invoice_both_ways(valid):
    doc = {
        "id": "UGF5",
        "paymentDate": "2026-02-20",
        "amount": "40.00",
        "exchangeRate": "1",
        "paymentMethod": "BANK_TRANSFER",
        "memo": "BANK-REF-889\n\nodoo:account.payment:9",
        "modifiedAt": "2026-02-20T10:00:00.000Z",
        "account": {"id": BANK},
        "customer": {"id": CUSTOMER},
        "invoice": {"id": INVOICE, "currency": {"code": "USD"}, "customer": {"id": CUSTOMER}},
    }
    record = mappers.payment_to_canonical(doc)
    valid("payment", record)
    assert record["allocations"] == [{"document": INVOICE, "document_kind": "invoice", "amount": Decimal("40.00")}]
    assert (record["method"], record["deposit_account"], record["origin"]) == (
        "BANK_TRANSFER",
        BANK,
        "odoo:account.payment:9",
    )
    out = mappers.payment_from_canonical(record, creating=True, reference="odoo:account.payment:9")
    assert out == {
        "paymentAccountId": BANK,
        "amount": "40",
        "paymentDate": "2026-02-20",
        "paymentMethod": "BANK_TRANSFER",
        "exchangeRate": "1",
        "memo": "BANK-REF-889\n\nodoo:account.payment:9",
        "invoiceId": INVOICE,
    }
    other = {**record, "method": "7", "deposit_account": None}
    assert mappers.payment_from_canonical(other, creating=False, deposit_account=BANK)["paymentMethod"] == "UNSPECIFIED"
    with pytest.raises(errors.MappingMissingError):
        mappers.payment_from_canonical(other, creating=True)
    two = {**record, "allocations": record["allocations"] * 2}
    for refused, word in (
        (two, "one invoice"),
        ({**record, "allocations": [{**record["allocations"][0], "document_kind": "credit_note"}]}, "credit notes"),
        ({**record, "payment_type": "outbound"}, "bill payments"),
    ):
        with pytest.raises(errors.PayloadValidationError, match=word):
            mappers.payment_from_canonical(refused, creating=True)


def test_a_journal_entry_becomes_a_money_transaction_anchored_on_its_bank_line():
    entry = {
        "date": "2026-02-02",
        "currency": "USD",
        "memo": "Office chairs",
        "lines": [
            {"account": BANK, "credit": Decimal("250.00")},
            {"account": EXPENSE, "debit": Decimal("200.00"), "description": "Chairs"},
            {"account": SALES, "debit": Decimal("50.00"), "partner": CUSTOMER},
        ],
    }
    out = mappers.money_transaction_from_canonical(
        entry, reference="odoo:account.move:7", anchors={BANK}, currency="USD"
    )
    assert out["externalId"] == "odoo:account.move:7" and out["description"] == "Office chairs"
    assert out["anchor"] == {"accountId": BANK, "amount": "250", "direction": "WITHDRAWAL"}
    assert out["lineItems"] == [
        {"accountId": EXPENSE, "amount": "200", "balance": "DEBIT", "description": "Chairs"},
        {"accountId": SALES, "amount": "50", "balance": "DEBIT", "customerId": CUSTOMER},
    ]
    with pytest.raises(errors.PayloadValidationError, match="one cash, bank"):
        mappers.money_transaction_from_canonical(entry, reference="r", anchors={BANK, EXPENSE}, currency="USD")
    mixed = {**entry, "lines": [*entry["lines"], {"account": SALES, "credit": Decimal("1")}]}
    with pytest.raises(errors.PayloadValidationError, match="other side"):
        mappers.money_transaction_from_canonical(mixed, reference="r", anchors={BANK}, currency="USD")
    with pytest.raises(errors.CurrencyMismatchError):
        mappers.money_transaction_from_canonical(entry, reference="r", anchors={BANK}, currency="CAD")
