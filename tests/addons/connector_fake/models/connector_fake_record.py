from odoo import fields, models


class ConnectorFakeRecord(models.Model):
    """The 'remote' side of the fake provider: canonical records kept in a table."""

    _name = "connector.fake.record"
    _description = "Fake provider record (tests only)"
    _order = "seq, id"

    backend_id = fields.Many2one("connector.backend", required=True, ondelete="cascade")
    kind = fields.Char(required=True)
    external_id = fields.Char(required=True)
    data = fields.Text(required=True)
    version = fields.Integer(default=0)
    reference = fields.Char(index=True)
    seq = fields.Integer(help="Change sequence: the cursor position of the fake change feed.")
