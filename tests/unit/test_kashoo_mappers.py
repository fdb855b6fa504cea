"""The Kashoo mappers, pure functions: Kashoo's wire documents (in the sandbox's shape, every name
that is a setting changed too) to canonical records, each validated with connector_base's
canonical schemas, and canonical records back to Kashoo's create bodies. Money is integer cents
on the wire and Decimal(cents) / 100 here."""

from decimal import Decimal

import pytest

from odoo.addons.connector_base.lib import canonical, errors
from odoo.addons.connector_kashoo.lib import documents, mappers, payments, records
from odoo.addons.connector_kashoo.lib.settings import FIELDS, KashooSettings

pytest_plugins = ["kashoo_fixtures"]
SETTINGS = KashooSettings()
RENAMED = {name: f"k_{wire}" for name, wire in FIELDS.items()}  # every line and tax name otherwise


def record(kind="INVOICE", **fields):
    doc = dict.fromkeys(
        "id type number date dueDate contact contactName amount totalDue balanceDue currency keepInOriginalCurrency "
        "exchangePayment terms depositAccount depositCurrency account memo poNumber removed readOnly "
        "collaberationContext".split()
    )
    doc.update(id=200000100, type=kind, date="2026-03-10", currency="CAD", removed=False, readOnly=False)
    doc.update(fields)
    return doc


def invoice(lines, taxes, included=False, names=FIELDS, **fields):
    wire_lines = [
        {
            names["line_description"]: description,
            names["line_quantity"]: quantity,
            names["line_unit_price"]: unit,
            names["line_amount"]: amount,
            names["line_account"]: 200000005,
            names["line_taxes"]: codes,
        }
        for description, quantity, unit, amount, codes in lines
    ]
    tax_lines = [
        {names["tax_name"]: name, names["tax_abbreviation"]: code, names["tax_rate"]: rate, names["tax_amount"]: cents}
        for code, name, rate, cents in taxes
    ]
    total = sum(line[3] for line in lines) + sum(t[3] for t in taxes) * (not included)
    body = {names["lines"]: wire_lines, names["taxes"]: tax_lines, names["tax_included"]: included}
    values = {"contact": 200000011, "number": "1001", "amount": total, "totalDue": total, "balanceDue": total}
    return record(**{**values, **fields, **body})


BC_TAXES = [("GST", "Goods and Services Tax", 5, 1500), ("PST", "Provincial Sales Tax (BC)", 7, 2100)]


# ---------------------------------------------------------------------------- invoices and bills
@pytest.mark.parametrize("names", [FIELDS, RENAMED], ids=["sandbox names", "renamed"])
def test_a_bc_invoice_comes_in_to_the_cent_whatever_its_field_names(names, valid):
    settings = KashooSettings(fields=names)
    doc = invoice([("Consulting (hour)", Decimal("2"), 15000, 30000, ["GST", "PST"])], BC_TAXES, names=names)
    result = documents.document_to_canonical(doc, "invoice", settings)
    valid("invoice", result)
    assert result["move_type"] == "out_invoice" and result["tax_mode"] == "exclusive"
    assert result["partner"] == "200000011" and result["number"] == "1001"
    assert result["lines"] == [
        {
            "description": "Consulting (hour)",
            "quantity": Decimal("2"),
            "price_unit": Decimal("150.00"),
            "amount": Decimal("300.00"),
            "taxes": ["GST", "PST"],
            "account": "200000005",
        }
    ]
    amounts = [result[k] for k in ("amount_untaxed", "amount_tax", "amount_total", "amount_residual")]
    assert amounts == [Decimal("300.00"), Decimal("36.00"), Decimal("336.00"), Decimal("336.00")]
    assert all(isinstance(a, Decimal) for a in amounts)


def test_a_tax_included_bill_is_inclusive_with_gross_lines(valid):
    # $100 with GST 5% + PST 7% included: 4.46 + 6.25 backed out, 89.29 net (the sandbox's arithmetic)
    taxes = [("GST", "Goods and Services Tax", 5, 446), ("PST", "Provincial Sales Tax (BC)", 7, 625)]
    doc = invoice([("Toner", 1, 10000, 10000, ["GST", "PST"])], taxes, included=True, type="BILL", number="AB-1")
    result = documents.document_to_canonical(doc, "bill", SETTINGS)
    valid("invoice", result)
    assert result["move_type"] == "in_invoice" and result["tax_mode"] == "inclusive"
    assert result["lines"][0]["price_unit"] == result["lines"][0]["amount"] == Decimal("100.00")
    assert (result["amount_untaxed"], result["amount_tax"], result["amount_total"]) == (
        Decimal("89.29"),
        Decimal("10.71"),
        Decimal("100.00"),
    )


