"""The Kashoo sandbox over real loopback HTTP: auth switches, paging, dates, writes, cents, taxes, faults.

It is built from the evidence, not read from it: nothing here needs ../shared.
"""

import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import time

import pytest
import requests

from tests.sandbox.kashoo import KashooSandbox
from tests.sandbox.kashoo import taxes as tx
from tests.sandbox.kashoo.client import EMAIL, PASSWORD, KashooClient

T = 10  # seconds, every request
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def sandbox():
    sb = KashooSandbox()
    sb.start()
    yield sb
    sb.stop()


@pytest.fixture
def kashoo(sandbox):
    requests.post(sandbox.url + "/_sandbox/reset", json={}, timeout=T).raise_for_status()
    client = KashooClient(sandbox.url)
    client.sb = sandbox
    return client


def customer(kashoo, province="BC", name=None):
    body = {"name": name or f"Client {province}", "address": {"province": province, "country": "CA"}}
    return kashoo.sb.tenant().add_contact(body, ["customer"])["id"]


def invoice(kashoo, contact, lines, **fields):
    body = {"contact": contact, "date": "2026-03-10", "lines": lines, **fields}
    return kashoo.raw("POST", kashoo.biz("records/invoices"), json=body)


def line(amount, taxes, **fields):
    return {"description": "Work", "amount": amount, "taxes": list(taxes), **fields}


# ---------------------------------------------------------------------------- authentication
def test_auth_tokens_by_form_or_basic_and_each_token_header(kashoo):
    url = f"{kashoo.url}/api/authTokens"
    by_form = kashoo.login()
    assert by_form.status_code == 200 and by_form.headers["Content-Type"].startswith("text/plain")
    assert re.fullmatch(r"[0-9a-f-]{36}", by_form.text)  # the raw token text, a UUID
    multipart = requests.post(url, files={"email": (None, EMAIL), "password": (None, PASSWORD)}, timeout=T)
    basic = requests.post(url, auth=(EMAIL, PASSWORD), json=[], timeout=T)
    assert multipart.status_code == basic.status_code == 200
    assert kashoo.login(password="wrong").status_code == 401
    for token in (by_form.text, multipart.text, basic.text):
        assert kashoo.raw("GET", "/users/me", header=f"TOKEN uuid:{token}").status_code == 200

    kashoo.control("settings", credentials=["basic"])
    assert kashoo.login().status_code == 401
    kashoo.control("settings", credentials=["form"])
    assert requests.post(url, auth=(EMAIL, PASSWORD), json=[], timeout=T).status_code == 401

    kashoo.control("settings", token_form="json")
    text = kashoo.login().text
    token = json.loads(text)
    assert set(token) == {"authenticationCode", "expiryDate", "locale", "myUserId", "restriction", "site"}
    assert token["expiryDate"] > time.time() * 1000 and token["restriction"] is None
    assert kashoo.raw("GET", "/users/me", header=f"TOKEN json:{text}").status_code == 200
    assert kashoo.raw("GET", "/users/me", header=f"TOKEN uuid:{text}").status_code == 401

    kashoo.control("settings", auth=["json"])
    assert kashoo.raw("GET", "/users/me").status_code == 401  # TOKEN uuid: is not accepted any more
    assert kashoo.raw("GET", "/users/me", header=f"TOKEN json:{text}").status_code == 200


def test_oauth_bearer_only_when_switched_on(kashoo):
    url, redirect = kashoo.url, "http://localhost/callback"
    query = {"client_id": "sandbox-client", "response_type": "code", "redirect_uri": redirect, "state": "s1"}
    page = requests.get(f"{url}/oauth/authorize", params=query, timeout=T)
    assert "view/modify your Kashoo businesses" in page.text
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    consent = requests.post(
        f"{url}/oauth/authorize", data={"ticket": ticket, "decision": "connect"}, allow_redirects=False, timeout=T
    )
    code = re.search(r"code=([^&]+)", consent.headers["Location"]).group(1)
    grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect}
    answer = requests.post(f"{url}/oauth/token", data=grant, auth=("sandbox-client", "sandbox-secret"), timeout=T)
    token = answer.json()
    assert token["expires_in"] == 3600 and "refresh_token" not in token
    bearer = f"Bearer {token['access_token']}"
    assert kashoo.raw("GET", "/users/me/businesses", header=bearer).status_code == 401  # uuid and json only
    kashoo.control("settings", auth=["uuid", "json", "bearer"])
    assert kashoo.raw("GET", "/users/me/businesses", header=bearer).json()[0]["id"] == kashoo.business
    kashoo.control("expire_tokens")
    assert kashoo.raw("GET", "/users/me/businesses", header=bearer).status_code == 401


