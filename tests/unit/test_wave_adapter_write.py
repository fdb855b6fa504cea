"""The Wave adapter writing to the Wave sandbox over loopback HTTP: customers, products,
accounts, taxes, invoices (created approved, approved, patched, deleted), payments and money
transactions; idempotency without keys when answers are lost; what Wave cannot do."""

import time
from datetime import date
from decimal import Decimal

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_wave.lib.adapter import UnverifiableWriteError, WaveAdapter

TODAY = date.today().isoformat()


def party(name="Harbor Dental", **fields):
    return {
        "name": name,
        "roles": ["customer"],
        "email": f"ap@{name.split()[0].lower()}.example",
        "currency": "USD",
        "address": {"street": "1 Main St", "city": "Providence", "state_code": "RI", "country_code": "US"},
        **fields,
    }


def invoice(customer, product=None, number=None, **fields):
    line = {"quantity": Decimal("2"), "price_unit": Decimal("125.00"), "description": "Consulting"}
    if product:
        line["product"] = product
    return {
        "move_type": "out_invoice",
        "partner": customer,
        "date": TODAY,
        "due_date": TODAY,
        "currency": "USD",
        "number": number,
        "state": "posted",
        "lines": [line],
        **fields,
    }


def fifty_paid(customer, invoice_id):
    """A payment of 50 on one invoice."""
    amount = Decimal("50")
    return {
        "payment_type": "inbound",
        "partner": customer,
        "date": TODAY,
        "amount": amount,
        "currency": "USD",
        "allocations": [{"document": invoice_id, "amount": amount}],
    }


def wave_invoice(wave, invoice_id):
    return wave.client().one("Invoice", "invoice", invoice_id)


@pytest.fixture
def adapter(wave):
    product = wave.control_client.product(name="Services", price="100")
    return wave.adapter(generic_product=product, deposit_account=wave.control_client.accounts("CASH_AND_BANK")[0])


def test_a_customer_is_created_with_its_stamp_then_patched(wave, adapter):
    customer_id, version = adapter.write("party", party(), reference="odoo:res.partner:7")
    stored = wave.docs("Customer")[0]
    assert stored["displayId"] == "odoo:res.partner:7" and stored["address"]["provinceCode"] == "US-RI"
    assert adapter.read("party", customer_id)["version"] == version  # the echo of our own write
    _same, newer = adapter.write(
        "party", party(name="Harbor Dental Group"), external_id=customer_id, version=version, reference="r"
    )
    assert newer > version and wave.docs("Customer")[0]["name"] == "Harbor Dental Group"
    vendor = wave.control("change", kind="Vendor", fields={"name": "Cedar Supplies"})["id"]
    for call in (
        lambda: adapter.write("party", party(roles=["vendor"]), reference="odoo:res.partner:8"),
        lambda: adapter.write("party", party(), external_id=vendor, reference="odoo:res.partner:8"),
        lambda: adapter.delete("party", vendor),
    ):
        with pytest.raises(errors.PayloadValidationError, match="vendors"):
            call()
    adapter.delete("party", customer_id)
    assert wave.docs("Customer") == []


