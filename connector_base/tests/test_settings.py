from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSettings(TransactionCase):
    def test_settings_page_has_a_connectors_block_with_provider_toggles(self):
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="connectors_setting_container"', arch)
        for provider in ("quickbooks", "wave", "kashoo", "reckon"):
            self.assertIn(f'name="module_connector_{provider}"', arch)

    def test_menus_hang_under_the_account_app(self):
        root = self.env.ref("account.menu_finance")
        self.assertEqual(self.env.ref("connector_base.connector_menu_root").parent_id, root)
        self.assertEqual(
            self.env.ref("connector_base.connector_menu_config").parent_id,
            self.env.ref("account.menu_finance_configuration"),
        )

    def test_provider_addons_extend_the_provider_selection(self):
        providers = dict(self.env["connector.backend"]._fields["provider"].selection)
        for code in ("quickbooks", "wave", "kashoo", "reckon"):
            self.assertIn(code, providers)
