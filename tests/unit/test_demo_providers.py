"""`make run`'s providers (tools/demo): each module answers the same questions, the sandboxes'
ports are distinct and overridable, the change the smoke check makes is one its sandbox takes,
and the consent page is gone through with the company asked for (Wave's business choice)."""

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

import tools.demo as demo
from tools.demo.browser import Browser

INTERFACE = ("KEY", "LABEL", "PORT_ENV", "PORT", "MODULES", "COMPANY", "ARRIVES")
FUNCTIONS = ("sandbox_args", "setup", "connect", "change", "example")


def test_every_provider_answers_the_same_questions_on_its_own_port():
    providers = demo.providers()
    assert [p.KEY for p in providers] == list(demo.PROVIDERS)
    for provider in providers:
        missing = [name for name in INTERFACE + FUNCTIONS if not hasattr(provider, name)]
        assert not missing, f"tools/demo/{provider.KEY}.py lacks {missing}"
        assert all(module.startswith("l10n_") for module in provider.MODULES)
        assert "--port" in provider.sandbox_args(provider.PORT, "http://127.0.0.1:8069")
    assert len({p.PORT for p in providers}) == len(providers), "two sandboxes on one port"
    assert len({p.PORT_ENV for p in providers}) == len(providers)
    assert len({p.COMPANY for p in providers}) == len(providers), "two demo companies of one name"


def test_a_sandbox_port_is_overridden_by_its_variable(monkeypatch):
    wave = next(p for p in demo.providers() if p.KEY == "wave")
    assert demo.url(wave) == "http://127.0.0.1:8766"
    monkeypatch.setenv("WAVE_SANDBOX_PORT", "9387")
    assert demo.url(wave) == "http://127.0.0.1:9387"


def test_the_smoke_check_has_its_own_ports_beside_a_make_run(monkeypatch):
    for variable in (
        "RUN_SMOKE_SANDBOX_PORT",
        "RUN_SMOKE_WAVE_SANDBOX_PORT",
        "RUN_SMOKE_KASHOO_SANDBOX_PORT",
        "RUN_SMOKE_RECKON_SANDBOX_PORT",
    ):
        monkeypatch.delenv(variable, raising=False)
    ports = dict(demo.smoke_ports())
    assert ports["QBO_SANDBOX_PORT"] == 8775
    assert not set(ports.values()) & {p.PORT for p in demo.providers()}, "the smoke check would take make run's port"
    monkeypatch.setenv("RUN_SMOKE_SANDBOX_PORT", "9385")  # QuickBooks' variable, from before the others
    monkeypatch.setenv("RUN_SMOKE_KASHOO_SANDBOX_PORT", "9390")
    ports = dict(demo.smoke_ports())
    assert (ports["QBO_SANDBOX_PORT"], ports["KASHOO_SANDBOX_PORT"]) == (9385, 9390)


@pytest.fixture
def served(monkeypatch):
    """Start a provider's sandbox in this process, with its generated company, on the port its
    demo module reads."""
    started = []

    def serve(key, sandbox):
        provider = next(p for p in demo.providers() if p.KEY == key)
        sandbox.generate()
        url = sandbox.start()
        started.append(sandbox)
        monkeypatch.setenv(provider.PORT_ENV, url.rsplit(":", 1)[1])
        assert demo.available(provider)
        return provider, url

    yield serve
    for sandbox in started:
        sandbox.stop()


def test_the_changes_of_the_smoke_check_are_taken_by_the_sandboxes(served):
    from tests.sandbox.kashoo.server import KashooSandbox
    from tests.sandbox.quickbooks.server import Sandbox as QuickBooksSandbox

    provider, url = served("quickbooks", QuickBooksSandbox())
    model, name = provider.change(url)
    assert model == "res.partner"
    names = [doc["DisplayName"] for doc in requests.get(f"{url}/_sandbox/docs/Customer", timeout=10).json()["Customer"]]
    assert name in names

    provider, url = served("kashoo", KashooSandbox())
    model, name = provider.change(url)
    contacts = requests.get(f"{url}/_sandbox/docs/contacts", timeout=10).json()["contacts"]
    assert name in [c["name"] for c in contacts if c["customer"]]
    body = provider.example(url).split("-d '", 1)[1].rstrip("'")
    assert requests.post(f"{url}/_sandbox/change", data=body, timeout=10).status_code == 200