def test_an_expired_or_altered_token_gets_401(kashoo):
    short = kashoo.control("token", form="json", ttl=0.6)["header"]
    assert kashoo.raw("GET", kashoo.biz("accounts"), header=short).status_code == 200
    forged = json.loads(short[len("TOKEN json:") :])
    forged["expiryDate"] += 86400000
    assert kashoo.raw("GET", "/users/me", header="TOKEN json:" + json.dumps(forged)).status_code == 401
    time.sleep(0.7)
    assert kashoo.raw("GET", kashoo.biz("accounts"), header=short).status_code == 401
    assert kashoo.raw("GET", "/users/me").status_code == 200
    kashoo.control("expire_tokens")
    assert kashoo.raw("GET", "/users/me").status_code == 401
    assert kashoo.raw("GET", "/users/me", header="TOKEN uuid:not-a-token").status_code == 401


# ---------------------------------------------------------------------------- reading
def test_pages_are_bare_arrays_that_end_with_an_empty_one(kashoo):
    kashoo.control("generate", size={"customers": 6, "vendors": 2, "invoices": 250, "bills": 5, "payments": 0})
    found, sizes = kashoo.all("records/invoices", limit=100)
    assert sizes == [100, 100, 50, 0] and len({r["id"] for r in found}) == 250
    assert len(kashoo.get(kashoo.biz("records/invoices"))) == 100  # the default limit
    assert kashoo.get(kashoo.biz("records/invoices"), limit=10, offset=250) == []
    assert [r["type"] for r in kashoo.all("records/bills")[0]] == ["BILL"] * 5
    assert len(kashoo.all("records")[0]) == 255
    kashoo.control("settings", max_limit=40)
    assert kashoo.all("records/invoices", limit=100)[1] == [40] * 6 + [10, 0]
    assert kashoo.raw("GET", kashoo.biz("records/invoices"), params={"limit": "x"}).status_code == 400


def test_start_and_end_dates_filter_records_both_inclusive(kashoo):
    contact = customer(kashoo, "ON")
    for day in ("2026-01-31", "2026-02-01", "2026-02-28", "2026-03-01"):
        assert invoice(kashoo, contact, [line(1000, ["HST"])], date=day).status_code == 201
    window = {"startDate": "2026-02-01", "endDate": "2026-02-28"}
    dates = [r["date"] for r in kashoo.get(kashoo.biz("records/invoices"), **window)]
    assert dates == ["2026-02-01", "2026-02-28"]
    assert len(kashoo.get(kashoo.biz("records"), startDate="2026-03-01")) == 1
    assert kashoo.raw("GET", kashoo.biz("records/invoices"), params={"startDate": "01/02/2026"}).status_code == 400


# ---------------------------------------------------------------------------- writing
def test_create_by_post_then_remove_and_pay(kashoo):
    contact = customer(kashoo, "BC")
    created = invoice(kashoo, contact, [line(10000, ["GST", "PST"])], memo="odoo:account.move:7")
    assert created.status_code == 201
    record = created.json()
    assert created.headers["Location"].endswith(f"/api/businesses/{kashoo.business}/records/{record['id']}")
    assert (record["type"], record["amount"], record["balanceDue"], record["removed"]) == (
        "INVOICE",
        11200,
        11200,
        False,
    )
    assert invoice(kashoo, contact, [line(100, [])], id=5).status_code == 400  # ids are left out to create
    pay = {"invoiceRecordId": record["id"], "amount": 4000, "date": "2026-03-11"}
    paid = kashoo.raw("POST", kashoo.biz("records/invoicePayments"), json=pay)
    assert paid.status_code == 201 and paid.json()["type"] == "INVOICE_PAYMENT"
    assert kashoo.get(kashoo.biz(f"records/{record['id']}"))["balanceDue"] == 7200
    too_much = kashoo.raw("POST", kashoo.biz("records/invoicePayments"), json={**pay, "amount": 7201})
    assert too_much.status_code == 400

    assert kashoo.raw("DELETE", kashoo.biz(f"records/{record['id']}")).status_code == 204
    assert [r["removed"] for r in kashoo.get(kashoo.biz("records/invoices"))] == [True]
    kashoo.control("settings", removed_listed=False, record_path="typed")
    assert kashoo.get(kashoo.biz("records/invoices")) == []
    assert kashoo.raw("GET", kashoo.biz(f"records/{record['id']}")).status_code == 404
    assert kashoo.get(kashoo.biz(f"records/invoices/{record['id']}"))["removed"] is True


