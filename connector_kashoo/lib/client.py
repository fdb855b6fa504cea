"""Kashoo's REST API client, pure Python, on connector_base's ``HttpClient``.

* A user token comes from ``POST {api}/authTokens`` once, with the e-mail and password as form
  fields or HTTP Basic (``obtain_user_token``); the password is used for that call only.
* Every call sends the token the connection's way (``TOKEN uuid:``, ``TOKEN json:`` or OAuth
  ``Bearer``), has a (connect, read) timeout, is retried with backoff on 429 (``Retry-After``)
  and 5xx when that is safe, and fails with a typed error: 401 ``AuthError`` (one message: the
  connection needs reconnecting), 404 ``NotFoundError``, 400 ``ProviderValidationError``. A
  create (POST) is never sent twice: a lost answer, a timeout or a 500 after sending is an
  ``OutcomeUnknownError``, for the caller to look the record up by its stamp.
* Lists are bare arrays paged by ``limit``/``offset`` until an empty one; records filter on
  ``startDate``/``endDate``.
"""

import json
import re
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http import HttpClient, RetryPolicy, parse_retry_after, redact
from odoo.addons.connector_base.lib.money import json_dumps, json_loads
from odoo.addons.connector_base.lib.ratelimit import RateLimiter, shared_limiter

NEEDS_RECONNECT = (
    "Kashoo no longer accepts this connection's token (it expired or was revoked): reconnect the "
    "connection (sign in with the Kashoo e-mail and password again, or paste a new token)"
)
THROTTLE_WAIT = 60.0  # seconds, when a 429 has no Retry-After
_ID_AT_END = re.compile(r"/(\d+)/?$")


@dataclass(frozen=True)
class UserToken:
    """A user token as ``authTokens`` answered it: ``form`` uuid or json; ``expires_at`` (epoch s)."""

    text: str
    form: str
    expires_at: float | None = None


def parse_token(text):
    """A token pasted or answered in any of its shapes (with or without ``TOKEN json:``)."""
    text = (text or "").strip()
    if text.lower().startswith("authorization:"):
        text = text[len("authorization:") :].strip()
    for prefix in ("token uuid:", "token json:", "bearer "):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :].strip()
            break
    if text.startswith('"') and text.endswith('"'):
        text = json.loads(text)
    if not text:
        raise errors.AuthError("Kashoo gave no token")
    if text.startswith("{"):
        try:
            token = json.loads(text)
        except ValueError:
            raise errors.AuthError("the Kashoo token looks like JSON but does not parse") from None
        expiry = token.get("expiryDate") if isinstance(token, dict) else None
        expires_at = expiry / 1000 if isinstance(expiry, int | float) and not isinstance(expiry, bool) else None
        return UserToken(json.dumps(token, separators=(",", ":")), "json", expires_at)
    return UserToken(text, "uuid")


def error_for(response):
    """The typed error of an unsuccessful Kashoo answer (``{"message": ...}`` or any text)."""
    status = response.status_code
    try:
        body = json_loads(response.text)
    except ValueError:
        body = None
    message = body.get("message") if isinstance(body, dict) else None
    message = message or redact(response.text, limit=300) or response.reason or ""
    method = getattr(response.request, "method", "GET")
    where = urllib.parse.urlsplit(getattr(response.request, "url", "") or "").path
    text = f"Kashoo {status} on {method} {where}: {message}"
    if status == 401:
        return errors.AuthError(NEEDS_RECONNECT, details={"status": 401, "message": message})
    if status == 403:
        return errors.AuthError(
            f"Kashoo refused access ({message}): the business needs an active subscription and the user a role "
            "that reaches its books",
            details={"status": 403},
        )
    if status == 404:
        return errors.NotFoundError(text, details={"status": 404, "path": where})
    if status == 429:
        return errors.RateLimitedError(text)
    if status >= 500:
        if method == "POST" and status != 503:  # a create may have happened: never sent again blindly
            return errors.OutcomeUnknownError(text)
        return errors.TransientError(text)
    return errors.ProviderValidationError(text, details={"status": status, "message": message})


def _error_parser(response):
    error = error_for(response)
    if isinstance(error, errors.RateLimitedError):
        error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if error.retry_after is None:
            error.retry_after = THROTTLE_WAIT
    return error


def _http(settings, sleep=None, limiter=None):
    if limiter is None and settings.per_minute:
        limiter = shared_limiter(("kashoo", settings.api_url, settings.business_id), ((settings.per_minute, 60.0),))
    kwargs = {"sleep": sleep} if sleep else {}
    return HttpClient(
        timeout=settings.timeout,
        retry=RetryPolicy(max_attempts=settings.max_attempts, max_delay=60.0),
        rate_limiter=limiter or RateLimiter(),
        error_parser=_error_parser,
        **kwargs,
    )


