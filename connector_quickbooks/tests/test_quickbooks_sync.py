import base64
import json
from datetime import timedelta
from decimal import Decimal

from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError

from .common import QuickBooksCase, legacy_event, sign_webhook


@tagged("post_install", "-at_install")
class TestQuickBooksSync(QuickBooksCase):
    # ------------------------------------------------------------------ connection
    def test_connect_through_oauth_pages_and_keep_tokens_encrypted(self):
        params = self.connect()
        self.assertEqual(self.backend.state, "connected")
        self.assertEqual(self.backend.tenant_id, self.realm)
        self.assertIn("Sandbox Company US", self.backend.tenant_name)
        self.assertTrue(self.backend.has_token)
        self.assertFalse(self.backend.oauth_state, "the state is single use")
        token = self.backend._get_token()
        self.assertTrue(token["access_token"].startswith("at-"))
        self.env.flush_all()
        self.env.cr.execute("SELECT ciphertext FROM connector_secret")
        stored = " ".join(row[0] or "" for row in self.env.cr.fetchall())
        self.assertNotIn(token["access_token"], stored)
        self.assertNotIn(token["refresh_token"], stored)
        self.assertIn("code", params)

    def test_callback_with_a_forged_state_is_refused(self):
        self.backend.action_connect()
        self.authenticate("admin", "admin")
        response = self.url_open(
            f"/connector_quickbooks/oauth/callback?code=x&realmId={self.realm}&state={self.backend.id}:forged"
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.backend.state, "draft")

    def test_disconnect_revokes_the_grant(self):
        self.connect()
        refresh = self.backend._get_token()["refresh_token"]
        self.backend.action_disconnect()
        self.assertEqual(self.backend.state, "draft")
        self.assertNotIn(refresh, self.sandbox.refresh_tokens)
        self.assertFalse(self.backend._get_token())

    # ------------------------------------------------------------------ import
    def test_initial_import_brings_every_kind_and_matches_quickbooks(self):
        self.connect()
        self.import_kinds()
        company = self.sandbox.company
        for entity in ("Invoice", "CreditMemo", "Bill"):
            for doc in company.snapshot(entity):
                move = self.env["connector.binding"]._find_record(self.backend, "invoice", f"{entity}/{doc['Id']}")
                self.assertTrue(move, f"{entity} {doc['Id']} was not imported")
                self.assertEqual(move.state, "posted")
                self.assertAlmostEqual(move.amount_total, float(doc["TotalAmt"]), places=2)
                self.assertAlmostEqual(move.amount_residual, float(doc["Balance"]), places=2)
        payments = self.env["connector.binding"].search(
            [("backend_id", "=", self.backend.id), ("external_type", "=", "payment")]
        )
        self.assertEqual(len(payments), len(company.docs["Payment"]) + len(company.docs["BillPayment"]))
        entries = self.env["connector.binding"].search(
            [("backend_id", "=", self.backend.id), ("external_type", "=", "journal_entry")]
        )
        self.assertEqual(len(entries), len(company.docs["JournalEntry"]))
        self.assertFalse(self.env["connector.quarantine"].search([("backend_id", "=", self.backend.id)]))
        terms = self.env["connector.payment.term.mapping"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(sorted(terms.mapped("external_name")), ["Due on receipt", "Net 15", "Net 30"])
        self.assertEqual(terms.filtered(lambda t: t.external_name == "Net 30").due_days, 30)
        methods = self.env["connector.payment.method.mapping"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(sorted(methods.mapped("external_name")), ["Cash", "Check", "Visa", "Wire"])

        counts = {m: self.env[m].search_count([]) for m in ("account.move", "res.partner", "account.payment")}
        self.backend.action_import_all()  # resets the cursors: everything is read again
        self.env["queue.job"].sudo().search([("model_name", "=", "connector.backend")]).unlink()
        self.import_kinds()
        self.assertEqual(counts, {m: self.env[m].search_count([]) for m in counts})

    def test_terms_renamed_in_quickbooks_are_read_again_with_the_contacts_within_the_hour(self):
        """The contacts' poll runs every minute; payment terms and methods are read with it at
        most once an hour, and at once by *Import all*."""
        self.connect()
        self.import_kinds(("party",))
        Terms = self.env["connector.payment.term.mapping"]
        term = next(doc for doc in self.qbo_docs("Term") if doc["Name"] == "Net 15")
        mapping = Terms.search([("backend_id", "=", self.backend.id), ("external_id", "=", term["Id"])])
        self.assertEqual(mapping.external_name, "Net 15")
        self.sandbox.clock_offset = timedelta(seconds=5)

        def rename_term(name):
            doc = next(doc for doc in self.qbo_docs("Term") if doc["Id"] == term["Id"])
            body = {"Id": doc["Id"], "SyncToken": doc["SyncToken"], "sparse": True, "Name": name}
            self.control("change", entity="Term", operation="update", body=body)

        rename_term("Net 15 (trade)")
        self.import_kinds(("party",))
        self.assertEqual(mapping.external_name, "Net 15", "a poll within the hour does not read the terms again")
        lists = self.env["connector.cursor"].search(
            [("backend_id", "=", self.backend.id), ("kind", "=", "reference_lists")]
        )
        lists.last_run_at -= timedelta(hours=1, seconds=1)  # an hour later
        self.import_kinds(("party",))
        self.assertEqual(mapping.external_name, "Net 15 (trade)")

        rename_term("N15")
        self.backend.action_import_all()  # reads everything again, the terms at once
        self.env["queue.job"].sudo().search([("model_name", "=", "connector.backend")]).unlink()
        self.import_kinds(("party",))
        self.assertEqual(mapping.external_name, "N15")
        self.assertEqual(len(Terms.search([("backend_id", "=", self.backend.id)])), 3, "no term row twice")

    def test_cdc_increment_brings_changes_and_deletions(self):
        self.connect()
        self.import_kinds()
        company = self.sandbox.company
        self.sandbox.clock_offset = timedelta(seconds=5)
        customer = company.snapshot("Customer")[0]
        self.control(
            "change",
            entity="Customer",
            operation="update",
            body={
                "Id": customer["Id"],
                "SyncToken": customer["SyncToken"],
                "sparse": True,
                "PrimaryEmailAddr": {"Address": "new-address@example.com"},
            },
        )
        entry = company.snapshot("JournalEntry")[0]
        self.control(
            "change",
            entity="JournalEntry",
            operation="delete",
            body={"Id": entry["Id"], "SyncToken": entry["SyncToken"]},
        )
        move = self.env["connector.binding"]._find_record(self.backend, "journal_entry", entry["Id"])
        self.assertEqual(move.state, "posted")
        self.import_kinds(("party", "journal_entry"))
        self.assertEqual(self.odoo_partner(f"Customer/{customer['Id']}").email, "new-address@example.com")
        self.assertEqual(move.state, "cancel", "a journal entry deleted in QuickBooks is cancelled in Odoo")

    def test_invoice_voided_in_quickbooks_is_cancelled_in_odoo(self):
        self.connect()
        self.import_kinds()
        company = self.sandbox.company
        unpaid = next(d for d in company.snapshot("Invoice") if not d.get("LinkedTxn"))
        self.control(
            "change", entity="Invoice", operation="void", body={"Id": unpaid["Id"], "SyncToken": unpaid["SyncToken"]}
        )
        self.backend._import_record("invoice", f"Invoice/{unpaid['Id']}")
        move = self.env["connector.binding"]._find_record(self.backend, "invoice", f"Invoice/{unpaid['Id']}")
        self.assertEqual(move.state, "cancel")

    def test_throttled_answers_are_retried(self):
        self.connect()
        self.control("faults", throttle=2)
        result = self.backend._import_batch("account")
        self.assertIn("account: 14 read", result)
        self.assertGreaterEqual(self.sandbox.stats["throttled"], 2)

    # ------------------------------------------------------------------ tokens
    def test_expired_access_token_is_refreshed_once_and_the_rotated_token_kept(self):
        self.connect()
        before = self.backend._get_token()
        self.control("expire_tokens")
        self.backend._import_batch("account")
        self.env.invalidate_all()
        after = self.backend._get_token()
        self.assertNotEqual(before["access_token"], after["access_token"])
        self.assertNotEqual(before["refresh_token"], after["refresh_token"], "the rotated refresh token is stored")
        self.assertIn(after["refresh_token"], self.sandbox.refresh_tokens)

    def test_invalid_grant_pauses_the_backend_with_one_message_until_reconnected(self):
        self.connect()
        self.sandbox.refresh_tokens.clear()  # Intuit forgot the grant
        self.control("expire_tokens")
        messages = len(self.backend.message_ids)
        self.backend._job_import_batch("account")
        self.assertEqual(self.backend.state, "needs_reconnect")
        with self.assertRaises(RetryableJobError):  # later jobs wait too; queue_job postpones them
            self.backend._job_import_batch("party")
        self.assertEqual(len(self.backend.message_ids), messages + 1, "one message per outage")
        waiting = self.pending_jobs("_job_import_batch")
        self.assertEqual(len(waiting), 1)
        self.assertTrue(all(waiting.mapped("eta")), "the jobs wait instead of failing")
        self.connect()
        self.assertEqual(self.backend.state, "connected")
        self.assertFalse(any(self.pending_jobs("_job_import_batch").mapped("eta")), "reconnecting wakes them")

    def test_a_batch_export_refused_credentials_leaves_every_waiting_export_in_the_queue(self):
        self.connect()
        self.import_kinds(("account", "tax", "party", "product"))
        moves = self.env["account.move"]
        for n in range(5):
            moves |= self.make_invoice(self.partner_a, f"{60 + n}.00", post=False)
        moves.action_post()
        first = self.pending_jobs("_job_export_record")[:1]
        self.sandbox.refresh_tokens.clear()
        self.control("expire_tokens")
        self.run_job(first.uuid)
        self.assertEqual(self.backend.state, "needs_reconnect")
        waiting = self.pending_jobs("_job_export_record")
        self.assertEqual(len(waiting), 5, "the four it would have taken over, and itself put back")
        self.assertEqual(len(waiting.filtered("eta")), 1)
        self.assertFalse(self.env["queue.job"].sudo().search([("result", "like", "exported together")]))
        self.assertFalse([d for d in self.qbo_docs("Invoice") if (d.get("PrivateNote") or "").startswith("odoo:")])

    # ------------------------------------------------------------------ webhooks
    def post_webhook(self, payload, signature=None):
        body = json.dumps(payload).encode()
        return self.url_open(
            "/connector_quickbooks/webhook",
            data=body,
            headers={"intuit-signature": signature or sign_webhook(body), "Content-Type": "application/json"},
        )

    def test_webhook_with_a_wrong_signature_gets_401_and_leaves_nothing(self):
        self.connect()
        payload = legacy_event(self.realm)
        with self.assertLogs("odoo.addons.connector_quickbooks.controllers.main", level="WARNING") as logs:
            response = self.post_webhook(payload, signature=base64.b64encode(b"x" * 32).decode())
        self.assertEqual(response.status_code, 401)
        self.assertIn("bad or missing intuit-signature", logs.output[0])
        self.assertFalse(self.env["connector.webhook.event"].search([]))
        self.assertFalse(self.pending_jobs())

    def test_sandbox_webhooks_in_both_formats_reach_odoo_once_each(self):
        self.connect()
        self.import_kinds(("account", "tax", "party"))
        company = self.sandbox.company
        for fmt in ("legacy", "cloudevents"):
            self.control("webhooks", url=f"{self.base_url()}/connector_quickbooks/webhook", format=fmt)
            self.control("faults", webhook_duplicate=True)
            customer = company.snapshot("Customer")[1 if fmt == "legacy" else 2]
            self.control(
                "change",
                entity="Customer",
                operation="update",
                body={
                    "Id": customer["Id"],
                    "SyncToken": customer["SyncToken"],
                    "sparse": True,
                    "DisplayName": f"{customer['DisplayName']} ({fmt})",
                },
            )
            self.control("flush")
            events = self.env["connector.webhook.event"].search([("external_id", "=", f"Customer/{customer['Id']}")])
            self.assertEqual(len(events), 1, "the duplicate delivery is stored once")
            self.assertEqual(len(self.pending_jobs("_job_import_record")), 1)
            self.run_jobs("_job_import_record")
            partner = self.odoo_partner(f"Customer/{customer['Id']}")
            self.assertEqual(partner.name, f"{customer['DisplayName']} ({fmt})")
        delivered = [status for status, _payload in self.sandbox.webhook_log]
        self.assertEqual(delivered, [200] * 4)

    def test_webhook_merge_archives_the_merged_away_customer(self):
        self.connect()
        self.import_kinds(("account", "tax", "party"))
        first, second = self.sandbox.company.snapshot("Customer")[3:5]
        self.control("webhooks", url=f"{self.base_url()}/connector_quickbooks/webhook", format="cloudevents")
        self.control("merge", entity="Customer", **{"from": first["Id"], "to": second["Id"]})
        self.control("flush")
        self.run_jobs("_job_import_record")
        gone = self.env["res.partner"].with_context(active_test=False).search([("name", "=", first["DisplayName"])])
        self.assertFalse(gone.active, "the merged-away customer is archived")
        self.assertTrue(self.odoo_partner(f"Customer/{second['Id']}").active)

    # ------------------------------------------------------------------ export
    def test_partner_with_a_taken_display_name_is_suffixed_or_linked(self):
        self.connect()
        self.import_kinds(("account", "tax", "party"))
        taken = self.sandbox.company.snapshot("Customer")[0]
        clash = self.env["res.partner"].create({"name": taken["DisplayName"], "email": "someone@else.example"})
        same = self.env["res.partner"].create(
            {"name": taken["DisplayName"], "email": taken["PrimaryEmailAddr"]["Address"], "company_id": False}
        )
        binding = self.env["connector.binding"]
        # the imported partner is already bound to the QuickBooks customer; the two new ones are not
        self.backend._export_record("party", "res.partner", clash.id)
        external = binding._for_record(self.backend, "party", clash).external_id
        created = self.sandbox.company.get("Customer", external.split("/")[1])
        self.assertEqual(created["DisplayName"], f"{taken['DisplayName']} (Customer)")
        self.backend._export_record("party", "res.partner", same.id)
        self.assertFalse(binding._for_record(self.backend, "party", same), "already bound elsewhere: quarantined")
        row = self.env["connector.quarantine"].search([("res_id", "=", same.id), ("res_model", "=", "res.partner")])
        self.assertTrue(row, "a collision never fails silently")

    def test_posted_invoice_is_exported_once_with_tax_exchange_rate_and_reference(self):
        self.connect()
        self.import_kinds(("account", "tax"))
        eur = self.env.ref("base.EUR")
        self.env["res.currency.rate"].create(
            {"name": "2026-11-01", "rate": 0.9, "currency_id": eur.id, "company_id": self.env.company.id}
        )
        euro_pricelist = self.env["product.pricelist"].create({"name": "EUR", "currency_id": eur.id})
        self.partner_b.write({"email": "partner.b@example.com", "property_product_pricelist": euro_pricelist.id})
        move = self.make_invoice(self.partner_b, "200.00", currency=eur)
        self.run_jobs()
        docs = [d for d in self.qbo_docs("Invoice") if d.get("PrivateNote") == f"odoo:account.move:{move.id}"]
        self.assertEqual(len(docs), 1, self.quarantine_messages())
        doc = docs[0]
        self.assertEqual(Decimal(str(doc["TotalAmt"])), Decimal(str(move.amount_total)).quantize(Decimal("0.01")))
        self.assertEqual(doc["CurrencyRef"]["value"], "EUR")
        self.assertEqual(Decimal(str(doc["ExchangeRate"])).quantize(Decimal("0.0001")), Decimal("1.1111"))
        self.assertEqual(doc["GlobalTaxCalculation"], "TaxExcluded")
        self.assertLessEqual(len(doc["DocNumber"]), 21)
        self.assertEqual(doc["TxnTaxDetail"]["TxnTaxCodeRef"]["value"], "3")
        # nothing changed: posting again exports nothing
        self.backend._export_record("invoice", "account.move", move.id)
        self.assertEqual(
            len([d for d in self.qbo_docs("Invoice") if d.get("PrivateNote") == f"odoo:account.move:{move.id}"]), 1
        )

    def test_our_export_read_back_is_linked_not_imported_twice(self):
        """The webhook of an invoice we just created can be read before the export job has
        recorded its link: the stamped document is linked to its Odoo invoice, never doubled."""
        self.connect()
        self.import_kinds(("account", "tax"))
        move = self.make_invoice(self.partner_a, "120.00")
        self.run_jobs()
        binding = self.env["connector.binding"]._for_record(self.backend, "invoice", move)
        external_id, lines = binding.external_id, move.invoice_line_ids.mapped("name")
        # the read-back of our own write: same version, nothing to do
        moves = self.env["account.move"].search_count([])
        self.backend._import_record("invoice", external_id)
        self.assertEqual(move.invoice_line_ids.mapped("name"), lines, "an echo rewrites nothing")
        # the read-back arrives first: the link is not there yet
        binding.unlink()
        self.backend._import_record("invoice", external_id)
        self.assertEqual(self.env["account.move"].search_count([]), moves, "no second invoice")
        self.assertEqual(self.env["connector.binding"]._find_record(self.backend, "invoice", external_id), move)
        self.assertEqual(move.state, "posted")

    def test_the_echo_of_our_export_is_re_read_after_real_changes(self):
        """A burst of exports comes back as as many webhooks; a change made in QuickBooks a
        moment later must not wait behind them. The echo is still re-read, only later."""
        self.connect()
        self.import_kinds(("account", "tax", "party"))
        move = self.make_invoice(self.partner_a, "80.00")
        self.run_jobs()
        exported = self.env["connector.binding"]._for_record(self.backend, "invoice", move)
        customer = self.env["connector.binding"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("external_id", "=like", "Customer/%"),
                ("last_direction", "=", "import"),
            ],
            limit=1,
        )
        moment = (exported.last_sync_at - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        payload = legacy_event(self.realm, "Invoice", exported.external_id.split("/")[1], updated=moment)
        payload["eventNotifications"][0]["dataChangeEvent"]["entities"].append(
            {"name": "Customer", "id": customer.external_id.split("/")[1], "operation": "Update", "lastUpdated": moment}
        )
        self.assertEqual(self.post_webhook(payload).status_code, 200)
        jobs = self.pending_jobs("_job_import_record")
        priority = {job.args[1]: job.priority for job in jobs}
        self.assertEqual(priority, {exported.external_id: 40, customer.external_id: 5})
        # a change made in QuickBooks after our export is a real change
        later = (exported.last_sync_at + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        jobs.unlink()
        self.post_webhook(legacy_event(self.realm, "Invoice", exported.external_id.split("/")[1], updated=later))
        self.assertEqual(self.pending_jobs("_job_import_record").priority, 5)

    def test_a_payment_read_before_the_change_of_its_invoice_pays_all_that_quickbooks_applied(self):
        """make chaos PROVIDER=reckon met it: a line added to an invoice, then a payment of the
        new total, and the payment read first left Odoo's invoice half open."""
        self.connect()
        self.import_kinds(("account", "tax", "party", "product", "invoice", "payment"))
        company = self.sandbox.company
        doc = next(
            d
            for d in company.snapshot("Invoice")
            if Decimal(str(d["Balance"])) == Decimal(str(d["TotalAmt"])) > 0 and d["CurrencyRef"]["value"] == "USD"
        )
        move = self.env["connector.binding"]._find_record(self.backend, "invoice", f"Invoice/{doc['Id']}")
        line = doc["Line"][0]
        line["SalesItemLineDetail"]["Qty"] = Decimal(str(line["SalesItemLineDetail"]["Qty"])) + 1
        line["Amount"] = line["SalesItemLineDetail"]["Qty"] * Decimal(str(line["SalesItemLineDetail"]["UnitPrice"]))
        body = {"Id": doc["Id"], "SyncToken": doc["SyncToken"], "Line": doc["Line"], "sparse": True}
        code = (doc.get("TxnTaxDetail") or {}).get("TxnTaxCodeRef")
        body["TxnTaxDetail"] = {"TxnTaxCodeRef": code} if code else {}  # the tax computed again
        changed = company.write("Invoice", body, operation="update", sparse=True)
        total = Decimal(str(changed["TotalAmt"]))
        self.assertGreater(total, Decimal(str(move.amount_total)), "Odoo has not read the change yet")
        payment = company.write(
            "Payment",
            {
                "CustomerRef": doc["CustomerRef"],
                "TotalAmt": total,
                "TxnDate": doc["TxnDate"],
                "Line": [{"Amount": total, "LinkedTxn": [{"TxnId": doc["Id"], "TxnType": "Invoice"}]}],
            },
        )
        self.backend._import_record("payment", f"Payment/{payment['Id']}")
        self.assertFalse(self.quarantine_messages())
        self.assertAlmostEqual(move.amount_total, float(total), places=2)
        self.assertEqual(move.amount_residual, 0.0, "paid in full, as in QuickBooks")

    def test_an_invoice_changed_in_quickbooks_keeps_its_payments_in_odoo(self):
        self.connect()
        self.import_kinds(("account", "tax", "party", "product", "invoice", "payment"))
        company = self.sandbox.company
        paid = {link["TxnId"] for p in company.snapshot("Payment") for ln in p["Line"] for link in ln["LinkedTxn"]}
        doc = next(
            d
            for d in company.snapshot("Invoice")
            if d["Id"] in paid and Decimal(str(d["Balance"])) > 0 and d["CurrencyRef"]["value"] == "USD"
        )
        move = self.env["connector.binding"]._find_record(self.backend, "invoice", f"Invoice/{doc['Id']}")
        paid_before = move.amount_total - move.amount_residual
        self.assertGreater(paid_before, 0)
        line = doc["Line"][0]
        line["SalesItemLineDetail"]["Qty"] = Decimal(str(line["SalesItemLineDetail"]["Qty"])) + 1
        line["Amount"] = line["SalesItemLineDetail"]["Qty"] * Decimal(str(line["SalesItemLineDetail"]["UnitPrice"]))
        changed = company.write(
            "Invoice",
            {"Id": doc["Id"], "SyncToken": doc["SyncToken"], "Line": doc["Line"], "sparse": True},
            operation="update",
            sparse=True,
        )
        self.backend._import_record("invoice", f"Invoice/{doc['Id']}")
        self.assertEqual(move.state, "posted")
        self.assertAlmostEqual(move.amount_total, float(changed["TotalAmt"]), places=2)
        self.assertAlmostEqual(move.amount_residual, float(changed["Balance"]), places=2)
        self.assertAlmostEqual(move.amount_total - move.amount_residual, paid_before, places=2, msg="still paid")

    def test_payment_registered_in_odoo_reaches_quickbooks_applied_to_its_invoice(self):
        self.connect()
        self.import_kinds(("account", "tax"))
        move = self.make_invoice(self.partner_a, "100.00")
        self.run_jobs()
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
            {"amount": 40.0}
        )._create_payments()
        self.run_jobs()
        invoice_id = self.env["connector.binding"]._for_record(self.backend, "invoice", move).external_id
        doc = self.sandbox.company.get("Invoice", invoice_id.split("/")[1])
        self.assertEqual(Decimal(str(doc["Balance"])), Decimal(str(move.amount_residual)).quantize(Decimal("0.01")))
        self.assertEqual(
            len(
                [
                    p
                    for p in self.qbo_docs("Payment")
                    if p["Line"] and p["Line"][0]["LinkedTxn"][0]["TxnId"] == doc["Id"]
                ]
            ),
            1,
        )

    def test_vendor_bill_its_payment_and_a_credit_note_reach_quickbooks(self):
        self.connect()
        self.import_kinds(("account", "tax"))
        vendor = self.env["res.partner"].create({"name": "Office Landlord LLC", "supplier_rank": 1})
        bill = self.make_vendor_document("in_invoice", vendor, "2026-11-05", "November rent", 1500.0)
        refund = self.make_invoice(self.partner_a, "30.00", post=False, move_type="out_refund")
        refund.action_post()
        self.run_jobs()
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=bill.ids).create(
            {"journal_id": self.company_data["default_journal_bank"].id}
        )._create_payments()
        self.run_jobs()
        self.assertFalse(self.quarantine_messages())
        Binding = self.env["connector.binding"]
        bill_id = Binding._for_record(self.backend, "invoice", bill).external_id
        self.assertTrue(bill_id.startswith("Bill/"))
        doc = self.sandbox.company.get("Bill", bill_id.split("/")[1])
        self.assertEqual(Decimal(str(doc["TotalAmt"])), Decimal("1500.00"))
        self.assertEqual(Decimal(str(doc["Balance"])), Decimal("0.00"), "the bill payment was applied")
        self.assertEqual(self.sandbox.company.get("Vendor", doc["VendorRef"]["value"])["DisplayName"], vendor.name)
        (payment,) = (p for p in self.qbo_docs("BillPayment") if p.get("PrivateNote", "").startswith("odoo:"))
        self.assertEqual(payment["PayType"], "Check")
        self.assertEqual(payment["Line"][0]["LinkedTxn"][0], {"TxnId": doc["Id"], "TxnType": "Bill"})
        refund_id = Binding._for_record(self.backend, "invoice", refund).external_id
        self.assertTrue(refund_id.startswith("CreditMemo/"))
        memo = self.sandbox.company.get("CreditMemo", refund_id.split("/")[1])
        self.assertEqual(Decimal(str(memo["TotalAmt"])), Decimal(str(refund.amount_total)).quantize(Decimal("0.01")))

    def test_vendor_credit_and_journal_entry_reach_quickbooks(self):
        self.connect()
        self.import_kinds(("account", "tax"))
        self.backend.direction_journal_entry = "both"
        vendor = self.env["res.partner"].create({"name": "Returns Supplier Co", "supplier_rank": 1})
        credit = self.make_vendor_document("in_refund", vendor, "2026-11-06", "Returned pavers", 120.0)
        entry = self.make_journal_entry(500.0, date="2026-11-07")
        self.run_jobs()
        self.assertFalse(self.quarantine_messages())
        Binding = self.env["connector.binding"]
        credit_id = Binding._for_record(self.backend, "invoice", credit).external_id
        self.assertTrue(credit_id.startswith("VendorCredit/"))
        doc = self.sandbox.company.get("VendorCredit", credit_id.split("/")[1])
        self.assertEqual(Decimal(str(doc["TotalAmt"])), Decimal("120.00"))
        entry_id = Binding._for_record(self.backend, "journal_entry", entry).external_id
        je = self.sandbox.company.get("JournalEntry", entry_id)
        postings = sorted(
            (line["JournalEntryLineDetail"]["PostingType"], Decimal(str(line["Amount"]))) for line in je["Line"]
        )
        self.assertEqual(postings, [("Credit", Decimal("500.00")), ("Debit", Decimal("500.00"))])
        self.assertEqual(je["PrivateNote"], f"odoo:account.move:{entry.id}")

    def test_stale_sync_token_under_manual_policy_goes_to_review(self):
        self.connect()
        self.import_kinds(("account", "tax", "party"))
        self.backend.conflict_policy = "manual"
        doc = self.sandbox.company.snapshot("Customer")[0]
        partner = self.odoo_partner(f"Customer/{doc['Id']}")
        self.control(
            "change",
            entity="Customer",
            operation="update",
            body={"Id": doc["Id"], "SyncToken": doc["SyncToken"], "sparse": True, "Notes": "changed in QBO"},
        )
        partner.phone = "+1 555 0100"
        self.backend._export_record("party", "res.partner", partner.id)
        row = self.env["connector.quarantine"].search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])
        self.assertEqual(row.reason, "conflict")
        self.assertIn("5010", row.message)

    def test_a_burst_of_posted_invoices_reaches_quickbooks_in_batches_once_each(self):
        """QuickBooks takes 30 new documents in one /batch request: a burst of exports goes in
        batches, and an item QuickBooks refuses takes the one-record path to its quarantine."""
        self.connect()
        self.import_kinds(("account", "tax"))
        self.control("company", books_closed_on="2026-10-31")
        moves = self.env["account.move"]
        for n in range(40):
            moves |= self.make_invoice(self.partner_a, f"{50 + n}.00", post=False)
        late = self.make_invoice(self.partner_a, "45.00", post=False, invoice_date="2026-10-15")
        (moves | late).action_post()
        self.assertEqual(len(self.pending_jobs("_job_export_record")), 41)
        self.run_jobs()
        stamps = [d.get("PrivateNote") for d in self.qbo_docs("Invoice")]
        for move in moves:
            self.assertEqual(stamps.count(f"odoo:account.move:{move.id}"), 1, move.name)
            self.assertTrue(self.env["connector.binding"]._for_record(self.backend, "invoice", move))
        self.assertNotIn(f"odoo:account.move:{late.id}", stamps)
        row = self.env["connector.quarantine"].search([("res_model", "=", "account.move"), ("res_id", "=", late.id)])
        self.assertEqual(row.reason, "closed_period")
        batches = [key for key in self.sandbox.stats["by_requestid"] if key.startswith("b")]
        self.assertEqual(len(batches), 2, "41 invoices in a batch of 30 and one of 11")
        jobs = self.env["queue.job"].sudo().search([("method_name", "=", "_job_export_record")])
        taken = jobs.filtered(lambda job: "exported together with job" in (job.result or ""))
        self.assertEqual(len(taken), 39, "two jobs did the work of 41")
        self.assertEqual(set(jobs.mapped("state")), {"done"})

    def test_closed_books_quarantine_an_export_as_closed_period(self):
        self.connect()
        self.import_kinds(("account", "tax"))
        self.control("company", books_closed_on="2026-12-31")
        move = self.make_invoice(self.partner_a, "50.00")
        self.run_jobs()
        row = self.env["connector.quarantine"].search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual(row.reason, "closed_period")

    # ------------------------------------------------------------------ tax rounding
    def quickbooks_invoice_with_tax(self, tax):
        customer = self.qbo_docs("Customer")[0]
        item = self.qbo_docs("Item")[0]
        answer = self.control(
            "change",
            entity="Invoice",
            body={
                "CustomerRef": {"value": customer["Id"]},
                "TxnDate": "2026-11-03",
                "CurrencyRef": customer["CurrencyRef"],
                "Line": [
                    {
                        "DetailType": "SalesItemLineDetail",
                        "Amount": 100,
                        "SalesItemLineDetail": {
                            "ItemRef": {"value": item["Id"]},
                            "Qty": 1,
                            "UnitPrice": 100,
                            "TaxCodeRef": {"value": "TAX"},
                        },
                    }
                ],
                "TxnTaxDetail": {"TxnTaxCodeRef": {"value": "3"}, "TotalTax": tax},
                "ExchangeRate": 1.085 if customer["CurrencyRef"]["value"] == "EUR" else 1,
            },
        )
        return f"Invoice/{answer['Invoice']['Id']}"

    def test_one_cent_tax_difference_gets_a_rounding_line_and_more_is_quarantined(self):
        self.connect()
        self.import_kinds(("account", "tax", "party", "product"))
        one_cent = self.quickbooks_invoice_with_tax("8.26")  # Odoo computes 8.25
        self.backend._import_record("invoice", one_cent)
        move = self.env["connector.binding"]._find_record(self.backend, "invoice", one_cent)
        self.assertAlmostEqual(move.amount_total, 108.26, places=2)
        rounding = move.invoice_line_ids.filtered(lambda line: line.account_id == self.rounding_account)
        self.assertAlmostEqual(rounding.price_subtotal, 0.01, places=2)
        five_cents = self.quickbooks_invoice_with_tax("8.30")
        self.backend._import_record("invoice", five_cents)
        row = self.env["connector.quarantine"].search([("external_id", "=", five_cents)])
        self.assertEqual(row.reason, "rounding_diff")
        self.assertFalse(self.env["connector.binding"]._find_record(self.backend, "invoice", five_cents))


