"""A loopback Reckon One: identity server, API gateway and the Reckon One API v2, on one port.

Built on the sandboxes' toolkit (``tests/sandbox/kit``). Paths (hosts replaced by one
loopback address):

* ``GET/POST /connect/authorize``   consent page, then redirect with ``code`` and ``state``
* ``POST /connect/token``           authorization_code and refresh_token grants (HTTP Basic client)
* ``POST /connect/revocation``      revoke a token (the whole grant)
* ``/r1/v2/...``                    the API: ``/books``, ``/heartbeat``, ``/{bookId}/<collection>...``
* ``/_sandbox/...``                 control: seed, generate, reset, faults, limits, contract, book settings

Every API call passes the gateway first (subscription key in ``Ocp-Apim-Subscription-Key`` or
``subscription-key``; the request limit per key, 429 with ``Retry-After``), then the bearer
token. Everything exchanged on ``/r1/v2`` is checked against the OpenAPI document
(``contract.py``). ``README.md`` lists what the sandbox assumes beyond the document.
"""

import contextlib
from datetime import UTC, datetime, timedelta

from .. import kit
from ..kit import Handler, OAuthProvider, SandboxServer, dumps, guarded, shared_routes
from .contract import Contract
from .control import ReckonControl
from .documents import CreditNotes, Invoices
from .extension import OPERATIONS, Bills, Journals
from .receipts import Receipts
from .records import (
    PAYMENT_METHODS,
    PAYMENTS,
    TAX_GROUPS,
    TAX_RATES,
    Customers,
    Items,
    LedgerAccounts,
    Suppliers,
    Terms,
)
from .routes import ApiRoutes
from .store import ENTITIES, Book, stable_ids

SCOPES = ("openid", "read", "write", "offline_access")
ACCESS_TTL = 10800  # 180 minutes (third-party report, PROVIDERS.md §4.1)
REFRESH_TTL = 45 * 86400  # 45 days sliding (same source)
RESOURCES = {
    "customers": Customers(),
    "suppliers": Suppliers(),
    "items": Items(),
    "ledgeraccounts": LedgerAccounts(),
    "terms": Terms(),
    "invoices": Invoices(),
    "creditnotes": CreditNotes(),
    "receipts": Receipts(),
    "payments": PAYMENTS,
    "paymentmethods": PAYMENT_METHODS,
    "taxrates": TAX_RATES,
    "taxgroups": TAX_GROUPS,
    "bills": Bills(),
    "journals": Journals(),
}


