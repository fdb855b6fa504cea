"""Reckon One API v2 client, pure Python.

Every call carries the OAuth bearer token **and** the API subscription key
(``Ocp-Apim-Subscription-Key``, PROVIDERS.md §4.1), goes through connector_base's
``HttpClient`` (a timeout on every call, backoff with Retry-After, the request limit of the
connection as a client-side limiter, since Reckon publishes none), and turns Reckon's
answers into typed errors (``faults``). The book id is in every path but ``/books``.

Lists are read ``page``/``perpage`` at a time; ``X-Total-Count`` says how many there are
(``count`` asks for one record to learn it), else the ``Link`` header's ``next``. Changes
are read by ``lastModifiedDateTime`` where the record type has it, keyset-paged (each page
starts at the last stamp read), so a record changed while the list is read is neither
skipped nor lost.

Writes: POST creates (201 ``{id}``/``{id, name}``) and is never repeated after it may have
reached Reckon (no idempotency key); PUT replaces and DELETE removes (204, repeatable);
PATCH is a merge patch (``application/merge-patch+json``, 204, repeatable).
"""

import hashlib
import urllib.parse
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NamedTuple

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http import HttpClient, RetryPolicy, redact
from odoo.addons.connector_base.lib.money import json_dumps, json_loads
from odoo.addons.connector_base.lib.ratelimit import shared_limiter

from . import faults

API_URL = "https://api.reckon.com/r1/v2"
AUTHORIZE_URL = "https://identity.reckon.com/connect/authorize"
TOKEN_URL = "https://identity.reckon.com/connect/token"
REVOKE_URL = "https://identity.reckon.com/connect/revocation"
SCOPE = "openid read write offline_access"
#: Reckon publishes no request limit (PROVIDERS.md §4.7): these are the connection's defaults
REQUESTS_PER_MINUTE = 240
CONCURRENT = 4
#: records per page; Reckon's maximum is not published (the default is 10)
PER_PAGE = 100
STAMP = "lastModifiedDateTime"
OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le", "contains", "startswith", "endswith")
MERGE_PATCH = "application/merge-patch+json"


