from decimal import Decimal as D
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import FakeProviderCase


@tagged("post_install", "-at_install")
class TestImport(FakeProviderCase):
    def test_same_invoice_twice_gives_one_posted_move(self):
        first = self.engine._import_safely(self.backend, "invoice", self.invoice())
        second = self.engine._import_safely(self.backend, "invoice", self.invoice())
        self.assertEqual(first, second)
        moves = self.env["account.move"].search([("ref", "=", "QB-INV1")])
        self.assertEqual(len(moves), 1)
        self.assertEqual(moves.state, "posted")
        self.assertEqual(D(str(moves.amount_total)).quantize(D("0.01")), D("230.00"))
        self.assertEqual(moves.partner_id.name, "Amy's Bird Sanctuary")
        # the partner and product were imported first, once
        self.assertEqual(len(self.env["res.partner"].search([("name", "=", "Amy's Bird Sanctuary")])), 1)
        self.assertEqual(self.env["connector.sync.log"].search_count([("entity", "=", "invoice")]), 2)

    def test_unmapped_tax_goes_to_quarantine_and_mapping_requeues_it(self):
        result = self.engine._import_safely(self.backend, "invoice", self.invoice("INV2", taxes=("T99",)))
        self.assertIsNone(result)
        row = self.env["connector.quarantine"].search([("external_id", "=", "INV2")])
        self.assertEqual(len(row), 1)
        self.assertEqual(row.reason, "mapping_missing")
        self.assertEqual((row.waiting_model, row.waiting_key), ("connector.tax.mapping", "T99"))
        self.assertFalse(self.env["account.move"].search([("ref", "=", "QB-INV2")]))
        # nothing half-written: the partner imported on the way was rolled back too
        self.assertFalse(self.bound("party", "C1"))
        mapping = self.env["connector.tax.mapping"].search([("external_id", "=", "T99")])
        self.assertTrue(mapping, "the unknown tax waits in the mapping list")
        with trap_jobs() as trap:
            mapping.tax_id = self.tax_sale_a
            trap.assert_jobs_count(1, only=self.backend._job_retry_quarantine)
            trap.perform_enqueued_jobs()
        move = self.env["account.move"].search([("ref", "=", "QB-INV2")])
        self.assertEqual(move.state, "posted")
        self.assertEqual(row.state, "resolved")

    def test_partial_payment_leaves_the_difference_due(self):
        self.engine._import_safely(self.backend, "invoice", self.invoice("INV3"))
        payment = {
            "external_id": "PAY1",
            "payment_type": "inbound",
            "partner": "C1",
            "date": "2026-02-20",
            "amount": D("100.00"),
            "currency": self.env.company.currency_id.name,
            "allocations": [{"document": "INV3", "amount": D("100.00")}],
        }
        self.adapter.put("invoice", self.invoice("INV3"))
        self.assertTrue(self.engine._import_safely(self.backend, "payment", payment))
        move = self.bound("invoice", "INV3")
        self.assertEqual(D(str(move.amount_residual)).quantize(D("0.01")), D("130.00"))
        self.assertEqual(move.payment_state, "partial")
        # importing it again changes nothing
        self.engine._import_safely(self.backend, "payment", payment)
        self.assertEqual(D(str(move.amount_residual)).quantize(D("0.01")), D("130.00"))

    def test_one_bad_record_does_not_block_its_batch(self):
        self.adapter.put("invoice", self.invoice("GOOD1"))
        self.adapter.put("invoice", self.invoice("BAD1", currency="XXX"))
        self.adapter.put("invoice", self.invoice("GOOD2"))
        self.backend._job_import_batch("invoice")
        self.assertTrue(self.bound("invoice", "GOOD1"))
        self.assertTrue(self.bound("invoice", "GOOD2"))
        self.assertFalse(self.bound("invoice", "BAD1"))
        row = self.env["connector.quarantine"].search([("external_id", "=", "BAD1")])
        self.assertIn(row.reason, ("validation", "currency_mismatch"))

    def test_idempotency_keys_fit_every_provider_and_stay_the_same(self):
        application = self.env["connector.credit.application"].browse(123456)
        digest = "f" * 64
        short = self.engine._idempotency_key(self.backend, self.env["res.partner"].browse(7), digest)
        self.assertEqual(short, f"{self.backend.id}-res.partner-7-{'f' * 16}")
        long_key = self.engine._idempotency_key(self.backend, application, digest)
        self.assertLessEqual(len(long_key), 50)
        self.assertEqual(long_key, self.engine._idempotency_key(self.backend, application, digest))
        self.assertNotEqual(long_key, self.engine._idempotency_key(self.backend, application, "e" * 64))

    def test_a_document_the_mapper_cannot_read_is_quarantined_with_its_reason(self):
        self.adapter.put("invoice", self.invoice("GOOD3"))
        self.adapter.put(
            "invoice",
            {"external_id": "ODD1", "unmapped": {"reason": "Record type EXPENSE is not known", "type": "EXPENSE"}},
        )
        self.adapter.put("invoice", self.invoice("GOOD4"))
        self.backend._job_import_batch("invoice")
        self.assertTrue(self.bound("invoice", "GOOD3"))
        self.assertTrue(self.bound("invoice", "GOOD4"))
        row = self.env["connector.quarantine"].search([("external_id", "=", "ODD1")])
        self.assertEqual(row.reason, "validation")
        self.assertIn("Record type EXPENSE is not known", row.message)
        self.assertIn("EXPENSE", row.payload)

    def test_rounding_difference_of_one_cent_goes_to_the_rounding_account(self):
        self.backend.rounding_account_id = self.company_data["default_account_revenue"]
        move = self.engine._import_safely(
            self.backend, "invoice", self.invoice("INV4", amount_tax=D("30.01"), amount_total=D("230.01"))
        )
        self.assertEqual(D(str(move.amount_total)).quantize(D("0.01")), D("230.01"))
        big = self.engine._import_safely(
            self.backend, "invoice", self.invoice("INV5", amount_tax=D("31.00"), amount_total=D("231.00"))
        )
        self.assertIsNone(big)
        self.assertEqual(
            self.env["connector.quarantine"].search([("external_id", "=", "INV5")]).reason, "rounding_diff"
        )

    def test_closed_period_is_quarantined(self):
        self.env.company.fiscalyear_lock_date = "2026-06-30"
        self.assertIsNone(self.engine._import_safely(self.backend, "invoice", self.invoice("INV6")))
        self.assertEqual(
            self.env["connector.quarantine"].search([("external_id", "=", "INV6")]).reason, "closed_period"
        )

    def test_unbalanced_journal_entry_is_quarantined(self):
        entry = {
            "external_id": "JE1",
            "date": "2026-03-01",
            "currency": self.env.company.currency_id.name,
            "lines": [{"account": "A1", "debit": D("10.00")}, {"account": "A2", "credit": D("9.00")}],
        }
        self.assertIsNone(self.engine._import_safely(self.backend, "journal_entry", entry))
        self.assertEqual(self.env["connector.quarantine"].search([("external_id", "=", "JE1")]).reason, "validation")

    def test_auth_error_pauses_the_backend_once(self):
        self.backend.fake_fault = "auth"
        with trap_jobs() as trap:
            self.backend._job_import_batch("party")
            trap.assert_jobs_count(1, only=self.backend._job_import_batch)  # the work waits
        for _ in range(2):
            with self.assertRaises(RetryableJobError):
                self.backend._job_import_batch("party")
        self.assertEqual(self.backend.state, "needs_reconnect")
        notes = self.backend.message_ids.filtered(lambda m: "refused the credentials" in (m.body or ""))
        self.assertEqual(len(notes), 1)


