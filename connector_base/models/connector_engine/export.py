"""Odoo records out: ``_export_safely`` (one record, in a savepoint, quarantined on a
permanent error) and ``_export_page`` (the new records of a page in the provider's batches,
the others one by one). A write that lost its answer is looked up by its reference stamp
before it is sent again; the provider's answer is recorded on the binding.

A partner at a provider that keeps a customer and a vendor as two records is exported to
each record its roles need (``_export_roles``), each with its own binding, stamp and key;
a document refers to the record of the role it needs (``_external_ref``)."""

import hashlib

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ...lib import canonical, errors
from .upsert import content_hash, reference_for

#: the longest idempotency key every provider takes (QuickBooks' requestid: 50)
IDEMPOTENCY_KEY_LENGTH = 50


class ConnectorEngine(models.AbstractModel):
    _inherit = "connector.engine"

    @api.model
    def _export_safely(self, backend, kind, record):
        """Export one Odoo record; quarantine it on a permanent error. Return the external id."""
        log = self.env["connector.sync.log"]._start(backend, "export", kind, record=record)
        try:
            with self._savepoint(kind, record.display_name):
                external_id = self._export(backend, kind, record)
        except errors.PermanentError as exc:
            self.env["connector.quarantine"]._put(backend, exc, direction="export", kind=kind, record=record)
            log._finish("quarantined", error=exc)
            return None
        except errors.RetryableError as exc:
            log._finish("retrying", error=exc)
            raise
        except errors.ConnectorError as exc:
            log._finish("failed", error=exc)
            raise
        self._resolve_quarantine(backend, "export", kind, record=record)
        if external_id is None:  # cancelled in Odoo before it was ever sent
            log._finish("skipped", record=record)
            return None
        log._finish("done", external_id=external_id)
        return external_id

    def _lock_record(self, record):
        """Serialise exports of one record across workers (transaction-scoped)."""
        key = int(hashlib.sha1(reference_for(record).encode()).hexdigest()[:15], 16)
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        if not self.env.cr.fetchone()[0]:
            raise errors.LockBusyError(f"{record.display_name} is being exported by another worker", retry_after=3)

    def _export(self, backend, kind, record, role=None):
        """Export ``record``; return its external id. A partner is exported for each role it
        needs (``_export_roles``), ``role`` for one of them; the ids are joined by ", "."""
        if role is None:
            ids = [self._export(backend, kind, record, role) for role in self._export_roles(backend, kind, record)]
            return ", ".join(ids) if all(ids) else None  # None: cancelled before it was ever sent
        self._lock_record(record)
        binding = self.env["connector.binding"].sudo()._for_record(backend, kind, record, role)
        data, digest = self._export_data(backend, kind, record, binding, role)
        if binding and binding.content_hash == digest:
            return binding.external_id
        adapter = backend._get_adapter()
        void = data.get("state") == "void"  # cancelled in Odoo: voided at the provider, never created
        reference = self._role_reference(record, role)
        attempts = self.env["connector.export.attempt"]
        if not binding:
            # a create noted by a job that never bound it (rolled back, or its worker killed
            # after the provider made the record) is looked up before it is sent again (or
            # voided); else the create is noted, in a transaction of its own, before it leaves.
            # A record cancelled before it was ever sent is not sent (None).
            noted = attempts._noted(backend, [reference])
            found = noted and self._find_noted(adapter, kind, reference)
            if found:
                if not void:
                    found = adapter.finish_found(kind, found, data)
                binding = self._bind_export(
                    backend, kind, record, binding, found[0], found[1], False if void else digest, role
                )
                attempts._forget(backend, [reference])
                if not void:
                    return found[0]
            elif void:
                return None
            elif not noted:
                attempts._note(backend, [reference])
        if void:
            return self._export_void(backend, kind, binding, adapter, digest)
        try:
            external_id, version = adapter.write(
                kind,
                data,
                external_id=binding.external_id if binding else None,
                version=binding.external_version if binding else None,
                reference=reference,
                idempotency_key=self._idempotency_key(backend, record, digest),
            )
        except errors.OutcomeUnknownError:
            if binding:
                raise errors.TransientError(f"update of {reference} lost its answer: it is safe to repeat") from None
            found = adapter.find_by_reference(kind, reference)
            if not found:
                raise errors.TransientError(f"create of {reference} did not happen: it will be retried") from None
            external_id, version = found
        self._bind_export(backend, kind, record, binding, external_id, version, digest, role)
        if not binding:
            attempts._forget(backend, [reference])
        return external_id

    def _export_skipped(self, backend, kind, record):
        """Whether ``record`` was cancelled in Odoo before it was ever sent (so not sent)."""
        cancelled = record._fields.get("state") and record.state in ("cancel", "canceled", "void")
        return bool(cancelled) and not self.env["connector.binding"].sudo()._for_record(backend, kind, record)

    def _export_void(self, backend, kind, binding, adapter, digest):
        """A document or payment cancelled in Odoo (a credit application undone): voided at the
        provider, or deleted where it has no void."""
        try:
            adapter.delete(kind, binding.external_id, binding.external_version)
        except NotImplementedError:
            raise errors.PayloadValidationError(
                f"{backend.name} cannot void {binding.external_id} through its API: void it there by hand"
            ) from None
        except errors.NotFoundError:
            pass  # already gone at the provider: what Odoo says too
        except errors.OutcomeUnknownError:
            raise errors.TransientError(
                f"void of {binding.external_id} lost its answer: it is safe to repeat (gone means done)"
            ) from None
        binding.write({"content_hash": digest, "last_sync_at": fields.Datetime.now(), "last_direction": "export"})
        return binding.external_id

    @staticmethod
    def _find_noted(adapter, kind, reference):
        """The record an earlier create of ``reference`` made, or None (also where the provider
        cannot be searched for it: the create is then sent again, as before it was noted)."""
        try:
            return adapter.find_by_reference(kind, reference)
        except NotImplementedError:
            return None

    def _export_roles(self, backend, kind, record, separate=None):
        """The roles ``record`` is exported for: "all", but a partner at a provider that keeps a
        customer and a vendor as two records (``separate``) is exported for each role it has
        (its ranks; a partner with neither is a customer) and each it is bound for."""
        if kind != "party":
            return ["all"]
        if separate is None:
            separate = backend._party_roles_separate()
        if not separate:
            return ["all"]
        bound = set(self.env["connector.binding"].sudo()._for_records(backend, kind, record).mapped("role"))
        roles = []
        if record.customer_rank or not record.supplier_rank or "customer" in bound:
            roles.append("customer")
        if record.supplier_rank or "vendor" in bound:
            roles.append("vendor")
        return roles

    @staticmethod
    def _role_reference(record, role):
        """The stamp of ``record``'s remote record for ``role``: each role's is its own, so that a
        lost answer is looked up for that role's record."""
        reference = reference_for(record)
        return reference if role == "all" else f"{reference}:{role}"

    def _export_data(self, backend, kind, record, binding, role="all"):
        """(canonical data without its external id, content hash) of an Odoo record (for one
        role of a partner: a record of that role only)."""
        data = getattr(self, f"_to_canonical_{kind}")(backend, record)
        if kind == "party" and role != "all":
            data["roles"] = [role]
        data["external_id"] = binding.external_id if binding else f"new:{self._role_reference(record, role)}"
        canonical.validate(kind, data)
        digest = content_hash(data)
        data.pop("external_id")
        return data, digest

    @staticmethod
    def _idempotency_key(backend, record, digest):
        """The same key for the same content of the same record: providers take at most 50
        characters (QuickBooks' requestid), so a longer one (a long model name, a large
        connection id) becomes a digest of itself."""
        key = f"{backend.id}-{record._name}-{record.id}-{digest[:16]}"
        if len(key) <= IDEMPOTENCY_KEY_LENGTH:
            return key
        return f"{backend.id}-{hashlib.sha256(key.encode()).hexdigest()}"[:IDEMPOTENCY_KEY_LENGTH]

    def _bind_export(self, backend, kind, record, binding, external_id, version, digest, role="all"):
        """Record what the provider answered to an export (of ``record``'s record for ``role``);
        return the binding."""
        Binding = self.env["connector.binding"].sudo()
        vals = {
            "external_version": version,
            "content_hash": digest,
            "last_sync_at": fields.Datetime.now(),
            "last_direction": "export",
        }
        if binding:
            binding.write(vals)
            return binding
        taken = Binding._find(backend, kind, external_id)
        if taken:
            other = self.env[taken.res_model].browse(taken.res_id).exists()
            raise errors.NameCollisionError(
                f"The provider answered with {external_id}, which is already linked to "
                f"{other.display_name if other else taken.res_model}: merge the two in Odoo or rename one",
                details={"external_id": external_id, "linked_to": taken.res_id},
            )
        return Binding.create(
            dict(
                vals,
                backend_id=backend.id,
                external_type=kind,
                external_id=str(external_id),
                res_model=record._name,
                res_id=record.id,
                role=role,
            )
        )

    @api.model
    def _export_page(self, backend, kind, records):
        """Export several Odoo records: the new ones in the provider's batches where it has
        them (a partner with each of its roles' records), the others (updates, refusals,
        anything that does not fit) one by one.
        Return {record: external id(s), or None when it went to quarantine}."""
        adapter = backend._get_adapter()
        bound = set(self.env["connector.binding"].sudo()._for_records(backend, kind, records).mapped("res_id"))
        results, batch = {}, []
        sent = self._sent_before(backend, adapter, kind, records.filtered(lambda r: r.id not in bound))
        for record in records:
            if adapter.batch_size > 1 and record.id not in bound and record not in sent:
                try:
                    with self._savepoint(kind, record.display_name):
                        self._lock_record(record)
                        items = [
                            (record, role, *self._export_data(backend, kind, record, None, role))
                            for role in self._export_roles(backend, kind, record, adapter.party_roles_separate)
                        ]
                    if all(data.get("state") != "void" for _record, _role, data, _digest in items):
                        batch += items
                        continue
                except (errors.PermanentError, ValidationError, UserError):
                    pass  # the one-record path quarantines it, with its reason
            results[record] = self._export_safely(backend, kind, record)
        refused = []
        for start in range(0, len(batch), adapter.batch_size):
            created, left = self._create_remote_page(backend, adapter, kind, batch[start : start + adapter.batch_size])
            for record, external_ids in created.items():
                if external_ids is None or (record in results and results[record] is None):
                    results[record] = None
                else:
                    results[record] = ", ".join(filter(None, (results.get(record), external_ids)))
            refused += [record for record in left if record not in refused]
        # after the batches' answers are bound: the one-record path sees what they created
        for record in refused:
            if results.get(record, "") is not None:
                results[record] = self._export_safely(backend, kind, record)
        return results

    def _sent_before(self, backend, adapter, kind, records):
        """The records of ``records`` that a batch was sent for by a job that did not commit:
        what the provider made of them is looked up by their stamp and linked; they take the
        one-record path (which finds that link) instead of another batch."""
        if adapter.batch_size <= 1 or not records:
            return records.browse()
        references = {}
        for record in records:
            for role in self._export_roles(backend, kind, record, adapter.party_roles_separate):
                references[self._role_reference(record, role)] = (record, role)
        noted = self.env["connector.export.attempt"]._noted(backend, references)
        for reference in noted:
            record, role = references[reference]
            found = adapter.find_by_reference(kind, reference)
            if not found:
                continue  # it never reached the provider: the one-record path sends it
            try:
                with self._savepoint(kind, record.display_name):
                    data, digest = self._export_data(backend, kind, record, None, role)
                    # cancelled since: linked with no content yet, so that the one-record path voids it
                    digest = False if data.get("state") == "void" else digest
                    self._bind_export(backend, kind, record, None, found[0], found[1], digest, role)
            except errors.PermanentError:
                pass  # the one-record path meets the same refusal and quarantines it
        self.env["connector.export.attempt"]._forget(backend, noted)
        return records.browse(sorted({references[reference][0].id for reference in noted}))

    def _create_remote_page(self, backend, adapter, kind, batch):
        """Create ``batch`` ([(record, role, data, digest)]) in one call of the provider.

        Return ({record: its new external id(s), or None when an answer could not be bound},
        [the records of the items the provider refused])."""
        items = [
            (data, self._role_reference(record, role), self._idempotency_key(backend, record, digest))
            for record, role, data, digest in batch
        ]
        attempts = self.env["connector.export.attempt"]
        attempts._note(backend, [reference for _data, reference, _key in items])
        try:
            outcomes = adapter.create_many(kind, items)
        except errors.OutcomeUnknownError:
            # the batch may have happened: what carries our stamp is linked, nothing is sent twice
            outcomes = [adapter.find_by_reference(kind, reference) for _data, reference, _key in items]
            if not all(outcomes):
                raise errors.TransientError(
                    f"a batch of {len(items)} {kind} records lost its answer: it is looked up again later"
                ) from None
        results, done, refused = {}, [], []
        for (record, role, _data, digest), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):  # refused: the one-record path decides (name clash, quarantine)
                refused.append(record)
                continue
            try:
                with self._savepoint(kind, record.display_name):
                    self._bind_export(backend, kind, record, None, outcome[0], outcome[1], digest, role)
            except errors.PermanentError as exc:  # the answer names a record linked to another
                self.env["connector.quarantine"]._put(backend, exc, direction="export", kind=kind, record=record)
                self.env["connector.sync.log"]._start(backend, "export", kind, record=record)._finish(
                    "quarantined", error=exc
                )
                results[record] = None
                continue
            if results.get(record, "") is not None:
                results[record] = ", ".join(filter(None, (results.get(record), outcome[0])))
            done.append((record, outcome[0]))
        attempts._forget(backend, [self._role_reference(record, role) for record, role, *_rest in batch])
        if done:
            self.env["connector.sync.log"]._log_done(
                backend, "export", kind, [(external_id, record) for record, external_id in done]
            )
            exported = self.env[batch[0][0]._name].browse([record.id for record, _external_id in done])
            self._resolve_quarantine(backend, "export", kind, record=exported)
        return results, refused

    def _external_ref(self, backend, kind, record, role=None):
        """The external id of ``record``, exporting it first when it is not bound yet. A
        partner's, at a provider that keeps customers and vendors apart, is that of its record
        for ``role`` ("customer" or "vendor"; None: whichever is bound, else the customer)."""
        if kind != "party" or not backend._party_roles_separate():
            role = "all"
        binding = self.env["connector.binding"].sudo()._for_record(backend, kind, record, role)
        if binding:
            return binding.external_id
        return self._export(backend, kind, record, role or "customer")
