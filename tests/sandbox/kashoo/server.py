"""A loopback Kashoo: the REST API of the public clients, user tokens and OAuth, limits, faults,
change notifications (an assumption: Kashoo documents no webhooks).

Paths (the API's under the ``api_prefix`` setting, ``/api`` by default):

* ``POST /api/authTokens``                              a user token (``auth``)
* ``GET /api/users/me``, ``GET /api/users/me/businesses``
* ``GET|POST /api/businesses/{id}/records/{invoices|bills|invoicePayments|billPayments}``,
  ``GET .../records`` (every type), ``GET .../records/transfers``, one record per ``record_path``
* ``GET|POST /api/businesses/{id}/accounts``; contacts per the ``contacts`` setting
* ``/oauth/authorize``, ``/oauth/token``, ``/oauth/revoke``; ``/_sandbox/...`` (``control``)
* signed change notifications posted to a configured receiver (``notify``), off by default

Limits: 600 requests a minute per token by default (``/_sandbox/limits``), answered with 429.
"""

import itertools
from decimal import Decimal

from ..kit import Faults, Limits, SandboxServer
from ..kit.seed import read_directory
from .api import KashooHandler
from .auth import Auth
from .control import KashooControl
from .generate import generate_company
from .notify import Notifier
from .seed import ENTITIES, seed_documents
from .settings import Settings
from .store import Business

FIRST_BUSINESS = 123456789  # the id in the public examples
FIRST_ID = 200000001


class _Faults(Faults):
    """The kit's switches; a rate or a delay sent as JSON (a Decimal once parsed) is used as a float."""

    def update(self, values):
        super().update({k: float(v) if isinstance(v, Decimal) else v for k, v in values.items()})


class KashooSandbox(SandboxServer):
    """The whole fake Kashoo: one user, its businesses, tokens, OAuth clients, settings, stats."""

    name = "kashoo-sandbox"
    handler_class = KashooHandler

    def __init__(
        self,
        *,
        email="owner@sandbox.example",
        password="sandbox-password",
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        settings=None,
        per_minute=600,
    ):
        super().__init__()
        self.initial_settings = dict(settings or {})
        self.settings = Settings(**self.initial_settings)
        self.faults = _Faults()
        self.per_minute = per_minute
        self.auth = Auth(self, email, password, {client_id: client_secret})
        self.oauth = self.auth.oauth  # the kit's control actions reach OAuth here
        self.control = KashooControl(self)
        self.notifier = Notifier(self)
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self):
        with self.lock:
            self.settings = Settings(**self.initial_settings)
            self.tenants, self.stats, self.syncs = {}, {}, {}
            self._ids = itertools.count(FIRST_ID)
            self._business_ids = itertools.count(FIRST_BUSINESS)
            self.used_ids = set()
            self.auth.reset()
            self.faults.reset()
            self.limits = Limits(per_minute=self.per_minute)
            self.notifier.reset()
            self.add_business("Sandbox Trading Ltd.", province="BC")

    def next_id(self, wanted=None):
        """A new record, contact or account id; ``wanted`` (a seed's) when it is free."""
        with self.lock:
            if wanted is not None:
                if isinstance(wanted, bool) or not isinstance(wanted, int) or wanted < 1 or wanted in self.used_ids:
                    raise ValueError(f"id {wanted!r} is not a free whole number")
                self.used_ids.add(wanted)
                return wanted
            new = next(self._ids)
            while new in self.used_ids:
                new = next(self._ids)
            self.used_ids.add(new)
            return new

    def add_business(self, name, **fields):
        business_id = next(self._business_ids)
        business = Business(business_id, name, settings=self.settings, next_id=self.next_id, **fields)
        self.tenants[str(business_id)] = business
        return business

    def token(self, form=None, ttl=None):
        """A user token's text (as ``POST /api/authTokens`` answers it)."""
        return self.auth.issue(form, ttl)

    def header(self, form=None, ttl=None):
        """A ready ``Authorization`` header value for a new user token."""
        form = form or self.settings.token_form
        return f"TOKEN {form}:{self.token(form, ttl)}"

    # ------------------------------------------------------------------ seeding
    def generate(self, tenant_id=None, **size):
        business = self.tenant(tenant_id)
        with self.lock:
            return generate_company(business, **size)

    def seed_documents(self, documents, tenant_id=None):
        business = self.tenant(tenant_id)
        with self.lock:
            return seed_documents(business, documents)

    def seed_directory(self, path, tenant_id=None):
        return self.seed_documents(read_directory(path, ENTITIES), tenant_id)

    # ------------------------------------------------------------------ lifecycle
    def loops(self):
        return ((self.notifier.flush, 0.2),)
