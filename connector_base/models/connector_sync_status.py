"""Where a record came from, on the record itself: the connection it is linked to, its
reference at the provider, when it was last synchronised, and whether it waits in
quarantine. Invoices, bills, payments, partners and products inherit it; their forms show
it in a smart button and their lists filter on it."""

from odoo import api, fields, models

STATUSES = [
    ("synced", "In step"),
    ("quarantine", "In quarantine"),
    ("not_synced", "Not yet synchronised"),
]


class ConnectorSyncStatusMixin(models.AbstractModel):
    _name = "connector.sync.status.mixin"
    _description = "Connection status of a record"

    #: the canonical kinds this model is linked as (connector.binding.external_type)
    _connector_kinds = ()
    #: the model the bindings point to, when it is not this one (product templates: variants)
    _connector_bound_model = None

    connector_status = fields.Selection(STATUSES, "Connection status", compute="_compute_connector_status")
    connector_backend_id = fields.Many2one("connector.backend", "Connection", compute="_compute_connector_status")
    connector_provider = fields.Char("Provider", compute="_compute_connector_status")
    connector_reference = fields.Char("Reference at the provider", compute="_compute_connector_status")
    connector_last_sync_at = fields.Datetime("Last synchronised", compute="_compute_connector_status")
    connector_quarantine_count = fields.Integer("Waiting in quarantine", compute="_compute_connector_status")
    connector_in_quarantine = fields.Boolean(
        "In quarantine", compute="_compute_connector_status", search="_search_connector_in_quarantine"
    )
    connector_synced = fields.Boolean(
        "Synchronised", compute="_compute_connector_status", search="_search_connector_synced"
    )

    # ------------------------------------------------------------------ the links
    def _connector_bound(self):
        """{bound record id: id of ``self``'s record} of the records the bindings point to."""
        return {record.id: record.id for record in self}

    @api.model
    def _connector_owner_ids(self, bound_ids):
        """The ids of this model's records that own these bound ids."""
        return set(bound_ids)

    def _connector_bindings(self):
        bound = self._connector_bound()
        if not bound:
            return self.env["connector.binding"].sudo(), bound
        bindings = (
            self.env["connector.binding"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._connector_bound_model or self._name),
                    ("res_id", "in", list(bound)),
                    ("external_type", "in", list(self._connector_kinds)),
                ],
                order="last_sync_at desc, id desc",
            )
        )
        return bindings, bound

    def _connector_open_quarantine(self, bindings):
        """The open quarantine rows of these records: their exports, and the imports of their bindings."""
        Quarantine = self.env["connector.quarantine"].sudo()
        bound = self._connector_bound()
        if not bound:
            return Quarantine
        model = self._connector_bound_model or self._name
        rows = Quarantine.search([("state", "=", "open"), ("res_model", "=", model), ("res_id", "in", list(bound))])
        if bindings:
            keys = {(b.backend_id.id, b.external_type, b.external_id) for b in bindings}
            imports = Quarantine.search(
                [
                    ("state", "=", "open"),
                    ("direction", "=", "import"),
                    ("external_id", "in", list({b.external_id for b in bindings})),
                ]
            )
            rows |= imports.filtered(lambda r: (r.backend_id.id, r.kind, r.external_id) in keys)
        return rows

    def _compute_connector_status(self):
        real = self.filtered("id")
        (self - real).update(
            {
                "connector_status": False,
                "connector_backend_id": False,
                "connector_provider": False,
                "connector_reference": False,
                "connector_last_sync_at": False,
                "connector_quarantine_count": 0,
                "connector_in_quarantine": False,
                "connector_synced": False,
            }
        )
        if not real:
            return
        bindings, bound = real._connector_bindings()
        rows = real._connector_open_quarantine(bindings)
        first, waiting = {}, {}
        for binding in bindings:
            first.setdefault(bound.get(binding.res_id), binding)
        for row in rows:
            owner = bound.get(row.res_id) if row.res_id else None
            if owner is None:
                match = bindings.filtered(
                    lambda b, r=row: b.backend_id == r.backend_id
                    and b.external_type == r.kind
                    and b.external_id == r.external_id
                )
                owner = bound.get(match[:1].res_id)
            if owner is not None:
                waiting[owner] = waiting.get(owner, 0) + 1
        for record in real:
            binding = first.get(record.id)
            count = waiting.get(record.id, 0)
            record.connector_backend_id = binding.backend_id if binding else False
            record.connector_provider = binding.backend_id.provider_label if binding else False
            record.connector_reference = binding.external_id if binding else False
            record.connector_last_sync_at = binding.last_sync_at if binding else False
            record.connector_quarantine_count = count
            record.connector_in_quarantine = bool(count)
            record.connector_synced = bool(binding)
            record.connector_status = "quarantine" if count else ("synced" if binding else "not_synced")

    # ------------------------------------------------------------------ search filters
    @staticmethod
    def _positive(operator, value):
        return (operator == "=") == bool(value)

    def _search_connector_in_quarantine(self, operator, value):
        model = self._connector_bound_model or self._name
        Quarantine = self.env["connector.quarantine"].sudo()
        rows = Quarantine.search([("state", "=", "open"), "|", ("res_model", "=", model), ("direction", "=", "import")])
        bound_ids = {row.res_id for row in rows if row.res_model == model}
        imports = rows.filtered(lambda r: r.direction == "import" and r.external_id and not r.res_model)
        if imports:
            Binding = self.env["connector.binding"].sudo()
            bindings = Binding.search(
                [
                    ("res_model", "=", model),
                    ("external_type", "in", list(self._connector_kinds)),
                    ("external_id", "in", imports.mapped("external_id")),
                ]
            )
            keys = {(r.backend_id.id, r.kind, r.external_id) for r in imports}
            bound_ids |= {b.res_id for b in bindings if (b.backend_id.id, b.external_type, b.external_id) in keys}
        ids = list(self._connector_owner_ids(bound_ids))
        return [("id", "in" if self._positive(operator, value) else "not in", ids)]

    def _search_connector_synced(self, operator, value):
        bindings = (
            self.env["connector.binding"]
            .sudo()
            ._search(
                [
                    ("res_model", "=", self._connector_bound_model or self._name),
                    ("external_type", "in", list(self._connector_kinds)),
                ]
            )
        )
        ids = bindings.subselect("res_id")
        if self._connector_bound_model:  # the bound records are not this model's: their owners are
            found = self.env.execute_query(bindings.select("res_id"))
            ids = list(self._connector_owner_ids([res_id for (res_id,) in found]))
        return [("id", "in" if self._positive(operator, value) else "not in", ids)]

    # ------------------------------------------------------------------ actions
    def action_connector_status(self):
        """The connection status, or the quarantine rows when the record waits there."""
        self.ensure_one()
        bindings, _bound = self._connector_bindings()
        rows = self._connector_open_quarantine(bindings)
        if rows:
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Quarantine"),
                "res_model": "connector.quarantine",
                "view_mode": "list,form" if len(rows) > 1 else "form",
                "res_id": rows.id if len(rows) == 1 else False,
                "domain": [("id", "in", rows.ids)],
            }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Connection status"),
            "res_model": "connector.binding",
            "view_mode": "form",
            "views": [(self.env.ref("connector_base.connector_binding_view_form_status").id, "form")],
            "res_id": bindings[:1].id,
            "target": "new",
        }