# ---------------------------------------------------------------------- filter expressions
def literal(value):
    """A value as Reckon's ``filter`` reads it: strings and moments double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        value = moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    elif isinstance(value, date):
        value = f"{value.isoformat()}T00:00:00Z"
    return '"' + str(value).replace('"', '""') + '"'


def where(field, operator, value):
    """One comparison, e.g. ``where("lastModifiedDateTime", "gt", moment)``."""
    if operator not in OPERATORS:
        raise ValueError(f"Reckon's filter has no operator {operator!r}")
    return f"{field} {operator} {literal(value)}"


def all_of(*clauses):
    """Clauses joined with ``and`` (those with an ``or`` in parentheses); None when empty."""
    parts = [f"({c})" if " or " in c else c for c in clauses if c]
    return " and ".join(parts) or None


def any_of(*clauses):
    parts = [c for c in clauses if c]
    return " or ".join(parts) or None


class Page(NamedTuple):
    docs: list
    total: int | None  # X-Total-Count
    next: bool | None  # the Link header names a next page

    def last(self, read, perpage):
        """No page after this one: the count is read, else the Link header names no next, else
        the page was not full."""
        if not self.docs:
            return True
        if self.total is not None:
            return read >= self.total
        if self.next is not None:
            return not self.next
        return len(self.docs) < perpage


class ReckonClient:
    """One book's API (``book_id`` None: only ``books()``). ``token`` is a callable
    ``token(rejected=None) -> access token`` that refreshes when given the refused token.
    ``per_minute`` calls per ``limit_window`` seconds and ``concurrent`` at once are the
    connection's request limit (None: none); ``timeout`` is (connect, read) seconds."""

    def __init__(
        self,
        book_id,
        token,
        subscription_key,
        *,
        api_url=API_URL,
        per_minute=REQUESTS_PER_MINUTE,
        concurrent=CONCURRENT,
        limit_window=60.0,
        per_page=PER_PAGE,
        timeout=(5.0, 60.0),
        max_attempts=5,
        max_delay=60.0,
        sleep=None,
        http=None,
    ):
        self.book_id = str(book_id) if book_id else None
        self._token = token
        self.subscription_key = subscription_key or ""
        self.api_url = api_url.rstrip("/")
        self.per_page = int(per_page)
        key = hashlib.sha256(self.subscription_key.encode()).hexdigest()[:16]  # the gateway counts per key
        windows = ((int(per_minute), float(limit_window)),) if per_minute else ()
        limiter = shared_limiter(
            ("reckon", self.api_url, key, per_minute, limit_window, concurrent), windows, concurrent or None
        )
        kwargs = {"sleep": sleep} if sleep else {}
        self.http = http or HttpClient(
            timeout=timeout,
            retry=RetryPolicy(max_attempts=max_attempts, max_delay=max_delay),
            rate_limiter=limiter,
            error_parser=faults.error_for,
            **kwargs,
        )

    # ------------------------------------------------------------------ transport
    def _url(self, path, book=True):
        if book:
            if not self.book_id:
                raise errors.PayloadValidationError("no Reckon book chosen for this connection")
            return f"{self.api_url}/{self.book_id}/{path.lstrip('/')}"
        return f"{self.api_url}/{path.lstrip('/')}"

    def call(self, method, path, *, params=None, body=None, book=True, idempotent=None):
        """``(decoded body or None, response)``; the token is refreshed once when refused."""
        url = self._url(path, book)
        content_type = MERGE_PATCH if method == "PATCH" else "application/json"
        data = json_dumps(body).encode() if body is not None else None
        token = self._token()
        for attempt in (1, 2):
            headers = {
                "Accept": "application/json",
                "Authorization": f"Bearer {token}",
                "Ocp-Apim-Subscription-Key": self.subscription_key,
            }
            if data is not None:
                headers["Content-Type"] = content_type
            self.http.secrets = (token, self.subscription_key)
            try:
                response = self.http.request(
                    method, url, params=params, data=data, headers=headers, idempotent=idempotent
                )
            except faults.SubscriptionKeyError:
                raise  # a new token does not mend a wrong key
            except errors.AuthError:
                if attempt == 2:
                    raise
                token = self._token(rejected=token)
                continue
            if response.status_code == 204 or not response.content:
                return None, response
            try:
                # money stays Decimal; bytes that are not UTF-8 survive for the canonical check to refuse
                return json_loads(response.content.decode("utf-8", "surrogateescape")), response
            except ValueError:
                raise errors.TransientError(f"Reckon answered no JSON: {redact(response.text, limit=200)}") from None
        raise errors.TransientError("Reckon kept refusing the token")  # not reached

    # ------------------------------------------------------------------ books
    def books(self):
        """The books the connected user can reach (``GET /books``, every page)."""
        return list(self._pages("books", book=False))

    def book(self):
        return self.call("GET", f"books/{self.book_id}", book=False)[0]

    def heartbeat(self):
        return self.call("GET", "heartbeat", book=False)[0]

    # ------------------------------------------------------------------ reading
    def page(self, collection, *, filter=None, orderby=None, page=1, perpage=None, book=True):
        """One ``Page``: its records, ``total`` from ``X-Total-Count`` and ``next`` from the
        ``Link`` header (each None when Reckon does not send it)."""
        params = {"page": page, "perpage": perpage or self.per_page}
        if filter:
            params["filter"] = filter
        if orderby:
            params["orderby"] = orderby
        answer, response = self.call("GET", collection, params=params, book=book)
        total = (response.headers.get("X-Total-Count") or "").strip()
        link = response.headers.get("Link")
        return Page(
            (answer or {}).get("list") or [],
            int(total) if total.isdigit() else None,
            'rel="next"' in link if link is not None else None,
        )

    def _pages(self, collection, *, filter=None, orderby=None, book=True):
        """Every record, page after page. Reckon caps ``perpage`` at a maximum it does not
        publish: a first page shorter than asked, with more to come, is that maximum."""
        number, perpage, read = 1, self.per_page, 0
        while True:
            found = self.page(collection, filter=filter, orderby=orderby, page=number, perpage=perpage, book=book)
            yield from found.docs
            read += len(found.docs)
            if found.last(read, perpage):
                return
            if number == 1 and len(found.docs) < perpage:
                perpage = len(found.docs)
            number += 1

    def iterate(self, collection, *, filter=None, orderby=None):
        """Every record of ``collection`` that matches ``filter``, page after page."""
        return self._pages(collection, filter=filter, orderby=orderby)

    def count(self, collection, *, filter=None):
        """How many records match, from ``X-Total-Count`` (one record read)."""
        total = self.page(collection, filter=filter, perpage=1).total
        if total is not None:
            return total
        return sum(1 for _doc in self.iterate(collection, filter=filter))

    def changed_since(self, collection, since=None, *, field=STAMP, key="id", filter=None):
        """Records with ``field`` after ``since`` (None: all), oldest first, keyset-paged:
        each page asks from the last stamp read, so paging never skips a record that
        changed meanwhile (it comes again, later, with its new stamp)."""
        boundary = since.isoformat() if isinstance(since, datetime) else since
        strict, seen, number, read = True, set(), 1, 0
        while True:
            clause = where(field, "gt" if strict else "ge", boundary) if boundary else None
            found = self.page(collection, filter=all_of(clause, filter), orderby=field, page=number)
            docs = found.docs
            for doc in docs:
                if doc.get(key) not in seen:
                    yield doc
            read += len(docs)
            if found.last(read, self.per_page):
                return
            last = docs[-1].get(field)
            if last is None or (not strict and last == boundary):
                number += 1  # a whole page at one stamp: step through it by page
                seen.update(doc.get(key) for doc in docs)
                continue
            seen = {doc.get(key) for doc in docs if doc.get(field) == last}
            boundary, strict, number, read = last, False, 1, 0

    def get(self, collection, doc_id):
        return self.call("GET", f"{collection}/{urllib.parse.quote(str(doc_id))}")[0]

    def tax_rates(self, on):
        """Tax rates in effect on ``on`` (a date)."""
        return list(self._pages(f"taxrates/{_day(on)}"))

    def tax_groups(self, on):
        return list(self._pages(f"taxgroups/{_day(on)}"))

    # ------------------------------------------------------------------ writing
    def create(self, collection, body):
        """POST: the answer (``{id}`` or ``{id, name}``). Never repeated once it may have reached
        Reckon: a lost answer is ``OutcomeUnknownError``."""
        answer = self.call("POST", collection, body=body, idempotent=False)[0] or {}
        if not answer.get("id"):
            raise errors.OutcomeUnknownError(f"POST {collection}: Reckon answered without an id")
        return answer

    def replace(self, collection, doc_id, body):
        """PUT: a full replace (fields left out are cleared)."""
        self.call("PUT", f"{collection}/{urllib.parse.quote(str(doc_id))}", body=body, idempotent=True)

    def patch(self, collection, doc_id, changes):
        """PATCH as an RFC 7396 merge patch: ``None`` removes a field."""
        self.call("PATCH", f"{collection}/{urllib.parse.quote(str(doc_id))}", body=changes, idempotent=True)

    def delete(self, collection, doc_id):
        self.call("DELETE", f"{collection}/{urllib.parse.quote(str(doc_id))}", idempotent=True)

    def action(self, path):
        """A POST without a body that changes a state once (``bills/{id}/approve``): repeatable."""
        self.call("POST", path, idempotent=True)


def _day(on):
    return on.isoformat()[:10] if isinstance(on, date | datetime) else str(on)[:10]