def test_the_reckon_change_renames_a_customer_and_keeps_the_rest_of_it(served):
    """Reckon's change replaces the whole contact, as its screen saves it: the smoke check's
    rename must not take the customer's address, phone, e-mail or payment terms with it."""
    from tests.sandbox.reckon.server import Sandbox as ReckonSandbox

    provider, url = served("reckon", ReckonSandbox())
    contacts = requests.get(f"{url}/_sandbox/docs/contacts", timeout=10).json()["contacts"]
    before = next(c for c in contacts if c["entityTypes"]["isCustomer"])
    model, name = provider.change(url)
    contacts = requests.get(f"{url}/_sandbox/docs/contacts", timeout=10).json()["contacts"]
    after = next(c for c in contacts if c["id"] == before["id"])
    assert (model, after["name"]) == ("res.partner", name)
    assert after["lastModifiedDateTime"] > before["lastModifiedDateTime"], "the poll would not see it"
    kept = ("addresses", "phoneNumbers", "electronicAddresses", "paymentTerms", "businessNumber1", "entityTypes")
    assert {k: after.get(k) for k in kept} == {k: before.get(k) for k in kept}
    body = provider.example(url).split("-d '", 1)[1].rstrip("'")
    assert requests.post(f"{url}/_sandbox/change", data=body, timeout=10).status_code == 200