def test_amounts_are_integer_cents(kashoo):
    contact = customer(kashoo, "ON")
    priced = invoice(kashoo, contact, [{"quantity": 2.5, "unitPrice": 1999, "taxes": ["HST"]}]).json()
    assert priced["lines"][0]["amount"] == 4998 and priced["amount"] == 4998 + 650  # 2.5 x 19.99; HST 6.4974
    assert all(isinstance(priced[key], int) for key in ("amount", "totalDue", "balanceDue"))
    assert invoice(kashoo, contact, [line(12.5, ["HST"])]).status_code == 400  # not a whole number of cents
    assert invoice(kashoo, contact, [line(1000, ["HST"])], amount=1000).status_code == 400  # totals must agree
    assert invoice(kashoo, contact, [line(1000, ["VAT"])]).status_code == 400
    assert (
        invoice(kashoo, contact, [line(1000, ["HST"])], amount=1130).json()["number"] == "1002"
    )  # refusals left no trace


@pytest.mark.parametrize(
    ("province", "codes", "included", "amount", "taxes", "total"),
    [
        ("BC", ["GST", "PST"], False, 12345, {"GST": 617, "PST": 864}, 13826),
        ("ON", ["HST"], False, 12345, {"HST": 1605}, 13950),
        ("QC", ["GST", "QST"], False, 12345, {"GST": 617, "QST": 1231}, 14193),
        ("BC", ["GST", "PST"], True, 10000, {"GST": 446, "PST": 625}, 10000),
        ("ON", ["HST"], True, 11300, {"HST": 1300}, 11300),
        ("QC", ["GST", "QST"], True, 11498, {"GST": 500, "QST": 998}, 11498),
    ],
)
def test_tax_of_the_three_provinces_to_the_cent(kashoo, province, codes, included, amount, taxes, total):
    contact = customer(kashoo, province)
    record = invoice(kashoo, contact, [line(amount, codes)], taxIncluded=included).json()
    assert {t["abbreviation"]: t["amount"] for t in record["taxes"]} == taxes
    assert record["amount"] == total and record["taxIncluded"] is included
    assert {t["abbreviation"]: t["rate"] for t in record["taxes"]} == {c: float(tx.TAXES[c][1]) for c in codes}
    assert tx.split(10000, [tx.TAXES["GST"][1]], True) == (9524, [476])  # Kashoo's help: $100 with 5% included


# ---------------------------------------------------------------------------- limits, faults, refusals
def test_a_request_limit_answers_429_and_the_kit_faults_fire(kashoo):
    kashoo.control("limits", per_minute=3)
    fresh = kashoo.control("token")["header"]  # the limit is per token
    answers = [kashoo.raw("GET", "/users/me", header=fresh) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429] and int(answers[3].headers["Retry-After"]) >= 1
    kashoo.control("limits", per_minute=None)
    kashoo.control("faults", throttle=1, retry_after=7)
    throttled = kashoo.raw("GET", "/users/me")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    kashoo.control("faults", server_error=1)
    assert kashoo.raw("GET", "/users/me").status_code == 500
    kashoo.control("faults", timeout=1, timeout_seconds=0.5)
    with pytest.raises(requests.Timeout):
        kashoo.raw("GET", "/users/me", timeout=0.2)
    kashoo.control("faults", unauthorized=1)
    assert kashoo.raw("GET", "/users/me").status_code == 401
    assert kashoo.raw("GET", "/users/me").status_code == 200
    assert kashoo.control_get("stats")["throttled"] == 2


