"""QuickBooks Online Accounting API v3 client, pure Python.

Talks HTTP through connector_base's ``HttpClient`` (timeouts, backoff, Retry-After) and
turns every QuickBooks fault, including a Fault inside an HTTP 200 and the XML or
odd-JSON authentication errors, into connector_base's typed errors. Every write carries
a ``requestid`` so that a retry after a lost answer changes nothing twice.
"""

import re
import urllib.parse
from datetime import UTC, datetime, timedelta

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http import HttpClient, RetryPolicy, parse_retry_after, redact
from odoo.addons.connector_base.lib.money import json_dumps, json_loads
from odoo.addons.connector_base.lib.ratelimit import shared_limiter

PRODUCTION_API = "https://quickbooks.api.intuit.com"
SANDBOX_API = "https://sandbox-quickbooks.api.intuit.com"
AUTHORIZE_URL = "https://appcenter.intuit.com/connect/oauth2"
TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
REVOKE_URL = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
SCOPE = "com.intuit.quickbooks.accounting"
MINOR_VERSION = 75
MAX_RESULTS = 1000
CDC_MAX_OBJECTS = 1000
CDC_MAX_AGE = timedelta(days=30)
BATCH_SIZE = 30
#: published limits: 500 requests a minute and 10 at once per realm; 40 batches a minute
LIMIT_WINDOWS = ((480, 60.0),)  # a little under 500: Intuit's minute and ours do not start together
LIMIT_CONCURRENT = 10
BATCH_WINDOWS = ((38, 60.0),)  # under 40 for the same reason: a 41st in Intuit's minute is a 429
THROTTLE_WAIT = 60.0

_XML_CODE = re.compile(r'<Error[^>]*code="(\d+)"', re.S)
_XML_MESSAGE = re.compile(r"<Message>(.*?)</Message>", re.S)
_ERROR_CODE = re.compile(r"errorCode=0*(\d+)")


def parse_fault(status, text):
    """The typed error for a QuickBooks answer, or None when it is not a fault.

    Handles the documented JSON ``Fault``, the odd ``fault``/``error`` shape and XML."""
    code, message, fault_type = None, None, ""
    body = None
    if text and text.lstrip().startswith("<"):
        found = _XML_CODE.search(text)
        code = found.group(1) if found else None
        found = _XML_MESSAGE.search(text)
        message = found.group(1) if found else text[:200]
        fault_type = "AUTHENTICATION" if "AUTHENTICATION" in text else ""
    elif text:
        try:
            body = json_loads(text)
        except ValueError:
            body = None
    if isinstance(body, dict):
        fault = body.get("Fault") or body.get("fault")
        if not fault:
            if status < 400:
                return None
            if body.get("error"):  # OAuth endpoints
                message = body.get("error_description") or body["error"]
        else:
            return fault_error(status, fault)
    elif status < 400:
        return None
    return error_for(status, code, message or redact(text, limit=300), fault_type)


def fault_error(status, fault):
    """The typed error of a QuickBooks ``Fault`` object (an answer's, or a batch item's)."""
    items = fault.get("Error") or fault.get("error") or [{}]
    first = items[0] if items else {}
    code = str(first.get("code") or "") or None
    message = first.get("Detail") or first.get("detail") or first.get("Message") or first.get("message")
    raw = first.get("Message") or first.get("message") or ""
    found = _ERROR_CODE.search(raw)
    if found and not code:
        code = found.group(1)
    return error_for(status, code, message or redact(json_dumps(fault), limit=300), fault.get("type") or "")


def error_for(status, code, message, fault_type=""):
    """Map an HTTP status and a QuickBooks error code to a typed error."""
    text = f"QuickBooks {code or status}: {message}"
    number = int(code) if code and str(code).isdigit() else None
    if status == 429 or number == 3001 or "throttle" in fault_type.lower():
        return errors.RateLimitedError(text)  # the caller applies Retry-After, else THROTTLE_WAIT
    if status == 401 or number in (100, 3200) or fault_type.upper() in ("AUTHENTICATION", "AUTHENTICATIONFAULT"):
        return errors.AuthError(text)
    if status == 403 or number in (120, 3100) or fault_type in ("AuthorizationFault",):
        return errors.AuthError(text)
    if number == 5010:
        return errors.StaleObjectError(text)
    if number == 6240:
        return errors.NameCollisionError(text)
    if number == 6210 or (message and "period closed" in message.lower()):
        return errors.ClosedPeriodError(text)
    if number == 610 or status == 404:
        return errors.NotFoundError(text)
    if status >= 500 or fault_type == "SystemFault" or (number is not None and number >= 10000):
        return errors.TransientError(text)
    return errors.ProviderValidationError(text, details={"code": code, "status": status})