def test_products_accounts_and_taxes_are_created_changed_and_archived(wave, adapter):
    product_id, _v = adapter.write(
        "product", {"name": "Site visit", "type": "service", "sale_price": Decimal("250")}, reference="odoo:p:1"
    )
    stored = next(p for p in wave.docs("Product") if p["name"] == "Site visit")
    assert stored["incomeAccount"] is not None  # the first income account, as Wave requires one
    adapter.write(
        "product", {"name": "Site visit", "type": "service", "active": False}, external_id=product_id, reference="r"
    )
    assert next(p for p in wave.docs("Product") if p["name"] == "Site visit")["isArchived"]

    account_id, sequence = adapter.write("account", {"name": "Fuel", "type": "expense"}, reference="odoo:a:1")
    _same, later = adapter.write(
        "account", {"name": "Fuel and oil", "type": "expense"}, external_id=account_id, version=sequence, reference="r"
    )
    assert int(later) == int(sequence) + 1
    with pytest.raises(errors.ConflictError):  # changed in Wave since the version Odoo holds
        adapter.write(
            "account", {"name": "Fuel", "type": "expense"}, external_id=account_id, version=sequence, reference="r"
        )
    winner = wave.adapter(conflict_policy="odoo")
    _same, last = winner.write(
        "account",
        {"name": "Fuel", "type": "expense", "active": False},
        external_id=account_id,
        version=sequence,
        reference="r",
    )
    fuel = next(a for a in wave.docs("Account") if a["name"] == "Fuel")
    assert fuel["isArchived"] and str(fuel["sequence"]) == last

    tax_id, _v = adapter.write(
        "tax", {"name": "Harmonized Sales Tax", "rate": Decimal("13"), "scope": "sale", "compound": True}, reference="t"
    )
    tax = wave.docs("SalesTax")[0]
    assert (tax["abbreviation"], tax["isCompound"], Decimal(str(tax["rates"][0][1]))) == ("HST", True, Decimal("0.13"))
    with pytest.raises(errors.PayloadValidationError, match="changed in Wave"):
        adapter.write("tax", {"name": "HST", "rate": 15, "scope": "sale"}, external_id=tax_id, reference="t")
    adapter.delete("tax", tax_id)
    assert wave.docs("SalesTax")[0]["isArchived"]


def test_an_invoice_is_created_approved_patched_and_deleted(wave, adapter):
    customer, _v = adapter.write("party", party(), reference="odoo:res.partner:7")
    posted, version = adapter.write("invoice", invoice(customer, number="INV/1"), reference="odoo:account.move:1")
    wave_doc = wave_invoice(wave, posted)
    assert wave_doc["status"] not in ("DRAFT",) and wave_doc["memo"] == "odoo:account.move:1"
    assert wave_doc["total"]["value"] == "250.00" and wave_doc["items"][0]["product"]["id"] == adapter.generic_product
    assert adapter.read("invoice", posted)["origin"] == "odoo:account.move:1"

    draft, _v = adapter.write("invoice", invoice(customer, state="draft"), reference="odoo:account.move:2")
    assert wave_invoice(wave, draft)["status"] == "DRAFT"
    posted_later = invoice(customer, state="posted", lines=[{"quantity": 1, "price_unit": Decimal("9.99")}] * 2)
    adapter.write("invoice", posted_later, external_id=draft, reference="odoo:account.move:2")
    patched = wave_invoice(wave, draft)
    assert patched["status"] != "DRAFT" and [i["unitPrice"] for i in patched["items"]] == ["9.99", "9.99"]
    assert patched["total"]["value"] == "19.98"

    cancelled = invoice(customer, state="void")
    assert adapter.write("invoice", cancelled, external_id=posted, reference="odoo:account.move:1") == (posted, None)
    assert posted not in {d["id"] for d in wave.docs("Invoice")}  # Wave has no void: deleted
    for move_type in ("out_refund", "in_invoice"):
        with pytest.raises(errors.PayloadValidationError):
            adapter.write("invoice", invoice(customer, move_type=move_type), reference="odoo:account.move:3")


def test_a_payment_is_recorded_on_its_approved_invoice_patched_and_deleted(wave, adapter):
    customer, _v = adapter.write("party", party(), reference="odoo:res.partner:7")
    invoice_id, _v = adapter.write("invoice", invoice(customer), reference="odoo:account.move:1")
    payment = {
        "payment_type": "inbound",
        "partner": customer,
        "date": TODAY,
        "amount": Decimal("100.00"),
        "currency": "USD",
        "method": "CHEQUE",
        "allocations": [{"document": invoice_id, "document_kind": "invoice", "amount": Decimal("100.00")}],
    }
    payment_id, version = adapter.write("payment", payment, reference="odoo:account.payment:5")
    assert wave_invoice(wave, invoice_id)["status"] == "PARTIAL"
    record = adapter.read("payment", payment_id)
    assert (record["origin"], record["method"], record["version"]) == ("odoo:account.payment:5", "CHEQUE", version)
    full = {**payment, "amount": Decimal("250.00")}
    adapter.write("payment", full, external_id=payment_id, reference="odoo:account.payment:5")
    assert wave_invoice(wave, invoice_id)["status"] == "PAID"
    with pytest.raises(errors.PayloadValidationError):  # an invoice with payments is not deleted
        adapter.delete("invoice", invoice_id)
    adapter.write("payment", {**full, "state": "void"}, external_id=payment_id, reference="odoo:account.payment:5")
    assert wave_invoice(wave, invoice_id)["payments"] == []


