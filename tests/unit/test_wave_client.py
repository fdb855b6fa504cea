"""The Wave client: named documents, both error channels as typed errors, limits, retries.

Against the Wave sandbox (Wave's published schema executed) over real loopback HTTP; the few
answers the sandbox cannot give (a 403 page, a body that is no JSON, an internal error inside
an HTTP 200, a 502, a Retry-After) come from a session stubbed at the client's boundary."""

import threading
import time
from decimal import Decimal

import pytest
import requests

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_wave.lib import queries
from odoo.addons.connector_wave.lib.client import WaveClient, dec, graphql_error, input_error, money

BUSINESS = "QnVzaW5lc3M6Yg=="


def test_every_document_is_named_valid_for_wave_schema_and_passes_every_argument_as_a_variable():
    from graphql import OperationDefinitionNode, VariableNode, parse, validate, visit
    from graphql.language import Visitor

    from tests.sandbox.wave.schema import SchemaMissing, load_schema

    try:
        schema, _repairs = load_schema()
    except SchemaMissing as exc:
        pytest.skip(str(exc))
    literals = []

    class Arguments(Visitor):
        def enter_argument(self, node, *_args):
            if not isinstance(node.value, VariableNode):
                literals.append(node.name.value)

    for name, text in queries.DOCUMENTS.items():
        document = parse(text)
        assert validate(schema, document) == [], name
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        assert [op.name.value for op in operations] == [name]
        visit(document, Arguments())
    assert literals == []
    for name in queries.MUTATIONS:
        operation = parse(queries.DOCUMENTS[name]).definitions[0]
        assert operation.operation.value == "mutation"
        assert [field.name.value for field in operation.selection_set.selections] == [queries.root_field(name)]


def test_pages_of_a_list_with_its_filters(wave):
    wave.control("generate", size={"customers": 12, "invoices": 3, "payments": 1})
    client = wave.client(page_size=5)
    nodes, info = client.page("Customers", "customers", sort=["NAME_ASC"])
    assert info == {"currentPage": 1, "totalPages": 3, "totalCount": 12}
    assert [n["name"] for n in nodes] == sorted(n["name"] for n in nodes)
    everyone = list(client.all_pages("Customers", "customers", sort=["CREATED_AT_ASC"]))
    assert len({n["id"] for n in everyone}) == 12
    one = everyone[3]
    by_email = list(client.all_pages("Customers", "customers", sort=["NAME_ASC"], email=one["email"].upper()))
    assert [n["id"] for n in by_email] == [one["id"]]
    assert client.one("Customer", "customer", one["id"])["displayId"] == one["displayId"]
    assert client.business()["currency"]["code"] == "USD"
    assert [b["id"] for b in client.businesses()] == [wave.business]


def test_an_unauthenticated_answer_refreshes_the_token_once(wave):
    asked = []

    def token(rejected=None):
        asked.append(rejected)
        return wave.token if rejected else "expired-token"

    client = WaveClient(wave.business, token, api_url=wave.api_url, per_minute=None, concurrent=None)
    assert client.business()["id"] == wave.business
    assert asked == [None, "expired-token"]
    dead = WaveClient(wave.business, lambda rejected=None: "revoked", api_url=wave.api_url, per_minute=None)
    with pytest.raises(errors.AuthError):
        dead.business()


def test_not_found_and_a_business_out_of_reach_are_typed(wave):
    client = wave.client()
    gone = "QnVzaW5lc3M6" + "eHl6O0N1c3RvbWVyOjE="
    with pytest.raises(errors.NotFoundError):
        client.one("Customer", "customer", gone)
    with pytest.raises(errors.NotFoundError):
        client.one("Invoice", "invoice", wave.business.replace("=", "") + "x")
    with pytest.raises(errors.AuthError, match="out of this token's reach"):
        wave.client(business="QnVzaW5lc3M6bm90LW1pbmU=").business()


def test_variables_wave_refuses_are_a_validation_error_with_the_path(wave):
    client = wave.client()
    with pytest.raises(errors.PayloadValidationError) as caught:
        client.page("Invoices", "invoices", sort=["MODIFIED_AT_ASC"], invoiceDateStart="2026-13-45")
    assert "GRAPHQL_VALIDATION_FAILED" in str(caught.value)
    assert wave.stats()["refused"] == 1


