"""The Reckon adapter writing to a generated book over loopback HTTP: master data, documents
approved, receipts and credit allocations, bills and journals, conflicts and deletes."""

from decimal import Decimal

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_reckon.lib.faults import ReckonValidationError


def party(name, roles, **extra):
    return {"name": name, "is_company": True, "roles": roles, "active": True, **extra}


def names(reckon, table, key="name"):
    return [d[key] for d in reckon.docs(table)]


def contact(reckon, contact_id):
    return next(c for c in reckon.docs("contacts") if c["id"] == contact_id)


def test_a_dual_role_partner_is_one_contact_and_an_update_keeps_what_odoo_does_not_know(reckon, valid):
    adapter = reckon.adapter()
    record = party("Wombat Web Pty Ltd", ["customer", "vendor"], email="ap@wombat.example", vat="51 824 753 556")
    contact_id, version = adapter.write("party", record, reference="odoo:res.partner:7")
    stored = contact(reckon, contact_id)
    assert stored["entityTypes"]["isCustomer"] and stored["entityTypes"]["isSupplier"]
    assert stored["businessNumber1"] == "51824753556" and version == stored["lastModifiedDateTime"]
    read = adapter.read("party", contact_id)
    assert read["roles"] == ["customer", "vendor"] and read["version"] == version  # the echo is recognised
    valid("party", read)
    supplier = next(c for c in reckon.docs("contacts") if c["entityTypes"] == {**c["entityTypes"], "isCustomer": False})
    reckon.control(
        "change",
        collection="suppliers",
        id=supplier["id"],
        body={
            "name": supplier["name"],
            "isTpar": True,
            "bankDetails": {"name": "Ops", "bankBranchNumber": "062000", "bankAccountNumber": "1234"},
            "addresses": [{"type": "Delivery", "line1": "Dock 4", "town": "Botany"}],
        },
    )
    current = adapter.read("party", supplier["id"])
    changed = dict(current, email="accounts@new.example", roles=["vendor", "customer"])
    adapter.write(
        "party", changed, external_id=supplier["id"], version=current["version"], reference="odoo:res.partner:8"
    )
    after = contact(reckon, supplier["id"])
    assert after["isTpar"] and after["bankDetails"]["bankAccountNumber"] == "1234"
    assert {a["type"]["name"] for a in after["addresses"]} == {"Delivery"}
    assert after["electronicAddresses"][0]["address"] == "accounts@new.example"
    assert after["entityTypes"]["isCustomer"] and after["entityTypes"]["isSupplier"]  # the role Odoo added


def test_a_change_made_in_reckon_meanwhile_is_a_conflict(reckon):
    adapter = reckon.adapter()
    customer = reckon.docs("contacts")[0]
    record = adapter.read("party", customer["id"])
    reckon.control("change", collection="customers", id=customer["id"], body={"name": "Changed In Reckon Pty Ltd"})
    with pytest.raises(errors.ConflictError, match="changed in Reckon since the last sync"):
        adapter.write(
            "party", record, external_id=customer["id"], version=record["version"], reference="odoo:res.partner:1"
        )
    odoo_wins = reckon.adapter(conflict_policy="odoo")
    odoo_wins.write(
        "party", record, external_id=customer["id"], version=record["version"], reference="odoo:res.partner:1"
    )
    assert contact(reckon, customer["id"])["name"] == record["name"]


def test_a_name_reckon_already_has(reckon):
    adapter = reckon.adapter()
    existing = reckon.docs("contacts")[1]
    email = existing["electronicAddresses"][0]["address"]
    same = party(existing["name"].upper(), ["vendor"], email=email)
    contact_id, _version = adapter.write("party", same, reference="odoo:res.partner:9")
    assert contact_id == existing["id"] and contact(reckon, contact_id)["entityTypes"]["isSupplier"]
    with pytest.raises(errors.NameCollisionError, match="another contact named"):
        adapter.write(
            "party", party(existing["name"], ["customer"], email="x@other.example"), reference="odoo:res.partner:10"
        )


def test_items_and_ledger_accounts(reckon, valid):
    adapter = reckon.adapter()
    product = {"name": "Mulch (m3)", "type": "goods", "sku": "MULCH", "sale_price": Decimal("65.00"), "active": True}
    item_id, _version = adapter.write("product", product, reference="odoo:product.product:3")
    item = next(i for i in reckon.docs("items") if i["id"] == item_id)
    sales = next(a for a in reckon.docs("ledgeraccounts") if a["accountType"] == "Income")
    assert item["sale"]["ledgerAccount"]["id"] == sales["id"] and item["sale"]["price"] == Decimal("65.00")
    adapter.write(
        "product", dict(product, sale_price=Decimal("70")), external_id=item_id, reference="odoo:product.product:3"
    )
    assert (
        valid("product", adapter.read("product", item_id)) == []
        and adapter.read("product", item_id)["sale_price"] == 70
    )
    account_id, _version = adapter.write(
        "account", {"name": "Westpac Cheque", "type": "bank", "code": "1-1115"}, reference="odoo:account.account:5"
    )
    assert adapter.read("account", account_id)["type"] == "bank"
    adapter.write("account", {"name": "Westpac Business", "type": "bank"}, external_id=account_id, reference="x")
    assert next(a for a in reckon.docs("ledgeraccounts") if a["id"] == account_id)["bankAccount"] is not None
    adapter.delete("product", item_id)
    assert next(i for i in reckon.docs("items") if i["id"] == item_id)["status"] == "Inactive"


