"""The REST API as the public clients call it, under the ``api_prefix`` setting (``/api``).

Every call: the path is routed first (an unknown one is 404), then the token is checked (401),
then the business (404, "Could not locate a Kashoo instance"), then the kit's guard (429, 5xx,
timeouts). Lists are bare JSON arrays paged by ``limit``/``offset``: past the end, ``[]``.
A write that loses its answer (the ``lose_response`` fault) has committed.
"""

import itertools

from ..kit import Handler, guarded
from . import records as rec
from .settings import COLLECTIONS
from .store import RequestError

NOT_FOUND = "Could not locate a Kashoo instance"
WHICH = {None: None, "customers": "customer", "vendors": "vendor"}


class Answer(Exception):
    """Ends a call early with an answer (a refusal)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class KashooHandler(Handler):
    routes = (
        ("GET POST", "/_sandbox/*", "control"),
        ("GET POST", "/oauth/authorize", "authorize"),
        ("POST", "/oauth/token", "token"),
        ("POST", "/oauth/revoke", "revoke"),
    )
    api_routes = (
        ("POST", "/authTokens", "auth_tokens"),
        ("GET", "/users/me", "me"),
        ("GET", "/users/me/businesses", "businesses"),
        ("POST", "/sync", "sync_open"),
        ("GET POST", "/sync/{sync}/contacts/{which}", "sync_contacts"),
        ("GET POST", "/businesses/{business}/contacts", "contacts"),
        ("GET POST", "/businesses/{business}/contacts/{which}", "contacts"),
        ("GET POST", "/businesses/{business}/accounts", "accounts"),
        ("GET", "/businesses/{business}/taxes", "taxes"),
        ("GET", "/businesses/{business}/records", "records"),
        ("GET POST PUT DELETE", "/businesses/{business}/records/{segment}", "records"),
        ("GET PUT DELETE", "/businesses/{business}/records/{segment}/{record}", "typed_record"),
    )

    # ------------------------------------------------------------------ routing
    def match(self, method):
        found = super().match(method)
        if found or self.parts[:1] in (["_sandbox"], ["oauth"]):
            return found
        settings = self.sandbox.settings
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if settings.api_host and host.lower() != settings.api_host.lower():
            return None
        prefix = settings.prefix_parts()
        if self.parts[: len(prefix)] != prefix:
            return None
        parts, self.parts, self.routes = self.parts, self.parts[len(prefix) :], self.api_routes
        try:
            return super().match(method)
        finally:
            self.parts = parts
            del self.routes

    def not_found(self):
        self.send(404, {"message": NOT_FOUND})

    def base_url(self):
        return f"http://{self.headers.get('Host')}{self.sandbox.settings.api_prefix or ''}"

    def control(self, method, rest):
        return self.sandbox.control.dispatch(self, method, rest)

    def authorize(self, method):
        return self.sandbox.auth.oauth.authorize(self, method)

    def token(self, method):
        return self.sandbox.auth.oauth.token(self)

    def revoke(self, method):
        return self.sandbox.auth.oauth.revoke(self)

    def auth_tokens(self, method):
        return self.sandbox.auth.auth_tokens(self)

    # ------------------------------------------------------------------ one call
    def call(self, work, *, business=None, write=False, off=None):
        """Authenticate, find the business, pass the guard, run ``work(business)`` under the lock.

        ``work`` returns (status, body[, headers]); ``off`` names a collection the ``disabled``
        setting may turn off (404).
        """
        sb = self.sandbox
        sb.count("requests")
        user = sb.auth.user_of(self)
        if sb.faults.take("unauthorized") or user is None:
            sb.count("unauthorized")
            return self.send(401, {"message": "Your authentication token is invalid or expired"})
        found = None
        if business is not None:
            found = sb.tenant(business) if business.isdigit() else None
            if found is None or off in sb.settings.disabled:
                return self.not_found()

        def run():
            try:
                with sb.lock:
                    status, body, *headers = work(found)
            except (RequestError, Answer) as exc:
                return self.send(exc.status, {"message": str(exc)})
            if write and sb.faults.hit("lose_response"):
                sb.count("lost_answers")
                return self.drop()  # committed, but the answer never arrives
            if isinstance(body, str):
                return self.send(status, body.encode(), "text/plain; charset=utf-8", *headers)
            return self.send(status, body, headers=headers[0] if headers else None)

        def throttled():
            retry = sb.faults.retry_after or sb.limits.retry_after(key)
            return self.send(429, {"message": "Too many requests"}, headers={"Retry-After": str(retry)})

        key = self.headers.get("Authorization", "")
        return guarded(sb, key, run, throttled=throttled, failed=lambda: self.send(500, {"message": "Server error"}))

    def page(self, items):
        """One page of a list: ``limit`` (default ``default_limit``, at most ``max_limit``) from ``offset``."""
        settings = self.sandbox.settings
        try:
            limit = int(self.query.get("limit", settings.default_limit))
            offset = int(self.query.get("offset", 0))
        except ValueError:
            raise Answer(400, "limit and offset are whole numbers") from None
        if limit < 1 or offset < 0:
            raise Answer(400, "limit is at least 1 and offset at least 0")
        if settings.max_limit:
            limit = min(limit, settings.max_limit)
        return list(itertools.islice(items, offset, offset + limit))

    def created(self, body, url):
        settings = self.sandbox.settings
        headers = {"Location": url}
        return settings.create_status, (url if settings.create_answer == "url" else body), headers

    # ------------------------------------------------------------------ users, businesses
    def me(self, method):
        user = self.sandbox.auth.user
        return self.call(lambda _b: (200, {"id": user["id"], "email": user["email"]}))

    def businesses(self, method):
        sb = self.sandbox
        return self.call(lambda _b: (200, [b.wire_business(self.base_url()) for b in sb.tenants.values()]))

    def taxes(self, method, business):
        if not self.sandbox.settings.tax_list:
            return self.not_found()
        return self.call(lambda b: (200, b.tax_list()), business=business)

    # ------------------------------------------------------------------ contacts
    def sync_open(self, method):
        if self.sandbox.settings.contacts == "business":
            return self.not_found()

        def work(_b):
            body = self.json_body() if "json" in self.headers.get("Content-Type", "") else self.form_body()
            business = self.sandbox.tenant(body.get("business")) if str(body.get("business", "")).isdigit() else None
            if business is None:
                raise Answer(404, NOT_FOUND)
            sync_id = self.sandbox.next_id()
            self.sandbox.syncs[sync_id] = business.id
            return 200, {"id": sync_id, "business": business.id, "description": body.get("description")}

        return self.call(work)

    def sync_contacts(self, method, sync, which):
        sb = self.sandbox
        business = sb.syncs.get(int(sync)) if sync.isdigit() else None
        if sb.settings.contacts == "business" or business is None or which not in ("customers", "vendors"):
            return self.not_found()
        return self._contacts(method, str(business), which)

    def contacts(self, method, business, which=None):
        if self.sandbox.settings.contacts == "sync" or which not in WHICH:
            return self.not_found()
        return self._contacts(method, business, which)

    def _contacts(self, method, business, which):
        role = WHICH[which]

        def work(b):
            if method == "GET":
                return 200, self.page(b.list_contacts(role))
            contact = b.add_contact(self.json_body(), [role] if role else [])
            b.changed("contact", contact["id"], "created")
            url = f"{self.base_url()}/businesses/{b.id}/contacts/{contact['id']}"
            return self.created(b.wire_contact(contact), url)

        return self.call(work, business=business, write=method == "POST", off="contacts")

    # ------------------------------------------------------------------ accounts
    def accounts(self, method, business):
        def work(b):
            if method == "GET":
                wanted = self.query.get("type")
                chosen = [b.accounts[k] for k in sorted(b.accounts) if wanted in (None, b.accounts[k]["type"])]
                return 200, self.page(chosen)
            body = self.json_body()
            if body.get("id") is not None and self.sandbox.settings.ids_in_create == "refuse":
                raise RequestError("id: leave ids null or absent to create")
            account = b.add_account(body)
            b.changed("account", account["id"], "created")
            return self.created(account, f"{self.base_url()}/businesses/{b.id}/accounts/{account['id']}")

        return self.call(work, business=business, write=method == "POST", off="accounts")

    # ------------------------------------------------------------------ records
    def records(self, method, business, segment=None):
        settings = self.sandbox.settings
        if segment is not None and segment.isdigit():
            if settings.record_path != "flat":
                return self.not_found()
            return self._one(method, business, int(segment), None)
        if segment is not None and segment not in COLLECTIONS or method in ("PUT", "DELETE"):
            return self.not_found()
        kind = COLLECTIONS.get(segment)
        if method == "POST" and kind not in rec.DOCUMENTS and kind not in rec.PAYMENTS:
            return self.not_found()

        def work(b):
            if method == "POST":
                record = rec.create(b, kind, self.json_body())
                b.changed(record, record["id"], "created")
                return self.created(b.wire(record), self.record_url(b, record))
            start = rec.day(self.query.get("startDate"), "startDate")
            end = rec.day(self.query.get("endDate"), "endDate")
            paid = b.paid()
            chosen = b.list_records(None if kind is None else {kind}, start, end)
            return 200, [b.wire(record, paid) for record in self.page(chosen)]

        return self.call(work, business=business, write=method == "POST", off=segment or "records")

    def typed_record(self, method, business, segment, record):
        if self.sandbox.settings.record_path != "typed" or segment not in COLLECTIONS or not record.isdigit():
            return self.not_found()
        return self._one(method, business, int(record), COLLECTIONS[segment])

    def record_url(self, business, record):
        base = f"{self.base_url()}/businesses/{business.id}/records"
        if self.sandbox.settings.record_path == "typed":
            segment = next((s for s, k in COLLECTIONS.items() if k == record["kind"]), None)
            return f"{base}/{segment}/{record['id']}" if segment else f"{base}/{record['id']}"
        return f"{base}/{record['id']}"

    def _one(self, method, business, record_id, kind):
        def work(b):
            record = b.records.get(record_id)
            if record is None or (kind and record["kind"] != kind):
                raise Answer(404, NOT_FOUND)
            if method == "PUT":
                record = rec.update(b, record, self.json_body())
                b.changed(record, record_id, "updated")
            elif method == "DELETE":
                record["removed"] = True
                b.changed(record, record_id, "deleted")
                return 204, b""
            return 200, b.wire(record)

        return self.call(work, business=business, write=method != "GET", off="records")
