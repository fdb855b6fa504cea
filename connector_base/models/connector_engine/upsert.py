"""One record in: the engine's model, defined here, and the one-record path.

``_import_safely`` imports a canonical record in a savepoint (``_savepoint`` turns a database
constraint's refusal into a typed error); a permanent error puts it in quarantine, a success
resolves its open quarantine rows. ``_upsert`` creates or updates through the binding: it
skips what has not changed (``_unchanged``: the same content hash, or the echo of our own
export), applies the conflict policy, and links a document our export stamped before the
export recorded its link (``_adopt``). ``_dependency`` imports the partner of an invoice, the
invoice of a payment, first. ``content_hash`` and ``reference_for``, used by the import and
the export, are defined here.

Two jobs linking the same record at the same moment (a webhook and a poll, an export and its
echo) meet the binding's unique constraint: the second job's savepoint turns it into a retry,
which finds the first one's link. Odoo's cursor logs every refused query at ERROR ("bad
query"), which here would be an error line for nothing gone wrong, so inside the savepoint
that one refusal is logged by the engine instead, at INFO (``_BindingRace``).
"""

import hashlib
import logging
import threading
from contextlib import contextmanager

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from ...lib import canonical, errors
from ...lib.money import json_dumps

_logger = logging.getLogger(__name__)


def _binding_conflict(exc):
    """Whether ``exc`` is PostgreSQL refusing a second link of the same record."""
    constraint = getattr(getattr(exc, "diag", None), "constraint_name", None) or ""
    return isinstance(exc, IntegrityError) and constraint.startswith("connector_binding")


class _BindingRace(logging.Filter):
    """On ``odoo.sql_db``: drops its "bad query" record of a binding conflict met inside the
    engine's savepoint of this thread (which makes it a retry and logs it itself); every other
    record passes."""

    inside = threading.local()

    def filter(self, record):
        if not getattr(self.inside, "depth", 0):
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        return not (len(args) == 2 and _binding_conflict(args[1]))


_SQL_LOGGER = logging.getLogger("odoo.sql_db")
if not any(isinstance(f, _BindingRace) for f in _SQL_LOGGER.filters):
    _SQL_LOGGER.addFilter(_BindingRace())

#: canonical kind -> Odoo model of the bound record
KIND_MODELS = {
    "party": "res.partner",
    "product": "product.product",
    "account": "connector.account.mapping",
    "tax": "connector.tax.mapping",
    "invoice": "account.move",
    "payment": "account.payment",
    "journal_entry": "account.move",
}
#: keys that do not make the content: provider version marks, the external id (a first
#: export hashes before the provider has given it one), and the balance, which follows from
#: the payments (they are synchronised on their own)
VOLATILE_KEYS = ("version", "updated_at", "external_id", "amount_residual")


def content_hash(record):
    stable = {k: v for k, v in record.items() if k not in VOLATILE_KEYS}
    return hashlib.sha256(json_dumps(stable, sort_keys=True).encode()).hexdigest()


def reference_for(record):
    return f"odoo:{record._name}:{record.id}"


