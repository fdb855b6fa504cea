"""The Reckon One sandbox over real loopback HTTP: identity, gateway, API v2, held to Reckon's document.

Every test ends by reading ``/_sandbox/contract``: when ``../shared/fixtures/reckon/openapi.yaml``
is here, everything exchanged was checked against it, and no answer may have failed."""

import base64
import json
import os
import re
import urllib.parse
from datetime import date

import pytest
import requests

from tests.sandbox.reckon import Sandbox

REDIRECT = "http://127.0.0.1:1/callback"
SCOPE = "openid read write offline_access"
KEY = "sandbox-subscription-key"
BASIC = "Basic " + base64.b64encode(b"sandbox-client:sandbox-secret").decode()
TIMEOUT = 10


@pytest.fixture()
def sandbox():
    sb = Sandbox()
    sb.generate()
    sb.start()
    yield sb
    report = requests.get(f"{sb.url}/_sandbox/contract", timeout=TIMEOUT).json()
    sb.stop()
    if report["enabled"]:
        answers, asked = report["answers"]["validated"], report["requests"]["validated"]
        print(f"contract: {answers} answers and {asked} requests validated")
        assert report["answers"]["failed"] == 0, report["failures"]
        assert report["answers"]["validated"] >= sb.stats["requests"]  # every API answer was checked


def consent(sb, scope=SCOPE, state="s1"):
    """Walk the consent page as a person would; return the redirect's query parameters."""
    session = requests.Session()
    params = {
        "client_id": "sandbox-client",
        "response_type": "code",
        "scope": scope,
        "redirect_uri": REDIRECT,
        "state": state,
    }
    page = session.get(f"{sb.url}/connect/authorize", params=params, timeout=TIMEOUT)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{sb.url}/connect/authorize",
        data={"ticket": ticket, "decision": "connect"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 302
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))


def token(sb, **form):
    return requests.post(f"{sb.url}/connect/token", data=form, headers={"Authorization": BASIC}, timeout=TIMEOUT)


