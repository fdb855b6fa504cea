"""One partner, several roles: a company that is a customer and a vendor, at a provider that
keeps them as two records (QuickBooks-like, ``fake_roles_separate``) and at one whose contact
carries both roles (Reckon-like)."""

from decimal import Decimal as D

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FakeProviderCase


@tagged("post_install", "-at_install")
class TestDualRoleImport(FakeProviderCase):
    def put_contact(self, external_id, name, roles, **values):
        self.adapter.put("party", dict({"external_id": external_id, "name": name, "roles": roles}, **values))

    def roles_of(self, partner):
        bindings = self.env["connector.binding"].search(
            [("backend_id", "=", self.backend.id), ("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
        return {binding.role: binding.external_id for binding in bindings}

    def bill(self, external_id, partner):
        return self.invoice(
            external_id,
            taxes=(),
            move_type="in_invoice",
            partner=partner,
            amount_tax=D("0.00"),
            amount_total=D("200.00"),
        )

    def test_the_customer_and_the_vendor_of_a_company_are_one_partner(self):
        self.backend.fake_roles_separate = True
        # new both, in one page: the vendor links to the partner the page creates for the customer
        self.put_contact("DC1", "Dual Co", ["customer"], email="books@dual.example", phone="+32 2 555 01 01")
        self.put_contact("DV1", "Dual Co (Vendor)", ["vendor"], email="Books@Dual.example", website="dual.example")
        # the vendor first in its page: the partner still takes the customer's name
        self.put_contact("FV1", "First Co (Vendor)", ["vendor"], email="ap@first.example")
        self.put_contact("FC1", "First Co", ["customer"], email="ap@first.example")
        self.backend._job_import_batch("party")
        dual, first = self.bound("party", "DC1"), self.bound("party", "FC1")
        self.assertEqual(self.bound("party", "DV1"), dual)
        self.assertEqual(self.bound("party", "FV1"), first)
        self.assertEqual(self.roles_of(dual), {"customer": "DC1", "vendor": "DV1"})
        self.assertEqual((dual.name, first.name), ("Dual Co", "First Co"), "the customer names the company")
        self.assertEqual((dual.customer_rank, dual.supplier_rank), (1, 1))
        self.assertEqual((dual.phone, dual.website), ("+32 2 555 01 01", "http://dual.example"))
        # a vendor read later, linked on its tax id to the customer imported before
        self.put_contact("TC1", "Tax Co", ["customer"], vat="BE0477472701")
        self.backend._job_import_batch("party")
        self.put_contact("TV1", "Tax Co Supplies", ["vendor"], vat="BE0477472701")
        self.backend._job_import_batch("party")
        self.assertEqual(self.bound("party", "TV1"), self.bound("party", "TC1"))
        self.assertEqual(self.bound("party", "TV1").name, "Tax Co")
        # the vendor changes: what it says now is kept, but it does not rename, archive or empty the company
        self.put_contact(
            "DV1", "Dual Co Supplies", ["vendor"], email="books@dual.example", active=False, address={"city": "Ghent"}
        )
        self.backend._job_import_batch("party")
        self.assertEqual((dual.name, dual.active, dual.city), ("Dual Co", True, "Ghent"))
        self.assertEqual(dual.phone, "+32 2 555 01 01")
        self.assertEqual(self.env["res.partner"].search_count([("email", "=ilike", "books@dual.example")]), 1)

    def test_a_bill_and_an_invoice_of_one_company_land_on_one_partner(self):
        self.backend.fake_roles_separate = True
        self.put_contact("BC1", "Both Ways Ltd", ["customer"], email="office@bothways.example")
        self.put_contact("BV1", "Both Ways Ltd (Vendor)", ["vendor"], email="office@bothways.example")
        self.assertTrue(self.engine._import_safely(self.backend, "invoice", self.invoice("BI1", partner="BC1")))
        self.assertTrue(self.engine._import_safely(self.backend, "invoice", self.bill("BB1", "BV1")))
        invoice, bill = self.bound("invoice", "BI1"), self.bound("invoice", "BB1")
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(invoice.partner_id, bill.partner_id)
        self.assertEqual(self.roles_of(bill.partner_id), {"customer": "BC1", "vendor": "BV1"})

    def test_a_contact_with_both_roles_is_bound_once(self):
        self.put_contact("RC1", "Reckon Style Pty", ["customer", "vendor"], email="accounts@reckon.example")
        self.backend._job_import_batch("party")
        partner = self.bound("party", "RC1")
        self.assertEqual(self.roles_of(partner), {"all": "RC1"})
        self.assertEqual((partner.customer_rank, partner.supplier_rank), (1, 1))
        self.assertTrue(self.engine._import_safely(self.backend, "invoice", self.invoice("RI1", partner="RC1")))
        self.assertTrue(self.engine._import_safely(self.backend, "invoice", self.bill("RB1", "RC1")))
        self.assertEqual(self.bound("invoice", "RI1").partner_id, self.bound("invoice", "RB1").partner_id)
        # another contact with the e-mail is another record of the provider: not bound to the same partner
        self.put_contact("RC2", "Reckon Style (copy)", ["vendor"], email="accounts@reckon.example")
        self.backend._job_import_batch("party")
        self.assertNotEqual(self.bound("party", "RC2"), partner)

    def test_a_partner_chosen_in_review_that_stands_for_another_record_of_the_role_is_refused(self):
        self.backend.fake_roles_separate = True
        self.put_contact("RV1", "Review Vendor", ["vendor"])
        self.backend._job_import_batch("party")
        taken = self.bound("party", "RV1")
        self.env["connector.partner.match"].create(
            {
                "backend_id": self.backend.id,
                "external_id": "RV2",
                "external_name": "Review Vendor 2",
                "partner_id": taken.id,
            }
        )
        self.put_contact("RV2", "Review Vendor 2", ["vendor"])
        self.backend._job_import_batch("party")
        self.assertFalse(self.bound("party", "RV2"))
        row = self.env["connector.quarantine"].search([("external_id", "=", "RV2")])
        self.assertEqual(row.reason, "partner_ambiguous")
        self.assertIn("already linked to RV1", row.message)
        # for the customer of the company the same choice is right
        self.env["connector.partner.match"].create(
            {"backend_id": self.backend.id, "external_id": "RC3", "external_name": "Review Co", "partner_id": taken.id}
        )
        self.put_contact("RC3", "Review Co", ["customer"])
        self.backend._job_import_batch("party")
        self.assertEqual(self.bound("party", "RC3"), taken)

    def test_the_vendor_deleted_at_the_provider_leaves_the_customer_partner_alone(self):
        self.backend.fake_roles_separate = True
        self.backend.remote_delete_policy = "apply"
        self.put_contact("XC1", "Gone Vendor Co", ["customer"], email="x@gone.example")
        self.put_contact("XV1", "Gone Vendor Co (Vendor)", ["vendor"], email="x@gone.example")
        self.backend._job_import_batch("party")
        partner = self.bound("party", "XC1")
        self.engine._import_safely(self.backend, "party", {"external_id": "XV1", "deleted": True})
        self.assertTrue(partner.active)
        self.assertEqual(self.roles_of(partner), {"customer": "XC1"})


@tagged("post_install", "-at_install")
class TestDualRoleMerge(FakeProviderCase):
    def setUp(self):
        super().setUp()
        self.backend.fake_roles_separate = True
        # two partners from before: the vendor's e-mail differed when it was first read
        self.adapter.put(
            "party", {"external_id": "MC1", "name": "Merge Co", "roles": ["customer"], "email": "a@m.example"}
        )
        self.adapter.put(
            "party", {"external_id": "MV1", "name": "Merge Co AP", "roles": ["vendor"], "email": "b@m.example"}
        )
        self.backend._job_import_batch("party")
        self.customer, self.vendor = self.bound("party", "MC1"), self.bound("party", "MV1")
        self.assertNotEqual(self.customer, self.vendor)
        self.Match = self.env["connector.partner.match"]

    def vendor_takes_the_customers_email(self):
        self.adapter.put(
            "party", {"external_id": "MV1", "name": "Merge Co AP", "roles": ["vendor"], "email": "a@m.example"}
        )
        self.backend._job_import_batch("party")

    def test_the_review_offers_the_merge_and_the_bindings_follow_the_partner_kept(self):
        self.vendor_takes_the_customers_email()
        self.assertTrue(self.vendor.active, "nothing is merged behind the user's back")
        row = self.Match.search([("backend_id", "=", self.backend.id), ("external_id", "=", "MV1")])
        self.assertTrue(row.merge_offered)
        self.assertEqual((row.partner_id, row.merge_partner_id), (self.vendor, self.customer))
        action = row.action_merge()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.partner_ids, self.customer | self.vendor)
        self.assertEqual(wizard.dst_partner_id, self.customer)
        wizard.action_merge()
        self.assertFalse(self.vendor.exists())
        self.assertEqual(self.bound("party", "MV1"), self.customer)
        self.assertEqual(self.customer.supplier_rank, 1)
        self.assertFalse(row.merge_offered)
        # the vendor's next change reaches the partner kept
        self.adapter.put(
            "party", {"external_id": "MV1", "name": "Merge Co AP", "roles": ["vendor"], "address": {"city": "Bruges"}}
        )
        self.backend._job_import_batch("party")
        self.assertEqual(self.customer.city, "Bruges")
        self.assertFalse(self.Match._offer_merges(self.backend))

    def test_kept_apart_the_pair_is_not_offered_again(self):
        self.vendor_takes_the_customers_email()
        row = self.Match.search([("backend_id", "=", self.backend.id), ("external_id", "=", "MV1")])
        row.action_keep_apart()
        self.assertFalse(self.Match._offer_merges(self.backend))
        self.assertFalse(row.merge_offered)

    def test_two_partners_bound_to_two_records_of_one_role_are_not_merged(self):
        self.adapter.put("party", {"external_id": "MC2", "name": "Merge Co 2", "roles": ["customer"]})
        self.backend._job_import_batch("party")
        other = self.bound("party", "MC2")
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_context(active_model="res.partner", active_ids=(self.customer | other).ids)
            .create({"dst_partner_id": self.customer.id})
        )
        with self.assertRaisesRegex(UserError, "MC1 and MC2|MC2 and MC1"):
            wizard.action_merge()
        self.assertTrue(other.exists())


@tagged("post_install", "-at_install")
class TestDualRoleExport(FakeProviderCase):
    def remote_parties(self):
        return self.env["connector.fake.record"].search([("backend_id", "=", self.backend.id), ("kind", "=", "party")])

    def roles_of(self, partner):
        bindings = self.env["connector.binding"].search(
            [("backend_id", "=", self.backend.id), ("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
        return {binding.role: binding.external_id for binding in bindings}

    def dual_partner(self, name="Export Both Ways"):
        return self.env["res.partner"].create(
            {"name": name, "email": "ap@export.example", "customer_rank": 1, "supplier_rank": 1}
        )

    def remote(self, external_id):
        row = self.env["connector.fake.record"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", external_id)]
        )
        return row, self.adapter._canonical(row)

    def test_a_customer_and_supplier_is_exported_to_each_record_once(self):
        self.backend.fake_roles_separate = True
        existing = len(self.remote_parties())
        partner = self.dual_partner()
        self.backend._export_record("party", "res.partner", partner.id)
        roles = self.roles_of(partner)
        self.assertEqual(set(roles), {"customer", "vendor"})
        self.assertEqual(len(self.remote_parties()), existing + 2)
        self.assertEqual(self.remote(roles["customer"])[1]["roles"], ["customer"])
        self.assertEqual(self.remote(roles["vendor"])[1]["roles"], ["vendor"])
        self.backend._export_record("party", "res.partner", partner.id)  # nothing changed: nothing written
        self.assertEqual([self.remote(x)[0].version for x in roles.values()], [0, 0])
        partner.phone = "+32 9 555 00 00"
        self.backend._export_record("party", "res.partner", partner.id)
        self.assertEqual([self.remote(x)[0].version for x in roles.values()], [1, 1], "each record updated once")
        self.assertEqual(len(self.remote_parties()), existing + 2)
        # documents refer to the record of their role
        invoice = self.init_invoice("out_invoice", partner=partner, products=self.product_a, taxes=[], post=True)
        bill = self.init_invoice("in_invoice", partner=partner, products=self.product_a, taxes=[], post=True)
        for move, role in ((invoice, "customer"), (bill, "vendor")):
            external_id = self.engine._export_safely(self.backend, "invoice", move)
            self.assertEqual(self.remote(external_id)[1]["partner"], roles[role], move.move_type)

    def test_a_supplier_only_partner_gets_its_customer_record_when_it_first_sells(self):
        self.backend.fake_roles_separate = True
        partner = self.env["res.partner"].create({"name": "Supplier First", "supplier_rank": 1})
        self.backend._export_record("party", "res.partner", partner.id)
        self.assertEqual(set(self.roles_of(partner)), {"vendor"})
        invoice = self.init_invoice("out_invoice", partner=partner, products=self.product_a, taxes=[], post=True)
        external_id = self.engine._export_safely(self.backend, "invoice", invoice)
        self.assertEqual(set(self.roles_of(partner)), {"customer", "vendor"})
        self.assertEqual(self.remote(external_id)[1]["partner"], self.roles_of(partner)["customer"])

    def test_each_role_lost_answer_is_found_by_its_own_stamp(self):
        self.backend.fake_roles_separate = True
        existing = len(self.remote_parties())
        partner = self.dual_partner("Lost Answers Ltd")
        self.backend.fake_fault = "lose_response"
        self.backend._export_record("party", "res.partner", partner.id)
        self.backend.fake_fault = False
        self.backend._export_record("party", "res.partner", partner.id)
        roles = self.roles_of(partner)
        self.assertEqual(set(roles), {"customer", "vendor"})
        self.assertNotEqual(roles["customer"], roles["vendor"])
        self.assertEqual(len(self.remote_parties()), existing + 2)
        stamps = set(self.remote_parties().mapped("reference"))
        self.assertTrue({f"odoo:res.partner:{partner.id}:customer", f"odoo:res.partner:{partner.id}:vendor"} <= stamps)

    def test_a_provider_with_one_contact_for_both_roles_gets_one_record(self):
        existing = len(self.remote_parties())
        partner = self.dual_partner("One Contact Pty")
        self.backend._export_record("party", "res.partner", partner.id)
        roles = self.roles_of(partner)
        self.assertEqual(set(roles), {"all"})
        self.assertEqual(len(self.remote_parties()), existing + 1)
        self.assertEqual(self.remote(roles["all"])[1]["roles"], ["customer", "vendor"])
        bill = self.init_invoice("in_invoice", partner=partner, products=self.product_a, taxes=[], post=True)
        external_id = self.engine._export_safely(self.backend, "invoice", bill)
        self.assertEqual(self.remote(external_id)[1]["partner"], roles["all"])
