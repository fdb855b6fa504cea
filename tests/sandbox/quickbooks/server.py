"""A loopback QuickBooks Online: OAuth 2.0, the Accounting API v3, webhooks, faults.

Built on the sandboxes' toolkit (``tests/sandbox/kit``); what is QuickBooks' own is here, in
``webhooks.py``, ``control.py`` and the company store (``store.py``). Paths as Intuit serves
them (hosts replaced by one loopback address):

* ``GET  /connect/oauth2``                 authorize page (consent, then redirect with code, realmId, state)
* ``POST /oauth2/v1/tokens/bearer``        authorization_code and refresh_token grants (refresh rotates)
* ``POST /v2/oauth2/tokens/revoke``        revoke a refresh or access token
* ``/v3/company/{realmId}/...``            query, cdc, batch, read, create, update, delete, void
* ``/_sandbox/...``                        control: seed, reset, inspect, faults, webhooks, company settings

Limits as published: 500 requests/min per realm, 10 concurrent, 40 batch requests/min.
"""

import uuid
from datetime import datetime, timedelta

from .. import kit
from ..kit import Handler, OAuthProvider, SandboxServer, dumps, guarded, loads, shared_routes
from . import reports
from .control import QuickBooksControl
from .errors import unsupported
from .store import ENTITIES, PATHS, Company, Fault, public
from .webhooks import Webhooks

ACCESS_TTL = 3600
REFRESH_TTL = 8726400  # 101 days, as Intuit answers


class Limits(kit.Limits):
    """Intuit's published limits, per realm."""

    def __init__(self, per_minute=500, concurrent=10, batch_per_minute=40):
        super().__init__(per_minute=per_minute, concurrent=concurrent, batch_per_minute=batch_per_minute)


class Faults(kit.Faults):
    """The kit's switches plus QuickBooks' own: a Fault inside HTTP 200, odd 401 shapes, webhook mischief."""

    COUNTERS = kit.Faults.COUNTERS + ("fault_in_200",)
    EXTRA = {
        "auth_shape": "json",  # json | odd | xml
        "webhook_duplicate": False,
        "webhook_out_of_order": False,
        "webhook_copies": 1,  # each delivery sent 1 to this many times
        "webhook_shuffle": False,  # due deliveries sent in random order
        "webhook_fail": 0,  # deliveries that get no 200 from us: the receiver's failures count
    }


class Sandbox(Webhooks, SandboxServer):
    ENDPOINTS = {
        "api_url": "",
        "auth_url": "/connect/oauth2",
        "token_url": "/oauth2/v1/tokens/bearer",
        "revoke_url": "/v2/oauth2/tokens/revoke",
    }

    """The whole fake Intuit: companies, OAuth clients and tokens, webhooks, stats."""

    name = "qbo-sandbox"
    initial_stats = {"requests": 0, "writes": 0, "replayed": 0, "throttled": 0, "by_requestid": {}}
    entities = ENTITIES

    def __init__(self, *, client_id="sandbox-client", client_secret="sandbox-secret", verifier="sandbox-verifier"):
        super().__init__()
        self.handler_class = _Handler
        self.oauth = OAuthProvider(
            self,
            clients={client_id: client_secret},
            title="Intuit - Connect",
            heading="Connect to QuickBooks (sandbox)",
            required_scopes={"com.intuit.quickbooks.accounting"},
            scope_error="The accounting scope is required",
            tenant_field="realmId",
            tenants=lambda: [(realm, f"{company.name} ({realm})") for realm, company in self.companies.items()],
            access_ttl=ACCESS_TTL,
            refresh_ttl=REFRESH_TTL,
            extra_fields=lambda record: {"x_refresh_token_expires_in": REFRESH_TTL},
        )
        self.verifier = verifier
        self.faults = Faults()
        self.limits = Limits()
        self.control = QuickBooksControl(self)
        self.clock_offset = timedelta(0)
        self.reset()

    # ------------------------------------------------------------------ state
    def reset_state(self):
        self.reset_webhooks()
        self.add_company("9341450000000001")

    def add_company(self, realm_id, **settings):
        company = Company(realm_id, clock=lambda: datetime.now().astimezone() + self.clock_offset, **settings)
        self.tenants[str(realm_id)] = company
        self.webhook_cursor[str(realm_id)] = 0
        return company

    @property
    def companies(self):
        return self.tenants

    @property
    def company(self):
        return self.tenant()

    # the OAuth state, where tests and the chaos run look for it
    @property
    def clients(self):
        return self.oauth.clients

    @property
    def access_tokens(self):
        return self.oauth.access_tokens

    @property
    def refresh_tokens(self):
        return self.oauth.refresh_tokens

    def issue_tokens(self, client_id, realm_id):
        """Tokens for a realm without the consent page (what a test that only needs a token wants)."""
        with self.lock:
            return self.oauth.issue(client_id, str(realm_id))

    def expire_access_tokens(self):
        self.oauth.expire_access_tokens()

    def loops(self):
        return [(self.flush_webhooks, 0.2)]

    # ------------------------------------------------------------------ seeding
    def generate(self, realm_id=None, **size):
        """Fill a company with seed.generate_company; its creation sends no webhooks."""
        from .seed import generate_company

        company = self.companies[str(realm_id)] if realm_id else self.company
        counts = generate_company(company, **size)
        self.webhook_cursor[company.realm_id] = len(company.events)
        return counts

    def seed_documents(self, documents, realm_id=None):
        company = self.companies[str(realm_id)] if realm_id else self.company
        counts = {entity: company.seed(entity, docs) for entity, docs in documents.items()}
        self.webhook_cursor[company.realm_id] = len(company.events)
        return counts