@tagged("post_install", "-at_install")
class TestQuickBooksExportUnderLostAnswers(QuickBooksCase):
    company_size = {
        "customers": 5,
        "items": 3,
        "invoices": 0,
        "payments": 0,
        "bills": 0,
        "journal_entries": 0,
        "credit_memos": 0,
    }

    def test_fifty_invoices_reach_quickbooks_once_each_when_a_fifth_of_answers_are_lost(self):
        self.connect()
        self.import_kinds(("account", "tax"))
        partners = self.env["res.partner"].create(
            [{"name": f"Export Customer {n}", "email": f"export{n}@example.com"} for n in range(5)]
        )
        self.control("faults", lose_response_rate=0.2, seed=11)
        moves = self.env["account.move"]
        for n in range(50):
            moves |= self.make_invoice(partners[n % 5], f"{100 + n}.00", post=False)
        moves.action_post()
        self.run_jobs()
        stamps = [d.get("PrivateNote") for d in self.qbo_docs("Invoice")]
        for move in moves:
            self.assertEqual(stamps.count(f"odoo:account.move:{move.id}"), 1, move.name)
        self.assertEqual(len(self.qbo_docs("Customer")), 5 + 5, "each customer created once too")
        self.assertGreater(self.sandbox.stats["replayed"], 0, "some answers were lost and replayed")
        bound = self.env["connector.binding"].search_count(
            [("backend_id", "=", self.backend.id), ("external_type", "=", "invoice")]
        )
        self.assertEqual(bound, 50)