@tagged("post_install", "-at_install")
class TestPages(FakeProviderCase):
    """New records are created a page at a time; what a page cannot take goes one by one."""

    def moves(self, *external_ids):
        return self.env["account.move"].search([("ref", "in", [f"QB-{x}" for x in external_ids])])

    def log_states(self, external_id):
        return self.env["connector.sync.log"].search([("external_id", "=", external_id)]).mapped("state")

    def test_a_page_of_new_invoices_keeps_each_record_whole(self):
        self.backend.rounding_account_id = self.company_data["default_account_revenue"]
        good = [f"PG{n}" for n in range(6)]
        for external_id in good[:3]:
            self.adapter.put("invoice", self.invoice(external_id))
        self.adapter.put("invoice", self.invoice("PG-TAX", taxes=("T99",)))  # fails while prepared
        self.adapter.put("invoice", self.invoice("PG-CENT", amount_tax=D("30.01"), amount_total=D("230.01")))
        self.adapter.put("invoice", self.invoice("PG-BIG", amount_tax=D("31.00"), amount_total=D("231.00")))
        for external_id in good[3:]:
            self.adapter.put("invoice", self.invoice(external_id))
        self.backend._job_import_batch("invoice")

        created = self.moves(*good)
        self.assertEqual(len(created), 6)
        self.assertEqual(set(created.mapped("state")), {"posted"})
        self.assertEqual({D(str(m.amount_total)).quantize(D("0.01")) for m in created}, {D("230.00")})
        self.assertEqual(len(set(created.mapped("name"))), 6, "each posted with a number of its own")
        # the one-cent difference got its rounding line in the page
        cent = self.moves("PG-CENT")
        self.assertEqual(D(str(cent.amount_total)).quantize(D("0.01")), D("230.01"))
        self.assertEqual(cent.state, "posted")
        # the others are quarantined with their reasons and leave no document behind
        reasons = {
            row.external_id: row.reason
            for row in self.env["connector.quarantine"].search([("external_id", "in", ["PG-TAX", "PG-BIG"])])
        }
        self.assertEqual(reasons, {"PG-TAX": "mapping_missing", "PG-BIG": "rounding_diff"})
        self.assertFalse(self.moves("PG-TAX", "PG-BIG"))
        self.assertFalse(self.env["account.move"].search([("ref", "=like", "QB-P%"), ("state", "=", "draft")]))
        # one binding and one log row per record
        for external_id in good + ["PG-CENT"]:
            self.assertTrue(self.bound("invoice", external_id))
            self.assertEqual(self.log_states(external_id), ["done"])
        self.assertEqual(self.log_states("PG-BIG"), ["quarantined"])
        # the partner and product the page needed were imported once
        self.assertEqual(len(self.env["res.partner"].search([("name", "=", "Amy's Bird Sanctuary")])), 1)

    def test_a_page_odoo_refuses_goes_one_by_one(self):
        other = self.setup_other_company()
        self.env["connector.account.mapping"].create(
            {
                "backend_id": self.backend.id,
                "external_id": "A-OTHER",
                "external_name": "Sales of another company",
                "account_id": other["default_account_revenue"].id,
            }
        )
        foreign_line = {"account": "A-OTHER", "quantity": D("2"), "price_unit": D("100.00"), "taxes": ["T15"]}
        self.adapter.put("invoice", self.invoice("PR1"))
        self.adapter.put("invoice", self.invoice("PR2", lines=[foreign_line]))  # Odoo refuses it at create
        self.adapter.put("invoice", self.invoice("PR3"))
        with self.assertLogs("odoo.addons.connector_base.models.connector_engine", "INFO") as logs:
            self.backend._job_import_batch("invoice")
        self.assertIn("a page of 3 invoice records goes one by one", "\n".join(logs.output))
        self.assertEqual(len(self.moves("PR1", "PR3")), 2)
        self.assertFalse(self.moves("PR2"))
        row = self.env["connector.quarantine"].search([("external_id", "=", "PR2")])
        self.assertEqual(row.reason, "validation")
        self.assertIn("compan", row.message)
        self.assertEqual(self.log_states("PR1"), ["done"])

    def test_a_page_of_contacts_links_the_known_and_creates_the_new(self):
        known = self.env["res.partner"].create({"name": "Known Ltd", "email": "books@known.example"})
        for n in range(4):
            self.adapter.put("party", {"external_id": f"CP{n}", "name": f"New Co {n}", "roles": ["vendor"]})
        self.adapter.put(
            "party", {"external_id": "CP-K", "name": "Known", "roles": ["customer"], "email": "Books@known.example"}
        )
        self.backend._job_import_batch("party")
        self.assertEqual(self.bound("party", "CP-K"), known)
        self.assertEqual(known.customer_rank, 1)
        new = self.env["res.partner"].search([("name", "=like", "New Co %")])
        self.assertEqual(len(new), 4)
        self.assertEqual(set(new.mapped("supplier_rank")), {1})
        self.assertEqual(set(new.mapped("company_id")), {self.env.company})

    def test_a_page_of_payments_applies_each_to_its_documents(self):
        for external_id in ("PI1", "PI2", "PI3"):
            self.adapter.put("invoice", self.invoice(external_id))
        self.engine._import_safely(self.backend, "invoice", self.invoice("PI1"))

        def payment(external_id, document, amount):
            return {
                "external_id": external_id,
                "payment_type": "inbound",
                "partner": "C1",
                "date": "2026-02-20",
                "amount": D(amount),
                "currency": self.env.company.currency_id.name,
                "allocations": [{"document": document, "amount": D(amount)}],
            }

        self.adapter.put("payment", payment("PP1", "PI1", "100.00"))  # part of an imported invoice
        self.adapter.put("payment", payment("PP2", "PI2", "230.00"))  # an invoice read on the way
        self.adapter.put("payment", payment("PP3", "PI1", "130.00"))  # the rest of PI1, same page
        self.adapter.put("payment", payment("PP4", "PI3", "230.00"))
        self.adapter.put("payment", dict(payment("PP5", "PI3", "230.00"), reference="again"))  # PI3 is paid
        self.backend._job_import_batch("payment")
        one, two, three = (self.bound("invoice", x) for x in ("PI1", "PI2", "PI3"))
        self.assertEqual((one.payment_state, two.payment_state, three.payment_state), ("paid", "paid", "paid"))
        for external_id, document in (("PP1", one), ("PP2", two), ("PP3", one), ("PP4", three)):
            self.assertEqual(self.bound("payment", external_id).reconciled_invoice_ids, document, external_id)
        self.assertFalse(self.bound("payment", "PP5"))
        row = self.env["connector.quarantine"].search([("external_id", "=", "PP5")])
        self.assertEqual(row.reason, "validation")
        self.assertIn("already paid", row.message)

    def test_a_page_costs_a_fraction_of_the_queries_of_its_records_one_by_one(self):
        def queries(records):
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            self.engine._import_page(self.backend, "party", records)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        contact = {"roles": ["customer"], "address": {"city": "Leeds", "country_code": "GB"}}
        one = queries([dict(contact, external_id="Q0", name="Quarry 0", email="q0@quarry.example")])
        page = queries(
            [dict(contact, external_id=f"Q{n}", name=f"Quarry {n}", email=f"q{n}@quarry.example") for n in range(1, 41)]
        )
        self.assertEqual(self.env["connector.binding"].search_count([("external_id", "=like", "Q%")]), 41)
        self.assertLess(page, 40 * one / 3, f"{page} queries for 40 contacts, {one} for one")

    def test_a_re_read_of_unchanged_records_costs_no_work_or_log_row_each(self):
        """What a nightly sweep or a poll's overlap reads again mostly has not changed."""
        contact = {"roles": ["customer"], "address": {"city": "Leeds", "country_code": "GB"}}
        records = [dict(contact, external_id=f"U{n}", name=f"Unison {n}", version="1") for n in range(30)]
        self.engine._import_page(self.backend, "party", records)
        Log = self.env["connector.sync.log"]
        logged = Log.search_count([("entity", "=", "party")])
        again = [dict(record, version="2") for record in records]
        again[1]["name"] = "Unison One"  # changed at the provider
        self.bound("party", "U2").unlink()  # deleted in Odoo: created again
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        self.engine._import_page(self.backend, "party", again)
        self.env.flush_all()
        queries = self.env.cr.sql_log_count - before
        self.assertEqual(self.bound("party", "U1").name, "Unison One")
        self.assertEqual(self.bound("party", "U2").name, "Unison 2")
        self.assertEqual(set(self.log_states("U1") + self.log_states("U2")), {"done"})
        self.assertEqual(Log.search_count([("entity", "=", "party")]), logged + 2, "a row for each that changed")
        binding = self.env["connector.binding"]._find(self.backend, "party", "U7")
        self.assertEqual(binding.external_version, "2", "the provider's new version is kept")
        self.assertLess(queries, 60, f"{queries} queries for 28 unchanged records and 2 changed ones")

    def test_a_contact_finds_its_partner_among_many_sharing_its_first_word(self):
        Partner = self.env["res.partner"]
        Partner.create([{"name": f"Acme Aardvark Rentals {n}", "is_company": True} for n in range(250)])
        Match = type(self.env["connector.partner.match"])
        # with every partner left compared, then with the nearest names of the trigram index only
        for compare_all, word in ((Match.COMPARE_ALL, "Garden"), (0, "Orchard")):
            with self.subTest(compare_all=compare_all), patch.object(Match, "COMPARE_ALL", compare_all):
                partner = Partner.create({"name": f"Acme {word} Supplies Inc.", "is_company": True})
                self.adapter.put("party", {"external_id": word, "name": f"ACME {word} Supplies", "roles": ["customer"]})
                self.backend._job_import_batch("party")
                self.assertEqual(self.bound("party", word), partner, "linked, not created next to it")
                self.assertEqual(Partner.search_count([("name", "ilike", f"{word} supplies")]), 1)

    def test_a_first_import_compares_a_name_with_every_partner_left(self):
        """Beyond the hundred nearest names by trigrams a partner is out of the index's sight:
        here 150 partners with the same words in another order are nearer. While few partners
        are left unbound (a first import into a new database), each name is compared with all."""
        Partner = self.env["res.partner"]
        Partner.create([{"name": f"Garden Supplies Acme {n}", "is_company": True} for n in range(150)])
        garden = Partner.create({"name": "Acme Garden Supplies Inc.", "is_company": True})
        self.adapter.put("party", {"external_id": "NM1", "name": "ACME Garden Supplies", "roles": ["customer"]})
        self.backend._job_import_batch("party")
        self.assertEqual(self.bound("party", "NM1"), garden, "linked, not created next to it")

    def test_a_long_import_keeps_the_planner_statistics_current(self):
        """Without it the planner kept an empty table's figures through a bulk import and
        read every partner for each e-mail lookup (customers/min fell by half at N=10,000)."""
        tables = ("connector_binding", "res_partner")

        def sizes():
            found = {}
            for table in tables:
                self.env.cr.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a fixed name)
                rows = self.env.cr.fetchone()[0]
                self.env.cr.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
                found[table] = (rows, self.env.cr.fetchone()[0])
            return found

        before = sizes()
        waiting = self.env["connector.fake.record"].search_count(
            [("backend_id", "=", self.backend.id), ("kind", "=", "party")]
        )
        # as many contacts as make both tables a size the planner has not been told yet
        # (ANALYZE writes pg_class in place: an earlier run's figures survive its rollback)
        count = next(n for n in range(6, 12) if all(rows + waiting + n != known for rows, known in before.values()))
        self.patch(type(self.engine), "ANALYZE_EVERY", 3)
        for n in range(count):
            self.adapter.put("party", {"external_id": f"ST{n}", "name": f"Statistics {n}", "roles": ["customer"]})
        self.backend._job_import_batch("party")
        for table, (rows, known) in sizes().items():
            self.assertEqual(rows, before[table][0] + waiting + count)
            self.assertEqual(known, rows, f"{table}: the planner knows its size")

    def test_a_record_twice_in_one_page_is_created_once_then_updated(self):
        first = {"external_id": "TW1", "name": "Twice Ltd", "roles": ["customer"], "version": "1"}
        second = dict(first, name="Twice Limited", version="2")
        self.assertEqual(self.engine._import_page(self.backend, "party", [first, second]), 0)
        self.assertEqual(self.bound("party", "TW1").name, "Twice Limited")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Twice Ltd")]))


