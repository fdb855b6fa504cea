"""The Kashoo client over real loopback HTTP to the Kashoo sandbox: every auth mode and the way the
token is obtained, paging to the empty array, dates, creates, and each failure as a typed error.
Only what the sandbox cannot answer (a 403, a 503 on a write, HTML, an offset ignored) is a stub
at the client's session."""

import re
import time
from datetime import UTC, datetime

import pytest
import requests

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.oauth import OAuth2Helper, TokenManager
from odoo.addons.connector_kashoo.lib.client import NEEDS_RECONNECT, KashooClient, obtain_user_token, parse_token
from odoo.addons.connector_kashoo.lib.settings import KashooSettings

pytest_plugins = ["kashoo_fixtures"]
EMAIL, PASSWORD = "owner@sandbox.example", "sandbox-password"  # the sandbox's user
REDIRECT = "http://localhost/callback"


def invoice_body(contact, amount=10000, **fields):
    line = {"description": "Work", "quantity": 1, "unitPrice": amount, "taxes": ["GST"]}
    return {"contact": contact, "date": "2026-03-10", "lines": [line], **fields}


def a_customer(kashoo, province="BC"):
    body = {"name": f"Client {province}", "address": {"province": province, "country": "CA"}}
    return kashoo.business.add_contact(body, ["customer"])["id"]


# ---------------------------------------------------------------------------- settings
def test_every_unknown_is_a_setting_checked_before_use():
    settings = KashooSettings()
    assert (settings.api_url, settings.page_size) == ("https://api.kashoo.com/api", 100)
    assert settings.auth_mode == "token_uuid" and settings.credentials == "form"
    assert settings.contacts_path == "/sync/{sync}/contacts/{role}" and settings.poll_window_days == 35
    stored = settings.with_changes(base_url="https://app.kashoo.net", fields={"lines": "items"}).as_dict()
    again = KashooSettings.from_dict(stored)
    assert again.api_url == "https://app.kashoo.net/api" and again.field("lines") == "items"
    assert again.field("line_taxes") == "taxes"  # a name not stored keeps its default
    with pytest.raises(ValueError, match="unknown Kashoo settings: colour"):
        KashooSettings.from_dict({"colour": "red"})
    with pytest.raises(ValueError) as refused:
        KashooSettings(
            base_url="api.kashoo.com",
            auth_mode="oauth2",
            page_size=0,
            type_map={"INVOICE": "sale"},
            contacts_path="/contacts/{kind}",
        )
    for name in ("base_url", "oauth_token_url", "page_size", "type_map", "contacts_path"):
        assert f"{name}:" in str(refused.value)


# ---------------------------------------------------------------------------- authentication
def test_a_user_token_by_form_fields_or_basic_sent_as_token_uuid_or_token_json(kashoo):
    settings = kashoo.settings()
    token = obtain_user_token(settings, EMAIL, PASSWORD)
    assert token.form == "uuid" and re.fullmatch(r"[0-9a-f-]{36}", token.text)
    assert KashooClient(settings, token.text).businesses()[0]["contactInformation"]["name"] == "Sandbox Trading Ltd."

    kashoo.control("settings", credentials=["basic"])
    with pytest.raises(errors.AuthError, match="refused the e-mail or the password"):
        obtain_user_token(settings, EMAIL, PASSWORD)  # form fields are not taken any more
    basic = kashoo.settings(credentials="basic")
    assert KashooClient(basic, obtain_user_token(basic, EMAIL, PASSWORD).text).businesses()

    kashoo.control("settings", credentials=["form"], token_form="json")
    json_token = obtain_user_token(settings, EMAIL, PASSWORD)
    assert json_token.form == "json" and json_token.expires_at > time.time() + 86000
    as_json = kashoo.settings(auth_mode="token_json")
    assert KashooClient(as_json, json_token.text).businesses()
    with pytest.raises(errors.AuthError, match="set the auth mode to TOKEN json:"):
        KashooClient(settings, json_token.text).businesses()  # a JSON token sent as TOKEN uuid:

    pasted = kashoo.control("token", form="json")["header"]  # copied from a browser's network log
    assert KashooClient(as_json, "authorization: " + pasted).businesses()
    kashoo.control("settings", auth=["json"])
    with pytest.raises(errors.AuthError) as refused:
        KashooClient(settings, token.text).businesses()  # TOKEN uuid: is not accepted any more
    assert str(refused.value) == NEEDS_RECONNECT


