"""A loopback QuickBooks Online: OAuth 2.0, the Accounting API v3, webhooks, faults.

Paths as Intuit serves them (hosts replaced by one loopback address):

* ``GET  /connect/oauth2``                 authorize page (consent, then redirect with code, realmId, state)
* ``POST /oauth2/v1/tokens/bearer``        authorization_code and refresh_token grants (refresh rotates)
* ``POST /v2/oauth2/tokens/revoke``        revoke a refresh or access token
* ``/v3/company/{realmId}/...``            query, cdc, batch, read, create, update, delete, void
* ``/_sandbox/...``                        control: seed, reset, inspect, faults, webhooks, company settings

Limits as published: 500 requests/min per realm, 10 concurrent, 40 batch requests/min.
"""

import base64
import hashlib
import hmac
import json
import logging
import os
import random
import secrets
import threading
import time
import urllib.parse
import uuid
from collections import deque
from datetime import date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from .store import ENTITIES, PATHS, Company, Fault, public

_logger = logging.getLogger(__name__)

ACCESS_TTL = 3600
REFRESH_TTL = 8726400  # 101 days, as Intuit answers
WEBHOOK_RETRY_DELAYS = (10, 20, 30, 300, 1200, 7200, 14400, 21600)


def dumps(value):
    def default(obj):
        if isinstance(obj, Decimal):
            return int(obj) if obj == obj.to_integral_value() and obj.as_tuple().exponent >= 0 else float(obj)
        if isinstance(obj, datetime | date):
            return obj.isoformat()
        raise TypeError(type(obj).__name__)

    return json.dumps(value, default=default).encode()


def loads(raw):
    return json.loads(raw or b"{}", parse_float=Decimal)


class Limits:
    """Sliding one-minute windows per realm and a concurrency gate."""

    def __init__(self, per_minute=500, concurrent=10, batch_per_minute=40):
        self.per_minute = per_minute
        self.concurrent = concurrent
        self.batch_per_minute = batch_per_minute
        self._calls = {}
        self._batches = {}
        self._active = {}
        self._lock = threading.Lock()

    def enter(self, realm, batch=False):
        """True when the request may run; the caller must ``leave`` afterwards."""
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault(realm, deque())
            while calls and now - calls[0] > 60:
                calls.popleft()
            batches = self._batches.setdefault(realm, deque())
            while batches and now - batches[0] > 60:
                batches.popleft()
            active = self._active.get(realm, 0)
            if len(calls) >= self.per_minute or active >= self.concurrent:
                return False
            if batch and len(batches) >= self.batch_per_minute:
                return False
            calls.append(now)
            if batch:
                batches.append(now)
            self._active[realm] = active + 1
            return True

    def leave(self, realm):
        with self._lock:
            self._active[realm] = max(0, self._active.get(realm, 1) - 1)


class Faults:
    """Switches for fault injection, set through ``POST /_sandbox/faults``."""

    COUNTERS = ("throttle", "server_error", "timeout", "lose_response", "fault_in_200", "unauthorized")

    def __init__(self):
        self.reset()

    def reset(self):
        for name in self.COUNTERS:
            setattr(self, name, 0)
        # rates (0..1) for random faults, drawn per request: the chaos run's mix
        self.throttle_rate = self.server_error_rate = self.timeout_rate = self.lose_response_rate = 0.0
        self.timeout_seconds = 5.0
        self.auth_shape = "json"  # json | odd | xml
        self.retry_after = None  # seconds sent in Retry-After with a 429 (QuickBooks sends none)
        self.webhook_duplicate = False
        self.webhook_out_of_order = False
        self.raw_bytes = {}  # marker text -> bytes (as latin-1 text) put in its place in API answers
        self.webhook_copies = 1  # each delivery sent 1 to this many times
        self.webhook_shuffle = False  # due deliveries sent in random order
        self.webhook_fail = 0  # deliveries that get no 200 from us: the receiver's failures count
        self.rng = random.Random(7)

    def update(self, values):
        for key, value in values.items():
            if key == "seed":
                self.rng = random.Random(value)
            elif hasattr(self, key) and key != "rng":
                setattr(self, key, value)
            else:
                raise ValueError(f"unknown fault switch {key}")

    def take(self, name):
        """Consume one occurrence of a counted fault."""
        count = getattr(self, name)
        if count:
            setattr(self, name, count - 1)
            return True
        return False

    def hit(self, name):
        """A counted occurrence of the fault, else a draw against its rate."""
        rate = getattr(self, f"{name}_rate")
        return self.take(name) or bool(rate and self.rng.random() < rate)


