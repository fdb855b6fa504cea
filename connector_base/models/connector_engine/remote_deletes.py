"""Deletions at the provider: what a record deleted (or merged away) there does to the bound
Odoo record, by the connection's policy (apply, review, ignore) and the kind."""

from odoo import api, models

from ...lib import errors


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

    #: what a deletion at the provider does to the bound Odoo record, per kind, when the
    #: connection's policy is "apply": master data is archived, documents are cancelled
    #: (a paid document is not: it goes to review), mappings are dropped
    DELETE_ACTIONS = {
        "party": "archive",
        "product": "archive",
        "account": "unmap",
        "tax": "unmap",
        "invoice": "cancel",
        "payment": "cancel",
        "journal_entry": "cancel",
    }

    @api.model
    def _apply_remote_delete(self, backend, kind, external_id):
        """A record deleted (or merged away) at the provider. Return the Odoo record or False."""
        binding = self.env["connector.binding"].sudo()._find(backend, kind, external_id)
        target = self.env[binding.res_model].browse(binding.res_id).exists() if binding else None
        if not target:
            if binding:
                binding.unlink()
            return False
        policy = backend.remote_delete_policy
        if policy == "ignore":
            return target
        if policy == "review":
            raise errors.ConflictError(
                f"{kind} {external_id} was deleted at the provider; {target.display_name} is still in Odoo",
                details={"remote_deleted": True},
            )
        action = self.DELETE_ACTIONS[kind]
        if kind == "party" and self._other_roles(backend, target, binding.role):
            binding.unlink()  # the partner still stands for the company's record of another role
            return target
        quiet = self._quiet(target)
        if action == "archive":
            quiet.active = False
        elif action == "unmap":
            quiet.unlink()
        elif kind == "payment":
            if quiet.state != "canceled":
                quiet.move_id.line_ids.remove_move_reconcile()
                quiet.action_draft()
                quiet.action_cancel()
        else:
            if (
                kind == "invoice"
                and target.state == "posted"
                and target.payment_state not in ("not_paid", "invoicing_legacy")
            ):
                raise errors.ConflictError(
                    f"{target.display_name} was deleted at the provider but has payments in Odoo: review it",
                    details={"remote_deleted": True},
                )
            if quiet.state == "posted":
                quiet.button_draft()
            if quiet.state != "cancel":
                quiet.button_cancel()
        binding.unlink()
        return target if action != "unmap" else False
