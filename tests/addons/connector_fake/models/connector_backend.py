import itertools

from odoo import fields, models

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.money import json_dumps, json_loads
from odoo.addons.connector_base.lib.provider import ProviderAdapter

_seq = itertools.count(1)


class FakeAdapter(ProviderAdapter):
    """Provider adapter over connector.fake.record, with fault injection for tests."""

    readable_kinds = writable_kinds = ("party", "product", "account", "tax", "invoice", "payment", "journal_entry")

    def __init__(self, backend):
        self.backend = backend
        # a company that is a customer and a vendor: two records (QuickBooks-like) or one contact (Reckon-like)
        self.party_roles_separate = bool(backend.fake_roles_separate)
        self.Record = backend.env["connector.fake.record"].sudo()
        self.calls = backend.env.context.get("fake_calls")  # a list the test can inspect

    def _fault(self, op):
        mode = self.backend.fake_fault or ""
        if self.calls is not None:
            self.calls.append(op)
        if mode == "auth":
            raise errors.AuthError("invalid_grant")
        if mode == "throttle":
            raise errors.RateLimitedError("HTTP 429", retry_after=7)
        if mode == "lose_response" and op == "write":
            return "lose"
        return None

    def _find(self, kind, external_id):
        return self.Record.search(
            [("backend_id", "=", self.backend.id), ("kind", "=", kind), ("external_id", "=", str(external_id))], limit=1
        )

    def put(self, kind, record):
        """Test helper: the provider's side changes a record."""
        row = self._find(kind, record["external_id"])
        data = json_dumps(record)
        if row:
            row.write({"data": data, "version": row.version + 1, "seq": next(_seq)})
        else:
            row = self.Record.create(
                {
                    "backend_id": self.backend.id,
                    "kind": kind,
                    "external_id": record["external_id"],
                    "data": data,
                    "seq": next(_seq),
                }
            )
        return row

    def _canonical(self, row):
        data = json_loads(row.data)
        data["external_id"] = row.external_id
        data["version"] = str(row.version)
        return data

    def read(self, kind, external_id):
        self._fault("read")
        row = self._find(kind, external_id)
        if not row:
            raise errors.NotFoundError(f"fake: no {kind} {external_id}")
        return self._canonical(row)

    def changes(self, kind, since=None):
        self._fault("changes")
        domain = [("backend_id", "=", self.backend.id), ("kind", "=", kind)]
        if since and str(since).isdigit():
            domain.append(("seq", ">", int(since)))
        for row in self.Record.search(domain, order="seq"):
            yield self._canonical(row), str(row.seq).zfill(12)

    def write(self, kind, record, *, external_id=None, version=None, reference, idempotency_key):
        lose = self._fault("write")
        if external_id:
            row = self._find(kind, external_id)
            if str(row.version) != str(version):
                raise errors.StaleObjectError("fake: stale version")
            row.write({"data": json_dumps(record), "version": row.version + 1, "seq": next(_seq)})
        else:
            row = self.Record.search([("backend_id", "=", self.backend.id), ("reference", "=", reference)], limit=1)
            if not row:  # idempotent on the reference, like a requestid
                row = self.Record.create(
                    {
                        "backend_id": self.backend.id,
                        "kind": kind,
                        "external_id": f"F{next(_seq)}",
                        "data": json_dumps(record),
                        "reference": reference,
                        "seq": next(_seq),
                    }
                )
        if lose:
            raise errors.OutcomeUnknownError("fake: the response was lost after the commit")
        return row.external_id, str(row.version)

    def find_by_reference(self, kind, reference):
        row = self.Record.search(
            [("backend_id", "=", self.backend.id), ("kind", "=", kind), ("reference", "=", reference)], limit=1
        )
        return (row.external_id, str(row.version)) if row else None

    def test_connection(self):
        self._fault("test")
        return "Fake Company Ltd"


class ConnectorBackend(models.Model):
    _inherit = "connector.backend"

    provider = fields.Selection(selection_add=[("fake", "Fake (tests)")], ondelete={"fake": "cascade"})
    fake_fault = fields.Selection(
        [("auth", "Refuse credentials"), ("throttle", "Throttle"), ("lose_response", "Lose write responses")]
    )
    fake_roles_separate = fields.Boolean("Customers and vendors are separate records")

    def _provider_ready(self):
        return self.provider == "fake" or super()._provider_ready()

    def _get_adapter(self):
        if self.provider != "fake":
            return super()._get_adapter()
        return FakeAdapter(self)