def test_journal_entries_go_out_as_money_transactions_only_when_enabled_and_only_once(wave, adapter):
    bank, expense = wave.control_client.accounts("CASH_AND_BANK")[0], wave.control_client.accounts("EXPENSE")[0]
    entry = {
        "date": TODAY,
        "currency": "USD",
        "memo": "Office chairs",
        "lines": [{"account": bank, "credit": Decimal("250.00")}, {"account": expense, "debit": Decimal("250.00")}],
    }
    with pytest.raises(errors.PayloadValidationError, match="enables"):
        adapter.write("journal_entry", entry, reference="odoo:account.move:9")
    enabled = wave.adapter(money_transactions=True)
    transaction, version = enabled.write("journal_entry", entry, reference="odoo:account.move:9")
    stored = wave.docs("Transaction")[0]
    assert transaction and version is None and stored["externalId"] == "odoo:account.move:9"
    with pytest.raises(errors.PayloadValidationError, match="create-only"):
        enabled.write("journal_entry", entry, external_id=transaction, reference="odoo:account.move:9")
    # cancelled in Odoo: Wave cannot delete it, and the accountant is told to, in Wave
    with pytest.raises(errors.PayloadValidationError, match="delete it in Wave by hand"):
        enabled.delete("journal_entry", transaction)
    assert len(wave.docs("Transaction")) == 1
    wave.control("faults", lose_response=1)
    with pytest.raises(errors.OutcomeUnknownError):
        enabled.write("journal_entry", entry, reference="odoo:account.move:10")
    with pytest.raises(UnverifiableWriteError) as caught:  # Wave cannot read it back: a person decides
        enabled.find_by_reference("journal_entry", "odoo:account.move:10")
    assert caught.value.reason == "outcome_unknown" and isinstance(caught.value, errors.PermanentError)


def export(adapter, kind, record, reference, lost=None):
    """What connector_base's engine does with a write: on a lost answer, look it up by its
    stamp, and write again only when Wave does not have it."""
    while True:
        try:
            return adapter.write(kind, record, reference=reference)
        except errors.OutcomeUnknownError:
            if lost is not None:
                lost.append(reference)
            found = adapter.find_by_reference(kind, reference)
            if found:
                return found


def test_fifty_invoices_reach_wave_once_each_approved_while_a_fifth_of_the_writes_lose_their_answer(wave, adapter):
    customers = [export(adapter, "party", party(f"Customer {n} Ltd"), f"odoo:res.partner:{n}") for n in range(5)]
    wave.control("faults", lose_response_rate=0.2, seed=11)
    lost = []
    for n in range(50):
        record = invoice(customers[n % 5][0], number=f"INV/2026/{n:05d}")
        export(adapter, "invoice", record, f"odoo:account.move:{100 + n}", lost)
    for n in range(5, 10):
        export(adapter, "party", party(f"Customer {n} Ltd"), f"odoo:res.partner:{n}", lost)
    wave.control("faults", lose_response_rate=0)
    stored = wave.docs("Invoice")
    assert sorted(d["memo"] for d in stored) == sorted(f"odoo:account.move:{100 + n}" for n in range(50))
    assert {d["status"] for d in stored} == {"SAVED"}  # every one approved
    assert sorted(c["displayId"] for c in wave.docs("Customer")) == sorted(f"odoo:res.partner:{n}" for n in range(10))
    stats = wave.stats()
    assert len(lost) >= 8 and (stats["mutation.invoiceCreate"], stats["mutation.customerCreate"]) == (50, 10)


