"""A batch created at QuickBooks by a job that then rolled back (its links lost with it, as
when the export's own echo links a record at the same moment, or the node dies before the
commit) is not sent again in another batch: the next job finds what QuickBooks made of it by
its stamp and links it. QuickBooks' request id covers a whole batch, so another batch of the
same records is not a repeat to Intuit: it would make copies."""

from .common import QuickBooksCase


class TestQuickBooksExportBatches(QuickBooksCase):
    def test_a_batch_whose_job_rolled_back_is_linked_not_sent_again(self):
        self.connect()
        self.import_kinds(("account", "tax", "party", "product"))
        partner = self.env["res.partner"].create({"name": "Harbour Chandlery", "email": "ap@harbour.example"})
        moves = self.env["account.move"]
        for amount in ("110.00", "120.00", "130.00"):
            moves |= self.make_invoice(partner, amount=amount)
        engine, backend = self.env["connector.engine"], self.backend
        Binding = self.env["connector.binding"].sudo()

        def links():
            found = Binding.search([("res_model", "=", "account.move"), ("res_id", "in", moves.ids)])
            return {binding.res_id: binding.external_id for binding in found}

        stamps = [f"odoo:account.move:{move_id}" for move_id in moves.ids]

        class RolledBack(Exception):
            pass

        # a job sends a batch of two, then rolls back: its links go with it; the note of what it
        # sent, committed in a transaction of its own before the batch left, stays (here the
        # test's savepoint takes the note too, so it is written again as it was)
        first = {}
        try:
            with self.env.cr.savepoint():
                engine._export_page(backend, "invoice", moves[:2])
                first = links()
                raise RolledBack
        except RolledBack:
            self.env.invalidate_all()
        self.env["connector.export.attempt"]._note(backend, stamps[:2])
        self.assertEqual(len(first), 2)
        self.assertFalse(links())
        invoices = len(self.qbo_docs("Invoice"))
        # the first one's own job runs alone: its own request id, never seen by QuickBooks
        external_id = engine._export_safely(backend, "invoice", moves[0])
        self.assertEqual(external_id, first[moves[0].id], "linked to what the batch made")
        self.assertEqual(len(self.qbo_docs("Invoice")), invoices)
        # the next job takes the other two over: another composition, another request id
        results = engine._export_page(backend, "invoice", moves)
        self.assertTrue(all(results.values()), results)
        self.assertEqual(len(self.qbo_docs("Invoice")), invoices + 1, "the third is new; the two are not made twice")
        again = links()
        self.assertEqual({k: again[k] for k in first}, first, "the two are linked to what the first batch made")
        self.assertEqual(len(set(again.values())), 3)
        self.assertFalse(self.env["connector.export.attempt"]._noted(backend, stamps), "nothing left in doubt")