def test_the_password_is_sent_once_and_kept_nowhere(kashoo):
    client = kashoo.client()
    for _ in range(3):
        client.businesses()
    assert kashoo.stats()["auth_tokens"] == 1
    kept = repr(vars(client)) + repr(client.settings.as_dict()) + repr(vars(client.http))
    assert PASSWORD not in kept and EMAIL not in kept
    with pytest.raises(errors.AuthError, match="refused the e-mail or the password"):
        obtain_user_token(kashoo.settings(), EMAIL, "wrong")
    with pytest.raises(errors.AuthError, match="e-mail and the password"):
        obtain_user_token(kashoo.settings(), EMAIL, "")


def oauth_token(kashoo, helper):
    page = requests.get(helper.authorization_url("s1"), timeout=10)
    assert "view/modify your Kashoo businesses" in page.text
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    answer = {"ticket": ticket, "decision": "connect"}
    consent = requests.post(f"{kashoo.url}/oauth/authorize", data=answer, allow_redirects=False, timeout=10)
    return helper.fetch_token(re.search(r"code=([^&]+)", consent.headers["Location"]).group(1))


@pytest.mark.parametrize("refresh", [False, True])
def test_oauth_bearer_and_a_lapsed_access_token(kashoo, refresh):
    kashoo.control("settings", auth=["bearer"], oauth_refresh=refresh)
    oauth = {"oauth_authorize_url": f"{kashoo.url}/oauth/authorize", "oauth_token_url": f"{kashoo.url}/oauth/token"}
    settings = kashoo.settings(auth_mode="oauth2", **oauth)
    helper = OAuth2Helper(
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        authorize_url=settings.oauth_authorize_url,
        token_url=settings.oauth_token_url,
        redirect_uri=REDIRECT,
    )
    stored = {"token": oauth_token(kashoo, helper)}
    assert stored["token"]["expires_in"] == 3600 and ("refresh_token" in stored["token"]) == refresh
    manager = TokenManager(
        load=lambda: stored["token"], save=lambda new: stored.update(token=new), refresh=helper.refresh_token
    )
    client = KashooClient(settings, manager.access_token)
    assert client.businesses()[0]["id"] == kashoo.business.id
    kashoo.control("expire_tokens")
    if refresh:  # the 401 refreshes once and the call goes through
        assert client.businesses()[0]["id"] == kashoo.business.id
    else:  # no refresh token ([T-SP]: the connection lasts 60 minutes): one clear message
        with pytest.raises(errors.AuthError) as refused:
            client.businesses()
        assert str(refused.value) == NEEDS_RECONNECT


def test_an_expired_token_gives_one_needs_reconnect_message(kashoo):
    short = kashoo.control("token", form="json", ttl=3600)["token"]
    later = time.time() + 7200
    client = KashooClient(kashoo.settings(auth_mode="token_json"), short, clock=lambda: later)
    before = kashoo.stats().get("requests", 0)
    with pytest.raises(errors.AuthError, match=re.escape(NEEDS_RECONNECT) + r" \(it expired on \d{4}-"):
        client.businesses()  # known from the token itself: nothing is sent
    assert kashoo.stats().get("requests", 0) == before

    client = kashoo.client()
    kashoo.control("expire_tokens")
    with pytest.raises(errors.AuthError) as refused:
        client.records("invoices").__next__()
    assert str(refused.value) == NEEDS_RECONNECT and kashoo.sleeps == []  # never retried


