import logging
import re
import unicodedata
from functools import lru_cache

import psycopg2
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib import errors
from ..lib.money import to_decimal

_logger = logging.getLogger(__name__)

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


#: below this score a mapping offers no suggestion: a person chooses
MIN_SCORE = 0.6
#: mapping model -> the canonical kind the provider can describe its rows with
PROVIDER_KINDS = {"connector.tax.mapping": "tax", "connector.account.mapping": "account"}
#: the cursor cache key of what the provider answered about a row, for one transaction
PROVIDER_READS = "connector_mapping_provider_reads"


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

    backend_id = fields.Many2one("connector.backend", "Connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    provider = fields.Selection(related="backend_id.provider")
    external_id = fields.Char("Reference at the provider", required=True, index=True)
    external_name = fields.Char("Name at the provider")
    confirmed = fields.Boolean(help="A person confirmed this pair.")
    score = fields.Float(digits=(3, 2), help="How well the suggestion fits, 0 to 1.")

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
        """Re-queue what waits on these rows: imports wait on the provider's id, exports on
        the Odoo record that had no counterpart (``odoo:<id>``)."""
        Quarantine = self.env["connector.quarantine"]
        for backend in self.mapped("backend_id"):
            mapped = self.filtered(lambda m, b=backend: m.backend_id == b and m[self._target_field])
            if mapped:
                keys = mapped.mapped("external_id") + [f"odoo:{record.id}" for record in mapped[self._target_field]]
                Quarantine._requeue_waiting(self._name, backend, keys)

    def _suggest(self):
        """Fill the suggestion field and score; concrete models implement it."""

    def action_suggest(self):
        self._suggest()
        return True

    def action_confirm(self):
        """Confirm the selected rows: each takes its suggestion when it has no target.

        Opened from a quarantined record ("Fix the mapping"), that record is retried at once
        and shown again, resolved or with its new reason."""
        for row in self:
            vals = {"confirmed": True}
            if not row[self._target_field] and row[self._suggestion_field]:
                vals[self._target_field] = row[self._suggestion_field].id
            if row[self._target_field] or vals.get(self._target_field):
                row.write(vals)
        quarantined = self.env["connector.quarantine"].browse(self.env.context.get("connector_quarantine_id"))
        if len(self) == 1 and self[self._target_field] and quarantined.exists():
            return quarantined._retry_and_show()
        return True

    @api.model
    def _resolve(self, backend, external_id, name=None, create_missing=True):
        """The Odoo record mapped to ``external_id``, or an empty recordset.

        An unknown external id gets a mapping row with the provider's own name (and rate,
        type, code) and a suggestion, so that the accountant finds it in the list, ready to
        confirm."""
        row = self.search([("backend_id", "=", backend.id), ("external_id", "=", str(external_id))], limit=1)
        if not row and create_missing:
            row = self._insert_missing(backend, str(external_id), name)
            vals = self._provider_vals(backend, str(external_id))
            if vals:
                row.write(vals)
            row._suggest()
        return row[self._target_field] if row else self.env[self._fields[self._target_field].comodel_name]

    def _insert_missing(self, backend, external_id, name):
        """A new row for ``external_id``. Two jobs meeting the same unknown id at once is a
        handled conflict, not an error line in the server log: the job that did not insert
        the row retries (the other's row is not in its snapshot; PostgreSQL answers it with
        nothing inserted, or, at Odoo's isolation level, a serialization failure)."""
        self.flush_model()
        query = SQL(
            """INSERT INTO %s (backend_id, company_id, external_id, external_name, confirmed, score,
                               create_uid, write_uid, create_date, write_date)
               VALUES (%s, %s, %s, %s, false, 0, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
               ON CONFLICT (backend_id, external_id) DO NOTHING
               RETURNING id""",
            SQL.identifier(self._table),
            backend.id,
            backend.company_id.id,
            external_id,
            name or external_id,
            self.env.uid,
            self.env.uid,
        )
        inserted = None
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                inserted = self.env.cr.fetchone()
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.UniqueViolation):
            inserted = None
        if not inserted:
            raise errors.TransientError(
                f"{self._description} {external_id} is being added by another job at the same moment", retry_after=2
            )
        return self.sudo().browse(inserted[0])

    def _provider_vals(self, backend, external_id):
        """What the provider says about a row it has not described yet (its name, rate,
        type, code), as mapping values; {} when it cannot say (the row keeps the id)."""
        kind = PROVIDER_KINDS.get(self._name)
        if not kind:
            return {}
        reads = self.env.cr.cache.setdefault(PROVIDER_READS, {})
        key = (backend.id, kind, external_id)
        if key not in reads:  # a record rolled back asks again for the row it waits on
            try:
                reads[key] = backend._get_adapter().read(kind, external_id)
            except (errors.ConnectorError, UserError, NotImplementedError) as exc:
                _logger.info(
                    "connection %s: the provider did not describe %s %s (%s)", backend.id, kind, external_id, exc
                )
                reads[key] = None
        record = reads[key]
        if not isinstance(record, dict) or not record.get("name"):
            return {}
        if kind == "tax":
            rate = record.get("rate")
            return {
                "external_name": record["name"],
                "external_rate": format(to_decimal(rate), "f") if rate is not None else False,
                "scope": record.get("scope") or False,
            }
        return {
            "external_name": record["name"],
            "external_code": record.get("code") or False,
            "external_type": record.get("type") or False,
        }

    def _action_open(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form"}

    @staticmethod
    def _best(candidates, name, threshold=0.85):
        """(record, score) of the candidate whose name is most like ``name``."""
        best, best_score = None, 0.0
        for record in candidates:
            score = name_similarity(name, record.display_name)
            if score > best_score:
                best, best_score = record, score
        return (best, best_score) if best_score >= threshold else (None, best_score)