def test_a_write_that_loses_its_answer_has_committed(kashoo):
    contact = customer(kashoo, "QC")
    kashoo.control("faults", lose_response=1)
    with pytest.raises(requests.ConnectionError):
        invoice(kashoo, contact, [line(5000, ["GST", "QST"])], memo="odoo:account.move:42")
    memos = [r["memo"] for r in kashoo.get(kashoo.biz("records/invoices"))]
    assert memos == ["odoo:account.move:42"]  # there once: a retry must look it up first


def test_unknown_paths_businesses_and_turned_off_collections_get_404(kashoo):
    assert kashoo.raw("GET", kashoo.biz("records/creditNotes")).status_code == 404
    assert kashoo.raw("GET", "/businesses/999/records").json() == {"message": "Could not locate a Kashoo instance"}
    assert kashoo.raw("GET", "/nowhere").status_code == 404
    kashoo.control("settings", disabled=["bills"])
    assert kashoo.raw("GET", kashoo.biz("records/bills")).status_code == 404
    assert kashoo.raw("GET", kashoo.biz("records/invoices")).status_code == 200
    kashoo.control("settings", api_prefix="/api/v2", api_host="app.kashoo.net")
    assert kashoo.raw("GET", "/users/me").status_code == 404
    moved = KashooClient(kashoo.url, prefix="/api/v2", header=kashoo.header, business=kashoo.business)
    assert moved.raw("GET", "/users/me").status_code == 404  # a wrong host
    assert moved.raw("GET", "/users/me", headers={"Host": "app.kashoo.net"}).status_code == 200


# ---------------------------------------------------------------------------- switches, seeding, start
def test_type_values_contacts_and_field_names_are_switches(kashoo):
    contact = customer(kashoo, "ON", name="Lakeshore Dental")
    kashoo.control("settings", types={"invoice": "Invoice"}, fields={"lines": "items", "line_taxes": "taxCodes"})
    made = kashoo.post(
        kashoo.biz("records/invoices"), {"contact": contact, "items": [{"amount": 100, "taxCodes": ["HST"]}]}
    )
    assert made["type"] == "Invoice" and made["items"][0]["taxCodes"] == ["HST"] and "lines" not in made
    kashoo.control(
        "seed", documents={"Record": [{"id": 7, "type": "JOURNAL_ENTRY", "amount": 500, "date": "2026-03-01"}]}
    )
    assert {r["type"] for r in kashoo.get(kashoo.biz("records"))} == {"Invoice", "JOURNAL_ENTRY"}

    assert kashoo.raw("GET", kashoo.biz("contacts/customers")).status_code == 404  # default: the legacy sync
    sync = kashoo.post("/sync", {"business": kashoo.business, "description": "odoo"})["id"]
    assert [c["name"] for c in kashoo.get(f"/sync/{sync}/contacts/customers", limit=100)] == ["Lakeshore Dental"]
    assert kashoo.get(f"/sync/{sync}/contacts/vendors") == []
    kashoo.control("settings", contacts="business")
    assert kashoo.raw("GET", f"/sync/{sync}/contacts/customers").status_code == 404
    assert [c["customer"] for c in kashoo.get(kashoo.biz("contacts"))] == [True]


def test_seeding_from_json_documents(kashoo, tmp_path):
    documents = {
        "Customer": [{"id": 501, "name": "Granite Labs Inc.", "address": {"province": "QC"}}],
        "Invoice": [{"id": 601, "contact": 501, "date": "2026-02-02", "lines": [line(20000, ["GST", "QST"])]}],
        "InvoicePayment": [{"id": 701, "invoiceRecordId": 601, "amount": 10000, "date": "2026-02-09"}],
        "Record": [{"id": 801, "type": "TRANSFER", "amount": 2500, "date": "2026-02-10"}],
    }
    for entity, docs in documents.items():
        (tmp_path / f"{entity}.json").write_text(json.dumps(docs))
    seeded = kashoo.control("seed", directory=str(tmp_path))["seeded"]
    assert seeded == {"customers": 1, "invoice": 1, "invoicePayment": 1, "transfer": 1}
    found = {r["id"]: r for r in kashoo.get(kashoo.biz("records"))}
    assert (found[601]["amount"], found[601]["balanceDue"], found[601]["contactName"]) == (
        22995,
        12995,
        "Granite Labs Inc.",
    )
    assert found[801]["type"] == "TRANSFER" and kashoo.get(kashoo.biz("records/transfers"))[0]["amount"] == 2500