def test_parse_token_takes_every_shape_a_person_may_paste():
    assert parse_token("  TOKEN uuid:abc-1 ").text == "abc-1"
    assert parse_token('"abc-2"').text == "abc-2"
    token = parse_token('Authorization: TOKEN json:{"authenticationCode": "x=", "expiryDate": 1698789858551}')
    assert token.form == "json" and token.text == '{"authenticationCode":"x=","expiryDate":1698789858551}'
    assert datetime.fromtimestamp(token.expires_at, UTC).isoformat() == "2023-10-31T22:04:18.551000+00:00"
    with pytest.raises(errors.AuthError):
        parse_token("TOKEN json:{not json")


# ---------------------------------------------------------------------------- lists
def test_pages_of_the_page_size_until_the_empty_array(kashoo):
    kashoo.sandbox.generate(customers=3, vendors=1, invoices=230, bills=0, payments=0)
    client = kashoo.client()
    before = kashoo.stats().get("requests", 0)
    found = list(client.records("invoices"))
    assert len(found) == 230 and len({doc["id"] for doc in found}) == 230
    assert kashoo.stats()["requests"] - before == 4  # 100, 100, 30, then []

    kashoo.control("settings", max_limit=40)  # Kashoo answers less than asked: a short page is not the end
    assert len(list(client.records("invoices"))) == 230
    assert len(list(kashoo.client(page_size=7).accounts())) == len(kashoo.business.accounts)


def test_start_and_end_dates_and_the_prefix(kashoo):
    contact = a_customer(kashoo)
    client = kashoo.client()
    for day in ("2026-03-01", "2026-03-10", "2026-03-31"):
        client.create_record("invoices", invoice_body(contact, date=day))
    dated = [doc["date"] for doc in client.records("invoices", "2026-03-10", "2026-03-31")]
    assert dated == ["2026-03-10", "2026-03-31"]

    kashoo.control("settings", api_prefix="/api/v2")
    with pytest.raises(errors.NotFoundError, match="Could not locate a Kashoo instance"):
        client.businesses()
    assert kashoo.client(api_prefix="/api/v2").businesses()


def test_a_create_answered_by_its_url_is_read_back(kashoo):
    contact = a_customer(kashoo)
    kashoo.control("settings", create_answer="url")
    doc = kashoo.client().create_record("invoices", invoice_body(contact, amount=9999))
    assert doc["type"] == "INVOICE" and doc["amount"] == 10499 and doc["balanceDue"] == 10499
    kashoo.control("settings", create_answer="url", record_path="none")
    assert set(kashoo.client(record_path="none").create_record("invoices", invoice_body(contact))) == {"id"}


# ---------------------------------------------------------------------------- failures
def test_404_400_429_and_5xx_are_typed_and_retried_when_safe(kashoo):
    contact = a_customer(kashoo)
    client = kashoo.client()
    with pytest.raises(errors.NotFoundError, match="404 on GET /api/businesses/999/records"):
        list(kashoo.client(business_id=999).records())
    kashoo.control("settings", disabled=["bills"])
    with pytest.raises(errors.NotFoundError):
        list(client.records("bills"))
    with pytest.raises(errors.ProviderValidationError, match="is not a customer of this business"):
        client.create_record("invoices", invoice_body(contact + 1000))

    kashoo.control("faults", throttle=2, retry_after=7)
    assert client.businesses()
    assert kashoo.sleeps == [7.0, 7.0]  # Retry-After honoured, then through
    kashoo.control("faults", throttle=9, retry_after=3)
    with pytest.raises(errors.RateLimitedError) as throttled:
        kashoo.client(max_attempts=2).businesses()
    assert throttled.value.retry_after == 3.0
    kashoo.control("faults", throttle=0, server_error=1)
    assert client.businesses()  # a read is retried after a 500
    kashoo.control("faults", server_error=1)
    with pytest.raises(errors.OutcomeUnknownError):
        client.create_record("invoices", invoice_body(contact))  # a create is never sent twice
    assert len(list(client.records("invoices"))) == 0