@tagged("post_install", "-at_install")
class TestQuickBooksBadInput(QuickBooksCase):
    company_size = {
        "customers": 4,
        "items": 3,
        "invoices": 3,
        "payments": 0,
        "bills": 0,
        "journal_entries": 1,
        "credit_memos": 0,
    }

    def test_bad_documents_are_quarantined_with_a_reason_and_the_batch_goes_on(self):
        self.connect()
        self.import_kinds(("account", "tax", "party", "product"))
        company = self.sandbox.company
        good = company.snapshot("Invoice")[0]
        customer, item = company.snapshot("Customer")[0], company.snapshot("Item")[0]
        line = {
            "DetailType": "SalesItemLineDetail",
            "Amount": 10,
            "SalesItemLineDetail": {
                "ItemRef": {"value": item["Id"]},
                "Qty": 1,
                "UnitPrice": 10,
                "TaxCodeRef": {"value": "NON"},
            },
        }
        base = {
            "CustomerRef": {"value": customer["Id"]},
            "TxnDate": "2026-11-10",
            "Line": [line],
            "TotalAmt": 10,
            "Balance": 10,
            "TxnTaxDetail": {"TotalTax": 0},
        }
        self.env.company.fiscalyear_lock_date = "2026-06-30"
        company.seed(
            "Invoice",
            [
                dict(base, Id="9001", CurrencyRef={"value": "XYZ"}),  # a currency Odoo does not know
                dict(base, Id="9002", TxnDate="2026-05-01", CurrencyRef={"value": "USD"}),  # a locked period
                dict(base, Id="9003", CustomerRef={"value": "777777"}, CurrencyRef={"value": "USD"}),  # no customer
                dict(base, Id="9004", TxnDate="not a date", CurrencyRef={"value": "USD"}),  # a wrong type
                dict(base, Id="9005", CurrencyRef={"value": "USD"}, Line=[dict(line, Description="x" * 5_000_000)]),
                dict(base, Id="9006", CurrencyRef={"value": "USD"}, Line=[dict(line, Description="Hose NOT-UTF8")]),
            ],
        )
        self.sandbox.faults.raw_bytes = {"NOT-UTF8": "\xff\xfe\xc3"}  # the answer carries bytes that are no text
        company.seed(
            "JournalEntry",
            [
                {
                    "Id": "9101",
                    "TxnDate": "2026-11-10",
                    "CurrencyRef": {"value": "USD"},
                    "Line": [
                        {
                            "Amount": 100,
                            "DetailType": "JournalEntryLineDetail",
                            "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "1"}},
                        },
                        {
                            "Amount": 90,
                            "DetailType": "JournalEntryLineDetail",
                            "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": "2"}},
                        },
                    ],
                }
            ],
        )
        moves_before = self.env["account.move"].search_count([])
        self.import_kinds(("invoice", "journal_entry"))
        Quarantine = self.env["connector.quarantine"]
        reasons = {row.external_id: row.reason for row in Quarantine.search([("backend_id", "=", self.backend.id)])}
        self.assertEqual(reasons.get("Invoice/9001"), "currency_mismatch")
        self.assertEqual(reasons.get("Invoice/9002"), "closed_period")
        self.assertIn(reasons.get("Invoice/9003"), ("validation", "mapping_missing"))
        self.assertEqual(reasons.get("Invoice/9004"), "validation")
        self.assertEqual(reasons.get("Invoice/9005"), "validation")  # 5 MB of description
        self.assertEqual(reasons.get("Invoice/9006"), "validation")
        self.assertIn(
            "lines/0/description: not valid UTF-8",
            Quarantine.search([("external_id", "=", "Invoice/9006")]).message,
            "the accountant is told which field holds the bad bytes",
        )
        self.assertEqual(reasons.get("9101"), "validation")  # debits 100, credits 90
        for row in Quarantine.search([("backend_id", "=", self.backend.id)]):
            self.assertTrue(row.message, row.external_id)
        # the batch went on: the good invoice is in, and nothing half-written stayed behind
        self.assertTrue(self.env["connector.binding"]._find_record(self.backend, "invoice", f"Invoice/{good['Id']}"))
        bound = self.env["connector.binding"].search_count(
            [("backend_id", "=", self.backend.id), ("external_type", "in", ("invoice", "journal_entry"))]
        )
        self.assertEqual(self.env["account.move"].search_count([]) - moves_before, bound)
