"""``/_sandbox/...`` for Wave: the kit's actions plus what Wave needs.

The business is named by ``business`` (its uuid or Wave id) in the body or the query, else the
first one. Beyond the kit's ``reset``, ``seed``, ``generate``, ``faults``, ``limits``,
``expire_tokens``, ``clients``, GET ``stats`` and GET ``docs/<Kind>``:

* ``full_access_token``: ``{"token": ...}``, a developer's Full Access Token (every business);
* ``business``: ``{"create": true, "name", "currency", "country", "plan"}`` adds a business; without
  ``create`` it changes the named one (``plan`` PRO / ADVISOR / STARTER, ``isClassicAccounting``,
  ``emailSendEnabled``, ``payment_terms_days``, ``name``);
* ``change``: what a person does in Wave's own screens (no token, notifications follow):
  ``{"kind": "Vendor", "id": ..., "fields": {...}}`` or ``{"kind": ..., "id": ..., "delete": true}``
  or ``{"kind": "Vendor", "fields": {...}}`` to create one;
* ``clock``: ``{"offset_days": 3}`` moves the sandbox's clock;
* ``notifications``: ``{"url", "secret", "batch", "retry_scale"}``; ``flush`` sends what is due now.
"""

from ..kit import Control
from .store import InputErrors


class WaveControl(Control):
    tenant_key = "business"
    errors = (InputErrors, KeyError, ValueError)

    def do_full_access_token(self, tenant, body, args):
        return {"token": self.sandbox.full_access_token()}

    def do_business(self, tenant, body, args):
        sb = self.sandbox
        with sb.lock:
            if body.get("create"):
                settings = {k: body[k] for k in ("currency", "country", "province", "plan") if k in body}
                tenant = sb.add_business(body.get("name") or "Sandbox Business", **settings)
            for key in ("plan", "payment_terms_days"):
                if key in body:
                    setattr(tenant, key, body[key])
            for key in ("name", "isClassicAccounting", "emailSendEnabled", "isArchived"):
                if key in body:
                    tenant.doc[key] = body[key]
        return {"business": tenant.id, "uuid": tenant.uuid, "plan": tenant.plan}

    def do_change(self, tenant, body, args):
        kind = body["kind"]
        with self.sandbox.lock:
            if not body.get("id"):
                fields = {"isArchived": False, "address": None, "shippingDetails": None, **body.get("fields", {})}
                record = tenant.add(kind, fields)
                return {"id": tenant.ref(kind, record["n"])}
            number = tenant.number(kind, body["id"])
            if number is None:
                raise KeyError(f"{kind} {body['id']} is not in this business")
            if body.get("delete"):
                tenant.remove(kind, number)
                return {"deleted": body["id"]}
            record = tenant.tables[kind][number]
            record.update(body.get("fields", {}))
            tenant.touch(kind, record)
            return {"id": body["id"]}

    def do_clock(self, tenant, body, args):
        self.sandbox.clock_offset_days = float(body.get("offset_days", 0))
        return {"now": tenant.now().isoformat()}

    def do_notifications(self, tenant, body, args):
        return self.sandbox.notifier.configure(body)

    def do_flush(self, tenant, body, args):
        return {"sent": self.sandbox.notifier.flush()}

    def do_clients(self, tenant, body, args):
        self.sandbox.app_names[body["client_id"]] = body.get("name") or body["client_id"]
        return super().do_clients(tenant, body, args)

    def do_stats(self, tenant, body, args):
        stats = super().do_stats(tenant, body, args)
        with self.sandbox.notifier.lock:
            stats["notifications"] = [(status, body.decode()) for status, body in self.sandbox.notifier.log[-200:]]
        return stats