def test_lines_without_a_unit_price_and_a_compound_tax_last():
    settings = KashooSettings(compound_taxes=["QST"])
    doc = invoice([("Hours", Decimal("3"), None, 10000, ["QST", "GST"])], [])
    line = documents.document_to_canonical(doc, "invoice", settings)["lines"][0]
    assert line["price_unit"] == Decimal("33.333333") and line["amount"] == Decimal("100.00")
    assert line["taxes"] == ["GST", "QST"]  # the compound tax after the one it is charged on


def test_a_document_without_lines_or_with_a_fraction_of_a_cent_is_refused_by_name():
    bare = record(amount=100, totalDue=100, balanceDue=100, contact=1)  # the 22 keys only
    with pytest.raises(errors.PayloadValidationError, match="carries no 'lines'.*line field names"):
        documents.document_to_canonical(bare, "invoice", SETTINGS)
    half = invoice([("Work", 1, None, Decimal("10.5"), [])], [], amount=1050)
    with pytest.raises(errors.PayloadValidationError, match="line 1.amount: Kashoo sent Decimal.*whole cents"):
        documents.document_to_canonical(half, "invoice", SETTINGS)


def test_our_stamp_in_the_memo_is_the_origin():
    doc = invoice([("Work", 1, 5000, 5000, [])], [], memo="odoo:account.move:42\nThanks for your business")
    result = documents.document_to_canonical(doc, "invoice", SETTINGS)
    assert result["origin"] == "odoo:account.move:42" and result["memo"] == "Thanks for your business"


def test_a_canonical_invoice_goes_out_in_whole_cents_with_the_stamp_first():
    record_ = {
        "move_type": "out_invoice",
        "partner": "200000011",
        "date": "2026-03-10",
        "due_date": "2026-04-09",
        "currency": "CAD",
        "tax_mode": "inclusive",
        "memo": "Thanks",
        "number": "INV/2026/0007",
        "lines": [
            {"description": "Hours", "quantity": Decimal("1.5"), "price_unit": Decimal("95"), "taxes": ["HST"]},
            {"quantity": 3, "price_unit": Decimal("0.333"), "account": "200000005", "taxes": []},
            {"quantity": 1, "price_unit": Decimal("200"), "discount": Decimal("10"), "taxes": ["GST", "PST"]},
        ],
    }
    role, body = documents.document_from_canonical(record_, KashooSettings(fields=RENAMED), "odoo:account.move:7")
    assert role == "invoice" and body["memo"] == "odoo:account.move:7\nThanks" and body["k_taxIncluded"] is True
    first, second, third = body["k_lines"]
    assert first == {
        "k_description": "Hours",
        "k_quantity": Decimal("1.5"),
        "k_amount": 14250,
        "k_taxes": ["HST"],
        "k_unitPrice": 9500,
    }
    assert second["k_amount"] == 100 and "k_unitPrice" not in second and second["k_account"] == 200000005
    assert third["k_amount"] == 18000 and third["k_unitPrice"] == 18000
    credit = dict(record_, move_type="out_refund")
    with pytest.raises(errors.PayloadValidationError, match="no out_refund documents"):
        documents.document_from_canonical(credit, SETTINGS, "odoo:account.move:8")


# ---------------------------------------------------------------------------- record types
def test_a_record_of_a_type_the_map_does_not_know_is_quarantined_naming_it():
    doc = record("EXPENSE", amount=5000)
    result = records.canonical(doc, SETTINGS, where="records")
    assert result["external_id"] == "200000100" and result["unmapped"]["type"] == "EXPENSE"
    assert "type 'EXPENSE' (listed by records)" in result["unmapped"]["reason"]
    with pytest.raises(errors.PayloadValidationError):  # the engine refuses it: it goes to quarantine
        canonical.validate("journal_entry", result)
    with pytest.raises(mappers.UnknownRecordTypeError, match="'EXPENSE'.*add the type to the map"):
        mappers.role_of(doc, SETTINGS)
    skipping = KashooSettings(type_map={**SETTINGS.type_map, "EXPENSE": "skip"})
    assert records.canonical(doc, skipping, where="records") is None  # a person chose to leave them out
    wrong = records.canonical(record("BILL"), SETTINGS, expected="invoice", where="records/invoices")
    assert "gives to bill: correct the type map" in wrong["unmapped"]["reason"]
    assert records.canonical(record("BILL", removed=True), SETTINGS) == {"external_id": "200000100", "deleted": True}