def sale(reckon, customer, mode, lines, **extra):
    return {
        "move_type": "out_invoice",
        "number": "INV/2026/00042",
        "partner": customer,
        "date": "2026-03-02",
        "due_date": "2026-04-01",
        "currency": "AUD",
        "tax_mode": mode,
        "memo": "Thank you",
        "state": "posted",
        "lines": lines,
        **extra,
    }


def lines_of(reckon, *specs):
    items = {i["name"]: i["id"] for i in reckon.docs("items")}
    rates = {r["name"]: f"TaxRate/{r['id']}" for r in reckon.docs("taxrates")}
    accounts = {a["name"]: a["id"] for a in reckon.docs("ledgeraccounts")}
    out = []
    for name, quantity, price, tax in specs:
        line = {"quantity": Decimal(quantity), "price_unit": Decimal(price), "taxes": [rates[tax]] if tax else []}
        line.update({"product": items[name]} if name in items else {"account": accounts[name]})
        out.append(line)
    return out


def test_invoices_created_approved_with_reckons_totals(reckon, valid):
    adapter = reckon.adapter()
    customer = reckon.docs("contacts")[2]["id"]
    exclusive = sale(
        reckon,
        customer,
        "exclusive",
        lines_of(
            reckon,
            ("Consulting (hour)", 2, "165.00", "GST"),
            ("Fresh fruit box", 1, "45.00", "FRE"),
            ("Reimbursed Fees", 1, "80", "N-T"),
        ),
    )
    external_id, version = adapter.write("invoice", exclusive, reference="odoo:account.move:42")
    doc = next(i for i in reckon.docs("invoices") if f"Invoice/{i['id']}" == external_id)
    assert (doc["status"], doc["totalAmount"], doc["totalTaxAmount"]) == (
        "Approved",
        Decimal("488.00"),
        Decimal("33.00"),
    )
    assert doc["reference"] == "INV/2026/00042" and doc["notes"] == "Thank you\nodoo:account.move:42"
    read = adapter.read("invoice", external_id)
    assert read["version"] == version and read["origin"] == "odoo:account.move:42" and read["memo"] == "Thank you"
    valid("invoice", read)
    inclusive = sale(reckon, customer, "inclusive", lines_of(reckon, ("Garden hose 30m", 3, "59.95", "GST")))
    inclusive_id, _version = adapter.write("invoice", inclusive, reference="odoo:account.move:43")
    assert adapter.read("invoice", inclusive_id)["amount_total"] == Decimal("179.85")
    assert adapter.read("invoice", inclusive_id)["amount_tax"] == Decimal("16.35")
    draft = dict(exclusive, state="draft", tax_mode="none")
    draft_id, _version = adapter.write("invoice", draft, reference="odoo:account.move:44")
    assert (
        adapter.read("invoice", draft_id)["state"] == "draft" and adapter.read("invoice", draft_id)["amount_tax"] == 0
    )
    adapter.write("invoice", dict(draft, state="posted"), external_id=draft_id, reference="odoo:account.move:44")
    assert adapter.read("invoice", draft_id)["state"] == "posted"  # an update approves a draft
    wrong = dict(exclusive, lines=[dict(exclusive["lines"][0], taxes=["TaxRate/nope"])])
    with pytest.raises(ReckonValidationError) as refused:
        adapter.write("invoice", wrong, reference="odoo:account.move:45")
    assert refused.value.locations == ["lineItems[0].taxRate"]


