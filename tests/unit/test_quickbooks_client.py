"""The QuickBooks client, mappers and adapter against the loopback sandbox, over real HTTP.

No database: these are the pure-Python parts. The Odoo side is tested in
connector_quickbooks/tests."""

import concurrent.futures
import json
import os
import re
import urllib.parse
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import requests

from odoo.addons.connector_base.lib import canonical, errors
from odoo.addons.connector_base.lib.oauth import OAuth2Helper, TokenManager
from odoo.addons.connector_quickbooks.lib import mappers
from odoo.addons.connector_quickbooks.lib.adapter import QuickBooksAdapter
from odoo.addons.connector_quickbooks.lib.client import QuickBooksClient, parse_fault

from tests.sandbox.quickbooks import Sandbox, generate_company

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "fixtures", "quickbooks")
REDIRECT = "http://127.0.0.1:1/callback"


@pytest.fixture()
def sandbox():
    sb = Sandbox()
    generate_company(
        sb.company, customers=12, items=6, invoices=15, payments=8, bills=3, journal_entries=2, credit_memos=2
    )
    sb.start()
    yield sb
    sb.stop()


def consent(sb, state="s1", realm=None):
    """Walk the sandbox's authorize page as a person would; return the redirect's parameters."""
    session = requests.Session()
    page = session.get(
        f"{sb.url}/connect/oauth2",
        params={
            "client_id": "sandbox-client",
            "response_type": "code",
            "scope": "com.intuit.quickbooks.accounting",
            "redirect_uri": REDIRECT,
            "state": state,
        },
        timeout=5,
    )
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{sb.url}/connect/oauth2",
        data={"ticket": ticket, "realmId": realm or sb.company.realm_id, "decision": "connect"},
        allow_redirects=False,
        timeout=5,
    )
    query = urllib.parse.urlsplit(answer.headers["Location"]).query
    return dict(urllib.parse.parse_qsl(query))


def oauth(sb):
    return OAuth2Helper(
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        authorize_url=f"{sb.url}/connect/oauth2",
        token_url=f"{sb.url}/oauth2/v1/tokens/bearer",
        revoke_url=f"{sb.url}/v2/oauth2/tokens/revoke",
        redirect_uri=REDIRECT,
        scope="com.intuit.quickbooks.accounting",
    )


class Tokens:
    """A token source like the backend's: refreshes when the API refuses the token."""

    def __init__(self, sb, realm=None):
        self.helper = oauth(sb)
        self.token = self.helper.fetch_token(consent(sb, realm=realm)["code"])
        self.refreshes = 0

    def __call__(self, rejected=None):
        if rejected and rejected == self.token["access_token"]:
            self.token = self.helper.refresh_token(self.token["refresh_token"])
            self.refreshes += 1
        return self.token["access_token"]


def make_client(sb, tokens=None):
    return QuickBooksClient(
        sb.company.realm_id, tokens or Tokens(sb), api_url=sb.url, sleep=lambda s: None, max_attempts=4
    )


def control(sb, action, **body):
    return requests.post(f"{sb.url}/_sandbox/{action}", data=json.dumps(body), timeout=5).json()


def test_oauth_code_refresh_rotation_and_revoke(sandbox):
    params = consent(sandbox, state="abc")
    assert params["state"] == "abc" and params["realmId"] == sandbox.company.realm_id
    helper = oauth(sandbox)
    token = helper.fetch_token(params["code"])
    with pytest.raises(errors.AuthError):  # a code works once
        helper.fetch_token(params["code"])
    rotated = helper.refresh_token(token["refresh_token"])
    assert rotated["refresh_token"] != token["refresh_token"]
    with pytest.raises(errors.AuthError, match="invalid_grant"):  # the old refresh token is spent
        helper.refresh_token(token["refresh_token"])
    helper.revoke(rotated["refresh_token"])
    with pytest.raises(errors.AuthError):
        helper.refresh_token(rotated["refresh_token"])


def test_query_pages_and_count(sandbox):
    client = make_client(sandbox)
    everything = list(client.query_all("Customer", ["Active IN (true, false)"], page_size=5))
    assert len(everything) == 12 == client.count("Customer")
    assert len({c["Id"] for c in everything}) == 12
    totals = [doc["TotalAmt"] for doc in client.query_all("Invoice")]
    assert totals and not any(isinstance(t, float) for t in totals)  # money never passes through float