# ---------------------------------------------------------------------------- taxes
def test_taxes_from_the_documents_tax_lines_per_province(valid):
    on = invoice([("Work", 1, 10000, 10000, ["HST"])], [("HST", "Harmonized Sales Tax (ON)", 13, 1300)])
    qc = invoice(
        [("Work", 1, 10000, 10000, ["GST", "QST"])],
        [("GST", "Goods and Services Tax", 5, 500), ("QST", "Quebec Sales Tax", Decimal("9.975"), 998)],
        date="2026-04-01",
    )
    bill = invoice([("Rent", 1, 10000, 10000, ["GST", "PST"])], BC_TAXES, type="BILL")
    old_rate = invoice([("Work", 1, 10000, 10000, ["PST"])], [("PST", "PST (old)", 6, 600)], date="2025-01-01")
    named_only = invoice([("Work", 1, 100, 100, ["XST"])], [])
    found, problems = documents.taxes_from_documents(
        [(on, "invoice"), (qc, "invoice"), (bill, "bill"), (old_rate, "invoice"), (named_only, "invoice")],
        SETTINGS,
    )
    by_code = {tax["external_id"]: tax for tax in found}
    assert {code: (t["rate"], t["scope"]) for code, t in by_code.items()} == {
        "GST": (Decimal("5"), "both"),
        "HST": (Decimal("13"), "sale"),
        "PST": (Decimal("7"), "both"),  # the latest document's rate
        "QST": (Decimal("9.975"), "sale"),
    }
    assert not any(t["compound"] or t["price_include"] for t in found)  # BC PST and QST are on the net
    assert [code for code, _doc in problems] == ["XST"]
    for tax in found:
        assert valid("tax", tax) == [f for f in ("compound",) if f in mappers_pending("tax")]


def mappers_pending(kind):
    import json
    import os

    with open(os.path.join(canonical.SCHEMA_DIR, canonical.KINDS[kind]), encoding="utf-8") as handle:
        return {"compound", "components"} - set(json.load(handle)["properties"])


def test_a_tax_list_when_the_business_answers_one():
    registered = documents.tax_from_list({"id": 1, "abbreviation": "GST", "name": "GST", "rate": 5}, SETTINGS)
    paid_only = documents.tax_from_list({"abbreviation": "PST", "rate": 7, "registered": False}, SETTINGS)
    assert (registered["scope"], paid_only["scope"]) == ("both", "purchase")


# ---------------------------------------------------------------------------- payments, transfers
def test_payments_pay_one_document_each(valid):
    paid = record("INVOICE_PAYMENT", amount=81716, contact=200000019, depositAccount=200000001)
    paid["invoiceRecordId"] = 200000052
    result = payments.payment_to_canonical(paid, "invoice_payment", SETTINGS)
    valid("payment", result)
    assert result["payment_type"] == "inbound" and result["amount"] == Decimal("817.16")
    assert result["allocations"] == [{"document": "200000052", "document_kind": "invoice", "amount": Decimal("817.16")}]
    bill_paid = record("BILL_PAYMENT", amount=500, contact=7, k_billRecordId=9)
    renamed = payments.payment_to_canonical(bill_paid, "bill_payment", KashooSettings(fields=RENAMED))
    assert renamed["payment_type"] == "outbound" and renamed["allocations"][0]["document"] == "9"

    role, body = payments.payment_from_canonical(result, SETTINGS, "odoo:account.payment:3")
    assert role == "invoice_payment" and body["amount"] == 81716 and body["invoiceRecordId"] == 200000052
    assert body["memo"] == "odoo:account.payment:3" and body["depositAccount"] == 200000001
    two = dict(result, allocations=result["allocations"] * 2)
    with pytest.raises(errors.PayloadValidationError, match="exactly one invoice or bill; this one allocates 2"):
        payments.payment_from_canonical(two, SETTINGS, "odoo:account.payment:4")
    over = dict(result, amount=Decimal("900"))
    with pytest.raises(errors.PayloadValidationError, match="900.00 paid, 817.16 allocated"):
        payments.payment_from_canonical(over, SETTINGS, "odoo:account.payment:5")


