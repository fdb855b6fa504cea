from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAccess(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.user = new_test_user(cls.env, "conn_user", groups="connector_base.group_connector_user")
        cls.manager = new_test_user(cls.env, "conn_manager", groups="connector_base.group_connector_manager")
        cls.accountant = new_test_user(cls.env, "plain_acc", groups="account.group_account_invoice")
        cls.user_b = new_test_user(
            cls.env,
            "conn_user_b",
            groups="connector_base.group_connector_user",
            company_id=cls.company_b.id,
            company_ids=[cls.company_b.id],
        )
        cls.backend = (
            cls.env["connector.backend"]
            .with_user(cls.manager)
            .create({"name": "Books", "client_id": "cid", "client_secret": "plain-client-secret-value"})
        )

    def test_secret_is_write_only(self):
        rows = (
            self.env["connector.backend"]
            .with_user(self.user)
            .search_read([("id", "=", self.backend.id)], ["client_secret", "webhook_secret"])
        )
        self.assertEqual(rows[0]["client_secret"], "••••••••")
        self.assertEqual(rows[0]["webhook_secret"], "")
        with self.assertRaises(AccessError):
            self.backend.with_user(self.user).write({"client_secret": "other"})
        self.assertEqual(self.backend._get_secret("client_secret"), "plain-client-secret-value")

    def test_nobody_reads_the_ciphertext(self):
        for user in (self.user, self.manager, self.env.ref("base.user_admin")):
            with self.assertRaises(AccessError):
                self.env["connector.secret"].with_user(user).search_read([], ["ciphertext"])
        self.env.flush_all()
        self.env.cr.execute("SELECT ciphertext FROM connector_secret")
        stored = " ".join(r[0] for r in self.env.cr.fetchall())
        self.assertNotIn("plain-client-secret-value", stored)

    def test_manager_writes_the_secret_and_the_mask_is_not_stored_back(self):
        self.backend.with_user(self.manager).write({"client_secret": "••••••••", "name": "Renamed"})
        self.assertEqual(self.backend._get_secret("client_secret"), "plain-client-secret-value")

    def test_plain_accountant_sees_no_connector_data(self):
        with self.assertRaises(AccessError):
            self.env["connector.backend"].with_user(self.accountant).search([])
        with self.assertRaises(AccessError):
            self.env["connector.quarantine"].with_user(self.accountant).search([])

    def test_other_company_sees_nothing(self):
        self.assertFalse(self.env["connector.backend"].with_user(self.user_b).search([]))
        self.assertTrue(self.env["connector.backend"].with_user(self.user).search([]))

    def test_user_cannot_create_backends(self):
        with self.assertRaises(AccessError):
            self.env["connector.backend"].with_user(self.user).create({"name": "Mine"})