def test_write_with_requestid_is_applied_once_even_when_the_answer_is_lost(sandbox):
    client = make_client(sandbox)
    control(sandbox, "faults", lose_response=1)
    doc = client.create("Customer", {"DisplayName": "Lost Answer Ltd"}, "req-lost-1")
    again = client.create("Customer", {"DisplayName": "Lost Answer Ltd"}, "req-lost-1")
    assert doc["Id"] == again["Id"]
    names = [c["DisplayName"] for c in sandbox.company.snapshot("Customer")]
    assert names.count("Lost Answer Ltd") == 1


def test_typed_faults(sandbox):
    client = make_client(sandbox)
    customer = sandbox.company.snapshot("Customer")[0]
    with pytest.raises(errors.NameCollisionError, match="6240"):
        client.create("Vendor", {"DisplayName": customer["DisplayName"]}, "req-dup")
    with pytest.raises(errors.StaleObjectError, match="5010"):
        client.update("Customer", {"Id": customer["Id"], "SyncToken": "99", "Notes": "x"}, "req-stale")
    with pytest.raises(errors.NotFoundError, match="610"):
        client.read("Invoice", "99999")
    sandbox.company.books_closed_on = date(2100, 1, 1)
    invoice = sandbox.company.snapshot("Invoice")[0]
    with pytest.raises(errors.ClosedPeriodError, match="6210"):
        client.update(
            "Invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"], "PrivateNote": "x"}, "req-closed"
        )


def test_throttle_server_error_and_fault_in_200_are_retried(sandbox):
    client = make_client(sandbox)
    control(sandbox, "faults", throttle=2, server_error=1)
    assert client.count("Item") == 6
    control(sandbox, "faults", fault_in_200=1)
    assert client.count("Item") == 6


@pytest.mark.parametrize("shape", ["json", "odd", "xml"])
def test_auth_faults_of_every_shape_refresh_once(sandbox, shape):
    tokens = Tokens(sandbox)
    client = make_client(sandbox, tokens)
    control(sandbox, "faults", auth_shape=shape, unauthorized=1)
    assert client.count("Item") == 6
    assert tokens.refreshes == 1
    control(sandbox, "faults", unauthorized=2)
    with pytest.raises(errors.AuthError):
        client.count("Item")


def test_parse_fault_shapes():
    assert isinstance(
        parse_fault(200, '{"Fault":{"Error":[{"code":"5010"}],"type":"ValidationFault"}}'), errors.StaleObjectError
    )
    assert parse_fault(200, '{"QueryResponse":{}}') is None
    odd = '{"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401"}]}}'
    assert isinstance(parse_fault(401, odd), errors.AuthError)
    xml = '<IntuitResponse><Fault type="AUTHENTICATION"><Error code="3200"><Message>x</Message></Error></Fault>'
    assert isinstance(parse_fault(401, xml + "</IntuitResponse>"), errors.AuthError)
    assert isinstance(parse_fault(429, '{"Fault":{"Error":[{"code":"3001"}]}}'), errors.RateLimitedError)


