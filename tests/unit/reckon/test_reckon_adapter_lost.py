"""Writes whose answer is lost, at a Reckon that takes no idempotency key: the adapter is asked
where the write went (``find_by_reference``, as the engine does) before anything is written
again, and every record reaches the book once."""

from decimal import Decimal

import pytest

from odoo.addons.connector_base.lib import errors


def export(adapter, kind, record, reference, tries=6):
    """What connector_base's engine does with a create: write; when the outcome is unknown,
    look it up by its reference, and write again only when it is not there."""
    for _attempt in range(tries):
        try:
            return adapter.write(kind, record, reference=reference)
        except errors.OutcomeUnknownError:
            found = adapter.find_by_reference(kind, reference)
            if found:
                return found
    raise AssertionError(f"{reference} never went through")


def invoice(reckon, number, amount="100.00"):
    customer = reckon.docs("contacts")[number % 5]["id"]
    site_visit = next(i["id"] for i in reckon.docs("items") if i["name"] == "Site visit")
    gst = next(f"TaxRate/{r['id']}" for r in reckon.docs("taxrates") if r["name"] == "GST")
    return {
        "move_type": "out_invoice",
        "number": f"INV/2026/{number:05d}",
        "partner": customer,
        "date": "2026-03-02",
        "currency": "AUD",
        "tax_mode": "exclusive",
        "state": "posted",
        "lines": [{"product": site_visit, "quantity": Decimal(1), "price_unit": Decimal(amount), "taxes": [gst]}],
    }


def stamped(reckon, reference):
    return [i for i in reckon.docs("invoices") if (i.get("notes") or "").endswith(reference)]


def test_a_lost_create_is_found_by_its_stamp_and_approved(reckon):
    adapter = reckon.adapter()
    reckon.control("faults", lose_response=1)
    with pytest.raises(errors.OutcomeUnknownError):
        adapter.write("invoice", invoice(reckon, 1), reference="odoo:account.move:1")
    [doc] = stamped(reckon, "odoo:account.move:1")
    assert doc["status"] == "Draft"  # created; its approval never went
    external_id, version = adapter.find_by_reference("invoice", "odoo:account.move:1")
    assert external_id == f"Invoice/{doc['id']}" and adapter.read("invoice", external_id)["version"] == version
    assert stamped(reckon, "odoo:account.move:1")[0]["status"] == "Approved"
    stranger = reckon.adapter()  # another worker, with no memory of the write: the stamp finds it
    assert stranger.find_by_reference("invoice", "odoo:account.move:1")[0] == external_id
    assert stranger.find_by_reference("invoice", "odoo:account.move:1000") is None  # odoo:..:1 is not in it


def test_a_create_that_failed_is_not_found_and_is_written_again_once(reckon):
    adapter = reckon.adapter()
    reckon.control("faults", server_error=1)  # a 500 on the POST: Reckon may or may not have it
    with pytest.raises(errors.OutcomeUnknownError):
        adapter.write("invoice", invoice(reckon, 2), reference="odoo:account.move:2")
    assert adapter.find_by_reference("invoice", "odoo:account.move:2") is None
    export(adapter, "invoice", invoice(reckon, 2), "odoo:account.move:2")
    assert len(stamped(reckon, "odoo:account.move:2")) == 1


def test_an_approval_that_fails_after_the_create(reckon):
    adapter = reckon.adapter()
    patch = adapter.client.patch

    def refused(*args, **kwargs):
        raise errors.TransientError("Reckon 503 on invoices: Service Unavailable")

    adapter.client.patch = refused  # the sandbox cannot fail the second call of a write alone
    with pytest.raises(errors.OutcomeUnknownError, match="created but not approved"):
        adapter.write("invoice", invoice(reckon, 3), reference="odoo:account.move:3")
    adapter.client.patch = patch
    external_id, _version = adapter.find_by_reference("invoice", "odoo:account.move:3")
    assert [d["status"] for d in stamped(reckon, "odoo:account.move:3")] == ["Approved"]
    assert adapter.read("invoice", external_id)["state"] == "posted"


def test_a_fifth_of_the_answers_lost_every_record_reaches_the_book_once(reckon):
    adapter = reckon.adapter()
    reckon.control("faults", lose_response_rate=0.2, seed=11)
    written = {}
    for number in range(30):
        reference = f"odoo:account.move:{100 + number}"
        written[reference] = export(adapter, "invoice", invoice(reckon, number, f"{100 + number}.00"), reference)[0]
    reckon.control("faults", lose_response_rate=0)
    lost = reckon.stats()["writes"] - 60  # each invoice: one create and one approval
    assert lost > 0
    for reference, external_id in written.items():
        [doc] = stamped(reckon, reference)
        assert (f"Invoice/{doc['id']}", doc["status"]) == (external_id, "Approved")


def test_lost_answers_for_contacts_receipts_and_credit_allocations(reckon):
    adapter = reckon.adapter()
    reckon.control("faults", lose_response=1)
    record = {"name": "Quokka Cafe Pty Ltd", "is_company": True, "roles": ["customer"], "active": True}
    contact_id, _version = export(adapter, "party", record, "odoo:res.partner:70")
    assert [c["id"] for c in reckon.docs("contacts") if c["name"] == "Quokka Cafe Pty Ltd"] == [contact_id]
    first = export(adapter, "invoice", dict(invoice(reckon, 5), partner=contact_id), "odoo:account.move:71")[0]
    payment = {
        "payment_type": "inbound",
        "partner": contact_id,
        "date": "2026-03-09",
        "amount": Decimal("50.00"),
        "currency": "AUD",
        "allocations": [{"document": first, "document_kind": "invoice", "amount": Decimal("50.00")}],
    }
    reckon.control("faults", lose_response=1)
    receipt = export(adapter, "payment", payment, "odoo:account.payment:72")[0]
    assert [f"Receipt/{r['id']}" for r in reckon.docs("receipts") if r["customer"]["id"] == contact_id] == [receipt]
    refund = dict(invoice(reckon, 5), partner=contact_id, move_type="out_refund")
    note = export(adapter, "invoice", refund, "odoo:account.move:73")[0]
    application = {
        "payment_type": "inbound",
        "partner": contact_id,
        "date": "2026-03-10",
        "amount": Decimal("0"),
        "currency": "AUD",
        "allocations": [
            {"document": note, "document_kind": "credit_note", "amount": Decimal("60.00")},
            {"document": first, "document_kind": "invoice", "amount": Decimal("60.00")},
        ],
    }
    reckon.control("faults", lose_response=1)
    applied = export(adapter, "payment", application, "odoo:connector.credit.application:74")[0]
    assert applied == note.replace("CreditNote/", "CreditApplication/")
    [stored] = [n for n in reckon.docs("creditnotes") if f"CreditNote/{n['id']}" == note]
    assert [(x["transactionId"], x["transactionAmount"]) for x in stored["transactionLinks"]] == [
        (first.split("/")[1], Decimal("60.00"))
    ]
    assert adapter.read("invoice", first)["amount_residual"] == 0
