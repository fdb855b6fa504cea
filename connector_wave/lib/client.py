"""Wave's public GraphQL API, pure Python: one business, named documents, typed errors.

Every call goes through connector_base's ``HttpClient`` (timeouts, backoff, Retry-After) and
a rate limiter sized by the connection's settings (Wave publishes no limit; third parties
report about 60 requests a minute and 2 at once). Wave answers failures on two channels,
both turned into connector_base's typed errors here:

* ``errors[]`` with ``extensions.code`` (HTTP 200, or 4xx/5xx): ``UNAUTHENTICATED`` ->
  ``AuthError`` (after one token refresh), ``NOT_FOUND`` -> ``NotFoundError`` (the business
  itself out of reach -> ``AuthError``), ``GRAPHQL_VALIDATION_FAILED`` -> ``PayloadValidationError``,
  ``TOO_MANY_REQUESTS``/429 -> ``RateLimitedError``, ``INTERNAL_SERVER_ERROR``/5xx -> retried for
  a query, ``OutcomeUnknownError`` for a mutation (it may have been applied);
* a mutation's ``didSucceed: false`` with ``inputErrors[{path, message, code}]`` ->
  ``PayloadValidationError`` naming the paths (``DUPLICATE`` -> ``NameCollisionError``,
  ``NOT_FOUND`` -> ``NotFoundError``, ``CONFLICT`` -> ``StaleObjectError``).

A mutation is never sent twice by this module: an answer that does not arrive is an
``OutcomeUnknownError``, and the adapter looks the record up by its stamp before writing again.
"""

from datetime import UTC, datetime

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http import HttpClient, RetryPolicy, default_error_parser, redact
from odoo.addons.connector_base.lib.money import json_dumps, json_loads, to_decimal
from odoo.addons.connector_base.lib.ratelimit import shared_limiter

from .queries import DOCUMENTS, MUTATIONS, root_field

API_URL = "https://gql.waveapps.com/graphql/public"
AUTHORIZE_URL = "https://api.waveapps.com/oauth2/authorize/"
TOKEN_URL = "https://api.waveapps.com/oauth2/token/"
REVOKE_URL = "https://api.waveapps.com/oauth2/token-revoke/"
#: defaults of the connection's settings (third-party figures, not published by Wave)
PER_MINUTE = 60
CONCURRENT = 2
#: a second longer than Wave's minute: our minute starts when a request leaves, Wave's when it arrives
WINDOW = 61.0
PAGE_SIZE = 100
#: attempts of a query that Wave answered with an internal error inside an HTTP 200
QUERY_ATTEMPTS = 3

