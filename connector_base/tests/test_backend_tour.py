from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestBackendTour(HttpCase):
    def test_backend_form_shows_progress_and_health_and_pauses(self):
        backend = self.env["connector.backend"].create({"name": "Tour books", "state": "connected", "import_total": 10})
        self.env["connector.cursor"].create({"backend_id": backend.id, "kind": "party", "done": 4})
        self.env["connector.quarantine"].create(
            {
                "backend_id": backend.id,
                "reason": "mapping_missing",
                "direction": "import",
                "kind": "invoice",
                "external_id": "INV-1",
                "message": "Tax T1 is not mapped",
            }
        )
        self.start_tour(
            f"/odoo/action-connector_base.connector_backend_action/{backend.id}",
            "connector_backend_tour",
            login="admin",
        )
        self.assertEqual(backend.state, "connected")
        changes = backend.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "state")
        self.assertEqual(
            sorted(changes.mapped("new_value_char")), ["Connected", "Paused"], "paused, then resumed from the form"
        )
