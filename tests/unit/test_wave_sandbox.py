"""The Wave sandbox over real loopback HTTP: Wave's schema executed, Wave's rules, OAuth, limits, faults.

Wave's schema is read from ../shared/fixtures/wave (or $WAVE_SCHEMA): without it these tests skip.
"""

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
import requests

from tests.sandbox.wave.schema import SchemaMissing, locate

try:
    locate()
except SchemaMissing as exc:
    pytest.skip(str(exc), allow_module_level=True)

from tests.sandbox.wave.client import INVOICE, WaveClient  # noqa: E402
from tests.sandbox.wave.server import WaveSandbox  # noqa: E402

T = 10  # seconds, every request
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXECUTED = {}


@pytest.fixture(scope="module")
def sandbox():
    sb = WaveSandbox()
    sb.start()
    yield sb
    sb.stop()


def teardown_module():
    queries, mutations = EXECUTED.get("query_operations", 0), EXECUTED.get("mutation_operations", 0)
    print(f"\nWave sandbox: {queries} queries and {mutations} mutations executed against Wave's schema")


@pytest.fixture
def wave(sandbox):
    requests.post(sandbox.url + "/_sandbox/reset", json={}, timeout=T).raise_for_status()
    client = WaveClient(sandbox.url)
    client.sb = sandbox
    client.control("limits", per_minute=None, concurrent=None)
    yield client
    for key, value in client.control_get("stats").items():
        if key.endswith("_operations"):
            EXECUTED[key] = EXECUTED.get(key, 0) + value


def anonymous(wave, token=""):
    return WaveClient(wave.url, token=token, business=wave.business)


def code(answer):
    return answer["errors"][0]["extensions"]["code"]


# ---------------------------------------------------------------------------- refusals
def test_a_document_wave_schema_refuses_gets_graphql_validation_failed(wave):
    for query in ('{ business(name: "Personal") { id } }', "{ business(id: 1) { nope } }", "{ business(id: "):
        answer = wave.gql(query)
        assert "data" not in answer
        error = answer["errors"][0]
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" and error["extensions"]["id"]
    decimal = "query($b: ID!, $a: Decimal) { business(id: $b) { invoices(amountDue: $a) { edges { node { id } } } } }"
    assert code(wave.gql(decimal, b=wave.business, a="not a number")) == "GRAPHQL_VALIDATION_FAILED"
    assert wave.sb.stats["refused"] == 4 and "query_operations" not in wave.sb.stats  # nothing was executed


def test_authentication_errors_come_back_in_errors_with_http_200(wave):
    query = "{ user { id defaultEmail } }"
    for response in (anonymous(wave).raw(query), wave.raw(query, token="not-a-token")):
        assert response.status_code == 200
        assert code(response.json()) == "UNAUTHENTICATED"
    assert (
        anonymous(wave).gql("{ __schema { queryType { name } } }")["data"]["__schema"]["queryType"]["name"] == "Query"
    )
    answer = wave.gql('{ business(id: "invalid_business_id_1") { id } }')
    assert answer["errors"][0]["message"] == "Business 'invalid_business_id_1' could not be found."
    assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND" and answer["errors"][0]["path"] == ["business"]
    assert answer["data"] == {"business": None}


