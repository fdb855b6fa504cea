from odoo import models


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

    def _to_canonical_invoice(self, backend, move):
        """Every line of a Wave invoice needs a product: a line without one takes the
        connection's generic product (sent to Wave first when it is not there yet)."""
        data = super()._to_canonical_invoice(backend, move)
        generic = backend.wave_generic_product_id if backend.provider == "wave" else None
        if generic and any(not line.get("product") for line in data["lines"]):
            product = self._external_ref(backend, "product", generic)
            for line in data["lines"]:
                if not line.get("product"):
                    line["product"] = product
        return data
