"""A Kashoo contact whose business number fails the Canada Revenue Agency check: the number never
reaches the partner; the contact is put in front of a person in Partner Matching, with the
number and why it was refused."""

from odoo.tests import tagged

from .common import KashooCase

VALID, SPOILT, FIXED = "123456782RT0001", "123456783RT0001", "987654324RT0001"


@tagged("post_install", "-at_install")
class TestKashooContacts(KashooCase):
    def setUp(self):
        super().setUp()
        self.sign_in()
        business = self.sandbox.tenant()
        with self.sandbox.lock:
            self.good = business.add_contact({"name": "Maple Foods Ltd.", "businessNumber": VALID}, ["customer"])
            self.bad = business.add_contact(
                {"name": "Harbour Fisheries", "email": "ap@harbour.example", "businessNumber": SPOILT}, ["customer"]
            )

    def review(self, contact):
        return self.env["connector.partner.match"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", str(contact["id"]))]
        )

    def test_an_invalid_number_is_imported_without_it_and_shown_in_partner_matching(self):
        self.import_kinds(("party",))
        self.assertEqual(self.bound("party", self.good["id"]).vat, VALID)
        self.assertFalse(self.review(self.good), "a valid number needs no person")
        partner = self.bound("party", self.bad["id"])
        self.assertEqual(partner.name, "Harbour Fisheries", "imported all the same (partners are created by policy)")
        self.assertFalse(partner.vat, "the refused number is not the partner's tax id")
        row = self.review(self.bad)
        self.assertEqual((row.rejected_vat, row.partner_id, row.confirmed), (SPOILT, partner, False))
        self.assertIn("not a valid Canada Revenue Agency business number", row.rejected_vat_reason)
        # corrected in Kashoo: the next read of the contacts writes it and clears the review
        self.control("change", contact=self.bad["id"], fields={"businessNumber": FIXED})
        self.import_kinds(("party",))
        self.assertEqual(partner.vat, FIXED)
        self.assertFalse(row.rejected_vat)

    def test_under_the_review_policy_a_person_decides_and_the_number_stays_out(self):
        self.backend.partner_policy = "review"
        maple = self.env["res.partner"].create({"name": "Maple Foods", "vat": VALID})
        known = self.env["res.partner"].create({"name": "Harbour Fisheries Inc."})
        self.import_kinds(("party",))
        self.assertEqual(self.bound("party", self.good["id"]), maple, "a valid number links at once")
        self.assertFalse(self.bound("party", self.bad["id"]), "held for a person")
        held = self.quarantine().filtered(lambda q: q.state == "open")
        self.assertEqual(held.mapped("reason"), ["partner_ambiguous"])
        self.assertIn(SPOILT, held.message)
        self.assertIn("refused", held.message)
        row = self.review(self.bad)
        self.assertEqual(row.rejected_vat, SPOILT)
        self.assertIn("Canada Revenue Agency", row.rejected_vat_reason)
        self.assertEqual(held.waiting_key, str(self.bad["id"]), "waits on its Partner Matching row")
        row.partner_id = known  # the person picks the partner: the held contact is retried, to it
        self.run_jobs("_job_retry_quarantine")
        self.assertEqual(self.bound("party", self.bad["id"]), known)
        self.assertFalse(known.vat, "still not written")
        self.assertEqual(held.state, "resolved")