class Sandbox:
    """The whole fake Intuit: companies, OAuth clients and tokens, webhooks, stats."""

    def __init__(self, *, client_id="sandbox-client", client_secret="sandbox-secret", verifier="sandbox-verifier"):
        self.lock = threading.RLock()
        self.clients = {client_id: client_secret}
        self.verifier = verifier
        self.faults = Faults()
        self.limits = Limits()
        self.clock_offset = timedelta(0)
        self.reset()
        self.server = None
        self.thread = None
        self._webhook_thread = None
        self._stop = threading.Event()

    # ------------------------------------------------------------------ lifecycle
    def reset(self):
        with self.lock:
            self.companies = {}
            self.codes = {}
            self.access_tokens = {}
            self.refresh_tokens = {}
            self.pending_consent = {}
            self.webhook = {"url": None, "format": "legacy", "interval": 1.0, "retry_scale": 1.0}
            #: the consent page answers "connect" for the first company without showing itself
            self.auto_consent = False
            self.webhook_cursor = {}
            self.webhook_outbox = []  # (due_monotonic, attempt, payload bytes)
            self.webhook_log = []  # (status or error, payload)
            self.stats = {"requests": 0, "writes": 0, "replayed": 0, "throttled": 0, "by_requestid": {}}
            self.faults.reset()
            self.add_company("9341450000000001")

    def add_company(self, realm_id, **settings):
        company = Company(realm_id, clock=lambda: datetime.now().astimezone() + self.clock_offset, **settings)
        self.companies[str(realm_id)] = company
        self.webhook_cursor[str(realm_id)] = 0
        return company

    @property
    def company(self):
        return next(iter(self.companies.values()))

    def start(self, host="127.0.0.1", port=0):
        handler = type("Handler", (_Handler,), {"sandbox": self})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="qbo-sandbox", daemon=True)
        self.thread.start()
        self._stop.clear()
        self._webhook_thread = threading.Thread(target=self._webhook_loop, name="qbo-webhooks", daemon=True)
        self._webhook_thread.start()
        return self.url

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self):
        self._stop.set()
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # ------------------------------------------------------------------ seeding
    def generate(self, realm_id=None, **size):
        """Fill a company with seed.generate_company; its creation sends no webhooks."""
        from .seed import generate_company

        company = self.companies[str(realm_id)] if realm_id else self.company
        counts = generate_company(company, **size)
        self.webhook_cursor[company.realm_id] = len(company.events)
        return counts

    def seed_directory(self, path, realm_id=None):
        """Load ``<Entity>.json`` files (JSON arrays in QuickBooks' shape) into a company."""
        company = self.companies[str(realm_id)] if realm_id else self.company
        counts = {}
        for entity in ENTITIES:
            file = os.path.join(path, f"{entity}.json")
            if os.path.exists(file):
                with open(file, "rb") as handle:
                    counts[entity] = company.seed(entity, loads(handle.read()))
        self.webhook_cursor[company.realm_id] = len(company.events)
        return counts

    # ------------------------------------------------------------------ OAuth
    def issue_tokens(self, client_id, realm_id):
        access = "at-" + secrets.token_urlsafe(24)
        refresh = "rt-" + secrets.token_urlsafe(24)
        now = time.time()
        self.access_tokens[access] = {"realm": realm_id, "client": client_id, "expires": now + ACCESS_TTL}
        self.refresh_tokens[refresh] = {"realm": realm_id, "client": client_id, "expires": now + REFRESH_TTL}
        return {
            "token_type": "bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": ACCESS_TTL,
            "x_refresh_token_expires_in": REFRESH_TTL,
        }

    def expire_access_tokens(self):
        with self.lock:
            for token in self.access_tokens.values():
                token["expires"] = 0

    # ------------------------------------------------------------------ webhooks
    def _webhook_loop(self):
        while not self._stop.wait(0.2):
            try:
                self.flush_webhooks()
            except Exception:  # the loop must survive a receiver's oddities
                _logger.exception("webhook delivery failed")

    def flush_webhooks(self, force=False):
        """Aggregate new events into deliveries and send what is due."""
        with self.lock:
            url = self.webhook["url"]
            if not url:
                return 0
            notifications = []
            for realm, company in self.companies.items():
                start = self.webhook_cursor.get(realm, 0)
                events = company.events[start:]
                if not events:
                    continue
                newest = events[-1][0]
                age = (company.now() - newest).total_seconds()
                if not force and age < self.webhook["interval"] and len(events) < 50:
                    continue
                self.webhook_cursor[realm] = len(company.events)
                notifications.append((realm, events))
            now = time.monotonic()
            for realm, events in notifications:
                payloads = [self._payload(realm, events)]
                if self.faults.webhook_out_of_order and len(events) > 1:
                    payloads = [
                        self._payload(realm, events[len(events) // 2 :]),
                        self._payload(realm, events[: len(events) // 2]),
                    ]
                for payload in payloads:
                    copies = 2 if self.faults.webhook_duplicate else 1
                    if self.faults.webhook_copies > 1:
                        copies = self.faults.rng.randint(1, self.faults.webhook_copies)
                    self.webhook_outbox.extend([(now, 0, payload)] * copies)
            due = [item for item in self.webhook_outbox if item[0] <= now]
            if self.faults.webhook_shuffle:
                self.faults.rng.shuffle(due)
            self.webhook_outbox = [item for item in self.webhook_outbox if item[0] > now]
        sent = 0
        for _due, attempt, payload in due:
            sent += self._deliver(url, attempt, payload)
        return sent

    def _payload(self, realm, events):
        if self.webhook["format"] == "cloudevents":
            body = []
            for moment, entity, doc_id, operation, extra in events:
                event = {
                    "specversion": "1.0",
                    "id": str(uuid.uuid4()),
                    "source": "intuit.sandbox",
                    "type": f"qbo.{entity.lower()}.{_past(operation)}.v1",
                    "datacontenttype": "application/json",
                    "time": moment.isoformat(),
                    "intuitentityid": doc_id,
                    "intuitaccountid": realm,
                }
                if operation == "Merge":
                    event["data"] = {"deletedid": extra.get("deletedId"), "mergedintoid": extra.get("mergedIntoId")}
                body.append(event)
            return dumps(body)
        entities = []
        for moment, entity, doc_id, operation, extra in events:
            item = {"name": entity, "id": doc_id, "operation": operation, "lastUpdated": moment.isoformat()}
            if operation == "Merge":
                item["deletedId"] = extra.get("deletedId")
                item["id"] = extra.get("mergedIntoId")
            entities.append(item)
        return dumps({"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": entities}}]})

    def sign(self, payload):
        return base64.b64encode(hmac.new(self.verifier.encode(), payload, hashlib.sha256).digest()).decode()

    def _deliver(self, url, attempt, payload):
        status = None
        try:
            if self.faults.webhook_fail:
                self.faults.webhook_fail -= 1
                raise requests.ConnectionError("receiver failure injected")
            response = requests.post(
                url,
                data=payload,
                headers={"Content-Type": "application/json", "intuit-signature": self.sign(payload)},
                timeout=10,  # Intuit waits a few seconds; a plain number (Odoo's test harness compares it)
            )
            status = response.status_code
        except requests.RequestException as exc:
            status = f"error: {exc}"
        with self.lock:
            self.webhook_log.append((status, payload))
            if status != 200 and attempt < len(WEBHOOK_RETRY_DELAYS):
                delay = WEBHOOK_RETRY_DELAYS[attempt] * self.webhook["retry_scale"]
                self.webhook_outbox.append((time.monotonic() + delay, attempt + 1, payload))
        return 1 if status == 200 else 0


def _past(operation):
    return {"Create": "created", "Update": "updated", "Delete": "deleted", "Merge": "merged", "Void": "voided"}.get(
        operation, operation.lower()
    )


class _Handler(BaseHTTPRequestHandler):
    sandbox = None  # set by Sandbox.start
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        _logger.debug("sandbox: " + fmt, *args)

    # ------------------------------------------------------------------ plumbing
    def _body(self):
        return self._raw_body

    def _send(self, status, body=b"", content_type="application/json", headers=None):
        if isinstance(body, dict | list):
            body = dumps(body)
        for marker, raw in self.sandbox.faults.raw_bytes.items():  # bytes that are not UTF-8, on demand
            body = body.replace(marker.encode(), raw.encode("latin-1"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("intuit_tid", uuid.uuid4().hex[:16])
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _drop(self):
        """Close the connection without an answer: the request's outcome is unknown to the client."""
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def _route(self, method):
        # read the whole body first: an early answer must not leave it on a kept-alive connection
        length = int(self.headers.get("Content-Length") or 0)
        self._raw_body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        self.query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        parts = [p for p in url.path.split("/") if p]
        try:
            if parts[:2] == ["connect", "oauth2"]:
                return self._authorize(method)
            if parts == ["oauth2", "v1", "tokens", "bearer"] and method == "POST":
                return self._token()
            if parts == ["v2", "oauth2", "tokens", "revoke"] and method == "POST":
                return self._revoke()
            if parts[:1] == ["_sandbox"]:
                return self._control(method, parts[1:])
            if len(parts) >= 4 and parts[:2] == ["v3", "company"]:
                return self._api(method, parts[2], parts[3:])
            self._send(404, {"error": "not found"})
        except BrokenPipeError:
            pass

    # ------------------------------------------------------------------ OAuth pages and endpoints
    def _authorize(self, method):
        sb = self.sandbox
        if method == "GET":
            params = self.query
            if params.get("client_id") not in sb.clients or params.get("response_type") != "code":
                return self._send(400, b"<h1>Invalid client or response_type</h1>", "text/html")
            if "com.intuit.quickbooks.accounting" not in params.get("scope", "").split():
                return self._send(400, b"<h1>The accounting scope is required</h1>", "text/html")
            if sb.auto_consent:  # a browser test cannot click on this page: it answers as the user would
                return self._consent(params, "connect", sb.company.realm_id)
            ticket = secrets.token_urlsafe(12)
            sb.pending_consent[ticket] = params
            options = "".join(
                f'<option value="{realm}">{company.name} ({realm})</option>' for realm, company in sb.companies.items()
            )
            page = f"""<!DOCTYPE html><html><head><title>Intuit - Connect</title></head><body>
<h1>Connect to QuickBooks (sandbox)</h1>
<p>An app wants to access your company's accounting data.</p>
<form method="post" action="/connect/oauth2">
  <input type="hidden" name="ticket" value="{ticket}"/>
  <label>Company <select name="realmId">{options}</select></label>
  <button type="submit" name="decision" value="connect" id="connect">Connect</button>
  <button type="submit" name="decision" value="cancel">Cancel</button>
</form></body></html>"""
            return self._send(200, page.encode(), "text/html; charset=utf-8")
        form = dict(urllib.parse.parse_qsl(self._body().decode()))
        params = sb.pending_consent.pop(form.get("ticket"), None)
        if not params:
            return self._send(400, b"<h1>This consent page expired</h1>", "text/html")
        return self._consent(params, form.get("decision"), form.get("realmId"))

    def _consent(self, params, decision, realm):
        """The user's answer on the consent page: back to the app with a code, or refused."""
        sb = self.sandbox
        redirect = params["redirect_uri"]
        sep = "&" if "?" in redirect else "?"
        if decision != "connect":
            target = f"{redirect}{sep}" + urllib.parse.urlencode(
                {"error": "access_denied", "state": params.get("state", "")}
            )
        else:
            code = secrets.token_urlsafe(16)
            sb.codes[code] = {
                "client": params["client_id"],
                "redirect_uri": redirect,
                "realm": realm,
                "expires": time.time() + 300,
            }
            target = f"{redirect}{sep}" + urllib.parse.urlencode(
                {"code": code, "state": params.get("state", ""), "realmId": realm}
            )
        self._send(302, b"", "text/html", {"Location": target})

    def _client(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None
        try:
            client_id, _sep, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return None
        expected = self.sandbox.clients.get(client_id)
        return client_id if expected and hmac.compare_digest(expected, secret) else None

    def _token(self):
        sb = self.sandbox
        client = self._client()
        if not client:
            return self._send(401, {"error": "invalid_client"})
        form = dict(urllib.parse.parse_qsl(self._body().decode()))
        with sb.lock:
            grant = form.get("grant_type")
            if grant == "authorization_code":
                code = sb.codes.pop(form.get("code", ""), None)
                if not code or code["client"] != client or code["expires"] < time.time():
                    return self._send(400, {"error": "invalid_grant"})
                if form.get("redirect_uri") != code["redirect_uri"]:
                    return self._send(400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"})
                return self._send(200, sb.issue_tokens(client, code["realm"]))
            if grant == "refresh_token":
                sb.stats["refresh_grants"] = sb.stats.get("refresh_grants", 0) + 1
                old = sb.refresh_tokens.pop(form.get("refresh_token", ""), None)
                if not old or old["client"] != client or old["expires"] < time.time():
                    return self._send(400, {"error": "invalid_grant"})
                return self._send(200, sb.issue_tokens(client, old["realm"]))  # the refresh token rotates
            return self._send(400, {"error": "unsupported_grant_type"})

    def _revoke(self):
        sb = self.sandbox
        if not self._client():
            return self._send(401, {"error": "invalid_client"})
        token = loads(self._body()).get("token", "")
        with sb.lock:
            found = sb.refresh_tokens.pop(token, None) or sb.access_tokens.pop(token, None)
            if found:  # revoking one token ends the whole grant
                for table in (sb.access_tokens, sb.refresh_tokens):
                    for key in [
                        k for k, v in table.items() if v["realm"] == found["realm"] and v["client"] == found["client"]
                    ]:
                        del table[key]
        self._send(200, b"")

    # ------------------------------------------------------------------ API
    def _auth_fault(self, status=401):
        shape = self.sandbox.faults.auth_shape
        message = "message=AuthenticationFailed; errorCode=003200; statusCode=401"
        if shape == "xml":
            body = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="'
                + datetime.now().isoformat()
                + '"><Fault type="AUTHENTICATION"><Error code="3200"><Message>'
                + message
                + "</Message><Detail>Token expired</Detail></Error></Fault></IntuitResponse>"
            ).encode()
            return self._send(status, body, "application/xml")
        if shape == "odd":
            return self._send(
                status,
                {
                    "fault": {
                        "error": [{"message": message, "detail": "Token expired", "code": "3200"}],
                        "type": "AUTHENTICATION",
                    },
                    "time": datetime.now().isoformat(),
                },
            )
        return self._send(
            status,
            {
                "Fault": {
                    "Error": [{"Message": message, "Detail": "Token expired", "code": "3200"}],
                    "type": "AuthenticationFault",
                },
                "time": datetime.now().isoformat(),
            },
        )

    def _api(self, method, realm, rest):
        sb = self.sandbox
        with sb.lock:
            sb.stats["requests"] += 1
        company = sb.companies.get(realm)
        auth = self.headers.get("Authorization", "")
        token = sb.access_tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
        if sb.faults.take("unauthorized") or not token or token["expires"] < time.time():
            return self._auth_fault()
        if company is None or token["realm"] != realm:
            return self._send(
                403,
                {
                    "Fault": {
                        "Error": [
                            {
                                "Message": "message=ApplicationAuthorizationFailed; errorCode=003100; "
                                "statusCode=403",
                                "code": "3100",
                            }
                        ],
                        "type": "AuthorizationFault",
                    },
                    "time": datetime.now().isoformat(),
                },
            )
        batch = rest[:1] == ["batch"]
        if sb.faults.hit("throttle") or not sb.limits.enter(realm, batch=batch):
            with sb.lock:
                sb.stats["throttled"] += 1
            retry_after = sb.faults.retry_after
            return self._send(
                429,
                {
                    "Fault": {
                        "Error": [
                            {
                                "Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                                "Detail": "The request limit was reached.",
                                "code": "3001",
                            }
                        ],
                        "type": "ThrottleExceeded",
                    },
                    "time": datetime.now().isoformat(),
                },
                headers={"Retry-After": str(retry_after)} if retry_after is not None else None,
            )
        try:
            if sb.faults.hit("server_error"):
                return self._send(
                    500,
                    Fault(
                        10000,
                        "An application error has occurred while processing your " "request",
                        "System Failure Error",
                        status=500,
                        fault_type="SystemFault",
                    ).body(company.fmt(company.now())),
                )
            if sb.faults.hit("timeout"):
                time.sleep(sb.faults.timeout_seconds)
            self._api_call(method, company, rest)
        finally:
            sb.limits.leave(realm)

    def _api_call(self, method, company, rest):
        minor = self.query.get("minorversion")
        if minor is not None and (not minor.isdigit() or int(minor) < 75):
            return self._fault(
                company,
                Fault(
                    2010,
                    "Request has invalid or unsupported property",
                    "minorversion 1 to 74 are no longer supported: use 75 or later",
                    element="minorversion",
                ),
            )
        body = self._body()
        head = rest[0].lower()
        try:
            if head == "query":
                text = self.query.get("query") if method == "GET" else body.decode()
                return self._ok(company, {"QueryResponse": company.query(text or ""), "time": self._time(company)})
            if head == "cdc" and method == "GET":
                return self._cdc(company)
            if head == "companyinfo":
                return self._ok(company, {"CompanyInfo": company.info(), "time": self._time(company)})
            if head == "preferences":
                return self._ok(company, {"Preferences": company.preferences(), "time": self._time(company)})
            if head == "batch" and method == "POST":
                return self._write(company, body, self._batch)
            entity = PATHS.get(head)
            if entity is None:
                return self._send(
                    404,
                    Fault(
                        500, "Unsupported Operation", f"Operation {head} is not supported", fault_type="ValidationFault"
                    ).body(self._time(company)),
                )
            if method == "GET" and len(rest) == 2:
                with company.lock:
                    doc = public(company.get(entity, rest[1]))
                return self._ok(company, {entity: doc, "time": self._time(company)})
            if method == "POST" and len(rest) == 1:
                return self._write(company, body, lambda c, b: self._entity_write(c, entity, b))
            return self._send(405, {"error": "method not allowed"})
        except Fault as fault:
            return self._fault(company, fault)
        except (ValueError, KeyError, TypeError) as exc:
            return self._fault(company, Fault(2010, "Request has invalid or unsupported property", str(exc)))

    def _time(self, company):
        return company.fmt(company.now())

    def _ok(self, company, payload):
        if self.sandbox.faults.take("fault_in_200"):
            payload = Fault(
                10000,
                "An application error has occurred while processing your request",
                "System Failure Error: a Fault inside HTTP 200",
                fault_type="SystemFault",
            ).body(self._time(company))
        return self._send(200, payload)

    def _fault(self, company, fault):
        return self._send(fault.status, fault.body(self._time(company)))

    def _cdc(self, company):
        entities = [e.strip() for e in self.query.get("entities", "").split(",") if e.strip()]
        since_text = self.query.get("changedSince", "")
        try:
            since = datetime.fromisoformat(since_text.replace("Z", "+00:00"))
        except ValueError:
            raise Fault(2010, "Request has invalid or unsupported property", f"changedSince {since_text}") from None
        if since.tzinfo is None:
            since = since.astimezone()
        if company.now() - since > timedelta(days=30):
            raise Fault(
                2010,
                "Request has invalid or unsupported property",
                "changedSince must be within the last 30 days",
                element="changedSince",
            )
        canonical = {e.lower(): e for e in ENTITIES}
        entities = [canonical.get(e.lower(), e) for e in entities]
        payload, _total = company.cdc(entities, since)
        payload["time"] = self._time(company)
        return self._ok(company, payload)

    def _write(self, company, body, apply):
        """Run a write once per requestid; replay the stored answer for a repeated one."""
        sb = self.sandbox
        request_id = self.query.get("requestid")
        if request_id and len(request_id) > 50:
            return self._fault(
                company,
                Fault(
                    2010,
                    "Request has invalid or unsupported property",
                    "requestid is longer than 50 characters",
                    element="requestid",
                ),
            )
        with company.lock:
            replay = company.requests.get(request_id) if request_id else None
            if replay:
                status, payload = replay
                with sb.lock:
                    sb.stats["replayed"] += 1
            else:
                status, payload = self._apply_write(company, body, apply, request_id)
        if sb.faults.hit("lose_response"):
            return self._drop()  # committed, but the answer never arrives
        return self._send(status, payload)

    def _apply_write(self, company, body, apply, request_id):
        """Run a write (the company lock is held); remember its answer under the requestid."""
        sb = self.sandbox
        try:
            payload = apply(company, loads(body))
            status = 200
        except Fault as fault:
            status, payload = fault.status, fault.body(self._time(company))
        payload = dumps(payload)
        if request_id:
            company.requests[request_id] = (status, payload)
        if status == 200:
            with sb.lock:
                sb.stats["writes"] += 1
                key = request_id or "-"
                sb.stats["by_requestid"][key] = sb.stats["by_requestid"].get(key, 0) + 1
        return status, payload

    def _entity_write(self, company, entity, body):
        operation = self.query.get("operation", "create")
        if operation == "update" and self.query.get("include") == "void":
            operation = "void"
        if operation not in ("create", "update", "delete", "void"):
            raise Fault(500, "Unsupported Operation", f"operation={operation}")
        if operation == "create" and body.get("Id"):
            operation = "update"
        doc = company.write(entity, body, operation=operation, sparse=bool(body.get("sparse")))
        return {entity: public(doc), "time": self._time(company)}

    def _batch(self, company, body):
        items = body.get("BatchItemRequest") or []
        if len(items) > 30:
            raise Fault(
                2010,
                "Request has invalid or unsupported property",
                "A batch request can carry at most 30 items",
                element="BatchItemRequest",
            )
        out = []
        for item in items:
            answer = {"bId": item.get("bId")}
            try:
                if "Query" in item:
                    answer["QueryResponse"] = company.query(item["Query"])
                else:
                    entity = next((k for k in item if k in ENTITIES), None)
                    if entity is None:
                        raise Fault(2010, "Request has invalid or unsupported property", "no entity in batch item")
                    operation = item.get("operation", "create")
                    doc = company.write(
                        entity, item[entity], operation=operation, sparse=bool(item[entity].get("sparse"))
                    )
                    answer[entity] = public(doc)
            except Fault as fault:
                answer["Fault"] = fault.body("")["Fault"]
            out.append(answer)
        return {"BatchItemResponse": out, "time": self._time(company)}

    # ------------------------------------------------------------------ control
    def _control(self, method, parts):
        """``/_sandbox/<action>``: GET docs/<Entity> and stats; POST everything else."""
        sb = self.sandbox
        body = loads(self._body()) if method == "POST" else {}
        realm = body.get("realm") or self.query.get("realm")
        company = sb.companies.get(str(realm)) if realm else sb.company
        action = parts[0] if parts else ""
        handler = getattr(self, f"_control_{action}", None)
        if handler is None or (method == "GET") != (action in ("docs", "stats")):
            return self._send(404, {"error": f"unknown control {method} {action}"})
        try:
            return self._send(200, handler(company, body, parts[1:]))
        except Fault as fault:
            return self._fault(company, fault)

    def _control_reset(self, company, body, args):
        self.sandbox.reset()
        return {"realm": self.sandbox.company.realm_id}

    def _control_company(self, company, body, args):
        with company.lock:
            for key in ("name", "country", "home_currency", "multicurrency", "tax_mode", "custom_doc_numbers"):
                if key in body:
                    setattr(company, key, body[key])
            if "books_closed_on" in body:
                value = body["books_closed_on"]
                company.books_closed_on = date.fromisoformat(value) if value else None
            for code, rate in (body.get("exchange_rates") or {}).items():
                company.exchange_rates[code] = Decimal(str(rate))
        if "clock_offset_days" in body:
            self.sandbox.clock_offset = timedelta(days=float(body["clock_offset_days"]))
        return {"realm": company.realm_id, "tax_mode": company.tax_mode}

    def _control_seed(self, company, body, args):
        if body.get("directory"):
            return {"seeded": self.sandbox.seed_directory(body["directory"], company.realm_id)}
        counts = {entity: company.seed(entity, docs) for entity, docs in (body.get("documents") or {}).items()}
        self.sandbox.webhook_cursor[company.realm_id] = len(company.events)
        return {"seeded": counts}

    def _control_generate(self, company, body, args):
        return {"generated": self.sandbox.generate(company.realm_id, **body.get("size", {}))}

    def _control_docs(self, company, body, args):
        return {args[0]: company.snapshot(args[0])}

    def _control_change(self, company, body, args):
        """What a person does in QuickBooks' own screens: no token needed, webhooks follow."""
        entity, doc = body["entity"], body["body"]
        written = company.write(entity, doc, operation=body.get("operation", "create"), sparse=bool(doc.get("sparse")))
        return {entity: public(written)}

    def _control_merge(self, company, body, args):
        return {body["entity"]: public(company.merge(body["entity"], body["from"], body["to"]))}

    def _control_faults(self, company, body, args):
        self.sandbox.faults.update(body)
        return {"ok": True}

    def _control_limits(self, company, body, args):
        for key in ("per_minute", "concurrent", "batch_per_minute"):
            if key in body:
                setattr(self.sandbox.limits, key, int(body[key]))
        return {"ok": True}

    def _control_webhooks(self, company, body, args):
        sb = self.sandbox
        sb.webhook.update({k: v for k, v in body.items() if k in sb.webhook})
        if "verifier" in body:
            sb.verifier = body["verifier"]
        return sb.webhook

    def _control_flush(self, company, body, args):
        return {"sent": self.sandbox.flush_webhooks(force=True)}

    def _control_expire_tokens(self, company, body, args):
        self.sandbox.expire_access_tokens()
        return {"ok": True}

    def _control_clients(self, company, body, args):
        self.sandbox.clients[body["client_id"]] = body["client_secret"]
        return {"ok": True}

    def _control_stats(self, company, body, args):
        sb = self.sandbox
        with sb.lock:
            return dict(sb.stats, webhooks=[(status, payload.decode()) for status, payload in sb.webhook_log[-200:]])