class Api:
    """A client as a connector would be: bearer token and subscription key on every call."""

    def __init__(self, sb):
        code = consent(sb)["code"]
        tokens = token(sb, grant_type="authorization_code", code=code, redirect_uri=REDIRECT).json()
        self.base = f"{sb.url}/r1/v2"
        self.book = sb.book.id
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {tokens['access_token']}", "Ocp-Apim-Subscription-Key": KEY}
        )

    def __call__(self, method, path, body=None, content_type="application/json", **kwargs):
        url = path if path.startswith("http") else f"{self.base}/{self.book}/{path.lstrip('/')}"
        headers = kwargs.pop("headers", {})
        if body is not None:
            kwargs["data"] = json.dumps(body)
            headers["Content-Type"] = content_type
        return self.session.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)

    def all(self, path, **params):
        """Every page of a list, following the Link header's next."""
        found, url = [], f"{self.base}/{self.book}/{path}?" + urllib.parse.urlencode(params)
        while url:
            answer = self("GET", url)
            assert answer.status_code == 200, answer.text
            found += answer.json()["list"]
            url = next(
                (u for u, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', answer.headers["Link"]) if rel == "next"), None
            )
        return found


@pytest.fixture()
def api(sandbox):
    return Api(sandbox)


def test_consent_page_code_and_rotating_refresh_tokens(sandbox):
    redirect = consent(sandbox, state="xyz")
    assert redirect["state"] == "xyz" and redirect["code"]
    tokens = token(sandbox, grant_type="authorization_code", code=redirect["code"], redirect_uri=REDIRECT).json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 10800 and tokens["scope"] == SCOPE
    again = token(sandbox, grant_type="authorization_code", code=redirect["code"], redirect_uri=REDIRECT)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"  # a code is used once
    refreshed = token(sandbox, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json()
    assert refreshed["refresh_token"] != tokens["refresh_token"]
    stale = token(sandbox, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"  # the old one rotated away
    wrong = requests.post(
        f"{sandbox.url}/connect/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        auth=("sandbox-client", "nope"),
        timeout=TIMEOUT,
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    page = requests.get(
        f"{sandbox.url}/connect/authorize",
        timeout=TIMEOUT,
        params={"client_id": "sandbox-client", "response_type": "code", "scope": "read", "redirect_uri": REDIRECT},
    )
    assert page.status_code == 400


def test_every_call_needs_the_subscription_key_and_the_token(sandbox, api):
    url = f"{api.base}/{api.book}/customers"
    bearer = {"Authorization": api.session.headers["Authorization"]}
    missing = requests.get(url, headers=bearer, timeout=TIMEOUT)
    assert missing.status_code == 401 and "missing subscription key" in missing.json()["message"]
    invalid = requests.get(url, headers=dict(bearer, **{"Ocp-Apim-Subscription-Key": "nope"}), timeout=TIMEOUT)
    assert invalid.status_code == 401 and "invalid subscription key" in invalid.json()["message"]
    assert requests.get(url, headers=bearer, params={"subscription-key": KEY}, timeout=TIMEOUT).status_code == 200
    no_token = requests.get(url, headers={"Ocp-Apim-Subscription-Key": KEY}, timeout=TIMEOUT)
    assert no_token.status_code == 401
    assert no_token.json() == {"code": 401, "message": "Authorization has been denied for this request."}
    requests.post(f"{sandbox.url}/_sandbox/expire_tokens", data="{}", timeout=TIMEOUT)
    assert api("GET", "customers").status_code == 401
    api.session.headers["Authorization"] = (
        "Bearer "
        + token(sandbox, grant_type="authorization_code", code=consent(sandbox)["code"], redirect_uri=REDIRECT).json()[
            "access_token"
        ]
    )
    assert api("GET", f"{api.base}/books").json()["list"][0]["id"] == api.book
    missing_book = api("GET", f"{api.base}/00000000-0000-0000-0000-000000000000/customers")
    assert missing_book.status_code == 404 and missing_book.json() == {"code": 404, "message": "Resource not found."}


def test_lists_page_with_total_count_and_links(api):
    first = api("GET", "customers")
    total = int(first.headers["X-Total-Count"])
    assert total == 25 and len(first.json()["list"]) == 10
    middle = api("GET", "customers", params={"page": 2, "perpage": 10})
    rels = dict((rel, u) for u, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', middle.headers["Link"]))
    assert set(rels) == {"first", "prev", "next", "last"} and "page=3" in rels["last"]
    ids = [c["id"] for c in api.all("customers", perpage=7)]
    assert len(ids) == len(set(ids)) == total
    supplier_ids = {s["id"] for s in api.all("suppliers")}
    assert len(supplier_ids & set(ids)) == 3  # one contact, customer and supplier


def test_filters_and_ordering(sandbox, api):
    customer = api("GET", "customers").json()["list"][0]
    assert (
        api("PATCH", f"customers/{customer['id']}", {"notes": "VIP"}, "application/merge-patch+json").status_code == 204
    )
    changed = api.all("customers", filter=f"lastModifiedDateTime gt '{customer['lastModifiedDateTime']}'")
    assert [c["id"] for c in changed] == [customer["id"]] and changed[0]["notes"] == "VIP"
    invoices = api.all("invoices")
    start, end = "2000-01-01", date.today().isoformat()
    window = api.all("invoices", filter=f"invoiceDate ge {start} and invoiceDate le '{end}T23:59:59Z'")
    assert len(window) == len(invoices)
    owing = api.all("invoices", filter="status eq 'Approved' and balance gt 0")
    assert owing and all(i["status"] == "Approved" and i["balance"] > 0 for i in owing)
    either = api.all("invoices", filter="status eq 'Draft' or status eq 'Paid'")
    assert {i["status"] for i in either} == {"Draft", "Paid"}
    assert len(api.all("invoices", filter="status ne 'Draft'")) == len(invoices) - sum(
        i["status"] == "Draft" for i in invoices
    )
    for path in ("invoices", "receipts", "creditnotes"):  # the document has no lastModifiedDateTime there
        refused = api("GET", path, params={"filter": "lastModifiedDateTime gt '2026-01-01T00:00:00Z'"})
        assert refused.status_code == 400 and refused.json()["errors"][0]["location"] == "filter"
    names = [c["name"] for c in api.all("customers", orderby="name desc")]
    assert names == sorted(names, key=str.lower, reverse=True)


def test_create_replace_patch_delete_a_customer(api):
    created = api(
        "POST",
        "customers",
        {
            "name": "Wombat Web Pty Ltd",
            "notes": "new",
            "businessNumber1": "51824753556",
            "electronicAddresses": [{"type": "Email", "address": "ap@wombat.example"}],
        },
    )
    assert created.status_code == 201 and created.json()["name"] == "Wombat Web Pty Ltd"
    path = f"customers/{created.json()['id']}"
    assert api("PUT", path, {"name": "Wombat Web", "branch": "Sydney"}).status_code == 204
    replaced = api("GET", path).json()
    assert replaced["name"] == "Wombat Web" and "notes" not in replaced and not replaced.get("electronicAddresses")
    patch = {"organisationName": "Wombat Web Pty Ltd", "branch": None}
    assert api("PATCH", path, patch, "application/merge-patch+json").status_code == 204
    patched = api("GET", path).json()
    assert (
        patched["organisationName"] == "Wombat Web Pty Ltd"
        and "branch" not in patched
        and patched["name"] == "Wombat Web"
    )
    wrong_type = api("PATCH", path, patch)
    assert wrong_type.status_code == 415
    assert wrong_type.json() == {
        "code": 415,
        "message": "application/json is not supported. Please use content-type application/merge-patch+json.",
    }
    clash = api("POST", "customers", {"name": "wombat web"})
    assert clash.status_code == 400 and clash.json()["errors"][0]["location"] == "name"
    assert api("DELETE", path).status_code == 204
    assert api("GET", path).status_code == 404


def _invoice(api, customer, tax_status, lines):
    return api(
        "POST",
        "invoices",
        {
            "customer": customer,
            "invoiceDate": "2026-03-02T00:00:00Z",
            "amountTaxStatus": tax_status,
            "reference": "ODOO-1",
            "lineItems": lines,
        },
    )


def test_invoices_tax_approval_receipts(api):
    customer = api.all("customers")[0]["id"]
    lines = [
        {
            "lineNumber": 1,
            "itemDetails": {"item": "Consulting (hour)", "quantity": 2, "price": 100},
            "taxRate": "GST",
            "taxAmount": 20,
        },
        {"lineNumber": 2, "itemDetails": {"item": "Fresh fruit box", "quantity": 1, "price": 45}, "taxRate": "FRE"},
        {"lineNumber": 3, "accountDetails": {"ledgerAccount": "Reimbursed Fees", "amount": 80}, "taxRate": "N-T"},
    ]
    created = _invoice(api, customer, "Exclusive", lines)
    assert created.status_code == 201 and set(created.json()) == {"id"}
    invoice = api("GET", f"invoices/{created.json()['id']}").json()
    assert (invoice["totalAmount"], invoice["totalTaxAmount"], invoice["status"]) == (345, 20, "Draft")
    assert invoice["invoiceNumber"].startswith("INV") and invoice["lineItems"][0]["taxRate"]["name"] == "GST"
    gst_line = {k: v for k, v in lines[0].items() if k != "taxAmount"}
    inclusive = api("GET", f"invoices/{_invoice(api, customer, 'Inclusive', [gst_line]).json()['id']}").json()
    assert (inclusive["totalAmount"], inclusive["totalTaxAmount"]) == (200, 18.18)
    wrong = _invoice(api, customer, "Exclusive", [dict(lines[0], taxAmount=25)])
    assert wrong.status_code == 400
    assert wrong.json() == {
        "code": 400,
        "message": "The request is invalid.",
        "errors": [{"location": "lineItems[0].taxAmount", "message": "Tax for line 1 is incorrect"}],
    }
    path = f"invoices/{invoice['id']}"
    receipt = {
        "customer": customer,
        "receiptDate": "2026-03-05T00:00:00Z",
        "totalAmount": 345,
        "transactionLinks": [{"transactionId": invoice["id"], "transactionType": "Invoice", "transactionAmount": 345}],
    }
    draft = api("POST", "receipts", receipt)
    assert draft.status_code == 400 and "not approved" in draft.json()["errors"][0]["message"]
    assert api("PATCH", path, {"status": "Approved"}, "application/merge-patch+json").status_code == 204
    assert api("GET", path).json()["status"] == "Approved"
    paid = api("POST", "receipts", receipt)
    assert paid.status_code == 201
    after = api("GET", path).json()
    assert (after["balance"], after["status"]) == (0, "Paid") and after["transactionLinks"][0][
        "transactionType"
    ] == "Receipt"
    assert api("DELETE", path).status_code == 400
    assert api("DELETE", f"receipts/{paid.json()['id']}").status_code == 204
    assert api("GET", path).json()["status"] == "Approved"
    line = api(
        "POST",
        f"{path}/lineItems",
        {"lineNumber": 4, "accountDetails": {"ledgerAccount": "Sales", "amount": 10}, "taxRate": "GST"},
    )
    assert line.status_code == 201 and api("GET", path).json()["totalAmount"] == 356
    assert api("GET", f"{path}/lineItems/{line.json()['id']}").json()["taxAmount"] == 1
    assert api("DELETE", path).status_code == 204


def test_tax_rates_by_effective_date(api):
    rates = {r["name"]: r for r in api.all("taxrates/2024-07-01")}
    assert rates["GST"]["rate"] == 10 and {"FRE", "N-T", "ITS"} <= set(rates)
    assert api.all("taxrates/1999-01-01") == []
    group = api.all("taxgroups/2024-07-01")[0]
    one = api("GET", f"taxgroups/{group['id']}/2024-07-01").json()
    assert one["list"][0]["id"] == group["id"]


def test_bills_and_journals_are_a_switchable_extension(sandbox, api):
    supplier = api.all("suppliers")[0]["id"]
    bill = {
        "CustomerID": supplier,
        "BillDate": "2026-03-01",
        "AmountTaxStatus": 2,
        "LineItems": [{"AccountingCategoryID": "Rent", "Amount": 1000, "TaxGroupID": "GST"}],
    }
    created = api("POST", "bills", bill)
    assert created.status_code == 201
    stored = api("GET", f"bills/{created.json()['id']}").json()
    assert (stored["BillAmount"], stored["TaxAmount"], stored["Status"]) == (1100, 100, 1)
    assert api("POST", f"bills/{created.json()['id']}/approve").status_code == 204
    unbalanced = api(
        "POST",
        "journals",
        {
            "JournalDate": "2026-03-01",
            "Transactions": [
                {"AccountingCategoryId": "Rent", "Debit": 10},
                {"AccountingCategoryId": "Owner's Capital", "Credit": 9},
            ],
        },
    )
    assert unbalanced.status_code == 400 and unbalanced.json()["errors"][0]["location"] == "Transactions"
    requests.post(f"{sandbox.url}/_sandbox/book", data=json.dumps({"extension": False}), timeout=TIMEOUT)
    off = api("GET", "bills")
    assert off.status_code == 403 and off.json()["message"] == "User does not have permission to access this resource."


def test_request_limit_answers_429_with_retry_after(sandbox, api):
    requests.post(f"{sandbox.url}/_sandbox/limits", data=json.dumps({"per_minute": 3}), timeout=TIMEOUT)
    assert [api("GET", "items").status_code for _ in range(3)] == [200] * 3
    limited = api("GET", "items")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["message"].startswith("Rate limit is exceeded. Try again in")
    requests.post(f"{sandbox.url}/_sandbox/limits", data=json.dumps({"per_minute": None}), timeout=TIMEOUT)
    requests.post(f"{sandbox.url}/_sandbox/faults", data=json.dumps({"throttle": 1, "retry_after": 7}), timeout=TIMEOUT)
    assert api("GET", "items").headers["Retry-After"] == "7"
    assert api("GET", "items").status_code == 200


def test_requests_are_held_to_the_document(sandbox, api):
    if not sandbox.contract.enabled:
        pytest.skip("../shared/fixtures/reckon/openapi.yaml is not here")
    before = sandbox.contract.report()["requests"]["failed"]
    refused = api("POST", "customers", {"name": "Emu Pty Ltd", "entityTypes": {"IsCustomer": True}})  # PascalCase
    assert refused.status_code == 400 and refused.json()["errors"][0]["location"] == "entityTypes"
    assert sandbox.contract.report()["requests"]["failed"] == before + 1


def test_seed_directory_and_running_without_the_document(tmp_path, caplog):
    customer = {
        "id": "c4e3cc74-8e81-4ae0-90d2-324d1e1a4479",
        "name": "Acme Pty Ltd",
        "status": "Active",
        "entityTypes": {"isCustomer": True, "isSupplier": False},
        "lastModifiedDateTime": "2026-01-15T10:02:03Z",
    }
    (tmp_path / "Customer.json").write_text(json.dumps([customer]))
    sb = Sandbox(openapi=os.path.join(tmp_path, "absent.yaml"))
    assert "contract validation is off" in caplog.text and not sb.contract.enabled
    assert sb.seed_directory(str(tmp_path)) == {"Customer": 1}
    sb.start()
    try:
        listed = Api(sb)("GET", "customers").json()["list"]
        assert [(c["id"], c["name"]) for c in listed] == [(customer["id"], "Acme Pty Ltd")]
    finally:
        sb.stop()