@tagged("post_install", "-at_install")
class TestExport(FakeProviderCase):
    def _posted_invoice(self):
        partner = self.env["res.partner"].create({"name": "Bob's Burger Joint", "customer_rank": 1})
        move = self.init_invoice("out_invoice", partner=partner, products=self.product_a, post=False)
        move.invoice_line_ids.tax_ids = self.tax_sale_a
        return move

    def test_posting_enqueues_one_export_and_writes_once_despite_a_lost_response(self):
        move = self._posted_invoice()
        calls = []
        backend = self.backend.with_context(fake_calls=calls)
        with trap_jobs() as trap:
            move.action_post()
            trap.assert_jobs_count(1, only=self.backend._job_export_record)
        # the write commits remotely but its answer is lost: the engine looks the record up
        # by its reference instead of writing it again
        self.backend.fake_fault = "lose_response"
        backend._job_export_record("invoice", "account.move", move.id)
        writes = calls.count("write")
        self.backend.fake_fault = False
        backend._job_export_record("invoice", "account.move", move.id)  # nothing changed: no write
        self.assertEqual(calls.count("write"), writes)
        remote = self.env["connector.fake.record"].search([("reference", "=", f"odoo:account.move:{move.id}")])
        self.assertEqual(len(remote), 1)
        binding = self.env["connector.binding"]._for_record(self.backend, "invoice", move)
        self.assertEqual(binding.external_id, remote.external_id)

    def test_import_does_not_echo_back_as_an_export(self):
        with trap_jobs() as trap:
            self.engine._import_safely(self.backend, "invoice", self.invoice("ECHO1"))
            trap.assert_jobs_count(0, only=self.backend._job_export_record)