def test_input_errors_become_typed_errors_naming_their_paths(wave):
    client = wave.client()
    with pytest.raises(errors.PayloadValidationError) as caught:
        client.mutate(
            "CustomerCreate",
            {"businessId": wave.business, "name": "Bad", "address": {"provinceCode": "RI", "countryCode": "US"}},
        )
    assert caught.value.details["paths"] == ["address/provinceCode"] and "address/provinceCode" in str(caught.value)
    tax = {"businessId": wave.business, "name": "State tax", "abbreviation": "ST", "rate": "0.05"}
    client.mutate("SalesTaxCreate", tax)
    with pytest.raises(errors.NameCollisionError):
        client.mutate("SalesTaxCreate", tax)
    with pytest.raises(errors.NotFoundError):
        client.mutate("InvoicePaymentDelete", {"id": wave.business})
    account = client.page("Accounts", "accounts", subtypes=["EXPENSE"])[0][0]
    client.mutate("AccountPatch", {"id": account["id"], "sequence": account["sequence"], "name": "Office costs"})
    with pytest.raises(errors.StaleObjectError):  # the sequence read is no longer the account's
        client.mutate("AccountPatch", {"id": account["id"], "sequence": account["sequence"], "name": "Again"})


def test_throttling_and_server_errors_are_retried_for_reads_but_a_write_is_never_sent_twice(wave):
    client = wave.client()
    wave.control("faults", throttle=2)
    assert client.business()["id"] == wave.business
    wave.control("faults", server_error=1)
    assert client.business()["id"] == wave.business
    wave.control("faults", throttle=1)
    client.mutate("CustomerCreate", {"businessId": wave.business, "name": "Throttled Once"})  # refused unread: resent
    wave.control("faults", server_error=1)
    with pytest.raises(errors.OutcomeUnknownError):
        client.mutate("CustomerCreate", {"businessId": wave.business, "name": "Failed Once"})
    names = [c["name"] for c in wave.docs("Customer")]
    assert names == ["Throttled Once"]  # the 500 was not followed by a second attempt
    assert wave.stats()["mutation_operations"] == 1


def test_a_lost_answer_is_outcome_unknown_and_the_write_happened_once(wave):
    client = wave.client()
    wave.control("faults", lose_response=1)
    with pytest.raises(errors.OutcomeUnknownError):
        client.mutate("CustomerCreate", {"businessId": wave.business, "name": "Lost Answer Ltd"})
    wave.control("faults", timeout=1, timeout_seconds=0.6)
    slow = wave.client(timeout=(2.0, 0.2))
    with pytest.raises(errors.OutcomeUnknownError):
        slow.mutate("CustomerCreate", {"businessId": wave.business, "name": "Slow Answer Ltd"})
    time.sleep(0.8)
    assert sorted(c["name"] for c in wave.docs("Customer")) == ["Lost Answer Ltd", "Slow Answer Ltd"]
    wave.control("faults", timeout=1, timeout_seconds=0.6)
    assert slow.business()["id"] == wave.business  # a read that timed out is read again


def test_wave_429_beyond_the_retries_is_rate_limited(wave):
    wave.control("limits", per_minute=2)
    client = wave.client(max_attempts=2)
    client.business()
    client.business()
    with pytest.raises(errors.RateLimitedError):
        client.business()