def _error_parser(response):
    error = parse_fault(response.status_code, response.text) or errors.ProviderValidationError(
        f"HTTP {response.status_code}: {redact(response.text, limit=300)}"
    )
    if isinstance(error, errors.RateLimitedError):
        # Intuit: "wait 60 s before retrying", unless the answer says otherwise
        error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if error.retry_after is None:
            error.retry_after = THROTTLE_WAIT
    return error


def qbo_datetime(value):
    """An aware datetime as QuickBooks writes it in queries (ISO 8601 with an offset)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")


def parse_datetime(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def quote(value):
    return "'" + str(value).replace("'", "\\'") + "'"


class QuickBooksClient:
    """One realm's API. ``token`` is a callable ``token(rejected=None) -> access token``."""

    def __init__(
        self,
        realm_id,
        token,
        *,
        api_url=SANDBOX_API,
        minor_version=MINOR_VERSION,
        http=None,
        timeout=(5.0, 60.0),
        max_attempts=5,
        sleep=None,
    ):
        if int(minor_version) < 75:
            raise ValueError("QuickBooks no longer serves minor versions below 75")
        self.realm_id = str(realm_id)
        self._token = token
        self.base = f"{api_url.rstrip('/')}/v3/company/{self.realm_id}"
        self.minor_version = int(minor_version)
        kwargs = {"sleep": sleep} if sleep else {}
        self.http = http or HttpClient(
            timeout=timeout,
            retry=RetryPolicy(max_attempts=max_attempts, max_delay=60.0),
            rate_limiter=shared_limiter(("quickbooks", api_url, self.realm_id), LIMIT_WINDOWS, LIMIT_CONCURRENT),
            error_parser=_error_parser,
            **kwargs,
        )
        self.batch_limiter = shared_limiter(("quickbooks-batch", api_url, self.realm_id), BATCH_WINDOWS)

    # ------------------------------------------------------------------ transport
    def _call(self, method, path, *, params=None, body=None, idempotent=None, content_type="application/json"):
        params = dict(params or {}, minorversion=self.minor_version)
        url = f"{self.base}/{path}"
        token = self._token()
        for attempt in (1, 2):
            headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
            data = None
            if body is not None:
                headers["Content-Type"] = content_type
                data = body if isinstance(body, str | bytes) else json_dumps(body)
                if isinstance(data, str):
                    data = data.encode()
            self.http.secrets = (token,)
            try:
                response = self.http.request(
                    method, url, params=params, data=data, headers=headers, idempotent=idempotent
                )
            except errors.AuthError:
                if attempt == 2:
                    raise
                token = self._token(rejected=token)  # refresh once, then give up
                continue
            fault = parse_fault(response.status_code, response.text)
            if fault is not None:  # a Fault inside an HTTP 200
                if isinstance(fault, errors.RetryableError) and attempt == 1:
                    continue
                raise fault
            try:
                # strictly UTF-8, as the API promises; bytes that are no text survive as lone
                # surrogates, which the canonical check turns into a typed error for that record
                return json_loads(response.content.decode("utf-8", "surrogateescape"))
            except ValueError:
                raise errors.TransientError(
                    f"QuickBooks answered no JSON: {redact(response.text, limit=200)}"
                ) from None
        raise errors.TransientError("QuickBooks kept failing")  # not reached

    # ------------------------------------------------------------------ reading
    def query(self, statement):
        """One query page: the QueryResponse dict."""
        return self._call("POST", "query", body=statement, content_type="application/text", idempotent=True)[
            "QueryResponse"
        ]

    def query_all(self, entity, where=None, order_by="MetaData.LastUpdatedTime", page_size=MAX_RESULTS):
        """Every record matching ``where``, page after page (STARTPOSITION / MAXRESULTS)."""
        start = 1
        while True:
            statement = f"SELECT * FROM {entity}"
            if where:
                statement += " WHERE " + " AND ".join(where)
            if order_by:
                statement += f" ORDERBY {order_by}"
            statement += f" STARTPOSITION {start} MAXRESULTS {page_size}"
            page = self.query(statement).get(entity) or []
            yield from page
            if len(page) < page_size:
                return
            start += page_size

    def count(self, entity, where=None):
        statement = f"SELECT COUNT(*) FROM {entity}"
        if where:
            statement += " WHERE " + " AND ".join(where)
        return int(self.query(statement).get("totalCount") or 0)

    def report(self, name, **params):
        """A report of the Reports API (``TrialBalance``, ``CustomerBalance``, ...): its JSON."""
        return self._call("GET", f"reports/{name}", params={k: v for k, v in params.items() if v}, idempotent=True)

    def read(self, entity, doc_id):
        return self._call("GET", f"{entity.lower()}/{urllib.parse.quote(str(doc_id))}")[entity]

    def company_info(self):
        return self._call("GET", f"companyinfo/{self.realm_id}")["CompanyInfo"]

    def preferences(self):
        return self._call("GET", "preferences")["Preferences"]

    def cdc(self, entities, since):
        """(documents per entity, total) changed since ``since`` (aware datetime, < 30 days)."""
        answer = self._call("GET", "cdc", params={"entities": ",".join(entities), "changedSince": qbo_datetime(since)})
        result = {entity: [] for entity in entities}
        total = 0
        for block in answer.get("CDCResponse") or []:
            for response in block.get("QueryResponse") or []:
                for entity, docs in response.items():
                    if entity in result and isinstance(docs, list):
                        result[entity].extend(docs)
                        total += len(docs)
        return result, total

    # ------------------------------------------------------------------ writing
    def _write(self, entity, body, request_id, params=None):
        if not request_id or len(request_id) > 50:
            raise ValueError("every QuickBooks write needs a requestid of at most 50 characters")
        params = dict(params or {}, requestid=request_id)
        return self._call("POST", entity.lower(), params=params, body=body, idempotent=True)[entity]

    def create(self, entity, body, request_id):
        return self._write(entity, body, request_id)

    def update(self, entity, body, request_id, sparse=True):
        """Update with the SyncToken in ``body``; 5010 (StaleObjectError) when it is stale."""
        if "Id" not in body or "SyncToken" not in body:
            raise ValueError("an update needs Id and SyncToken")
        body = dict(body, sparse=sparse)
        return self._write(entity, body, request_id)

    def delete(self, entity, doc_id, sync_token, request_id):
        return self._call(
            "POST",
            entity.lower(),
            params={"operation": "delete", "requestid": request_id},
            body={"Id": str(doc_id), "SyncToken": str(sync_token)},
            idempotent=True,
        ).get(entity)

    def void(self, entity, doc_id, sync_token, request_id):
        """Invoices: ?operation=void. Payments and bill payments: update&include=void."""
        if entity in ("Payment", "BillPayment", "SalesReceipt"):
            params = {"operation": "update", "include": "void", "requestid": request_id}
            body = {"Id": str(doc_id), "SyncToken": str(sync_token), "sparse": True}
        else:
            params = {"operation": "void", "requestid": request_id}
            body = {"Id": str(doc_id), "SyncToken": str(sync_token)}
        return self._call("POST", entity.lower(), params=params, body=body, idempotent=True)[entity]

    def batch(self, items, request_id_prefix):
        """Run batch items (dicts with bId, operation, <Entity> or Query) in chunks of 30.

        Return the BatchItemResponse list; a Fault in one item is that item's answer."""
        answers = []
        for number, start in enumerate(range(0, len(items), BATCH_SIZE)):
            chunk = items[start : start + BATCH_SIZE]
            try:
                self.batch_limiter.acquire(timeout=90)
            except TimeoutError:  # nothing was sent: the job comes back when the minute has room
                raise errors.RateLimitedError("this minute's batch requests are used up", retry_after=30) from None
            try:
                answer = self._call(
                    "POST",
                    "batch",
                    params={"requestid": f"{request_id_prefix}-{number}"[:36]},
                    body={"BatchItemRequest": chunk},
                    idempotent=True,
                )
            finally:
                self.batch_limiter.release()
            answers.extend(answer.get("BatchItemResponse") or [])
        return answers