def test_oauth_consent_token_refresh_plan_and_revoke(wave):
    other = wave.control("business", create=True, name="Starter Books", plan="STARTER")["business"]
    params = {
        "client_id": "sandbox-client",
        "response_type": "code",
        "scope": "customer:* invoice:*",
        "redirect_uri": "http://127.0.0.1:1/cb",
        "state": "s1",
        "businessId": wave.business,
    }
    page = requests.get(wave.url + "/oauth2/authorize/", params=params, timeout=T)
    assert page.status_code == 200 and "Starter Books" not in page.text  # no Pro or Advisor plan
    ticket = page.text.split('name="ticket" value="')[1].split('"')[0]
    starter = wave.post("/oauth2/authorize/", data={"ticket": ticket, "decision": "connect", "businessId": other})
    assert starter.status_code == 400
    consent = wave.post(
        "/oauth2/authorize/",
        data={"ticket": ticket, "decision": "connect", "businessId": wave.business},
        allow_redirects=False,
    )
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(consent.headers["Location"]).query))
    assert query["state"] == "s1" and "businessId" not in query  # Wave sends back code and state only
    form = {"client_id": "sandbox-client", "client_secret": "sandbox-secret", "redirect_uri": params["redirect_uri"]}
    token = wave.post("/oauth2/token/", data={**form, "grant_type": "authorization_code", "code": query["code"]}).json()
    assert token["businessId"] == wave.business and token["userId"] and token["expires_in"] == 7200
    user = anonymous(wave, token["access_token"])
    names = [e["node"]["id"] for e in user.data("{ businesses { edges { node { id } } } }")["businesses"]["edges"]]
    assert names == [wave.business]  # the token reaches the business chosen, not the others
    assert code(user.gql("query($b: ID!) { business(id: $b) { id } }", b=other)) == "NOT_FOUND"
    again = wave.post("/oauth2/token/", data={**form, "grant_type": "authorization_code", "code": query["code"]})
    assert again.status_code == 400  # a code is used once
    fresh = wave.post(
        "/oauth2/token/", data={**form, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    )
    assert fresh.status_code == 200 and fresh.json()["refresh_token"] != token["refresh_token"]
    wave.control("business", business=wave.business, plan="STARTER")
    lapsed = wave.post(
        "/oauth2/token/", data={**form, "grant_type": "refresh_token", "refresh_token": fresh.json()["refresh_token"]}
    )
    assert lapsed.status_code == 403
    revoked = wave.post("/oauth2/token-revoke/", data={**form, "token": fresh.json()["access_token"]})
    assert revoked.status_code == 200
    assert code(anonymous(wave, fresh.json()["access_token"]).gql("{ user { id } }")) == "UNAUTHENTICATED"
    wave.control("expire_tokens")
    assert wave.gql("{ user { id } }")["data"]["user"]["id"]  # a Full Access Token does not expire


# ---------------------------------------------------------------------------- reading
def test_paging_and_modified_at_after(wave):
    wave.control("generate", size={"customers": 12, "invoices": 6, "payments": 3})
    query = """query($b: ID!, $page: Int!, $after: DateTime) { business(id: $b) {
        customers(page: $page, pageSize: 5, sort: [MODIFIED_AT_ASC], modifiedAtAfter: $after) {
          pageInfo { currentPage totalPages totalCount } edges { node { id name modifiedAt } } } } }"""
    seen, page = [], 1
    while True:
        block = wave.data(query, b=wave.business, page=page)["business"]["customers"]
        seen += [e["node"]["id"] for e in block["edges"]]
        if block["pageInfo"]["currentPage"] >= block["pageInfo"]["totalPages"]:
            break
        page += 1
    assert block["pageInfo"] == {"currentPage": 3, "totalPages": 3, "totalCount": 12} and len(set(seen)) == 12
    newest = wave.data(query, b=wave.business, page=3)["business"]["customers"]["edges"][-1]["node"]["modifiedAt"]
    time.sleep(0.01)
    changed = wave.mutate(
        "customerPatch", "CustomerPatchInput", "customer { id modifiedAt }", id=seen[0], email="new@x.example"
    )
    assert changed["didSucceed"] and changed["customer"]["modifiedAt"] > newest
    window = wave.data(query, b=wave.business, page=1, after=newest)["business"]["customers"]
    assert [e["node"]["id"] for e in window["edges"]] == [seen[0]] and window["pageInfo"]["totalCount"] == 1
    assert newest.endswith("Z") and len(newest) == len("2021-08-02T20:48:27.707Z")


# ---------------------------------------------------------------------------- writing
def test_customer_product_invoice_create_approve_patch_delete(wave):
    refused = wave.mutate(
        "customerCreate",
        "CustomerCreateInput",
        "customer { id }",
        businessId=wave.business,
        name="Bad Province",
        address={"provinceCode": "RI", "countryCode": "US"},
    )
    assert not refused["didSucceed"] and refused["inputErrors"][0]["path"] == ["address", "provinceCode"]
    customer = wave.customer(address={"provinceCode": "US-RI", "countryCode": "US", "city": "Providence"})
    no_account = wave.mutate(
        "productCreate", "ProductCreateInput", "product { id }", businessId=wave.business, name="Orphan", unitPrice="5"
    )
    assert not no_account["didSucceed"] and no_account["product"] is None
    product = wave.product(price="40")
    invoice = wave.invoice(customer["id"], [{"productId": product, "quantity": "2"}, {"productId": product}])
    assert invoice["status"] == "DRAFT" and invoice["total"]["value"] == "120.00"
    assert invoice["items"][0]["unitPrice"] == "40" and invoice["items"][0]["quantity"] == "2"
    approved = wave.mutate("invoiceApprove", "InvoiceApproveInput", "invoice { status }", invoiceId=invoice["id"])
    assert approved["didSucceed"] and approved["invoice"]["status"] in ("SAVED", "OVERDUE")
    patched = wave.mutate(
        "invoicePatch",
        "InvoicePatchInput",
        INVOICE,
        id=invoice["id"],
        items=[{"productId": product, "quantity": "5", "unitPrice": "9.99"}],
    )
    items = patched["invoice"]["items"]
    assert len(items) == 1 and items[0]["id"] not in {i["id"] for i in invoice["items"]}  # all items replaced
    assert patched["invoice"]["total"]["value"] == "49.95"
    busy = wave.mutate("customerDelete", "CustomerDeleteInput", "", id=customer["id"])
    assert not busy["didSucceed"]  # it still has an invoice
    assert wave.mutate("invoiceDelete", "InvoiceDeleteInput", "", invoiceId=invoice["id"])["didSucceed"]
    assert wave.mutate("customerDelete", "CustomerDeleteInput", "", id=customer["id"])["didSucceed"]
    gone = "query($b: ID!, $c: ID!) { business(id: $b) { customer(id: $c) { id } } }"
    assert code(wave.gql(gone, b=wave.business, c=customer["id"])) == "NOT_FOUND"
    listed = wave.data("query($b: ID!) { business(id: $b) { invoices { pageInfo { totalCount } } } }", b=wave.business)
    assert listed["business"]["invoices"]["pageInfo"]["totalCount"] == 0  # deleted records simply disappear


def test_an_invoice_takes_payments_only_once_approved(wave):
    invoice = wave.invoice(
        wave.customer()["id"],
        [{"productId": wave.product(price="100")}],
        invoiceDate=time.strftime("%Y-%m-%d"),
    )
    bank = wave.accounts("CASH_AND_BANK")[0]
    pay = {
        "invoiceId": invoice["id"],
        "paymentAccountId": bank,
        "amount": "40",
        "paymentDate": "2026-02-20",
        "paymentMethod": "BANK_TRANSFER",
        "exchangeRate": "1",
        "memo": "BANK-REF-889",
    }
    selection = "invoicePayment { id amount }"
    refused = wave.mutate("invoicePaymentCreateManual", "InvoicePaymentCreateManualInput", selection, **pay)
    assert not refused["didSucceed"] and refused["inputErrors"][0]["path"] == ["invoiceId"]
    wave.mutate("invoiceApprove", "InvoiceApproveInput", "invoice { id }", invoiceId=invoice["id"])
    first = wave.mutate("invoicePaymentCreateManual", "InvoicePaymentCreateManualInput", selection, **pay)
    assert first["didSucceed"] and first["invoicePayment"]["amount"] == "40.00"
    read = """query($b: ID!, $i: ID!) { business(id: $b) { invoice(id: $i) {
        status amountPaid { value } amountDue { value } payments { amount memo } } } }"""
    state = wave.data(read, b=wave.business, i=invoice["id"])["business"]["invoice"]
    assert state["status"] == "PARTIAL" and state["amountDue"]["value"] == "60.00" and len(state["payments"]) == 1
    wave.mutate("invoicePaymentCreateManual", "InvoicePaymentCreateManualInput", selection, **{**pay, "amount": "60"})
    assert wave.data(read, b=wave.business, i=invoice["id"])["business"]["invoice"]["status"] == "PAID"


def test_compound_tax_totals_to_the_cent_and_rates_by_date(wave):
    def tax(name, abbreviation, rate, compound):
        out = wave.mutate(
            "salesTaxCreate",
            "SalesTaxCreateInput",
            "salesTax { id isCompound rate }",
            businessId=wave.business,
            name=name,
            abbreviation=abbreviation,
            rate=rate,
            isCompound=compound,
        )
        assert out["didSucceed"], out
        return out["salesTax"]["id"]

    gst, qst = tax("Goods and Services Tax", "GST", "0.05", False), tax("Quebec Sales Tax", "QST", "0.09975", True)
    product = wave.product(price="33.33", taxes=[gst, qst])
    customer = wave.customer()["id"]
    invoice = wave.invoice(
        customer,
        [{"productId": product, "quantity": "3"}, {"productId": product, "unitPrice": "19.99"}],
        invoiceDate="2026-02-01",
    )
    # line 1: 99.99; GST 4.9995 -> 5.00; QST on 104.99: 10.4728 -> 10.47. line 2: 19.99; GST 1.00; QST on 20.99: 2.09
    assert [[t["amount"]["value"] for t in item["taxes"]] for item in invoice["items"]] == [
        ["5.00", "10.47"],
        ["1.00", "2.09"],
    ]
    assert (invoice["subtotal"]["value"], invoice["taxTotal"]["value"], invoice["total"]["value"]) == (
        "119.98",
        "18.56",
        "138.54",
    )
    assert invoice["items"][0]["total"]["value"] == "115.46"
    wave.mutate(
        "salesTaxPatch",
        "SalesTaxPatchInput",
        "salesTax { id }",
        id=gst,
        rates=[{"effective": "0001-01-01", "rate": "0.07"}, {"effective": "2008-01-01", "rate": "0.05"}],
    )
    old = wave.invoice(customer, [{"productId": product, "taxes": [{"salesTaxId": gst}]}], invoiceDate="2007-06-01")
    assert old["taxTotal"]["value"] == "2.33"  # 7 % on 33.33, the rate of that date


def test_money_transactions_are_create_only(wave):
    bank, expense = wave.accounts("CASH_AND_BANK")[0], wave.accounts("EXPENSE")[0]
    out = wave.mutate(
        "moneyTransactionCreate",
        "MoneyTransactionCreateInput",
        "transaction { id }",
        businessId=wave.business,
        externalId="odoo:account.move:7",
        date="2026-02-02",
        description="Office chairs",
        anchor={"accountId": bank, "amount": "250.00", "direction": "WITHDRAWAL"},
        lineItems=[{"accountId": expense, "amount": "250.00", "balance": "INCREASE"}],
    )
    assert out["didSucceed"] and out["transaction"]["id"]
    read_back = "query($b: ID!) { business(id: $b) { transactions { id } } }"
    assert code(wave.gql(read_back, b=wave.business)) == "GRAPHQL_VALIDATION_FAILED"  # nothing reads it back
    for write in ("vendorCreate", "billCreate"):  # vendors are read-only; there are no bills
        assert code(wave.gql(f"mutation {{ {write}(input: {{}}) {{ didSucceed }} }}")) == "GRAPHQL_VALIDATION_FAILED"


# ---------------------------------------------------------------------------- limits and faults
def test_requests_over_the_limit_get_429(wave):
    wave.control("limits", per_minute=3)
    statuses = [wave.raw("{ user { id } }").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    wave.control("limits", per_minute=None, concurrent=2)
    wave.control("faults", timeout=2, timeout_seconds=0.8)
    slow = [threading.Thread(target=wave.raw, args=("{ user { id } }",)) for _ in range(2)]
    for thread in slow:
        thread.start()
    time.sleep(0.3)
    assert wave.raw("{ user { id } }").status_code == 429  # 2 at once
    for thread in slow:
        thread.join(T)
    assert wave.sb.stats["throttled"] >= 2


def test_a_lost_answer_still_commits_the_write(wave):
    wave.control("faults", lose_response=1)
    with pytest.raises(requests.ConnectionError):
        wave.customer(name="Lost Answer Ltd", email="lost@answer.example")
    query = (
        'query($b: ID!) { business(id: $b) { customers(email: "lost@answer.example") { edges { node { name } } } } }'
    )
    assert [e["node"]["name"] for e in wave.data(query, b=wave.business)["business"]["customers"]["edges"]] == [
        "Lost Answer Ltd"
    ]
    wave.control("faults", server_error=1)
    assert wave.raw("{ user { id } }").status_code == 500


# ---------------------------------------------------------------------------- seeding, notifications, start
def test_seed_directory_in_wave_shape(wave, tmp_path):
    uuid = wave.sb.tenant().uuid
    import base64

    def wid(*pairs):
        return base64.b64encode(";".join(f"{k}:{v}" for k, v in pairs).encode()).decode()

    docs = {
        "Customer": [
            {
                "id": wid(("Business", uuid), ("Customer", 55661950)),
                "name": "Law Offices of G. S., LTD",
                "address": {"province": {"code": "US-RI"}, "country": {"code": "US"}},
                "currency": {"code": "USD"},
            }
        ],
        "Product": [
            {
                "id": wid(("Business", uuid), ("Product", 56241241)),
                "name": "Misc. Services",
                "unitPrice": "40",
                "incomeAccount": {"id": wave.accounts("INCOME")[0]},
            }
        ],
        "Invoice": [
            {
                "id": wid(("Business", uuid), ("Invoice", 1257565365047690439)),
                "invoiceNumber": "15",
                "status": "PAID",
                "invoiceDate": "2021-08-02",
                "dueDate": "2021-08-02",
                "customer": {"id": wid(("Business", uuid), ("Customer", 55661950))},
                "items": [
                    {"product": {"id": wid(("Business", uuid), ("Product", 56241241))}, "quantity": "1", "price": "40"}
                ],
                "payments": [
                    {
                        "paymentDate": "2021-08-02",
                        "amount": "40.00",
                        "account": {"id": wave.accounts("CASH_AND_BANK")[0]},
                    }
                ],
            }
        ],
    }
    for kind, documents in docs.items():
        (tmp_path / f"{kind}.json").write_text(json.dumps(documents))
    assert wave.control("seed", directory=str(tmp_path))["seeded"]["Invoice"] == 1
    read = """query($b: ID!, $i: ID!) { business(id: $b) { invoice(id: $i) { status total { value }
        amountDue { value } customer { name address { province { name } } } items { price } } } }"""
    invoice = wave.data(read, b=wave.business, i=docs["Invoice"][0]["id"])["business"]["invoice"]
    assert invoice == {
        "status": "PAID",
        "total": {"value": "40.00"},
        "amountDue": {"value": "0.00"},
        "customer": {"name": "Law Offices of G. S., LTD", "address": {"province": {"name": "Rhode Island"}}},
        "items": [{"price": "40"}],
    }


def test_change_notifications_are_signed_and_carry_ids_only(wave, receiver):
    try:
        wave.control("notifications", url=receiver.url, secret="s3cret")
        customer = wave.customer()
        wave.control("flush")
        headers, body = receiver.wait()[0]
        assert headers["X-Wave-Signature"] == hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        event = json.loads(body)["events"][0]
        assert event["entityId"] == customer["id"] and event["operation"] == "created"
        assert set(event) == {"id", "businessId", "entity", "entityId", "operation", "occurredAt"}
    finally:
        wave.control("notifications", url=None)


def test_without_the_schema_the_sandbox_refuses_to_start(tmp_path):
    env = {**os.environ, "WAVE_SCHEMA": str(tmp_path / "missing")}
    run = subprocess.run(
        [sys.executable, "-m", "tests.sandbox.wave", "--port", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "WAVE_SCHEMA" in run.stderr and run.stderr.count("schema.repaired.graphql") == 1


def test_a_large_generated_company_has_no_record_changed_in_the_future():
    """A poll reads what changed after its cursor: a customer dated in the future (the generator
    once dated customer n at 150 - n days ago) held the cursor there, and make bench at N=500
    never saw a change made today."""
    sandbox = WaveSandbox()
    sandbox.generate(customers=500, vendors=2, products=5, invoices=10, payments=3)
    business = sandbox.tenant()
    now = business.now()
    for kind in ("Customer", "Vendor", "Product", "Invoice", "InvoicePayment"):
        assert max(r["modifiedAt"] for r in business.records(kind)) <= now, kind