class Callback(BaseHTTPRequestHandler):
    """Odoo's OAuth callback, as far as the consent page sees it: it records the query."""

    seen = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Callback.seen.append(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def callback():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Callback.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/callback"
    server.shutdown()


def test_wave_consent_page_connects_the_business_named_by_the_demo(served, callback):
    from tests.sandbox.wave.schema import SchemaMissing, locate

    try:
        locate()
    except SchemaMissing as exc:
        pytest.skip(str(exc))
    from tests.sandbox.wave.server import WaveSandbox

    sandbox = WaveSandbox(client_id="sandbox-client", client_secret="sandbox-secret")
    provider, url = served("wave", sandbox)
    other = requests.post(f"{url}/_sandbox/business", json={"create": True, "name": "Another Business"}, timeout=10)
    wanted = sandbox.tenant().id
    query = urllib.parse.urlencode(
        {
            "client_id": "sandbox-client",
            "response_type": "code",
            "scope": "business:read",
            "redirect_uri": callback,
            "state": "demo",
            "businessId": other.json()["business"],  # offered first: the demo must still choose its own
        }
    )
    label = Browser("http://127.0.0.1:1", "unused", 30).consent(f"{url}/oauth2/authorize/?{query}", provider.COMPANY)
    assert label.startswith(provider.COMPANY)
    (answer,) = Callback.seen
    assert answer["state"] == ["demo"]
    token = requests.post(
        f"{url}/oauth2/token/",
        data={
            "grant_type": "authorization_code",
            "code": answer["code"][0],
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "redirect_uri": callback,
        },
        timeout=10,
    ).json()
    assert token["businessId"] == wanted


def demo_sandbox_args(key):
    """(the provider's demo module, the arguments `make run` starts its sandbox with as its
    ``__main__`` reads them, that parser)."""
    import argparse
    from importlib import import_module

    provider = next(p for p in demo.providers() if p.KEY == key)
    parser = argparse.ArgumentParser()
    parser.add_argument("--client-id", default="sandbox-client")
    parser.add_argument("--client-secret", default="sandbox-secret")
    import_module(f"tests.sandbox.{key}.__main__")._arguments(parser)
    args, _rest = parser.parse_known_args(provider.sandbox_args(0, "http://127.0.0.1:8069"))
    return provider, args, parser


def test_the_demo_wave_business_is_the_same_at_every_start():
    """A connection holds the records of one Wave business: `make run` starts the sandbox afresh
    with the same business (ids of the business and of its records) so that it connects again."""
    from tests.sandbox.wave.schema import SchemaMissing, locate

    try:
        locate()
    except SchemaMissing as exc:
        pytest.skip(str(exc))
    from tests.sandbox.wave.__main__ import _build

    wave, args, _parser = demo_sandbox_args("wave")
    seen = []
    for _start in range(2):
        sandbox = _build(args)
        sandbox.generate(customers=3, products=2, invoices=2, payments=1)
        tenant = sandbox.tenant()
        seen.append((tenant.id, sorted(tenant.ref("Customer", c["n"]) for c in tenant.records("Customer"))))
    assert seen[0] == seen[1]
    assert seen[0][0] == sandbox.tenant(wave.BUSINESS_UUID).id


def test_reckon_consent_page_is_gone_through_and_picks_no_book(served, callback):
    """Reckon's consent page has no book to choose (the book is chosen in Odoo afterwards): the
    demo presses Connect and the code comes back, good for every book of the sign-in."""
    from tests.sandbox.reckon.server import Sandbox as ReckonSandbox

    sandbox = ReckonSandbox(client_id="sandbox-client", client_secret="sandbox-secret")
    provider, url = served("reckon", sandbox)
    other = sandbox.add_book(name="Another book")
    query = urllib.parse.urlencode(
        {
            "client_id": "sandbox-client",
            "response_type": "code",
            "scope": "openid read write offline_access",
            "redirect_uri": callback,
            "state": "demo",
        }
    )
    label = Browser("http://127.0.0.1:1", "unused", 30).consent(f"{url}/connect/authorize?{query}", provider.COMPANY)
    assert label is None
    (answer,) = Callback.seen
    assert answer["state"] == ["demo"]
    token = requests.post(
        f"{url}/connect/token",
        data={"grant_type": "authorization_code", "code": answer["code"][0], "redirect_uri": callback},
        auth=("sandbox-client", "sandbox-secret"),
        timeout=10,
    ).json()
    books = requests.get(
        f"{url}/r1/v2/books",
        headers={
            "Authorization": f"Bearer {token['access_token']}",
            "Ocp-Apim-Subscription-Key": provider.SUBSCRIPTION_KEY,
        },
        timeout=10,
    ).json()
    names = {book["id"].lower(): book["name"] for book in books["list"]}
    assert names[sandbox.book.id.lower()] == provider.COMPANY and other.id.lower() in names


def test_the_demo_reckon_book_is_the_same_at_every_start():
    """A connection holds the records of one Reckon book: `make run` starts the sandbox afresh
    with the same book (its id and its records' ids), so that it connects and imports again."""
    from tests.sandbox.reckon.__main__ import _build

    reckon, args, parser = demo_sandbox_args("reckon")
    seen = []
    for _start in range(2):
        sandbox = _build(args)
        sandbox.generate(customers=3, suppliers=1, invoices=2, receipts=1)
        book = sandbox.book
        seen.append(
            (book.id, {table: sorted(book.tables[table]) for table in ("contacts", "ledgeraccounts", "invoices")})
        )
    assert seen[0] == seen[1]
    assert seen[0][0] == reckon.BOOK_ID and len(seen[0][1]["contacts"]) >= 3
    another = _build(parser.parse_args([]))
    another.generate(customers=3, suppliers=1, invoices=2, receipts=1)
    assert another.book.id != reckon.BOOK_ID and not set(another.book.tables["contacts"]) & set(seen[0][1]["contacts"])