def test_the_generated_company_adds_up_to_the_cent(kashoo):
    made = kashoo.control(
        "generate", size={"customers": 30, "vendors": 6, "invoices": 120, "bills": 30, "payments": 90}
    )
    assert made["generated"]["payments"] == 90
    contacts = {c["id"]: c for c in kashoo.sb.tenant().list_contacts()}
    records = kashoo.all("records", limit=100)[0]
    documents = [r for r in records if r["type"] in ("INVOICE", "BILL")]
    seen = set()
    for doc in documents:
        province = contacts[doc["contact"]]["address"]["province"]
        seen.add((province, tuple(sorted(t["abbreviation"] for t in doc["taxes"])), doc["taxIncluded"]))
        gross = sum(item["amount"] for item in doc["lines"])
        taxes = sum(t["amount"] for t in doc["taxes"])
        assert doc["amount"] == (gross if doc["taxIncluded"] else gross + taxes)
    assert {("BC", ("GST", "PST")), ("ON", ("HST",)), ("QC", ("GST", "QST"))} <= {s[:2] for s in seen}
    assert {s[2] for s in seen} == {True, False}
    paid = {}
    for r in records:
        if r["type"].endswith("PAYMENT"):
            ref = r.get("invoiceRecordId") or r["billRecordId"]
            paid[ref] = paid.get(ref, 0) + r["amount"]
    assert all(doc["balanceDue"] == doc["totalDue"] - paid.get(doc["id"], 0) for doc in documents)
    assert any(0 < doc["balanceDue"] < doc["totalDue"] for doc in documents)  # some partly paid
    numbers = [c["businessNumber"] for c in contacts.values()]
    assert all(re.fullmatch(r"\d{9}RT0001", n) for n in numbers)


def test_signed_change_notifications_are_an_assumption_switched_on_by_a_receiver(kashoo, receiver):
    contact = customer(kashoo, "ON")
    first = invoice(kashoo, contact, [line(1000, ["HST"])]).json()
    assert kashoo.control("flush") == {"sent": 0}, "off until a receiver is named"
    try:
        kashoo.control("notifications", url=receiver.url, secret="s3cret")
        kashoo.sb.generate(customers=2, vendors=1, invoices=3, bills=1, payments=1)  # generating sends nothing
        record = invoice(kashoo, contact, [line(2000, ["HST"])]).json()
        assert kashoo.raw("DELETE", kashoo.biz(f"records/{first['id']}")).status_code == 204
        kashoo.control("flush")
        headers, body = receiver.wait()[0]
        assert headers["X-Kashoo-Signature"] == hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        sent = json.loads(body)
        assert sent["business"] == int(kashoo.business)
        assert [(e["type"], e["record"], e["operation"]) for e in sent["events"]] == [
            ("INVOICE", record["id"], "created"),
            ("INVOICE", first["id"], "deleted"),
        ]
        assert set(sent["events"][0]) == {"id", "type", "record", "operation", "time"}
    finally:
        kashoo.control("notifications", url=None)


def test_python_m_runs_the_sandbox_without_anything_outside_the_repository(tmp_path):
    command = [sys.executable, "-m", "tests.sandbox.kashoo", "--port", "0", "--generate", "--invoices", "3"]
    env = {**os.environ, "PYTHONPATH": ROOT}
    process = subprocess.Popen(
        command + ["--token-form", "json"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline, url = time.time() + 20, None
        while url is None and time.time() < deadline:
            found = re.search(r"Kashoo sandbox on (http://\S+) ", process.stderr.readline())
            url = found and found.group(1)
        assert url, "the sandbox did not say where it listens"
        token = requests.post(f"{url}/api/authTokens", data={"email": EMAIL, "password": PASSWORD}, timeout=T).text
        client = KashooClient(url, header=f"TOKEN json:{token}")
        assert len(client.get(client.biz("records/invoices"))) == 3
    finally:
        process.terminate()
        process.wait(T)
    assert subprocess.run(command + ["--auth", "basic"], env=env, capture_output=True, timeout=60).returncode == 2