def test_rate_limit_is_enforced_by_the_sandbox_and_respected_by_the_client(sandbox):
    control(sandbox, "limits", per_minute=5)
    raw = requests.Session()
    token = Tokens(sandbox)()
    answers = [
        raw.get(
            f"{sandbox.url}/v3/company/{sandbox.company.realm_id}/query",
            params={"query": "select count(*) from Item"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        ).status_code
        for _ in range(7)
    ]
    assert answers.count(429) == 2


def test_cdc_reports_changes_and_deletions(sandbox):
    client = make_client(sandbox)
    before = sandbox.company.now()
    sandbox.clock_offset = timedelta(seconds=5)  # the changes below happen later than the seeding
    invoice = sandbox.company.snapshot("JournalEntry")[0]
    client.delete("JournalEntry", invoice["Id"], invoice["SyncToken"], "req-del")
    client.create("Customer", {"DisplayName": "Fresh Customer"}, "req-new")
    found, total = client.cdc(["Customer", "JournalEntry"], before + timedelta(seconds=1))
    assert total == 2
    assert found["JournalEntry"][0]["status"] == "Deleted"
    assert found["Customer"][0]["DisplayName"] == "Fresh Customer"
    with pytest.raises(errors.ProviderValidationError, match="30 days"):
        client.cdc(["Customer"], before - timedelta(days=31))


def test_batch_runs_items_and_reports_faults_per_item(sandbox):
    client = make_client(sandbox)
    taken = sandbox.company.snapshot("Customer")[0]["DisplayName"]
    answers = client.batch(
        [
            {"bId": "1", "operation": "create", "Customer": {"DisplayName": "Batch One"}},
            {"bId": "2", "operation": "create", "Customer": {"DisplayName": taken}},
            {"bId": "3", "Query": "select count(*) from Customer"},
        ],
        "batch-req",
    )
    assert "Customer" in answers[0] and answers[1]["Fault"]["Error"][0]["code"] == "6240"
    assert answers[2]["QueryResponse"]["totalCount"] == 13


def test_adapter_reads_every_kind_as_valid_canonical_records(sandbox):
    adapter = QuickBooksAdapter(make_client(sandbox))
    counts = {}
    for kind in mappers.KIND_ENTITIES:
        for record, position in adapter.changes(kind):
            canonical.validate(kind, record)
            assert position
            counts[kind] = counts.get(kind, 0) + 1
    assert counts["party"] == 12 + 3 and counts["product"] == 6 and counts["tax"] == 3
    assert counts["invoice"] == 15 + 2 + 3 and counts["payment"] == 8 + 1 and counts["journal_entry"] == 2


def test_a_document_the_mappers_cannot_read_does_not_stop_the_others(sandbox):
    adapter = QuickBooksAdapter(make_client(sandbox))
    before = len(list(adapter.changes("account")))
    sandbox.company.seed("Account", [{"Id": "9001", "Name": "Odd one", "AccountType": "Not A QuickBooks Type"}])
    records = [record for record, _position in adapter.changes("account")]
    assert len(records) == before + 1
    odd = [record for record in records if record.get("unmapped")]
    assert [record["external_id"] for record in odd] == ["9001"]
    assert "QuickBooks Account 9001 cannot be read" in odd[0]["unmapped"]["reason"]
    for record in records:
        if not record.get("unmapped"):
            canonical.validate("account", record)


def test_adapter_name_collision_policy_links_or_suffixes(sandbox):
    adapter = QuickBooksAdapter(make_client(sandbox))
    existing = sandbox.company.snapshot("Customer")[0]
    same = {"name": existing["DisplayName"], "roles": ["customer"], "email": existing["PrimaryEmailAddr"]["Address"]}
    external_id, _version = adapter.write("party", same, reference="odoo:res.partner:1", idempotency_key="k-1")
    assert external_id == f"Customer/{existing['Id']}"  # e-mail matches: linked
    other = {"name": existing["DisplayName"], "roles": ["vendor"], "email": "someone@else.example"}
    external_id, _version = adapter.write("party", other, reference="odoo:res.partner:2", idempotency_key="k-2")
    entity, doc_id = mappers.split_id(external_id)
    created = sandbox.company.get(entity, doc_id)
    assert entity == "Vendor" and created["DisplayName"] == f"{existing['DisplayName']} (Vendor)"
    strict = QuickBooksAdapter(make_client(sandbox), name_collision="quarantine")
    with pytest.raises(errors.NameCollisionError):
        strict.write("party", other, reference="odoo:res.partner:3", idempotency_key="k-3")


def test_adapter_writes_the_vendor_of_a_customer_under_a_display_name_of_its_own(sandbox):
    """One partner in Odoo, a Customer and a Vendor in QuickBooks, whose DisplayNames must differ (6240)."""
    adapter = QuickBooksAdapter(make_client(sandbox))
    assert adapter.party_roles_separate
    company = {"name": "Harbour Supplies", "roles": ["customer"], "email": "ap@harbour.example"}
    customer_id, _version = adapter.write(
        "party", company, reference="odoo:res.partner:9:customer", idempotency_key="c"
    )
    vendor = dict(company, roles=["vendor"])
    vendor_id, version = adapter.write("party", vendor, reference="odoo:res.partner:9:vendor", idempotency_key="v")
    assert mappers.split_id(customer_id)[0] == "Customer" and mappers.split_id(vendor_id)[0] == "Vendor"
    doc = sandbox.company.get("Vendor", mappers.split_id(vendor_id)[1])
    assert doc["DisplayName"] == "Harbour Supplies (Vendor)"
    assert doc["PrimaryEmailAddr"]["Address"] == "ap@harbour.example"
    # an update of the company keeps the vendor's own name
    changed = dict(vendor, phone="+1 415 555 0199")
    _id, version = adapter.write(
        "party",
        changed,
        external_id=vendor_id,
        version=version,
        reference="odoo:res.partner:9:vendor",
        idempotency_key="v2",
    )
    doc = sandbox.company.get("Vendor", mappers.split_id(vendor_id)[1])
    assert (doc["DisplayName"], doc["PrimaryPhone"]["FreeFormNumber"]) == (
        "Harbour Supplies (Vendor)",
        "+1 415 555 0199",
    )
    assert doc["SyncToken"] == version
    # the suffixed create's answer is lost: it is found under the name it was created with
    other = {"name": "Quay Traders", "roles": ["customer"], "email": "ap@quay.example"}
    adapter.write("party", other, reference="odoo:res.partner:10:customer", idempotency_key="c10")
    create = adapter.client.create

    def create_and_lose_the_answer(entity, body, key):
        doc = create(entity, body, key)
        if body["DisplayName"].endswith("(Vendor)"):
            raise errors.OutcomeUnknownError("the answer was lost")
        return doc

    adapter.client.create = create_and_lose_the_answer
    with pytest.raises(errors.OutcomeUnknownError):
        adapter.write(
            "party", dict(other, roles=["vendor"]), reference="odoo:res.partner:10:vendor", idempotency_key="v10"
        )
    found = adapter.find_by_reference("party", "odoo:res.partner:10:vendor")
    assert (
        found and sandbox.company.get("Vendor", mappers.split_id(found[0])[1])["DisplayName"] == "Quay Traders (Vendor)"
    )
    assert [d["DisplayName"] for d in sandbox.company.snapshot("Vendor")].count("Quay Traders (Vendor)") == 1


def test_adapter_finds_a_created_invoice_by_its_reference(sandbox):
    adapter = QuickBooksAdapter(make_client(sandbox))
    customer = sandbox.company.snapshot("Customer")[0]
    item = sandbox.company.snapshot("Item")[0]
    record = {
        "move_type": "out_invoice",
        "partner": f"Customer/{customer['Id']}",
        "date": "2026-11-02",
        "currency": customer["CurrencyRef"]["value"],
        "number": "INV/2026/11/000000000042",
        "lines": [{"product": item["Id"], "quantity": Decimal(2), "price_unit": Decimal("10.00"), "taxes": []}],
    }
    control(sandbox, "faults", lose_response=5)  # every retry loses its answer too
    with pytest.raises(errors.ConnectorError):
        adapter.write("invoice", record, reference="odoo:account.move:42", idempotency_key="k-inv")
    found = adapter.find_by_reference("invoice", "odoo:account.move:42")
    assert found is not None
    doc = sandbox.company.get("Invoice", mappers.split_id(found[0])[1])
    assert doc["DocNumber"] == record["number"][-21:] and len(doc["DocNumber"]) == 21
    invoices = [d for d in sandbox.company.snapshot("Invoice") if d.get("PrivateNote") == "odoo:account.move:42"]
    assert len(invoices) == 1


@pytest.mark.skipif(not os.path.isdir(SHARED), reason="../shared/fixtures/quickbooks is not here")
@pytest.mark.parametrize(
    "entity",
    [
        "Customer",
        "Vendor",
        "Item",
        "Account",
        "Invoice",
        "CreditMemo",
        "Bill",
        "Payment",
        "BillPayment",
        "JournalEntry",
    ],
)
def test_recorded_quickbooks_documents_map_to_valid_canonical_records(entity):
    with open(os.path.join(SHARED, f"{entity}.json"), "rb") as handle:
        docs = json.loads(handle.read(), parse_float=Decimal)
    kind = mappers.ENTITY_KIND[entity]
    for doc in docs:
        record = mappers.to_canonical(entity, doc, tax_mode="us")
        if record is None:
            continue
        if kind == "payment" and record["amount"] == 0 and record["allocations"]:
            # a zero payment that applies a credit memo to an invoice: a credit application
            credits = [a for a in record["allocations"] if a.get("document_kind") == "credit_note"]
            assert credits and all(a["document"].startswith("CreditMemo/") for a in credits)
        if kind == "invoice" and not record["lines"]:
            # recorded with a subtotal line only: quarantined, with this reason, not imported empty
            with pytest.raises(errors.PayloadValidationError, match="at least one line"):
                canonical.validate(kind, record)
            continue
        canonical.validate(kind, record)
        if kind == "invoice":
            assert record["amount_total"] == Decimal(str(doc["TotalAmt"])).quantize(Decimal("0.01"))
            signs = {
                "SalesItemLineDetail": 1,
                "ItemBasedExpenseLineDetail": 1,
                "AccountBasedExpenseLineDetail": 1,
                "DiscountLineDetail": -1,
            }
            assert sum(line["amount"] for line in record["lines"]) == sum(
                signs[line["DetailType"]] * Decimal(str(line["Amount"]))
                for line in doc["Line"]
                if line["DetailType"] in signs
            )


def test_ten_concurrent_jobs_with_an_expired_token_refresh_once(sandbox):
    helper = oauth(sandbox)
    store = {"token": helper.fetch_token(consent(sandbox)["code"])}
    expired = dict(store["token"], expires_at=0)
    store["token"] = expired
    manager = TokenManager(
        load=lambda: dict(store["token"]), save=lambda t: store.update(token=t), refresh=helper.refresh_token
    )
    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        tokens = list(pool.map(lambda _n: manager.access_token(), range(10)))
    assert len(set(tokens)) == 1 and tokens[0] != expired["access_token"]
    assert sandbox.stats["refresh_grants"] == 1


def test_cdc_window_over_the_cap_falls_back_to_paged_queries():
    sb = Sandbox()
    sb.generate(customers=5, items=2, invoices=0, payments=0, bills=0, journal_entries=0, credit_memos=0)
    sb.start()
    try:
        since = sb.company.now()
        sb.clock_offset = timedelta(seconds=5)
        for n in range(1100):
            sb.company.write("Customer", {"DisplayName": f"Bulk Customer {n}"})
        adapter = QuickBooksAdapter(make_client(sb))
        _docs, total = adapter.client.cdc(["Customer", "Vendor"], since + timedelta(seconds=1))
        assert total == 1000  # QuickBooks cuts the answer at 1,000 objects
        position = (since + timedelta(seconds=1)).astimezone().isoformat()
        names = {record["name"] for record, _position in adapter.changes("party", since=position)}
        assert {f"Bulk Customer {n}" for n in range(1100)} <= names
    finally:
        sb.stop()


def test_minor_versions_below_75_are_refused(sandbox):
    with pytest.raises(ValueError):
        QuickBooksClient("1", lambda rejected=None: "t", api_url=sandbox.url, minor_version=74)
    answer = requests.get(
        f"{sandbox.url}/v3/company/{sandbox.company.realm_id}/query",
        params={"query": "select count(*) from Item", "minorversion": "65"},
        headers={"Authorization": f"Bearer {Tokens(sandbox)()}"},
        timeout=5,
    )
    assert answer.status_code == 400 and "minorversion" in answer.text


def test_non_us_company_puts_a_tax_code_on_every_line():
    sb = Sandbox()
    company = sb.add_company(
        "4620816365000000001", name="Sandbox Company AU", country="AU", home_currency="AUD", tax_mode="global"
    )
    sb.generate(
        company.realm_id,
        customers=4,
        items=3,
        invoices=6,
        payments=0,
        bills=2,
        journal_entries=0,
        credit_memos=0,
        foreign_share=0,
    )
    sb.start()
    try:
        client = QuickBooksClient(
            company.realm_id, Tokens(sb, realm=company.realm_id), api_url=sb.url, sleep=lambda s: None
        )
        adapter = QuickBooksAdapter(client)
        assert adapter.tax_mode == "global" and adapter.home_currency == "AUD"
        invoices = [record for record, _p in adapter.changes("invoice")]
        assert invoices and all(
            line["taxes"] and line["taxes"][0] in ("10", "11") for record in invoices for line in record["lines"]
        )
        doc = company.snapshot("Invoice")[0]
        gst = sum(
            Decimal(str(line["Amount"]))
            for line in doc["Line"]
            if line.get("SalesItemLineDetail", {}).get("TaxCodeRef", {}).get("value") == "10"
        )
        assert Decimal(str(doc["TxnTaxDetail"]["TotalTax"])) == (gst / 10).quantize(Decimal("0.01"), ROUND_HALF_UP)
    finally:
        sb.stop()
