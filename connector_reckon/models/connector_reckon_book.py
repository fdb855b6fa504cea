from odoo import api, fields, models


class ConnectorReckonBook(models.Model):
    """A Reckon One book the connection's sign-in reaches: the choice offered after signing in.

    Reckon's consent page picks no book: the token reaches every book of the user, and the
    rows are written from ``GET /books`` when the callback comes back."""

    _name = "connector.reckon.book"
    _description = "Reckon One book within reach of a connection"
    _order = "name, id"

    backend_id = fields.Many2one("connector.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    reckon_id = fields.Char("Reckon book id", required=True)
    name = fields.Char(required=True)
    country = fields.Char()

    _sql_constraints = [
        ("backend_reckon_uniq", "unique(backend_id, reckon_id)", "This Reckon book is already listed."),
    ]

    @api.depends("name", "country")
    def _compute_display_name(self):
        for book in self:
            book.display_name = f"{book.name} ({book.country})" if book.country else book.name

    @api.model
    def _refresh(self, backend, books):
        """Keep the rows of ``backend`` equal to Reckon's list (``[(id, name, country)]``);
        return the rows."""
        rows = self.sudo().search([("backend_id", "=", backend.id)])
        known = {row.reckon_id: row for row in rows}
        for book_id, name, country in books:
            vals = {"name": name or book_id, "country": country or False}
            if book_id in known:
                known[book_id].write(vals)
            else:
                known[book_id] = self.sudo().create(dict(vals, backend_id=backend.id, reckon_id=book_id))
        listed = {book_id for book_id, _name, _country in books}
        rows.filtered(lambda row: row.reckon_id not in listed and row.reckon_id != backend.tenant_id).unlink()
        return self.sudo().search([("backend_id", "=", backend.id)])
