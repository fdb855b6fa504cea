"""Fixtures of the Reckon connector's unit tests: a loopback Reckon sandbox per test, connected
the way a person connects (consent page, code, tokens), and the connector's own client and
adapter pointed at it.

The sandbox checks every request the connector sends and every answer it gives against
Reckon's openapi.yaml. Each test fails on a mismatch; the run ends with the count of what was
validated (and fails when any test met a mismatch)."""

import json
import re
import urllib.parse

import pytest
import requests

from odoo.addons.connector_base.lib import canonical
from odoo.addons.connector_base.lib.oauth import OAuth2Helper

from tests.sandbox.reckon import Sandbox
from tests.unit import run_counts

T = 10  # seconds, every request of the tests themselves
REDIRECT = "http://127.0.0.1:1/callback"
SCOPE = "openid read write offline_access"
KEY = "sandbox-subscription-key"
RUN = run_counts.RECKON  # printed at the end of the run by the root conftest


def consent(url):
    """Walk the sandbox's consent page as a person would; return the code."""
    session = requests.Session()
    params = {"client_id": "sandbox-client", "response_type": "code", "scope": SCOPE, "redirect_uri": REDIRECT}
    page = session.get(f"{url}/connect/authorize", params=dict(params, state="s"), timeout=T)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{url}/connect/authorize", data={"ticket": ticket, "decision": "connect"}, allow_redirects=False, timeout=T
    )
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))["code"]


class Tokens:
    """A token source like the connection's: refreshes (rotating) when the API refuses one."""

    def __init__(self, url):
        self.helper = OAuth2Helper(
            client_id="sandbox-client",
            client_secret="sandbox-secret",
            authorize_url=f"{url}/connect/authorize",
            token_url=f"{url}/connect/token",
            redirect_uri=REDIRECT,
            scope=SCOPE,
        )
        self.token = self.helper.fetch_token(consent(url))
        self.refreshes = 0

    def __call__(self, rejected=None):
        if rejected and rejected == self.token["access_token"]:
            self.token = self.helper.refresh_token(self.token["refresh_token"])
            self.refreshes += 1
        return self.token["access_token"]


class Reckon:
    """The sandbox seen from a test: its control API, and connector clients and adapters."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.url = sandbox.url
        self.api_url = f"{sandbox.url}/r1/v2"
        self.book_id = sandbox.book.id
        self.tokens = Tokens(sandbox.url)
        self.sleeps = []

    def control(self, action, **body):
        answer = requests.post(f"{self.url}/_sandbox/{action}", data=json.dumps(body), timeout=T)
        answer.raise_for_status()
        return answer.json()

    def stats(self):
        return requests.get(f"{self.url}/_sandbox/stats", timeout=T).json()

    def docs(self, table):
        return self.sandbox.book.snapshot(table)

    def client(self, **settings):
        from odoo.addons.connector_reckon.lib.client import ReckonClient

        settings = {"per_minute": None, "concurrent": None, "sleep": self.sleeps.append, **settings}
        return ReckonClient(
            settings.pop("book_id", self.book_id),
            settings.pop("tokens", self.tokens),
            settings.pop("subscription_key", KEY),
            api_url=self.api_url,
            **settings,
        )

    def adapter(self, client=None, **settings):
        from odoo.addons.connector_reckon.lib.adapter import ReckonAdapter

        return ReckonAdapter(client or self.client(), **settings)


def _generated(**size):
    sandbox = Sandbox()
    sandbox.generate(**size)
    sandbox.start()
    return sandbox


@pytest.fixture
def reckon(request):
    """A generated Australian book (``@pytest.mark.book(customers=..)`` sizes it)."""
    marker = request.node.get_closest_marker("book")
    sandbox = _generated(**(marker.kwargs if marker else {}))
    try:
        yield Reckon(sandbox)
        report = sandbox.contract.report()
    finally:
        sandbox.stop()
    RUN["enabled"] = RUN["enabled"] or report["enabled"]
    RUN["sandboxes"] += 1
    RUN["requests"] += report["requests"]["validated"]
    RUN["answers"] += report["answers"]["validated"]
    failed = report["requests"]["failed"] + report["answers"]["failed"]
    if failed:
        RUN["failed"].append((request.node.nodeid, report["failures"]))
    assert not failed, f"exchanges that break Reckon's openapi.yaml: {report['failures']}"


def pytest_configure(config):
    config.addinivalue_line("markers", "book(**size): the size of the generated Reckon book")


#: canonical fields the Reckon mappers emit ahead of the schemas (connector_base issue #13,
#: ISSUE13.md): validated with the schema once it has them
PENDING = {"tax": ("components", "compound")}


def _schema(kind):
    with open(f"{canonical.SCHEMA_DIR}/{canonical.KINDS[kind]}", encoding="utf-8") as handle:
        return json.load(handle)


def validate(kind, record):
    """connector_base.lib.canonical.validate of ``record``, less what its schema cannot say yet;
    return the names of what was left out (``allocations.document_kind=credit_note``: a
    credit application, validated as the payment of its invoices until the schema has it)."""
    schema = _schema(kind)
    pending = [f for f in PENDING.get(kind, ()) if f in record and f not in schema["properties"]]
    record = {k: v for k, v in record.items() if k not in pending}
    if kind == "payment" and any(a.get("document_kind") == "credit_note" for a in record.get("allocations", [])):
        kinds = schema["properties"]["allocations"]["items"]["properties"]["document_kind"]["enum"]
        if "credit_note" not in kinds:
            pending.append("allocations.document_kind=credit_note")
            invoices = [a for a in record["allocations"] if a.get("document_kind") != "credit_note"]
            record = dict(record, allocations=invoices, amount=sum(a["amount"] for a in invoices))
    canonical.validate(kind, record)
    RUN["valid"] += 1
    RUN["pending"].update(f"{kind}.{name}" for name in pending)
    return pending


@pytest.fixture
def valid():
    return validate


@pytest.fixture(scope="session")
def contract():
    """Reckon's openapi.yaml, to hold request bodies built without a sandbox to it."""
    from tests.sandbox.reckon.contract import Contract, locate

    if not locate().exists():
        pytest.skip("../shared/fixtures/reckon/openapi.yaml is not here")
    return Contract()
