"""``/_sandbox/...`` for Kashoo: the kit's actions plus what Kashoo needs.

The business is named by ``business`` (its id) in the body or the query, else the first one.
Beyond the kit's ``reset``, ``seed``, ``generate``, ``faults``, ``limits``, ``clients``, GET
``stats`` and GET ``docs/<records|contacts|accounts>``:

* ``settings``: POST ``{"name": value, ...}`` changes switches (all checked first), GET shows them;
* ``token``: ``{"form": "uuid"|"json", "ttl": seconds}`` a user token as a browser would show it,
  ``{"token": ..., "header": "TOKEN ...:..."}``;
* ``expire_tokens``: every user token and OAuth access token expires now;
* ``user``: ``{"email", "password"}`` the user's credentials;
* ``business``: ``{"name", "province", "currency", "businessNumber"}`` adds a business;
* ``change``: what a person does in Kashoo's own screens, no token needed:
  ``{"record": id, "removed": true}``, ``{"record": id, "fields": {...}}`` (saved back as a PUT),
  ``{"kind": "invoice", "fields": {...}}`` (created), ``{"contact": id, "fields": {...}}``;
* ``notifications``: ``{"url", "secret", "batch", "retry_scale"}`` signed change notifications
  (``notify.py``; off while ``url`` is null); ``flush`` sends what is due now.
"""

from ..kit import Control
from . import records as rec
from .store import CONTACT_KEYS, RequestError


class KashooControl(Control):
    tenant_key = "business"
    errors = (RequestError, KeyError, ValueError, TypeError)

    def dispatch(self, handler, method, rest):
        if method == "GET" and rest[:1] == ["settings"]:  # the one action that is read and written
            return handler.send(200, self.sandbox.settings.as_dict())
        return super().dispatch(handler, method, rest)

    def do_settings(self, tenant, body, args):
        with self.sandbox.lock:
            return self.sandbox.settings.update({k: v for k, v in body.items() if k != self.tenant_key})

    def do_token(self, tenant, body, args):
        form = body.get("form") or self.sandbox.settings.token_form
        if form not in ("uuid", "json"):
            raise ValueError("form: uuid or json")
        ttl = body.get("ttl")
        token = self.sandbox.token(form, None if ttl is None else float(ttl))
        return {"token": token, "header": f"TOKEN {form}:{token}"}

    def do_expire_tokens(self, tenant, body, args):
        self.sandbox.auth.expire_all()
        return {"ok": True}

    def do_user(self, tenant, body, args):
        user = self.sandbox.auth.user
        user.update({k: body[k] for k in ("email", "password") if k in body})
        return {"id": user["id"], "email": user["email"]}

    def do_business(self, tenant, body, args):
        with self.sandbox.lock:
            fields = {"province": body.get("province", "BC"), "currency": body.get("currency", "CAD")}
            business = self.sandbox.add_business(body.get("name") or "Sandbox Business", **fields)
            business.business_number = body.get("businessNumber")
        return {"business": business.id}

    def do_change(self, tenant, body, args):
        with self.sandbox.lock:
            if body.get("contact"):
                contact = tenant.contacts[body["contact"]]
                fields = body.get("fields", {})
                unknown = set(fields) - set(CONTACT_KEYS) - {"removed"}
                if unknown:
                    raise ValueError(f"unknown contact fields {', '.join(sorted(unknown))}")
                contact.update(fields)
                tenant.changed("contact", contact["id"], "deleted" if fields.get("removed") else "updated")
                return tenant.wire_contact(contact)
            if body.get("record"):
                record = tenant.records[body["record"]]
                if body.get("removed") is not None:
                    record["removed"] = bool(body["removed"])
                if body.get("fields"):
                    record = rec.update(tenant, record, body["fields"])
                tenant.changed(record, record["id"], "deleted" if record["removed"] else "updated")
                return tenant.wire(record)
            record = rec.create(tenant, body["kind"], {**body.get("fields", {}), "id": None})
            tenant.changed(record, record["id"], "created")
            return tenant.wire(record)

    def do_notifications(self, tenant, body, args):
        with self.sandbox.lock:
            return self.sandbox.notifier.configure({k: v for k, v in body.items() if k != self.tenant_key})

    def do_flush(self, tenant, body, args):
        return {"sent": self.sandbox.notifier.flush()}