def test_a_transfer_is_a_balanced_journal_entry(valid):
    doc = record("TRANSFER", amount=250000, account=200000001, depositAccount=200000099, memo="To savings")
    result = payments.transfer_to_canonical(doc, SETTINGS)
    valid("journal_entry", result)
    assert [(line["account"], line.get("debit"), line.get("credit")) for line in result["lines"]] == [
        ("200000099", Decimal("2500.00"), None),
        ("200000001", None, Decimal("2500.00")),
    ]


# ---------------------------------------------------------------------------- contacts, accounts
@pytest.mark.parametrize(
    ("number", "vat"),
    [
        ("123456782RT0001", "123456782RT0001"),  # a GST/HST registration (BN15, program RT)
        ("123456782", "123456782"),  # a BN9
        ("12345 6782 rt 0001", "123456782RT0001"),
        ("123456783RT0001", None),  # wrong check digit
        ("1234567890TQ0001", None),  # a QST number is no CRA business number
        ("123456782XX0001", None),  # no such program
    ],
)
def test_business_numbers_are_checked_against_the_cra_format(number, vat, valid):
    doc = {"id": 5, "name": "Maple Foods Ltd.", "businessNumber": number, "customer": True, "vendor": False}
    result = mappers.party_to_canonical(doc, SETTINGS)
    valid("party", result)
    assert result.get("vat") == vat
    if vat is None:  # kept out of the partner, in front of a person in Partner Matching
        assert result["rejected_vat"]["value"] == number
        assert result["rejected_vat"]["reason"].startswith("not a valid Canada Revenue Agency business number")
    else:
        assert result["rejected_vat"] is None


def test_a_contact_carries_both_roles_and_its_address(valid):
    doc = {
        "id": 7,
        "name": " Harbour Design Inc. ",
        "email": "ap@harbour.example",
        "address": {"line1": "1 King St W", "city": "Toronto", "province": "ON", "postalCode": "M5V", "country": "CA"},
        "currency": "cad",
        "customer": True,
        "vendor": True,
        "removed": True,
    }
    result = mappers.party_to_canonical(doc, SETTINGS)
    valid("party", result)
    assert result["roles"] == ["customer", "vendor"] and result["name"] == "Harbour Design Inc."
    assert result["address"]["state_code"] == "ON" and result["currency"] == "CAD" and result["active"] is False
    assert mappers.party_to_canonical({"id": 8, "name": "V"}, SETTINGS, ["vendor"])["roles"] == ["vendor"]
    with pytest.raises(errors.PayloadValidationError, match="neither a customer nor a vendor"):
        mappers.party_to_canonical({"id": 9, "name": "Nobody"}, SETTINGS)
    body = mappers.party_from_canonical(result)
    assert body["customer"] and body["vendor"] and body["address"]["province"] == "ON"


def test_accounts_by_kashoo_type_and_name(valid):
    chart = [
        ({"id": 1, "name": "Chequing", "number": 1000, "type": "ASSET"}, "bank"),
        ({"id": 2, "name": "Accounts Receivable", "number": 1200, "type": "ASSET"}, "receivable"),
        ({"id": 3, "name": "Accounts Payable", "number": 2000, "type": "LIABILITY"}, "payable"),
        ({"id": 4, "name": "GST Payable", "number": 2200, "type": "LIABILITY"}, "current_liabilities"),
        ({"id": 5, "name": "Owner's Equity", "number": 3000, "type": "EQUITY"}, "equity"),
        ({"id": 6, "name": "Sales", "number": 4000, "type": "INCOME"}, "income"),
        ({"id": 7, "name": "Rent", "number": 6100, "type": "EXPENSE"}, "expense"),
    ]
    for doc, kind in chart:
        result = mappers.account_to_canonical(doc, SETTINGS)
        valid("account", result)
        assert (result["type"], result["code"], result["provider_type"]) == (kind, str(doc["number"]), doc["type"])
    with pytest.raises(errors.PayloadValidationError, match="type 'COGS'"):
        mappers.account_to_canonical({"id": 8, "name": "Cost", "type": "COGS"}, SETTINGS)
    assert mappers.account_from_canonical({"name": "Petty cash", "type": "cash", "code": "1010"}, SETTINGS) == {
        "name": "Petty cash",
        "type": "ASSET",
        "number": 1010,
    }
