"""The sandboxes' toolkit (tests/sandbox/kit) on its own, over real loopback HTTP.

A provider of a few lines (``Tiny``) shows what a sandbox gets from the kit: the consent page that
offers only some tenants, refreshes a provider refuses, static tokens, fault switches sent as
JSON, signed notifications, and a command line that reports a refused start.
"""

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.sandbox.kit import (
    CannotStart,
    Control,
    Faults,
    Handler,
    Limits,
    Notifier,
    OAuthProvider,
    SandboxServer,
    guarded,
    shared_routes,
)
from tests.sandbox.kit.cli import main
from tests.sandbox.quickbooks import Sandbox as QuickBooks

T = 10  # seconds, every request
REDIRECT = "http://127.0.0.1:1/callback"
CLIENT = {"client_id": "app", "client_secret": "app-secret", "redirect_uri": REDIRECT}


class _Handler(Handler):
    routes = (
        *shared_routes(authorize="/authorize", token="/token", revoke="/revoke"),
        ("GET", "/{company}/ping", "ping"),
    )

    def ping(self, method, company):
        sb = self.sandbox
        token = sb.oauth.bearer(self)
        if not token or token["tenant"] not in (None, company):
            return self.send(401, {"error": "unauthorized"})
        return guarded(
            sb,
            company,
            lambda: self.send(200, {"company": company}),
            throttled=lambda: self.send(429, {}),
            failed=lambda: self.send(500, {}),
        )


class Tiny(SandboxServer):
    """Three companies; the consent page offers the open ones; a lapsed one cannot refresh."""

    name = "tiny-sandbox"
    handler_class = _Handler

    def __init__(self, **oauth):
        super().__init__()
        self.faults, self.limits, self.control = Faults(), Limits(), Control(self)
        self.oauth = OAuthProvider(
            self,
            clients={"app": "app-secret"},
            client_auth=("post",),
            revoke_format="form",
            tenant_field="company",
            tenants=lambda: [(key, key.title()) for key in self.tenants if key not in self.closed],
            refuse_refresh=lambda record: (403, {"error": "lapsed"}) if record["tenant"] in self.lapsed else None,
            **oauth,
        )
        self.reset()

    def reset_state(self):
        self.tenants.update(north={}, south={}, closed={})
        self.closed, self.lapsed = {"closed"}, set()


@pytest.fixture
def tiny(request):
    sb = Tiny(**getattr(request, "param", {}))
    sb.start()
    yield sb
    sb.stop()


def consent_page(sb, **extra):
    params = {"client_id": "app", "response_type": "code", "redirect_uri": REDIRECT, "state": "s1", "scope": "all"}
    return requests.get(f"{sb.url}/authorize", params={**params, **extra}, timeout=T)


def choose(sb, ticket, **form):
    return requests.post(
        f"{sb.url}/authorize", data={"ticket": ticket, "decision": "connect", **form}, allow_redirects=False, timeout=T
    )


def ticket_of(page):
    return re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)


def redirect_query(answer):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))


def tokens(sb, company="north"):
    code = redirect_query(choose(sb, ticket_of(consent_page(sb)), company=company))["code"]
    answer = requests.post(f"{sb.url}/token", data={**CLIENT, "grant_type": "authorization_code", "code": code})
    return answer.json()


def ping(sb, token, company="north"):
    return requests.get(f"{sb.url}/{company}/ping", headers={"Authorization": f"Bearer {token}"}, timeout=T)


def refresh(sb, refresh_token):
    form = {**CLIENT, "grant_type": "refresh_token", "refresh_token": refresh_token}
    return requests.post(f"{sb.url}/token", data=form, timeout=T)


# ---------------------------------------------------------------------------- consent
def test_a_forged_consent_cannot_pick_a_company_the_page_did_not_offer(tiny):
    page = consent_page(tiny)
    assert page.status_code == 200 and "Closed" not in page.text
    ticket = ticket_of(page)
    for forged in ({"company": "closed"}, {"company": "nowhere"}, {}):
        assert choose(tiny, ticket, **forged).status_code == 400
    answer = choose(tiny, ticket, company="south")  # the page is still open: the person chooses again
    assert answer.status_code == 302
    assert redirect_query(answer)["company"] == "south" and redirect_query(answer)["state"] == "s1"


@pytest.mark.parametrize("tiny", [{"suggest_param": "hint", "tenant_in_redirect": False}], indirect=True)
def test_the_suggested_company_comes_first_and_the_redirect_can_leave_it_out(tiny):
    page = consent_page(tiny, hint="south")
    assert re.findall(r'<option value="([^"]+)"', page.text) == ["south", "north"]
    answer = choose(tiny, ticket_of(page), company="south")
    assert set(redirect_query(answer)) == {"code", "state"}
    code = redirect_query(answer)["code"]
    token = requests.post(f"{tiny.url}/token", data={**CLIENT, "grant_type": "authorization_code", "code": code})
    access = token.json()["access_token"]
    assert ping(tiny, access, "south").status_code == 200 and ping(tiny, access, "north").status_code == 401


@pytest.mark.parametrize("tiny", [{"require_scope": True, "scope_error": "Name a scope"}], indirect=True)
def test_a_provider_can_require_some_scope(tiny):
    refused = consent_page(tiny, scope="")
    assert refused.status_code == 400 and "Name a scope" in refused.text
    assert consent_page(tiny).status_code == 200


