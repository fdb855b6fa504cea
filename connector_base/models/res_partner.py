import logging

import psycopg2

from odoo import models

_logger = logging.getLogger(__name__)

EXPORTED_FIELDS = {
    "name",
    "email",
    "phone",
    "mobile",
    "website",
    "vat",
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "country_id",
    "is_company",
    "active",
}


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "connector.sync.status.mixin"]
    _connector_kinds = ("party",)

    def init(self):
        """Indexes for matching provider contacts to partners (connector.partner.match): exact
        e-mail and tax id, and trigrams for the name. Without them each incoming contact scans
        every partner, and an initial import of N contacts costs N scans."""
        super().init()
        cr = self.env.cr
        cr.execute("CREATE INDEX IF NOT EXISTS res_partner_connector_email_idx ON res_partner (email_normalized)")
        cr.execute("CREATE INDEX IF NOT EXISTS res_partner_connector_vat_idx ON res_partner (vat)")
        try:
            # GiST, not GIN: it returns the nearest names first (ORDER BY name <-> ...) and stops
            # after a few, however many look alike; GIN has to rank every name sharing trigrams
            with cr.savepoint(flush=False):
                cr.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cr.execute("DROP INDEX IF EXISTS res_partner_connector_name_trgm_idx")
                cr.execute(
                    "CREATE INDEX IF NOT EXISTS res_partner_connector_name_gist_idx "
                    "ON res_partner USING gist (name gist_trgm_ops)"
                )
        except psycopg2.Error as exc:  # pg_trgm not available to this database user
            _logger.info("no trigram index on partner names (%s): name matching scans", exc)

    def write(self, vals):
        res = super().write(vals)
        if EXPORTED_FIELDS.intersection(vals) and not self.env.context.get("connector_no_export"):
            bound = (
                self.env["connector.binding"]
                .sudo()
                .search(
                    [("res_model", "=", "res.partner"), ("res_id", "in", self.ids), ("external_type", "=", "party")]
                )
            )
            if bound:
                self.env["connector.backend"]._enqueue_export("party", self.browse(bound.mapped("res_id")))
        return res