def obtain_user_token(settings, email, password, *, http=None):
    """A user token from ``POST {api}/authTokens`` (form fields or HTTP Basic per ``credentials``).

    The password is sent once and kept nowhere; a refusal is an ``AuthError``."""
    if not email or not password:
        raise errors.AuthError("Kashoo needs the e-mail and the password of a user of the business")
    http = http or _http(settings)
    url = f"{settings.api_url}/authTokens"
    if settings.credentials == "basic":  # [C-CMM]: Basic with the body []
        kwargs = {"auth": (email, password), "data": b"[]", "headers": {"Content-Type": "application/json"}}
    else:
        kwargs = {"data": {"email": email, "password": password}}
    http.secrets = (password,)
    try:
        response = http.request("POST", url, idempotent=True, **kwargs)
    except errors.AuthError:
        raise errors.AuthError("Kashoo refused the e-mail or the password") from None
    finally:
        http.secrets = ()
    return parse_token(response.text)


class KashooClient:
    """One Kashoo business. ``token``: the token text, or for OAuth ``token(rejected=None)``."""

    def __init__(self, settings, token, *, http=None, sleep=None, clock=time.time):
        self.settings = settings
        self._token = token
        self._clock = clock
        self.http = http or _http(settings, sleep)
        self._sync_id = None

    def with_settings(self, **changes):
        """The same connection with some settings changed (sharing its token and HTTP session)."""
        return KashooClient(self.settings.with_changes(**changes), self._token, http=self.http, clock=self._clock)

    # ------------------------------------------------------------------ transport
    def _header(self, rejected=None):
        mode = self.settings.auth_mode
        if mode == "oauth2":
            try:
                access = self._token(rejected=rejected) if callable(self._token) else self._token
            except errors.AuthError as exc:
                raise errors.AuthError(NEEDS_RECONNECT, details={"cause": str(exc)}) from None
            return f"Bearer {access}", access
        token = parse_token(self._token() if callable(self._token) else self._token)
        wanted = "json" if mode == "token_json" else "uuid"
        if token.form != wanted:
            raise errors.AuthError(
                f"The Kashoo token is a {token.form} token but the connection sends TOKEN {wanted}: set the auth "
                f"mode to TOKEN {token.form}:"
            )
        if token.expires_at is not None and token.expires_at <= self._clock():
            when = datetime.fromtimestamp(token.expires_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
            raise errors.AuthError(f"{NEEDS_RECONNECT} (it expired on {when})")
        return f"TOKEN {wanted}:{token.text}", token.text

    def call(self, method, path, *, params=None, body=None, expect_json=True, idempotent=None):
        """One API call under the prefix; return the parsed JSON (or the response). ``idempotent``:
        a POST that is safe to send again (see ``HttpClient.request``)."""
        url = f"{self.settings.api_url}{path}"
        header, secret = self._header()
        for attempt in (1, 2):
            headers = {"Accept": "application/json", "Authorization": header}
            data = None
            if body is not None:
                headers["Content-Type"] = "application/json"
                data = json_dumps(body).encode()
            self.http.secrets = (secret,)
            try:
                response = self.http.request(
                    method, url, params=params, data=data, headers=headers, idempotent=idempotent
                )
            except errors.AuthError:
                if attempt == 2 or self.settings.auth_mode != "oauth2" or not callable(self._token):
                    raise
                header, secret = self._header(rejected=secret)  # a refreshed access token, once
                continue
            if not expect_json:
                return response
            return self._json(response, method, path)
        raise errors.AuthError(NEEDS_RECONNECT)  # not reached

    @staticmethod
    def _json(response, method, path):
        if response.status_code == 204 or not response.content:
            return None
        try:
            return json_loads(response.content.decode("utf-8", "surrogateescape"))
        except ValueError:
            raise errors.TransientError(
                f"Kashoo answered {method} {path} with no JSON: {redact(response.text, limit=200)}"
            ) from None

    def business_path(self, rest=""):
        if not self.settings.business_id:
            raise errors.ProviderValidationError("No Kashoo business chosen for this connection")
        return f"/businesses/{int(self.settings.business_id)}{rest}"

    # ------------------------------------------------------------------ lists
    def page(self, path, *, offset=0, limit=None, params=None):
        """One page of a list: a bare array (anything else is refused)."""
        query = dict(params or {}, limit=limit or self.settings.page_size, offset=offset)
        answer = self.call("GET", path, params=query)
        if not isinstance(answer, list):
            raise errors.ProviderValidationError(
                f"Kashoo answered GET {path} with {type(answer).__name__} where a list was expected"
            )
        return answer

    def list_all(self, path, params=None):
        """Every item of a list, page after page, until an empty page (a short page is not the end)."""
        offset, previous = 0, None
        while True:
            page = self.page(path, offset=offset, params=params)
            if not page:
                return
            first = page[0].get("id") if isinstance(page[0], dict) else None
            if offset and first is not None and first == previous:
                raise errors.ProviderValidationError(f"Kashoo ignores offset on GET {path}: the same page came back")
            previous = first
            yield from page
            offset += len(page)

    def businesses(self):
        answer = self.call("GET", "/users/me/businesses")
        if not isinstance(answer, list):
            raise errors.ProviderValidationError("Kashoo answered /users/me/businesses with no list")
        return answer

    def records(self, collection=None, start=None, end=None):
        """Records of a collection (None: every type, ``/records``) dated within [start, end]."""
        params = {k: v for k, v in (("startDate", start), ("endDate", end)) if v}
        path = self.business_path("/records" + (f"/{collection}" if collection else ""))
        return self.list_all(path, params)

    def accounts(self, account_type=None):
        return self.list_all(self.business_path("/accounts"), {"type": account_type} if account_type else None)

    def taxes(self):
        answer = self.call("GET", self.business_path("/taxes"))
        return answer if isinstance(answer, list) else []

    # ------------------------------------------------------------------ contacts
    def contacts_path(self, role=None, fresh=False):
        """The contacts list of ``role`` (customers, vendors) per the ``contacts_path`` setting."""
        template = self.settings.contacts_path
        values = {"business": self.settings.business_id, "role": role or "customers"}
        if "{sync}" in template:
            if self._sync_id is None or fresh:
                # opening a sync session is a read: it changes nothing in the books, and one that
                # may have opened without its answer is simply opened again (a timeout is retried
                # here, a 5xx by the job)
                try:
                    answer = self.call(
                        "POST",
                        "/sync",
                        body={"business": self.settings.business_id, "description": "Odoo connector"},
                        idempotent=True,
                    )
                except errors.OutcomeUnknownError as exc:
                    raise errors.TransientError(
                        f"Kashoo did not answer the opening of a contacts list: {exc}"
                    ) from None
                self._sync_id = (answer or {}).get("id")
            values["sync"] = self._sync_id
        return template.format(**values)

    def contact_roles(self):
        """The role segments to list: both, or None (one list with flags)."""
        return ("customers", "vendors") if "{role}" in self.settings.contacts_path else (None,)

    def contacts(self, role=None):
        """Every contact of a role segment (``customers``/``vendors``), or of the one list."""
        try:
            yield from self.list_all(self.contacts_path(role))
        except errors.NotFoundError:
            if "{sync}" not in self.settings.contacts_path:
                raise
            yield from self.list_all(self.contacts_path(role, fresh=True))  # a sync session that lapsed

    # ------------------------------------------------------------------ one record
    def record_path(self, record_id, collection=None):
        mode = self.settings.record_path
        if mode == "none":
            return None
        if mode == "typed":
            if not collection:
                return None
            return self.business_path(f"/records/{collection}/{int(record_id)}")
        return self.business_path(f"/records/{int(record_id)}")

    def record(self, record_id, collection=None):
        path = self.record_path(record_id, collection)
        if path is None:
            raise errors.NotFoundError(f"Kashoo has no path to one record (record_path {self.settings.record_path})")
        return self.call("GET", path)

    # ------------------------------------------------------------------ writes
    def create(self, path, body):
        """POST a new entity; return it as Kashoo answered it (read back when only its URL came)."""
        response = self.call("POST", path, body=body, expect_json=False)
        doc = None
        if "json" in response.headers.get("Content-Type", "") or response.text.lstrip().startswith("{"):
            doc = self._json(response, "POST", path)
        if isinstance(doc, dict) and doc.get("id") is not None:
            return doc
        location = response.headers.get("Location") or (response.text or "").strip()
        found = _ID_AT_END.search(urllib.parse.urlsplit(location).path) if location else None
        if not found:
            raise errors.OutcomeUnknownError(f"Kashoo created something at {path} but named no id or URL")
        new_id = int(found.group(1))
        try:
            return self.call("GET", urllib.parse.urlsplit(location).path.removeprefix(self.settings.api_prefix or ""))
        except errors.ConnectorError:
            return {"id": new_id}

    def create_record(self, collection, body):
        return self.create(self.business_path(f"/records/{collection}"), body)

    def update_record(self, record_id, collection, body):
        path = self.record_path(record_id, collection)
        if path is None:
            raise errors.PermanentError(f"Kashoo's record path is unknown (record_path {self.settings.record_path})")
        return self.call("PUT", path, body=dict(body, id=int(record_id)))

    def delete_record(self, record_id, collection):
        path = self.record_path(record_id, collection)
        if path is None:
            raise errors.PermanentError(f"Kashoo's record path is unknown (record_path {self.settings.record_path})")
        return self.call("DELETE", path, expect_json=False)

    def create_account(self, body):
        return self.create(self.business_path("/accounts"), body)

    def create_contact(self, role, body):
        return self.create(self.contacts_path(role), body)