# ---------------------------------------------------------------------------- tokens
def test_a_refused_refresh_answers_the_providers_refusal_and_keeps_the_refresh_token(tiny):
    first = tokens(tiny)
    tiny.lapsed.add("north")
    lapsed = refresh(tiny, first["refresh_token"])
    assert lapsed.status_code == 403 and lapsed.json() == {"error": "lapsed"}
    tiny.lapsed.clear()
    renewed = refresh(tiny, first["refresh_token"])  # still the live refresh token
    assert renewed.status_code == 200 and ping(tiny, renewed.json()["access_token"]).status_code == 200
    assert refresh(tiny, first["refresh_token"]).status_code == 400  # and now rotated away


def test_static_tokens_outlive_expire_tokens_and_no_client_can_revoke_them(tiny):
    static = tiny.oauth.static_token(prefix="pat-")
    granted = tokens(tiny)
    requests.post(f"{tiny.url}/_sandbox/expire_tokens", json={}, timeout=T).raise_for_status()
    assert ping(tiny, granted["access_token"]).status_code == 401
    assert ping(tiny, static, "south").status_code == 200  # every company, never expires
    assert requests.post(f"{tiny.url}/revoke", data={**CLIENT, "token": static}, timeout=T).status_code == 200
    assert ping(tiny, static).status_code == 200  # a client revokes only its own grants
    requests.post(f"{tiny.url}/revoke", data={**CLIENT, "token": granted["access_token"]}, timeout=T)
    assert refresh(tiny, granted["refresh_token"]).status_code == 400  # the whole grant is gone


# ---------------------------------------------------------------------------- faults
def test_fault_switches_sent_as_json_fractions_are_used_as_numbers(tiny):
    answer = requests.post(f"{tiny.url}/_sandbox/faults", json={"timeout": 1, "timeout_seconds": 0.2}, timeout=T)
    assert answer.json() == {"ok": True}
    started = time.monotonic()
    assert ping(tiny, tiny.oauth.static_token()).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_reset_forgets_tokens_and_faults_and_starts_the_counters_again(tiny):
    static = tiny.oauth.static_token()
    requests.post(f"{tiny.url}/_sandbox/faults", json={"throttle": 5}, timeout=T)
    assert ping(tiny, static).status_code == 429 and tiny.stats == {"throttled": 1}
    assert requests.post(f"{tiny.url}/_sandbox/reset", json={}, timeout=T).json() == {"tenant": "north"}
    assert ping(tiny, static).status_code == 401 and tiny.stats == {}
    assert ping(tiny, tiny.oauth.static_token()).status_code == 200


# ---------------------------------------------------------------------------- notifications
class Receiver:
    """A loopback receiver answering the given statuses in turn (then 200), keeping what it got."""

    def __init__(self, *statuses):
        self.statuses, self.received = list(statuses), []
        receiver = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.received.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []
    yield lambda *statuses: made.append(Receiver(*statuses)) or made[-1]
    for one in made:
        one.close()


def test_a_notification_is_signed_and_sent_again_until_accepted_or_out_of_tries(receiver):
    hook = receiver(500, 503, 500)
    notifier = Notifier(header="X-Sig", encoding="hex", delays=(0, 0))
    notifier.queue([b'{"n": 1}'])
    assert [notifier.send_due(hook.url, "k") for _ in range(4)] == [0, 0, 0, 0]
    assert len(hook.received) == 3 and not notifier.outbox  # one try and two retries, then given up
    headers, body = hook.received[0]
    assert headers["X-Sig"] == hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert [status for status, _body in notifier.log] == [500, 503, 500]

    accepted = receiver(204)
    notifier.queue([b"{}"], copies=2)
    assert notifier.send_due(accepted.url, "k") == 2  # 2xx counts, unless the provider says otherwise
    failing = Notifier(header="X-Sig", delays=(0,))
    failing.queue([b"{}"])
    assert failing.send_due(accepted.url, "k", fail=lambda: True) == 0
    assert failing.log[0][0] == "error: receiver failure injected" and len(accepted.received) == 2


def test_quickbooks_webhooks_are_signed_in_base64_and_only_a_200_is_delivered(receiver):
    hook = receiver(202)
    sb = QuickBooks()
    sb.webhook.update(url=hook.url, retry_scale=0)
    sb.company.write("Customer", {"DisplayName": "Webhook Works Ltd"})
    assert sb.flush_webhooks(force=True) == 0 and len(sb.webhook_outbox) == 1  # a 202 is not Intuit's 200
    assert sb.flush_webhooks() == 1 and not sb.webhook_outbox
    (headers, body), (_again, same) = hook.received
    assert same == body and headers["intuit-signature"] == sb.sign(body)
    assert sb.sign(body) == base64.b64encode(hmac.new(b"sandbox-verifier", body, hashlib.sha256).digest()).decode()
    event = json.loads(body)["eventNotifications"][0]
    assert event["realmId"] == sb.company.realm_id
    assert event["dataChangeEvent"]["entities"][0]["operation"] == "Create"
    assert [status for status, _payload in sb.webhook_log] == [202, 200]


# ---------------------------------------------------------------------------- command line
def test_the_command_line_reports_a_refused_start_with_status_2(capsys):
    def build(args):
        raise CannotStart("set TINY_DOCUMENT to the provider's document")

    assert main(build, prog="tiny", doc="", port=0, log_name="tiny-sandbox", argv=[]) == 2
    assert capsys.readouterr().err == "tiny-sandbox: set TINY_DOCUMENT to the provider's document\n"