def test_receipts_over_several_invoices_and_a_credit_allocation(reckon, valid):
    adapter = reckon.adapter()
    customer = reckon.docs("contacts")[3]["id"]
    lines = lines_of(reckon, ("Site visit", 1, "120.00", "GST"))
    first = adapter.write("invoice", sale(reckon, customer, "exclusive", lines), reference="odoo:account.move:50")[0]
    second = adapter.write("invoice", sale(reckon, customer, "exclusive", lines), reference="odoo:account.move:51")[0]
    payment = {
        "payment_type": "inbound",
        "partner": customer,
        "date": "2026-03-10",
        "amount": Decimal("200.00"),
        "currency": "AUD",
        "reference": "DEP-77",
        "allocations": [
            {"document": first, "document_kind": "invoice", "amount": Decimal("132.00")},
            {"document": second, "document_kind": "invoice", "amount": Decimal("60.00")},
        ],
    }
    receipt_id, _version = adapter.write("payment", payment, reference="odoo:account.payment:9")
    assert (
        adapter.read("invoice", first)["amount_residual"] == 0 and adapter.read("invoice", first)["state"] == "posted"
    )
    assert adapter.read("invoice", second)["amount_residual"] == Decimal("72.00")
    read = adapter.read("payment", receipt_id)
    assert [(a["document"], a["amount"]) for a in read["allocations"]] == [(first, 132), (second, 60)]
    valid("payment", read)
    refund = sale(
        reckon, customer, "exclusive", lines_of(reckon, ("Site visit", 1, "40.00", "GST")), move_type="out_refund"
    )
    note = adapter.write("invoice", refund, reference="odoo:account.move:52")[0]
    application = {
        "payment_type": "inbound",
        "partner": customer,
        "date": "2026-03-11",
        "amount": Decimal("0"),
        "currency": "AUD",
        "allocations": [
            {"document": note, "document_kind": "credit_note", "amount": Decimal("44.00")},
            {"document": second, "document_kind": "invoice", "amount": Decimal("44.00")},
        ],
    }
    applied, version = adapter.write("payment", application, reference="odoo:connector.credit.application:1")
    assert applied == note.replace("CreditNote/", "CreditApplication/")
    assert adapter.read("invoice", second)["amount_residual"] == Decimal("28.00")
    assert adapter.read("invoice", note)["amount_residual"] == 0
    read = adapter.read("payment", applied)
    assert (
        read["version"] == version and read["amount"] == 0 and read["allocations"][1] == application["allocations"][1]
    )
    valid("payment", read)
    assert [r["external_id"] for r, _p in adapter.changes("payment") if r["amount"] == 0] == [applied]
    smaller = dict(application, allocations=[dict(a, amount=Decimal("20.00")) for a in application["allocations"]])
    adapter.write("payment", smaller, external_id=applied, reference="odoo:connector.credit.application:1")
    assert adapter.read("invoice", second)["amount_residual"] == Decimal("52.00")
    adapter.delete("payment", applied)
    assert adapter.read("invoice", second)["amount_residual"] == Decimal("72.00")
    with pytest.raises(errors.NotFoundError):
        adapter.read("payment", applied)
    adapter.delete("payment", receipt_id)
    assert adapter.read("invoice", first)["amount_residual"] == Decimal("132.00")
    adapter.delete("invoice", first)
    adapter.delete("invoice", first)  # already gone: nothing to do
    assert f"Invoice/{reckon.docs('invoices')[0]['id']}" != first


def test_bills_and_journals(reckon, valid):
    adapter = reckon.adapter()
    supplier = next(c["id"] for c in reckon.docs("contacts") if c["entityTypes"]["isSupplier"])
    bill = dict(
        sale(
            reckon,
            supplier,
            "exclusive",
            lines_of(reckon, ("Garden hose 30m", 2, "30.00", "GST"), ("Rent", 1, "1000", "GST")),
        ),
        move_type="in_invoice",
        reference="SUP-INV-9",
    )
    bill_id, version = adapter.write("invoice", bill, reference="odoo:account.move:60")
    stored = next(b for b in reckon.docs("bills") if f"Bill/{b['BillID']}" == bill_id)
    assert (stored["Status"], stored["BillAmount"], stored["TaxAmount"]) == (2, Decimal("1166.00"), Decimal("106.00"))
    assert stored["LineItems"][0]["AccountingCategoryID"] == next(
        a["id"] for a in reckon.docs("ledgeraccounts") if a["name"] == "Cost of Sales"
    )
    read = adapter.read("invoice", bill_id)
    assert read["version"] == version and read["reference"] == "SUP-INV-9"
    valid("invoice", read)
    accounts = {a["name"]: a["id"] for a in reckon.docs("ledgeraccounts")}
    entry = {
        "date": "2026-03-01",
        "currency": "AUD",
        "memo": "Owner loan",
        "lines": [
            {"account": accounts["Business Cheque Account"], "debit": Decimal("500.00"), "description": "In"},
            {"account": accounts["Owner's Capital"], "credit": Decimal("500.00"), "partner": supplier},
        ],
    }
    journal_id, _version = adapter.write("journal_entry", entry, reference="odoo:account.move:61")
    read = adapter.read("journal_entry", journal_id)
    assert read["origin"] == "odoo:account.move:61" and read["memo"] == "Owner loan"
    valid("journal_entry", read)
    adapter.delete("journal_entry", journal_id)
    assert journal_id not in names(reckon, "journals", "JournalID")
    with pytest.raises(errors.PayloadValidationError, match="read-only"):
        adapter.write(
            "payment",
            {
                "payment_type": "outbound",
                "partner": supplier,
                "date": "2026-03-01",
                "amount": 1,
                "currency": "AUD",
                "allocations": [],
            },
            reference="odoo:account.payment:3",
        )
    with pytest.raises(errors.PayloadValidationError, match="supplier adjustment notes"):
        adapter.write("invoice", dict(bill, move_type="in_refund"), reference="odoo:account.move:62")