class Sandbox(SandboxServer):
    ENDPOINTS = {
        "api_url": "/r1/v2",
        "auth_url": "/connect/authorize",
        "token_url": "/connect/token",
        "revoke_url": "/connect/revocation",
    }

    """The whole fake Reckon: books, OAuth clients and tokens, subscription keys, the contract."""

    name = "reckon-sandbox"
    initial_stats = {"requests": 0, "writes": 0, "throttled": 0}
    entities = ("Book", *ENTITIES)  # Book.json: the book's own settings
    api_base = "/r1/v2"

    def __init__(
        self,
        *,
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        subscription_key="sandbox-subscription-key",
        openapi=None,
        book_id=None,
    ):
        super().__init__()
        #: the first book's id, its ids and its generated records the same at every start (else new ones)
        self.book_id = book_id
        self.handler_class = _Handler
        self.oauth = OAuthProvider(
            self,
            clients={client_id: client_secret},
            title="Reckon - Sign in",
            heading="Allow access to your Reckon One books (sandbox)",
            text="An app wants to read and write the books you have access to.",
            required_scopes=SCOPES,
            scope_error="The scope must be: " + " ".join(SCOPES),
            access_ttl=ACCESS_TTL,
            refresh_ttl=REFRESH_TTL,
            token_type="Bearer",
            extra_fields=lambda record: {"scope": record["scope"]},
            refresh_scope="offline_access",
            revoke_format="form",
        )
        self.subscription_keys = {subscription_key}
        self.faults = kit.Faults()
        self.limits = kit.Limits(per_minute=300)
        self.contract = Contract(openapi, extension=OPERATIONS)
        self.control = ReckonControl(self)
        self.clock_offset = timedelta(0)
        self.max_perpage = 100
        self.reset()

    def reset_state(self):
        self.contract.reset()
        with stable_ids(self.book_id) if self.book_id else contextlib.nullcontext():
            self.add_book(self.book_id)

    def add_book(self, book_id=None, **settings):
        book = Book(book_id, clock=lambda: datetime.now(UTC) + self.clock_offset, **settings)
        self.tenants[book.id.lower()] = book
        return book

    def tenant(self, tenant_id=None):
        return super().tenant(str(tenant_id).lower() if tenant_id else None)

    @property
    def book(self):
        return self.tenant()

    # ------------------------------------------------------------------ seeding
    def generate(self, book_id=None, **size):
        from .seed import generate_book

        book = self.tenant(book_id)
        with stable_ids(book.id) if self.book_id and book.id == self.book_id else contextlib.nullcontext():
            return generate_book(book, **size)

    def seed_documents(self, documents, book_id=None):
        book = self.tenant(book_id)
        counts = {}
        for entity, docs in documents.items():
            if entity == "Book":  # the book's own settings, its id kept
                for key in ("name", "country", "status", "ownership", "products"):
                    if docs and key in docs[0]:
                        setattr(book, key, docs[0][key])
                counts[entity] = len(docs[:1])
            else:
                counts[entity] = book.seed(entity, docs)
        return counts


class _Handler(ApiRoutes, Handler):
    case_insensitive = True
    routes = (
        *shared_routes(authorize="/connect/authorize", token="/connect/token", revoke="/connect/revocation"),
        ("GET POST PUT PATCH DELETE", "/r1/v2/*", "api"),
    )
    resources = RESOURCES
    checking = gateway = False

    def handle_request(self, method):
        self.checking = self.gateway = False  # one handler serves every request of a kept-alive connection
        return super().handle_request(method)

    def send(self, status, body=b"", content_type="application/json", headers=None):
        raw = dumps(body) if isinstance(body, dict | list) else body
        if self.checking:  # everything the API answers is held to the document
            self.sandbox.contract.check_answer(self.method, self.api_path, self.found, status, raw, self.gateway)
        if content_type == "application/json":
            content_type = "application/json; charset=utf-8"
        super().send(status, raw, content_type, headers)

    def gateway_answer(self, status, message, headers=None):
        """An answer of the API gateway (Azure API Management), not of the API."""
        self.gateway = True
        return self.send(status, {"statusCode": status, "message": message}, headers=headers)

    def api(self, method, rest):
        sb = self.sandbox
        self.method, self.api_path, self.gateway, self.checking = method, "/" + "/".join(rest), False, True
        self.found = sb.contract.operation(method, self.api_path)
        key = self.headers.get("Ocp-Apim-Subscription-Key") or self.query_value("subscription-key")
        if not key:
            return self.gateway_answer(
                401,
                "Access denied due to missing subscription key. "
                "Make sure to include subscription key when making requests to an API.",
            )
        if key not in sb.subscription_keys:
            return self.gateway_answer(
                401,
                "Access denied due to invalid subscription key. "
                "Make sure to provide a valid key for an active subscription.",
            )
        sb.count("requests")
        return guarded(
            sb,
            key,
            lambda: self.call(method, rest),
            throttled=lambda: self.throttled(key),
            failed=lambda: self.send(500, {"code": 500, "message": "An error has occurred."}),
        )

    def throttled(self, key):
        sb = self.sandbox
        retry = sb.faults.retry_after if sb.faults.retry_after is not None else sb.limits.retry_after(key)
        return self.gateway_answer(
            429, f"Rate limit is exceeded. Try again in {retry} seconds.", headers={"Retry-After": str(retry)}
        )
