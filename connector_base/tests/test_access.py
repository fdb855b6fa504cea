from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

#: every model a person may see, with what one row of backend A needs besides backend_id
CONNECTOR_MODELS = {
    "connector.binding": {"external_type": "party", "external_id": "C/1", "res_model": "res.partner", "res_id": 1},
    "connector.sync.log": {"direction": "import", "entity": "party", "state": "done"},
    "connector.quarantine": {"reason": "validation", "direction": "import", "kind": "party", "message": "bad"},
    "connector.account.mapping": {"external_id": "1", "external_name": "Checking"},
    "connector.tax.mapping": {"external_id": "TAX", "external_name": "Tax"},
    "connector.payment.term.mapping": {"external_id": "3", "external_name": "Net 30"},
    "connector.payment.method.mapping": {"external_id": "1", "external_name": "Cash"},
    "connector.webhook.event": {"provider": "none", "dedup_key": "e1", "kind": "party", "external_id": "C/1"},
    "connector.cursor": {"kind": "party"},
    "connector.credit.application": {"partner_id": 1, "date": "2026-01-01", "currency_id": 1},
}


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
        cls.manager_b = new_test_user(
            cls.env,
            "conn_manager_b",
            groups="connector_base.group_connector_manager,account.group_account_manager",
            company_id=cls.company_b.id,
            company_ids=[cls.company_b.id],
        )
        cls.portal = new_test_user(cls.env, "conn_portal", groups="base.group_portal")
        cls.employee = new_test_user(cls.env, "conn_employee", groups="base.group_user")
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

    def rows_of_backend_a(self):
        return {
            model: self.env[model].create(dict(values, backend_id=self.backend.id))
            for model, values in CONNECTOR_MODELS.items()
        }

    def test_portal_users_and_employees_reach_no_connector_model(self):
        self.rows_of_backend_a()
        for user in (self.portal, self.employee, self.accountant):
            for model in ("connector.backend", *CONNECTOR_MODELS):
                with self.subTest(user=user.login, model=model), self.assertRaises(AccessError):
                    self.env[model].with_user(user).search_read([], ["id"])

    def test_company_b_sees_nothing_of_company_a(self):
        rows = self.rows_of_backend_a()
        for user in (self.user_b, self.manager_b):
            self.assertFalse(self.env["connector.backend"].with_user(user).search([]))
            for model, row in rows.items():
                with self.subTest(user=user.login, model=model):
                    self.assertFalse(self.env[model].with_user(user).search([]), "not listed")
                    with self.assertRaises(AccessError):
                        row.with_user(user).read(["id", "backend_id"])
            with self.assertRaises(AccessError):
                self.backend.with_user(user).write({"name": "Taken over"})
        # company A's connector user sees them all
        for model in CONNECTOR_MODELS:
            self.assertTrue(self.env[model].with_user(self.user).search([]), model)

    def test_only_managers_change_the_connection(self):
        for user in (self.user, self.accountant, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.backend.with_user(user).write({"conflict_policy": "odoo"})
        self.backend.with_user(self.manager).write({"conflict_policy": "odoo"})
        self.assertEqual(self.backend.conflict_policy, "odoo")

    def test_users_read_credit_applications_and_only_the_engine_writes_them(self):
        application = self.rows_of_backend_a()["connector.credit.application"]
        self.assertEqual(application.with_user(self.user).read(["state"])[0]["state"], "applied")
        for operation in (
            lambda: application.with_user(self.user).write({"state": "void"}),
            lambda: application.with_user(self.user).unlink(),
            lambda: self.env["connector.credit.application"]
            .with_user(self.user)
            .create({"partner_id": 1, "date": "2026-01-01", "currency_id": 1}),
        ):
            with self.assertRaises(AccessError):
                operation()
