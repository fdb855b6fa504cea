"""A loopback Wave: the GraphQL API, OAuth 2.0, request limits, faults, change notifications.

Paths as Wave serves them (hosts replaced by one loopback address):

* ``POST /graphql/public``                 the API, executed against Wave's published schema (``api``)
* ``GET|POST /oauth2/authorize/``          consent page (Pro or Advisor businesses), redirect with code
* ``POST /oauth2/token/``                  authorization_code and refresh_token grants (form fields)
* ``POST /oauth2/token-revoke/``           revocation (form ``client_id``, ``client_secret``, ``token``)
* ``/_sandbox/...``                        control (``control``)

Limits: about 60 requests a minute per token and 2 at once, answered with 429 (configurable).
"""

import uuid
from datetime import timedelta

from ..kit import Faults, Handler, Limits, SandboxServer, guarded, shared_routes
from . import api
from .control import WaveControl
from .generate import generate_company
from .notify import Notifier
from .oauth import WaveOAuth
from .resolvers import bind
from .schema import load_schema
from .seed import ENTITIES, seed_documents
from .store import Business, decode_id, encode_id, utc_clock


def _error_body(message, code):
    return {"errors": [{"message": message, "extensions": {"id": str(uuid.uuid4()), "code": code}}]}


class _Handler(Handler):
    routes = (
        ("POST", "/graphql/public", "graphql"),
        *shared_routes(authorize="/oauth2/authorize", token="/oauth2/token", revoke="/oauth2/token-revoke"),
    )

    def graphql(self, method):
        sb = self.sandbox
        sb.count("requests")
        token = sb.oauth.bearer(self)
        if sb.faults.take("unauthorized"):
            token = None
        grant = (
            None if token is None else {"business": token["tenant"], "client": token["client"], "scope": token["scope"]}
        )
        key = self.headers.get("Authorization") or "anonymous"

        def call():
            status, answer, kind = api.run(sb, sb.schema, self.body, grant)
            if kind == "mutation" and sb.faults.hit("lose_response"):
                sb.count("lost_answers")
                return self.drop()  # committed, but the answer never arrives
            return self.send(status, answer)

        def throttled():
            retry = sb.faults.retry_after
            headers = {"Retry-After": str(retry)} if retry is not None else None
            return self.send(429, _error_body("Too many requests: slow down.", "TOO_MANY_REQUESTS"), headers=headers)

        def failed():
            return self.send(500, _error_body("Internal server error.", "INTERNAL_SERVER_ERROR"))

        return guarded(sb, key, call, throttled=throttled, failed=failed)


class WaveSandbox(SandboxServer):
    ENDPOINTS = {
        "api_url": "/graphql/public",
        "auth_url": "/oauth2/authorize/",
        "token_url": "/oauth2/token/",
        "revoke_url": "/oauth2/token-revoke/",
    }

    """The whole fake Wave: one user, its businesses, OAuth clients and tokens, stats.

    Raises ``schema.SchemaMissing`` when Wave's schema is not on this machine.
    """

    name = "wave-sandbox"
    entities = ENTITIES
    handler_class = _Handler

    def __init__(self, *, client_id="sandbox-client", client_secret="sandbox-secret", schema_dir=None, currency="USD"):
        super().__init__()
        self.schema, self.repairs = load_schema(schema_dir)
        self.unmodelled = bind(self.schema)
        self.faults = Faults()
        self.limits = Limits(per_minute=60, concurrent=2)
        self.oauth = WaveOAuth(self, {client_id: client_secret})
        self.app_names = {client_id: "Odoo connector (sandbox)"}
        self.control = WaveControl(self)
        self.notifier = Notifier(self)
        self.clock_offset_days = 0.0
        self.clock = utc_clock(lambda: timedelta(days=self.clock_offset_days))
        self.user = {
            "id": encode_id(("User", str(uuid.uuid4()))),
            "defaultEmail": "owner@sandbox.example",
            "firstName": "Sandbox",
            "lastName": "Owner",
            "createdAt": self.clock(),
            "modifiedAt": self.clock(),
        }
        self.public_url = "http://127.0.0.1"
        canadian = currency == "CAD"
        self.first_business = {
            "currency": currency,
            "country": "CA" if canadian else "US",
            "province": "CA-QC" if canadian else "US-RI",
        }
        self.reset()

    # ------------------------------------------------------------------ state
    @property
    def businesses(self):
        return self.tenants

    @property
    def clients(self):
        return {cid: {"id": encode_id(("OAuthApplication", cid)), "name": name} for cid, name in self.app_names.items()}

    def reset_state(self):
        self.clock_offset_days = 0.0
        self.add_business("Sandbox Consulting Inc.", **self.first_business)

    def add_business(self, name, **settings):
        business = Business(name, clock=self.clock, **settings)
        business.default_chart()
        self.tenants[business.uuid] = business
        return business

    def tenant(self, tenant_id=None):
        """A business by uuid or Wave id (of it or of one of its records), else the first one."""
        return super().tenant(tenant_id and (decode_id(tenant_id).get("Business") or tenant_id))

    def tenant_id(self, tenant):
        return tenant.uuid if tenant else None

    def full_access_token(self):
        """A developer's Full Access Token: every business of the user, no expiry, no refresh."""
        return self.oauth.static_token(prefix="fat-")

    # ------------------------------------------------------------------ seeding
    def generate(self, tenant_id=None, **size):
        counts = generate_company(self.tenant(tenant_id), **size)
        self.notifier.skip_existing()
        return counts

    def seed_documents(self, documents, tenant_id=None):
        counts = seed_documents(self.tenant(tenant_id), documents)
        self.notifier.skip_existing()
        return counts

    # ------------------------------------------------------------------ lifecycle
    def start(self, host="127.0.0.1", port=0):
        url = super().start(host, port)
        self.public_url = url
        return url

    def loops(self):
        return ((self.notifier.flush, 0.2),)
