import re
import unicodedata
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from odoo import api, fields, models

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SUFFIXES = re.compile(r"\b(inc|llc|ltd|pty|gmbh|sarl|sa|bv|co|corp|limited|company)\b")


@lru_cache(maxsize=65536)  # a page's contacts are compared with the same near names again and again
def normalise_name(name):
    """Lower case, no accents, no punctuation, no legal suffixes, single spaces."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = _PUNCT.sub(" ", text.replace("&", " and "))
    text = _SUFFIXES.sub(" ", text)
    return " ".join(text.split())


def name_similarity(a, b):
    """Jaro-Winkler similarity of the normalised names, 0..1."""
    a, b = normalise_name(a), normalise_name(b)
    if not a or not b:
        return 0.0
    return JaroWinkler.similarity(a, b)


def normal_forms(names):
    """{key: normalised name} of ``names`` ({key: name}), for ``similar_names``."""
    return {key: normalise_name(name) for key, name in names.items()}


def similar_names(name, forms, cutoff=0.85):
    """[(key, score)] best first: the names whose normal ``forms`` (see ``normal_forms``) are
    at ``cutoff`` or more by ``name_similarity``, compared in one call however many there are."""
    mine = normalise_name(name)
    if not mine:
        return []
    found = process.extract(mine, forms, scorer=JaroWinkler.similarity, score_cutoff=cutoff, limit=None)
    return [(key, score) for _name, score, key in found]


class ConnectorMappingMixin(models.AbstractModel):
    """A pair (provider object, Odoo record) chosen or confirmed by a person.

    Concrete mappings set ``_target_field`` (the Odoo record) and
    ``_suggestion_field`` (what ``_suggest`` proposes). Setting the target re-queues every
    quarantined record that waits on this mapping.
    """

    _name = "connector.mapping.mixin"
    _description = "Connector Mapping (abstract)"
    _order = "backend_id, external_name, id"
    _rec_name = "external_name"
    _target_field = None
    _suggestion_field = None

    backend_id = fields.Many2one("connector.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    external_id = fields.Char(required=True, index=True)
    external_name = fields.Char()
    confirmed = fields.Boolean(help="A person confirmed this pair.")
    score = fields.Float(digits=(3, 2), help="Similarity of the suggestion, 0 to 1.")

    _sql_constraints = [
        ("external_uniq", "unique(backend_id, external_id)", "This external object is already mapped."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._after_target_change()
        return records

    def write(self, vals):
        res = super().write(vals)
        if self._target_field in vals:
            self._after_target_change()
        return res

    def _after_target_change(self):
        Quarantine = self.env["connector.quarantine"]
        for backend in self.mapped("backend_id"):
            mapped = self.filtered(lambda m, b=backend: m.backend_id == b and m[self._target_field])
            if mapped:
                Quarantine._requeue_waiting(self._name, backend, mapped.mapped("external_id"))

    def _suggest(self):
        """Fill the suggestion field and score; concrete models implement it."""

    def action_suggest(self):
        self._suggest()
        return True

    def action_confirm(self):
        """Confirm the selected rows: each takes its suggestion when it has no target."""
        for row in self:
            vals = {"confirmed": True}
            if not row[self._target_field] and row[self._suggestion_field]:
                vals[self._target_field] = row[self._suggestion_field].id
            if row[self._target_field] or vals.get(self._target_field):
                row.write(vals)
        return True

    @api.model
    def _resolve(self, backend, external_id, name=None, create_missing=True):
        """The Odoo record mapped to ``external_id``, or an empty recordset.

        An unknown external id gets a mapping row with a suggestion, so that the
        accountant finds it in the list, ready to confirm."""
        row = self.search([("backend_id", "=", backend.id), ("external_id", "=", str(external_id))], limit=1)
        if not row and create_missing:
            row = self.sudo().create(
                {"backend_id": backend.id, "external_id": str(external_id), "external_name": name or str(external_id)}
            )
            row._suggest()
        return row[self._target_field] if row else self.env[self._fields[self._target_field].comodel_name]

    @staticmethod
    def _best(candidates, name, threshold=0.85):
        """(record, score) of the candidate whose name is most like ``name``."""
        best, best_score = None, 0.0
        for record in candidates:
            score = name_similarity(name, record.display_name)
            if score > best_score:
                best, best_score = record, score
        return (best, best_score) if best_score >= threshold else (None, best_score)
