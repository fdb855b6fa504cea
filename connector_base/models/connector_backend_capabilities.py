"""The capability matrix on the connection form: what the provider's adapter declares it can do
per kind (read, create, update, delete, changes only, pushed), and what that leaves of the
directions. A direction the provider cannot honour is refused (``_unavailable_directions``,
derived from the declarations unless the provider addon says it in its own words), so that the
direction field is read-only with the reason."""

from markupsafe import Markup

from odoo import api, fields, models

from ..lib import capabilities
from ..lib.provider import ACTIONS


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    capability_matrix = fields.Html(
        "What the provider can do",
        compute="_compute_capability_matrix",
        sanitize=False,
        help="What the provider's API allows, per kind of record, as its adapter declares it.",
    )

    def _adapter_class(self):
        """The class of the provider's adapter (its declarations), without connecting."""
        return capabilities.adapter_class(self.provider) if self.provider and self.provider != "none" else None

    def _unavailable_directions(self):
        """Refusals derived from the adapter's declarations: nothing read, no import; nothing
        created or updated, no export; the note says why."""
        limits = dict(super()._unavailable_directions())
        cls = self._adapter_class()
        if cls is None:
            return limits
        for key, can, note in cls.capability_matrix():
            reason = note or self.env._("%(provider)s's API does not allow it.", provider=self.provider_label)
            refused = {}
            if not can["read"]:
                refused["import"] = reason
            if not (can["create"] or can["update"]):
                refused["export"] = reason
            if refused:
                limits.setdefault(key, {}).update({d: r for d, r in refused.items() if d not in limits.get(key, {})})
        return limits

    @api.depends("provider")
    def _compute_capability_matrix(self):
        words = capabilities.ACTION_LABELS
        for backend in self:
            cls = backend._adapter_class()
            if cls is None or not cls.capabilities:
                backend.capability_matrix = False
                continue
            head = Markup("").join(Markup("<th class='text-center'>%s</th>") % words[a] for a in ACTIONS)
            rows = []
            for key, can, note in cls.capability_matrix():
                kind, _slash, variant = key.partition("/")
                cells = Markup("").join(
                    Markup("<td class='text-center %s' data-action='%s'>%s</td>")
                    % ("text-success" if can[a] else "text-muted", a, "✓" if can[a] else "—")
                    for a in ACTIONS
                )
                refusal = "; ".join(
                    f"{self.env._('not read') if d == 'import' else self.env._('not sent')}: {r}"
                    for d in ("import", "export")
                    if (r := backend._direction_refusal(kind, d, variant or None))
                )
                rows.append(
                    Markup("<tr data-key='%s'><td>%s</td>%s<td class='small'>%s</td></tr>")
                    % (key, capabilities.label(key), cells, refusal or note)
                )
            backend.capability_matrix = Markup(
                "<table class='table table-sm o_connector_capabilities'><thead><tr><th>%s</th>%s<th>%s</th></tr>"
                "</thead><tbody>%s</tbody></table>"
            ) % (self.env._("Records"), head, self.env._("Why not"), Markup("").join(rows))