def test_a_lost_write_is_found_by_its_stamp_without_remembering_the_attempt(wave, adapter):
    customer, _v = adapter.write("party", party(), reference="odoo:res.partner:7")
    invoice_id, _v = adapter.write("invoice", invoice(customer, number="INV/7"), reference="odoo:account.move:7")
    payment = fifty_paid(customer, invoice_id)
    payment_id, _v = adapter.write("payment", payment, reference="odoo:account.payment:7")
    fresh = wave.adapter()  # another worker: it never saw the writes
    assert fresh.find_by_reference("party", "odoo:res.partner:7")[0] == customer
    assert fresh.find_by_reference("invoice", "odoo:account.move:7")[0] == invoice_id
    assert fresh.find_by_reference("payment", "odoo:account.payment:7")[0] == payment_id
    assert fresh.find_by_reference("invoice", "odoo:account.move:70") is None  # :7 is not :70
    assert fresh.find_by_reference("product", "odoo:product.product:1") is None  # no stamp, no attempt


def test_a_create_that_lands_after_its_timeout_is_looked_up_by_the_next_job_not_written_twice(wave, adapter):
    """The chaos run's case: Wave commits a payment after the client stopped waiting, so the look
    right after the timeout finds nothing; the next job (an adapter of its own) looks again before
    writing, and finds it."""
    customer, _v = adapter.write("party", party(), reference="odoo:res.partner:7")
    invoice_id, _v = adapter.write("invoice", invoice(customer), reference="odoo:account.move:7")
    payment = fifty_paid(customer, invoice_id)
    deposit = adapter.deposit_account
    impatient = wave.adapter(client=wave.client(timeout=(5.0, 0.5)), deposit_account=deposit)
    wave.control("faults", timeout=1, timeout_seconds=1.5)  # the next request is answered after 1.5 s
    with pytest.raises(errors.OutcomeUnknownError):
        impatient.write("payment", payment, reference="odoo:account.payment:7")
    assert impatient.find_by_reference("payment", "odoo:account.payment:7") is None  # not there yet
    time.sleep(1.5)  # Wave commits it now
    payment_id, _v = wave.adapter(deposit_account=deposit).write("payment", payment, reference="odoo:account.payment:7")
    assert [p["id"] for p in wave.docs("InvoicePayment")] == [payment_id]


def test_a_tax_inclusive_invoice_totals_in_wave_what_it_totals_in_odoo(wave):
    adapter = wave.adapter(generic_product=wave.control_client.product(name="Hours", price="1"))
    gst, _v = adapter.write("tax", {"name": "GST", "rate": Decimal("5"), "scope": "both"}, reference="odoo:t:1")
    qst_tax = {"name": "QST", "rate": Decimal("9.975"), "scope": "both", "compound": True}
    qst, _v = adapter.write("tax", qst_tax, reference="odoo:t:2")
    customer, _v = adapter.write("party", party(), reference="odoo:res.partner:1")
    record = invoice(
        customer,
        tax_mode="inclusive",
        lines=[
            {"quantity": Decimal("2"), "price_unit": Decimal("57.49"), "amount": Decimal("114.98"), "taxes": [gst, qst]}
        ],
    )
    invoice_id, _v = adapter.write("invoice", record, reference="odoo:account.move:1")
    assert wave_invoice(wave, invoice_id)["total"]["value"] == "114.98"


def test_capabilities_say_plainly_what_wave_cannot_do(wave, adapter):
    assert WaveAdapter.party_roles_separate is True
    assert WaveAdapter.can("party", "read", "vendor") and not WaveAdapter.can("party", "create", "vendor")
    assert WaveAdapter.can("party", "create", "customer") and WaveAdapter.can("party", "create")
    for kind, variant in (("invoice", "in_invoice"), ("invoice", "out_refund"), ("payment", "outbound")):
        assert not any(WaveAdapter.can(kind, action, variant) for action in ("read", "create", "update", "delete"))
    money = WaveAdapter.capabilities["journal_entry"]
    assert money["create"] and not (money["read"] or money["update"] or money["delete"])
    assert not any(entry["push"] for entry in WaveAdapter.capabilities.values())
    assert "journal_entry" not in adapter.writable_kinds
    assert "journal_entry" in wave.adapter(money_transactions=True).writable_kinds
    assert adapter.test_connection() == "Sandbox Consulting Inc. (USD)"
    assert ("PAYPAL", "PayPal", {}) in adapter.reference_lists()["payment_method"]