def test_a_lost_answer_or_a_timeout_on_a_create_is_outcome_unknown(kashoo):
    contact = a_customer(kashoo)
    client = kashoo.client(read_timeout=0.5)
    assert client.http.timeout == (5.0, 0.5)
    kashoo.control("faults", lose_response=1)
    with pytest.raises(errors.OutcomeUnknownError):
        client.create_record("invoices", invoice_body(contact, memo="odoo:account.move:1"))
    assert [doc["memo"] for doc in client.records("invoices")] == ["odoo:account.move:1"]  # it happened
    kashoo.control("faults", timeout=1, timeout_seconds=1.0)
    with pytest.raises(errors.OutcomeUnknownError, match="no answer within the timeout"):
        client.create_record("invoices", invoice_body(contact, memo="odoo:account.move:2"))
    kashoo.control("faults", timeout=1, timeout_seconds=1.0)
    assert len(list(client.records("invoices"))) == 2  # a read that timed out is read again
    assert kashoo.sleeps  # after a backoff


def test_opening_a_contacts_session_is_a_read_retried_after_a_timeout_or_a_5xx(kashoo):
    """``POST /sync`` opens the legacy session the contacts are listed through: it writes nothing
    to the books, so a lost answer is not an unknown outcome (which fails the job) but a retry."""
    a_customer(kashoo)
    kashoo.control("faults", timeout=1, timeout_seconds=1.0)
    client = kashoo.client(read_timeout=0.5)
    assert [c["name"] for c in client.contacts("customers")] == ["Client BC"]  # opened again at once
    assert kashoo.sleeps
    kashoo.control("faults", server_error=1)
    with pytest.raises(errors.TransientError, match="did not answer the opening of a contacts list"):
        list(kashoo.client().contacts("customers"))
    assert [c["name"] for c in kashoo.client().contacts("customers")] == ["Client BC"]  # the job's retry


class StubSession:
    """What the sandbox cannot answer: canned responses at the client's session."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.headers = {}
        self.sent = []

    def request(self, method, url, **kwargs):
        status, body, headers = self.answers.pop(0)
        self.sent.append((method, url, kwargs.get("params")))
        response = requests.Response()
        response.status_code, response._content = status, body.encode()
        response.headers.update(headers)
        response.request = requests.Request(method, url).prepare()
        return response


def stubbed(kashoo, *answers, **changes):
    client = KashooClient(kashoo.settings(**changes), "a-token", sleep=kashoo.sleeps.append)
    client.http.session = StubSession(*answers)
    return client


def test_what_the_sandbox_cannot_answer(kashoo):
    forbidden = stubbed(kashoo, (403, '{"message": "Subscription inactive"}', {}))
    with pytest.raises(errors.AuthError, match="Subscription inactive.*active subscription"):
        forbidden.businesses()
    html = stubbed(kashoo, (200, "<html>Sign in</html>", {"Content-Type": "text/html"}))
    with pytest.raises(errors.TransientError, match="no JSON"):
        html.businesses()
    unavailable = stubbed(kashoo, (503, "", {"Retry-After": "2"}), (201, '{"id": 5, "type": "BILL"}', {}))
    assert unavailable.create_record("bills", {"contact": 1})["id"] == 5  # 503: nothing was done, sent again
    assert kashoo.sleeps[-1] == 2.0
    same = '[{"id": 1}, {"id": 2}]'
    ignoring = stubbed(kashoo, (200, same, {}), (200, same, {}))
    with pytest.raises(errors.ProviderValidationError, match="ignores offset"):
        list(ignoring.accounts())
    envelope = stubbed(kashoo, (200, '{"items": []}', {}))
    with pytest.raises(errors.ProviderValidationError, match="where a list was expected"):
        list(envelope.accounts())
    nothing = stubbed(kashoo, (201, "", {}))
    with pytest.raises(errors.OutcomeUnknownError, match="named no id"):
        nothing.create_account({"name": "Bank"})