AUTH_CODES = {"UNAUTHENTICATED", "FORBIDDEN"}
VALIDATION_CODES = {"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "BAD_USER_INPUT", "BAD_REQUEST"}


def dec(value):
    """A Decimal as Wave's ``Decimal`` scalar takes it: a string without exponent."""
    text = format(to_decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def parse_datetime(text):
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def wave_datetime(moment):
    """``yyyy-MM-ddThh:mm:ss.sssZ``, as Wave writes its DateTime."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def money(value):
    """The Decimal of a ``Money`` object (``{"value": "40.00"}``) or of a decimal string."""
    if isinstance(value, dict):
        value = value.get("value")
    return to_decimal(value if value not in (None, "") else 0)


def _codes(answer):
    return [((e.get("extensions") or {}).get("code") or "") for e in answer.get("errors") or []]


def graphql_error(error_list, *, mutation=False, status=200):
    """The typed error of Wave's ``errors[]`` (the first error decides, all are quoted)."""
    first = error_list[0] if error_list else {}
    code = (first.get("extensions") or {}).get("code") or ""
    path = first.get("path") or []
    text = "; ".join(f"{e.get('message')} ({(e.get('extensions') or {}).get('code')})" for e in error_list[:5])
    details = {"codes": [(e.get("extensions") or {}).get("code") for e in error_list], "paths": [path]}
    message = f"Wave {code or status}: {text or 'no error message'}"
    if code in AUTH_CODES or status in (401, 403):
        return errors.AuthError(message, details=details)
    if code == "NOT_FOUND":
        if list(path) == ["business"]:
            return errors.AuthError(f"{message}: the connected business is out of this token's reach", details=details)
        return errors.NotFoundError(message, details=details)
    if code == "TOO_MANY_REQUESTS" or status == 429:
        return errors.RateLimitedError(message, details=details)
    if code in VALIDATION_CODES or status == 400:
        return errors.PayloadValidationError(message, details=details)
    if code == "INTERNAL_SERVER_ERROR" or status >= 500 or not code:
        if mutation:
            return errors.OutcomeUnknownError(f"{message}: the mutation may have been applied", details=details)
        return errors.TransientError(message, details=details)
    return errors.ProviderValidationError(message, details=details)


def input_error(name, input_errors):
    """The typed error of a mutation answered with ``didSucceed: false``."""
    input_errors = input_errors or [{"path": [], "message": "Wave did not apply the change", "code": None}]
    paths = ["/".join(str(p) for p in (e.get("path") or [])) or "(input)" for e in input_errors]
    text = "; ".join(f"{path}: {e.get('message')}" for path, e in zip(paths, input_errors, strict=True))
    details = {"input_errors": input_errors, "paths": paths}
    codes = {e.get("code") for e in input_errors}
    message = f"Wave refused {name}: {text}"
    if "CONFLICT" in codes:
        return errors.StaleObjectError(message, details=details)
    if "DUPLICATE" in codes:
        return errors.NameCollisionError(message, details=details)
    if codes == {"NOT_FOUND"}:
        return errors.NotFoundError(message, details=details)
    return errors.PayloadValidationError(message, details=details)


def _body(response):
    try:
        return json_loads(response.content.decode("utf-8", "surrogateescape"))
    except ValueError:
        return None


def _read_error_parser(response):
    body = _body(response)
    if isinstance(body, dict) and body.get("errors"):
        return graphql_error(body["errors"], status=response.status_code)
    return default_error_parser(response)


def _write_error_parser(response):
    """A mutation's 5xx says nothing about whether it was applied: never retried blindly."""
    error = _read_error_parser(response)
    if isinstance(error, errors.TransientError):
        return errors.OutcomeUnknownError(f"{error}: the mutation may have been applied", details=error.details)
    return error


class WaveClient:
    """One Wave business. ``token`` is a Full Access Token (a string) or a callable
    ``token(rejected=None) -> access token`` (connector_base's ``TokenManager.access_token``)."""

    def __init__(
        self,
        business_id,
        token,
        *,
        api_url=API_URL,
        per_minute=PER_MINUTE,
        concurrent=CONCURRENT,
        timeout=(5.0, 60.0),
        max_attempts=5,
        base_delay=0.5,
        page_size=PAGE_SIZE,
        sleep=None,
        session=None,
    ):
        self.business_id = business_id
        self.api_url = api_url
        self.page_size = page_size
        self._token = token if callable(token) else (lambda rejected=None: token)
        windows = ((int(per_minute), WINDOW),) if per_minute else ()
        limiter = shared_limiter(("wave", api_url, business_id, per_minute, concurrent), windows, concurrent or None)
        kwargs = {"sleep": sleep} if sleep else {}
        retry = RetryPolicy(max_attempts=max_attempts, base_delay=base_delay, max_delay=60.0)
        common = {"timeout": timeout, "retry": retry, "rate_limiter": limiter, **kwargs}
        self.http = HttpClient(error_parser=_read_error_parser, session=session, **common)
        self.http_write = HttpClient(error_parser=_write_error_parser, session=self.http.session, **common)

    # ------------------------------------------------------------------ transport
    def execute(self, name, variables=None, *, allow=()):
        """Run the named document; return (data, errors whose code is in ``allow``).

        Variables left at None are not sent, so that Wave applies the argument's default."""
        mutation = name in MUTATIONS
        body = {
            "query": DOCUMENTS[name],
            "operationName": name,
            "variables": {key: value for key, value in (variables or {}).items() if value is not None},
        }
        data = json_dumps(body).encode()
        http = self.http_write if mutation else self.http
        token, refreshed = self._token(), False
        for attempt in range(1, QUERY_ATTEMPTS + 1):
            http.secrets = (token,)
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
            try:
                response = http.request("POST", self.api_url, data=data, headers=headers, idempotent=not mutation)
            except errors.AuthError:
                if refreshed:
                    raise
                token, refreshed = self._token(rejected=token), True
                continue
            answer = _body(response)
            if not isinstance(answer, dict):
                raise (errors.OutcomeUnknownError if mutation else errors.TransientError)(
                    f"Wave answered {name} with no JSON: {redact(response.text, limit=200)}"
                )
            if "UNAUTHENTICATED" in _codes(answer) and not refreshed:
                token, refreshed = self._token(rejected=token), True
                continue
            kept = [e for e in answer.get("errors") or [] if (e.get("extensions") or {}).get("code") in allow]
            others = [e for e in answer.get("errors") or [] if e not in kept]
            if others:
                error = graphql_error(others, mutation=mutation)
                if isinstance(error, errors.TransientError) and attempt < QUERY_ATTEMPTS:
                    http.sleep(http.retry.delay(attempt))
                    continue
                raise error
            return answer.get("data") or {}, kept
        raise errors.AuthError(f"Wave refused the token for {name}")  # refreshed and still refused

    def query(self, name, **variables):
        """The ``business`` of a business-scoped document (``businessId`` filled in), else the data."""
        if "$businessId" in DOCUMENTS[name]:
            variables.setdefault("businessId", self.business_id)
        data, _kept = self.execute(name, variables)
        if "$businessId" in DOCUMENTS[name]:
            if data.get("business") is None:
                raise errors.AuthError(f"Wave business {self.business_id} is out of this token's reach")
            return data["business"]
        return data

    def mutate(self, name, input_value):
        """The mutation's answer (``didSucceed`` true), or the typed error of its ``inputErrors``."""
        data, _kept = self.execute(name, {"input": input_value})
        payload = data.get(root_field(name))
        if payload is None:
            raise errors.OutcomeUnknownError(f"Wave answered {name} without its result")
        if not payload.get("didSucceed"):
            raise input_error(name, payload.get("inputErrors"))
        return payload

    # ------------------------------------------------------------------ reading helpers
    def page(self, name, field, page=1, page_size=None, **variables):
        """(nodes, pageInfo) of one page of a business list."""
        block = self.query(name, page=page, pageSize=page_size or self.page_size, **variables)[field] or {}
        return [edge["node"] for edge in block.get("edges") or []], block.get("pageInfo") or {}

    def all_pages(self, name, field, **variables):
        """Every node of a business list, page after page (small lists: accounts, taxes, vendors)."""
        page = 1
        while True:
            nodes, info = self.page(name, field, page=page, **variables)
            yield from nodes
            if not nodes or info.get("currentPage", page) >= (info.get("totalPages") or 1):
                return
            page += 1

    def one(self, name, field, record_id):
        """One record of the business by its Wave id; NotFoundError when Wave has none."""
        return self.query(name, id=record_id)[field]

    def business(self):
        return self.query("Business")

    def businesses(self):
        """[{id, name, currency, isPersonal, isArchived}] the token reaches (the Connect step's choice)."""
        found, page = [], 1
        while True:
            block = self.query("Businesses", page=page, pageSize=50)["businesses"] or {}
            found += [edge["node"] for edge in block.get("edges") or []]
            info = block.get("pageInfo") or {}
            if info.get("currentPage", page) >= (info.get("totalPages") or 1):
                return found
            page += 1
