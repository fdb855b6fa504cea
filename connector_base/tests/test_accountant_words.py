from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

#: providers whose addon talks to its provider; the others are registered only
READY = ("none", "fake", "quickbooks", "kashoo", "wave", "reckon")


@tagged("post_install", "-at_install")
class TestAccountantWords(TransactionCase):
    def test_the_settings_page_counts_the_companys_connections(self):
        """The settings form's first onchange, with the fields of its view, as the web client sends it."""
        self.env["connector.backend"].create({"name": "Books", "company_id": self.env.company.id})
        views = self.env["res.config.settings"].get_views([(False, "form")])
        spec = {name: {} for name in views["models"]["res.config.settings"]["fields"]}
        values = self.env["res.config.settings"].onchange({}, [], spec)["value"]
        expected = self.env["connector.backend"].search_count([("company_id", "=", self.env.company.id)])
        self.assertEqual(values["connector_backend_count"], expected)
        self.assertGreaterEqual(expected, 1)

    def test_a_provider_without_its_client_says_so_on_connect(self):
        labels = dict(self.env["connector.backend"]._fields["provider"]._description_selection(self.env))
        for code in set(labels) - set(READY):  # a provider registered before its client is built
            backend = self.env["connector.backend"].create({"name": f"My {labels[code]}", "provider": code})
            self.assertFalse(backend.provider_ready)
            with self.assertRaisesRegex(UserError, f"{labels[code]} cannot be connected yet"):
                backend.action_connect()
        nothing = self.env["connector.backend"].create({"name": "My books"})
        with self.assertRaisesRegex(UserError, "Choose the provider of the connection 'My books' first"):
            nothing.action_connect()

    def test_account_types_read_as_odoo_labels_them(self):
        labels = dict(self.env["connector.account.mapping"]._fields["external_type"]._description_selection(self.env))
        self.assertEqual(labels["current_liabilities"], "Current Liabilities")
        self.assertEqual(labels["direct_costs"], "Cost of Revenue")

    def test_technical_fields_are_for_debug_mode_only(self):
        debug_only = {
            "connector.quarantine": ("waiting_model", "waiting_key", "res_model", "kind"),
            "connector.sync.log": ("error_class", "res_model", "job_uuid"),
            "connector.binding": ("res_model",),
        }
        for model, names in debug_only.items():
            for view_type in ("form", "list"):
                arch = self.env[model].get_views([(False, view_type)])["views"][view_type]["arch"]
                for name in names:
                    self.assertNotIn(f'name="{name}"', arch, f"{model} {view_type} shows {name} outside debug mode")
