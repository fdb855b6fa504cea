"""An export needs the provider's counterpart of an Odoo tax or account, and there is none
yet: the accountant chooses the provider's own row (imported into the mapping table), or,
where the provider takes new ones, creates it there. Then the export is retried."""

from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import canonical, errors
from ..models.connector_account_mapping import ACCOUNT_TYPES
from ..models.connector_labels import percent
from ..models.connector_mapping_mixin import name_similarity

#: mapping model -> (canonical kind, Odoo target field, wizard field of the Odoo record, wizard field of the row)
TARGETS = {
    "connector.tax.mapping": ("tax", "tax_id", "tax_id", "tax_mapping_id"),
    "connector.account.mapping": ("account", "account_id", "account_id", "account_mapping_id"),
}


class ConnectorCounterpartWizard(models.TransientModel):
    _name = "connector.counterpart.wizard"
    _description = "Choose the provider's counterpart"

    quarantine_id = fields.Many2one("connector.quarantine", required=True, ondelete="cascade")
    backend_id = fields.Many2one(related="quarantine_id.backend_id")
    provider_label = fields.Char(related="backend_id.provider_label")
    mapping_model = fields.Char(required=True)
    tax_id = fields.Many2one("account.tax", "Odoo tax", readonly=True)
    tax_rate = fields.Char("Its rate", compute="_compute_rates")
    account_id = fields.Many2one("account.account", "Odoo account", readonly=True)
    choice = fields.Selection(
        [("existing", "It is already at the provider"), ("create", "Create it at the provider")],
        default="existing",
        required=True,
    )
    tax_mapping_id = fields.Many2one(
        "connector.tax.mapping",
        "Tax at the provider",
        domain="[('backend_id', '=', backend_id), ('tax_id', 'in', [False, tax_id])]",
    )
    account_mapping_id = fields.Many2one(
        "connector.account.mapping",
        "Account at the provider",
        domain="[('backend_id', '=', backend_id), ('account_id', 'in', [False, account_id])]",
    )
    mapping_rate = fields.Char("Rate at the provider", compute="_compute_rates")
    can_create = fields.Boolean(compute="_compute_can_create")

    @api.depends("tax_id", "tax_mapping_id")
    def _compute_rates(self):
        for wizard in self:
            wizard.tax_rate = f"{percent(wizard.tax_id.amount)}%" if wizard.tax_id else False
            rate = wizard.tax_mapping_id.external_rate
            wizard.mapping_rate = f"{percent(rate)}%" if rate else False

    @api.depends("backend_id", "mapping_model")
    def _compute_can_create(self):
        for wizard in self:
            kind = TARGETS.get(wizard.mapping_model, (None,))[0]
            try:
                wizard.can_create = kind in wizard.backend_id._get_adapter().writable_kinds
            except (errors.ConnectorError, UserError, NotImplementedError):
                wizard.can_create = False

    @api.model
    def _action_for(self, quarantine):
        """The wizard for a quarantined export, with the provider's likeliest row chosen."""
        model = quarantine.waiting_model
        if model not in TARGETS:
            raise UserError(self.env._("This record does not wait on a tax or an account."))
        record = quarantine._waiting_odoo_record()
        if not record:
            raise UserError(self.env._("The Odoo record this export waited on no longer exists."))
        _kind, _target, record_field, row_field = TARGETS[model]
        wizard = self.create(
            {
                "quarantine_id": quarantine.id,
                "mapping_model": model,
                record_field: record.id,
                row_field: self._likeliest(quarantine.backend_id, model, record).id,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Choose the counterpart in %(provider)s", provider=quarantine.backend_id.provider_label),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _likeliest(self, backend, model, record):
        """The free provider row of the same rate (a tax) or type (an account), nearest name first."""
        target = TARGETS[model][1]
        rows = self.env[model].search([("backend_id", "=", backend.id), (target, "=", False)])
        if model == "connector.tax.mapping":
            rate = Decimal(str(record.amount)).quantize(Decimal("0.0001"))
            rows = rows.filtered(
                lambda r: r.external_rate and Decimal(r.external_rate).quantize(Decimal("0.0001")) == rate
            )
            name = record.name
        else:
            rows = rows.filtered(lambda r: record.account_type in ACCOUNT_TYPES.get(r.external_type or "", ()))
            name = record.name
        if not rows:
            return self.env[model]
        return max(rows, key=lambda r: name_similarity(name, r.external_name or ""))

    def action_apply(self):
        self.ensure_one()
        _kind, target, record_field, row_field = TARGETS[self.mapping_model]
        record = self[record_field]
        row = self._create_at_provider(record) if self.choice == "create" else self[row_field]
        if not row:
            raise UserError(self.env._("Choose the %(provider)s counterpart first.", provider=self.provider_label))
        if row[target] and row[target] != record:
            raise UserError(
                self.env._(
                    "%(row)s is already the counterpart of %(other)s: choose another, or change that mapping first.",
                    row=row.external_name,
                    other=row[target].display_name,
                )
            )
        row.write({target: record.id, "confirmed": True})
        return self.quarantine_id._retry_and_show()

    def _create_at_provider(self, record):
        """Create the counterpart at the provider, with the Odoo record's name and rate or type."""
        kind, _target, _record_field, _row_field = TARGETS[self.mapping_model]
        if not self.can_create:
            raise UserError(self.env._("%(provider)s does not take new ones from Odoo.", provider=self.provider_label))
        if kind == "tax":
            use = record.type_tax_use if record.type_tax_use in ("sale", "purchase") else "none"
            data = {"name": record.name, "rate": Decimal(str(record.amount)), "scope": use}
            vals = {"external_rate": format(data["rate"], "f"), "scope": use}
        else:
            types = [kind for kind, odoo_types in ACCOUNT_TYPES.items() if record.account_type in odoo_types]
            data = {"name": record.name, "code": record.code or None, "type": types[0] if types else "expense"}
            vals = {"external_code": record.code or False, "external_type": data["type"]}
        reference = f"odoo:{record._name}:{record.id}"
        canonical.validate(kind, dict(data, external_id=f"new:{reference}"))
        try:
            external_id, _version = self.backend_id._get_adapter().write(
                kind, data, reference=reference, idempotency_key=f"{self.backend_id.id}-{record._name}-{record.id}"
            )
        except errors.ConnectorError as exc:
            raise UserError(
                self.env._("%(provider)s refused it: %(error)s", provider=self.provider_label, error=exc)
            ) from None
        return self.env[self.mapping_model].create(
            dict(vals, backend_id=self.backend_id.id, external_id=str(external_id), external_name=record.name)
        )
