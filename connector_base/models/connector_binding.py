from odoo import api, fields, models

from .connector_labels import KIND_WORDS

#: the role a binding of a contact stands for
ROLES = [("all", "All roles"), ("customer", "Customer"), ("vendor", "Vendor")]


class ConnectorBinding(models.Model):
    """External id <-> Odoo record: the idempotency anchor of every import and export."""

    _name = "connector.binding"
    _description = "Link between an Odoo record and the provider's"
    _order = "id desc"
    _rec_name = "external_id"

    backend_id = fields.Many2one("connector.backend", "Connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    provider_label = fields.Char("Provider", related="backend_id.provider_label")
    external_type = fields.Char("Record type code", required=True, help="Canonical kind: party, invoice, ...")
    external_type_label = fields.Char("Record type", compute="_compute_res_name")
    external_id = fields.Char("Reference at the provider", required=True)
    res_model = fields.Char("Odoo model", required=True)
    res_id = fields.Many2oneReference("Odoo record id", model_field="res_model", required=True)
    res_name = fields.Char("Odoo record", compute="_compute_res_name")
    external_version = fields.Char(
        "Version at the provider", help="Provider version token, e.g. the QuickBooks SyncToken."
    )
    remote_updated_at = fields.Char("Changed at the provider")
    role = fields.Selection(
        ROLES,
        required=True,
        default="all",
        help="What the remote record is to the Odoo record. A company that is a customer and a vendor is one "
        "partner: a provider that keeps them as two records (QuickBooks' Customer and Vendor) binds each with "
        "its role; a contact that carries both roles (Reckon), and every other record, binds with All roles.",
    )
    content_hash = fields.Char(help="Hash of the canonical record last synchronised, either way.")
    last_sync_at = fields.Datetime("Last synchronised")
    last_direction = fields.Selection([("import", "From the provider"), ("export", "To the provider")], "Last way")

    _sql_constraints = [
        (
            "external_uniq",
            "unique(backend_id, external_type, external_id)",
            "This external record is already bound.",
        ),
        (
            "odoo_uniq",
            "unique(backend_id, res_model, res_id, external_type, role)",
            "This Odoo record is already bound for this backend and role.",
        ),
    ]

    def _compute_res_name(self):
        for binding in self:
            record = binding.res_model in self.env and self.env[binding.res_model].browse(binding.res_id).exists()
            binding.res_name = record.display_name if record else False
            kind = binding.external_type
            binding.external_type_label = self.env._(KIND_WORDS[kind]) if kind in KIND_WORDS else kind

    def init(self):
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS connector_binding_res_idx
               ON connector_binding (res_model, res_id)"""
        )

    @api.model
    def _find(self, backend, kind, external_id):
        return self.search(
            [("backend_id", "=", backend.id), ("external_type", "=", kind), ("external_id", "=", str(external_id))],
            limit=1,
        )

    @api.model
    def _find_record(self, backend, kind, external_id):
        binding = self._find(backend, kind, external_id)
        if not binding:
            return None
        record = self.env[binding.res_model].browse(binding.res_id).exists()
        return record or None

    @api.model
    def _for_record(self, backend, kind, record, role=None):
        """The binding of ``record`` (for ``role``; None: any, the role-less one first)."""
        return self._for_records(
            backend, kind, record, [("role", "=", role)] if role else [], order="role, id", limit=1
        )

    @api.model
    def _for_records(self, backend, kind, records, domain=(), **options):
        """The bindings of ``records`` (of one model) to records of ``kind`` of ``backend``,
        narrowed by ``domain``; ``options`` as ``search_fetch`` takes them (order, limit)."""
        return self.search_fetch(
            [
                ("backend_id", "=", backend.id),
                ("external_type", "=", kind),
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                *domain,
            ],
            ["external_id", "res_id", "role"],
            **options,
        )

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