class _Handler(Handler):
    routes = (
        *shared_routes(
            authorize="/connect/oauth2/*", token="/oauth2/v1/tokens/bearer", revoke="/v2/oauth2/tokens/revoke"
        ),
        ("GET POST", "/v3/company/{realm}/*", "api"),
    )

    def default_headers(self):
        return {"intuit_tid": uuid.uuid4().hex[:16]}

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
            return self.send(status, body, "application/xml")
        if shape == "odd":
            return self.send(
                status,
                {
                    "fault": {
                        "error": [{"message": message, "detail": "Token expired", "code": "3200"}],
                        "type": "AUTHENTICATION",
                    },
                    "time": datetime.now().isoformat(),
                },
            )
        return self.send(
            status,
            {
                "Fault": {
                    "Error": [{"Message": message, "Detail": "Token expired", "code": "3200"}],
                    "type": "AuthenticationFault",
                },
                "time": datetime.now().isoformat(),
            },
        )

    def api(self, method, realm, rest):
        sb = self.sandbox
        if not rest:
            return self.not_found()
        sb.count("requests")
        company = sb.companies.get(realm)
        token = sb.oauth.bearer(self)
        if sb.faults.take("unauthorized") or not token:
            return self._auth_fault()
        if company is None or token["tenant"] != realm:
            return self.send(
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
        return guarded(
            sb,
            realm,
            lambda: self._api_call(method, company, rest),
            throttled=self._throttled,
            failed=lambda: self.send(
                500,
                Fault(
                    10000,
                    "An application error has occurred while processing your request",
                    "System Failure Error",
                    status=500,
                    fault_type="SystemFault",
                ).body(company.fmt(company.now())),
            ),
            kind="batch" if rest[:1] == ["batch"] else None,
        )

    def _throttled(self):
        retry_after = self.sandbox.faults.retry_after
        return self.send(
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

    def _api_call(self, method, company, rest):
        minor = self.query.get("minorversion")
        if minor is not None and (not minor.isdigit() or int(minor) < 75):
            return self._fault(
                company,
                unsupported("minorversion 1 to 74 are no longer supported: use 75 or later", "minorversion"),
            )
        body = self.body
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
            if head == "reports" and method == "GET" and len(rest) == 2:
                found = reports.report(company, rest[1], self.query)
                if found is None:
                    raise unsupported(f"Unknown report {rest[1]}")
                return self._ok(company, found)
            if head == "batch" and method == "POST":
                return self._write(company, body, self._batch)
            entity = PATHS.get(head)
            if entity is None:
                return self.send(
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
            return self.send(405, {"error": "method not allowed"})
        except Fault as fault:
            return self._fault(company, fault)
        except (ValueError, KeyError, TypeError) as exc:
            return self._fault(company, unsupported(str(exc)))

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
        return self.send(200, payload)

    def _fault(self, company, fault):
        return self.send(fault.status, fault.body(self._time(company)))

    def _cdc(self, company):
        entities = [e.strip() for e in self.query.get("entities", "").split(",") if e.strip()]
        since_text = self.query.get("changedSince", "")
        try:
            since = datetime.fromisoformat(since_text.replace("Z", "+00:00"))
        except ValueError:
            raise unsupported(f"changedSince {since_text}") from None
        if since.tzinfo is None:
            since = since.astimezone()
        if company.now() - since > timedelta(days=30):
            raise unsupported("changedSince must be within the last 30 days", "changedSince")
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
                unsupported("requestid is longer than 50 characters", "requestid"),
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
            return self.drop()  # committed, but the answer never arrives
        return self.send(status, payload)

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
            raise unsupported("A batch request can carry at most 30 items", "BatchItemRequest")
        out = []
        for item in items:
            answer = {"bId": item.get("bId")}
            try:
                if "Query" in item:
                    answer["QueryResponse"] = company.query(item["Query"])
                else:
                    entity = next((k for k in item if k in ENTITIES), None)
                    if entity is None:
                        raise unsupported("no entity in batch item")
                    operation = item.get("operation", "create")
                    doc = company.write(
                        entity, item[entity], operation=operation, sparse=bool(item[entity].get("sparse"))
                    )
                    answer[entity] = public(doc)
            except Fault as fault:
                answer["Fault"] = fault.body("")["Fault"]
            out.append(answer)
        return {"BatchItemResponse": out, "time": self._time(company)}