class ConnectorEngine(models.AbstractModel):
    _name = "connector.engine"
    _description = "Connector Engine"

    @api.model
    def _import_safely(self, backend, kind, record):
        """Import one canonical record in a savepoint; quarantine it on a permanent error.

        Return the Odoo record, or None when the record went to quarantine. Retryable
        and auth errors propagate to the job, which retries or pauses the backend."""
        external_id = record.get("external_id") if isinstance(record, dict) else None
        log = self.env["connector.sync.log"]._start(backend, "import", kind, external_id)
        try:
            with self._savepoint(kind, external_id):
                result = self._import(backend, kind, record)
        except errors.PermanentError as exc:
            self._keep_waiting_mapping(backend, exc)
            self.env["connector.quarantine"]._put(
                backend, exc, direction="import", kind=kind, external_id=external_id, payload=record
            )
            log._finish("quarantined", error=exc)
            return None
        except (ValidationError, UserError) as exc:
            # Odoo refused the record (a constraint, a lock date): a person must look at it.
            error = self._odoo_error(exc)
            self.env["connector.quarantine"]._put(
                backend, error, direction="import", kind=kind, external_id=external_id, payload=record
            )
            log._finish("quarantined", error=error)
            return None
        except errors.RetryableError as exc:
            log._finish("retrying", error=exc)
            raise
        except errors.ConnectorError as exc:
            log._finish("failed", error=exc)
            raise
        self._resolve_quarantine(backend, "import", kind, external_id=external_id)
        log._finish("done" if result is not None else "skipped", record=result or None)
        return result

    @contextmanager
    def _savepoint(self, kind, what):
        """A savepoint in which a database constraint's refusal becomes a typed error. On the
        binding's own constraints this is another job that linked the same record a moment
        before (a webhook and a poll, or an export and its echo): a retry, which finds that
        link. Any other constraint is the payload's problem, for a person to look at."""
        inside = _BindingRace.inside
        inside.depth = getattr(inside, "depth", 0) + 1
        try:
            with self.env.cr.savepoint():
                yield
        except IntegrityError as exc:
            if _binding_conflict(exc):
                message = f"{kind} {what} was linked by another job at the same moment: it is read again"
                _logger.info("%s (%s)", message, exc.diag.constraint_name)
                raise errors.TransientError(message, retry_after=5) from None
            raise errors.PayloadValidationError(f"Odoo refused {kind} {what}: {str(exc).splitlines()[0]}") from None
        finally:
            inside.depth -= 1

    def _keep_waiting_mapping(self, backend, exc):
        """The record was rolled back; the mapping row it waits on must stay, so that the
        accountant finds it in the mapping list (and fixing it re-queues the record)."""
        model = getattr(exc, "mapping_model", None)
        if model and model in self.env and "connector.mapping.mixin" in self.env[model]._inherit:
            if getattr(exc, "review", None):  # a contact for Partner Matching, with what a person needs to see
                self.env[model].sudo()._keep_review(backend, exc.review)
            else:
                self.env[model]._resolve(backend, exc.external_id)

    def _odoo_error(self, exc):
        text = str(exc.args[0] if exc.args else exc)
        lowered = text.lower()
        if "lock date" in lowered or "locked" in lowered and "period" in lowered:
            return errors.ClosedPeriodError(text)
        return errors.PayloadValidationError(text)

    def _resolve_quarantine(self, backend, direction, kind, external_id=None, record=None):
        domain = [
            ("backend_id", "=", backend.id),
            ("direction", "=", direction),
            ("kind", "=", kind),
            ("state", "=", "open"),
        ]
        if isinstance(external_id, list):
            domain.append(("external_id", "in", [str(value) for value in external_id]))
        elif external_id:
            domain.append(("external_id", "=", str(external_id)))
        elif record:
            domain += [("res_model", "=", record._name), ("res_id", "in", record.ids)]
        else:
            return
        self.env["connector.quarantine"].sudo().search(domain).write({"state": "resolved"})

    @api.model
    def _import(self, backend, kind, record):
        if record.get("deleted"):
            return self._apply_remote_delete(backend, kind, record["external_id"])
        if record.get("unmapped"):
            # the provider sent something its mapper could not read: quarantined with the mapper's
            # reason and the provider's document, the rest of the batch goes on
            unmapped = record["unmapped"]
            raise errors.PayloadValidationError(str(unmapped.get("reason") or unmapped), details=unmapped)
        canonical.validate(kind, record)
        return getattr(self, f"_import_{kind}")(backend, record)

    def _dependency(self, backend, kind, external_id):
        """The Odoo record bound to ``external_id``, imported first when it is not yet."""
        found = self.env["connector.binding"]._find_record(backend, kind, external_id)
        if found:
            return found
        remote = backend._get_adapter().read(kind, external_id)
        result = self._import(backend, kind, remote)
        if not result:
            raise errors.MappingMissingError(
                f"{kind} {external_id} could not be imported",
                mapping_model="connector.binding",
                external_id=external_id,
            )
        return result

    def _upsert(self, backend, kind, record, create, update):
        """Create or update through the binding; skip when nothing changed.

        ``create()`` returns a new Odoo record; ``update(odoo_record)`` changes one.
        Applies the backend's conflict policy when the Odoo record was changed after the
        last synchronisation."""
        Binding = self.env["connector.binding"].sudo()
        digest = content_hash(record)
        binding = Binding._find(backend, kind, record["external_id"])
        target = self.env[binding.res_model].browse(binding.res_id).exists() if binding else None
        if target:
            if self._unchanged(binding, record, digest):
                self._keep_version(binding, record)
                return target
            if self._changed_in_odoo(target, binding) and not self.env.context.get("connector_force"):
                policy = backend.conflict_policy
                if policy == "odoo":
                    return target
                if policy == "manual":
                    raise errors.ConflictError(
                        f"{kind} {record['external_id']} changed in Odoo and in the provider since the last sync"
                    )
            update(target)
        else:
            # our own export, read back before the export recorded its link: link, leave as is
            target = self._adopt(backend, kind, record) or create()
        vals = self._binding_vals(backend, kind, record, target, digest)
        if binding:
            binding.write(vals)
        else:
            Binding.create(vals)
        return target

    def _binding_vals(self, backend, kind, record, target, digest=None, separate=None):
        """The binding of ``record`` to ``target`` after an import (``separate``: the provider's
        ``party_roles_separate``, when the caller has it at hand)."""
        return {
            "backend_id": backend.id,
            "external_type": kind,
            "external_id": str(record["external_id"]),
            "res_model": target._name,
            "res_id": target.id,
            "role": self._party_role(backend, record, separate) if kind == "party" else "all",
            "external_version": record.get("version"),
            "remote_updated_at": record.get("updated_at"),
            "content_hash": digest or content_hash(record),
            "last_sync_at": fields.Datetime.now(),
            "last_direction": "import",
        }

    @classmethod
    def _unchanged(cls, binding, record, digest):
        """Nothing to apply: the content last synchronised, or the echo of our own export."""
        return binding.content_hash == digest or cls._is_echo(binding, record)

    @staticmethod
    def _keep_version(binding, record):
        """An unchanged record's binding takes the provider's version and update time."""
        vals = {"external_version": record.get("version"), "remote_updated_at": record.get("updated_at")}
        if (binding.external_version, binding.remote_updated_at) != tuple(vals.values()):
            binding.write(vals)

    @staticmethod
    def _is_echo(binding, record):
        """The provider's copy of what we last exported, unchanged since (same version)."""
        version = record.get("version")
        return binding.last_direction == "export" and version is not None and version == binding.external_version

    #: the Odoo models a document stamped with its origin comes from, per kind (a payment of
    #: no money is the export of a credit note's reconciliation with an invoice)
    ORIGIN_MODELS = {
        "invoice": ("account.move",),
        "payment": ("account.payment", "connector.credit.application"),
        "journal_entry": ("account.move",),
    }

    def _adopt(self, backend, kind, record):
        """The Odoo record an unlinked provider document was exported from, else None.

        The webhook of a document we created can arrive before the export job commits
        its link. The export holds the record's lock while it runs (the import then waits
        and comes back); a link committed a moment ago is looked up outside this
        transaction's snapshot. A stamp that names another record, or amounts that differ,
        is not ours: the document is imported as new."""
        origin = record.get("origin")
        if not origin:
            return None
        _prefix, model, res_id = origin.split(":")
        if model not in self.ORIGIN_MODELS.get(kind, ()):
            return None
        target = self.env[model].browse(int(res_id)).exists()
        if not target or target.company_id != backend.company_id:
            return None
        amount = self._origin_amount(target)
        expected = record.get("amount_total", record.get("amount"))
        places = target.currency_id.decimal_places
        if expected is not None and float_compare(amount, float(expected), precision_digits=places):
            return None
        linked = self.env["connector.binding"].sudo()._for_record(backend, kind, target)
        if linked:
            raise errors.ConflictError(
                f"{target.display_name} is linked to {linked.external_id}, and {record['external_id']} carries its "
                f"stamp too: one of the two is a copy at the provider",
                details={"origin": origin, "linked_to": linked.external_id},
            )
        self._lock_record(target)
        with self.env.registry.cursor() as fresh:
            fresh.execute(
                """SELECT external_id FROM connector_binding
                   WHERE backend_id = %s AND external_type = %s AND res_model = %s AND res_id = %s""",
                [backend.id, kind, model, target.id],
            )
            if fresh.fetchone():
                raise errors.TransientError(f"the export of {target.display_name} has just linked it", retry_after=2)
        return target

    @staticmethod
    def _origin_amount(target):
        """The amount a stamped provider document must have to be the export of ``target``."""
        if target._name == "account.move":
            return target.amount_total
        return target.amount if target._name == "account.payment" else 0.0

    @staticmethod
    def _changed_in_odoo(target, binding):
        if not binding.last_sync_at or not target.write_date:
            return False
        return (target.write_date - binding.last_sync_at).total_seconds() > 2

    def _quiet(self, records):
        """Writes made by an import must not trigger an export (echo guard)."""
        return records.with_context(
            connector_no_export=True,
            tracking_disable=True,
            mail_notrack=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_auto_subscribe_no_notify=True,
        )