def test_the_client_keeps_to_the_connection_concurrency_so_wave_never_answers_429(wave):
    wave.control("limits", concurrent=2)
    wave.control("faults", timeout=4, timeout_seconds=0.3)
    client = wave.client(concurrent=2, per_minute=600)
    results = []
    threads = [threading.Thread(target=lambda: results.append(client.business()["id"])) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == [wave.business] * 5 and wave.stats().get("throttled", 0) == 0
    limiter = client.http.rate_limiter
    assert limiter._max_concurrent == 2 and [w[:2] for w in limiter._windows] == [(600, 61.0)]


# ---------------------------------------------------------------------------- answers the sandbox cannot give
class Stub:
    """A requests.Session whose answers are given in advance; it records what was sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []
        self.headers = {}

    def request(self, method, url, **kwargs):
        self.sent.append(kwargs)
        status, body, headers = self.answers.pop(0)
        response = requests.Response()
        response.status_code = status
        response._content = body if isinstance(body, bytes) else body.encode()
        response.headers.update(headers or {})
        return response


def stub_client(*answers):
    slept = []
    stub = Stub(*answers)
    client = WaveClient(BUSINESS, "token", api_url="http://stub/graphql/public", session=stub, sleep=slept.append)
    client.http.rate_limiter = client.http_write.rate_limiter = type(client.http.rate_limiter)()
    return client, stub, slept


OK = (200, '{"data": {"business": {"id": "QnVzaW5lc3M6Yg=="}}}', None)


def test_a_403_page_is_an_auth_error_after_one_refresh():
    client, stub, _slept = stub_client((403, "<html>Forbidden</html>", None), (403, "<html>Forbidden</html>", None))
    with pytest.raises(errors.AuthError):
        client.business()
    assert len(stub.sent) == 2


def test_an_answer_that_is_no_json_is_transient_for_a_read_and_unknown_for_a_write():
    client, _stub, _slept = stub_client((200, "<html>maintenance</html>", None))
    with pytest.raises(errors.TransientError):
        client.business()
    client, _stub, _slept = stub_client((200, b"\xff\xfe", None))
    with pytest.raises(errors.OutcomeUnknownError):
        client.mutate("CustomerDelete", {"id": "x"})


def test_an_internal_error_inside_a_200_is_retried_for_a_read_and_unknown_for_a_write():
    internal = (200, '{"errors": [{"message": "boom", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}', None)
    client, stub, slept = stub_client(internal, OK)
    assert client.business()["id"] == BUSINESS and len(stub.sent) == 2 and len(slept) == 1
    client, stub, _slept = stub_client(internal)
    with pytest.raises(errors.OutcomeUnknownError):
        client.mutate("CustomerDelete", {"id": "x"})
    assert len(stub.sent) == 1


def test_a_gateway_error_on_a_write_is_not_retried_and_retry_after_is_honoured():
    client, stub, _slept = stub_client((502, "Bad gateway", None))
    with pytest.raises(errors.OutcomeUnknownError):
        client.mutate("CustomerDelete", {"id": "x"})
    assert len(stub.sent) == 1
    throttled = (429, '{"errors": [{"message": "slow", "extensions": {"code": "TOO_MANY_REQUESTS"}}]}', None)
    client, stub, slept = stub_client((*throttled[:2], {"Retry-After": "7"}), OK)
    assert client.business()["id"] == BUSINESS and slept == [7.0]
    body = stub.sent[0]["data"].decode()
    assert '"operationName": "Business"' in body and '"businessId": "QnVzaW5lc3M6Yg=="' in body


def test_error_shapes_map_to_the_taxonomy():
    def error(code, **extra):
        return [{"message": "m", "extensions": {"code": code}, **extra}]

    assert isinstance(graphql_error(error("UNAUTHENTICATED")), errors.AuthError)
    assert isinstance(graphql_error(error("NOT_FOUND", path=["business"])), errors.AuthError)
    assert isinstance(graphql_error(error("NOT_FOUND", path=["business", "invoice"])), errors.NotFoundError)
    assert isinstance(graphql_error(error("GRAPHQL_VALIDATION_FAILED")), errors.PayloadValidationError)
    assert isinstance(graphql_error(error("TOO_MANY_REQUESTS")), errors.RateLimitedError)
    assert isinstance(graphql_error(error("INTERNAL_SERVER_ERROR")), errors.TransientError)
    assert isinstance(graphql_error(error("INTERNAL_SERVER_ERROR"), mutation=True), errors.OutcomeUnknownError)
    refused = input_error("invoiceCreate", [{"path": ["items", "0", "productId"], "message": "no", "code": "INVALID"}])
    assert isinstance(refused, errors.PayloadValidationError) and refused.details["paths"] == ["items/0/productId"]


def test_decimals_go_out_as_strings_and_money_comes_back_as_decimal():
    assert [dec(Decimal("100.00")), dec(Decimal("0.09975")), dec(3), dec("-0.0")] == ["100", "0.09975", "3", "0"]
    assert money({"value": "216.50"}) == Decimal("216.50") and money("40.00") == Decimal("40.00") and money(None) == 0
