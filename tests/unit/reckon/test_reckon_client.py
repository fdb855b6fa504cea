"""The Reckon One client against the loopback sandbox, over real HTTP: the bearer token and the
subscription key on every call, paging, filters, writes, and each refusal as a typed error."""

import json
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import requests

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_reckon.lib import client as rc
from odoo.addons.connector_reckon.lib.faults import PermissionDeniedError, ReckonValidationError, SubscriptionKeyError


def test_filter_expressions():
    moment = datetime(2026, 1, 15, 10, 2, 3, 120000, tzinfo=UTC)
    assert rc.where("lastModifiedDateTime", "gt", moment) == 'lastModifiedDateTime gt "2026-01-15T10:02:03.120Z"'
    assert rc.where("invoiceDate", "ge", date(2026, 2, 1)) == 'invoiceDate ge "2026-02-01T00:00:00Z"'
    assert rc.where("name", "eq", 'Say "G\'day"') == 'name eq "Say ""G\'day"""'
    assert rc.where("balance", "gt", Decimal("0.5")) == "balance gt 0.5"
    assert rc.where("notes", "contains", "odoo:account.move:7") == 'notes contains "odoo:account.move:7"'
    either = rc.any_of('status eq "Draft"', 'status eq "Paid"')
    assert rc.all_of("balance gt 0", None, either) == 'balance gt 0 and (status eq "Draft" or status eq "Paid")'
    with pytest.raises(ValueError):
        rc.where("name", "like", "x")


def test_token_and_subscription_key_on_every_call(reckon):
    client = reckon.client()
    assert client.book()["name"] == "Harbourside Services Pty Ltd"
    assert [b["id"] for b in client.books()] == [reckon.book_id]
    assert client.heartbeat()["status"] == "OK"
    with pytest.raises(SubscriptionKeyError, match="subscription key is missing.*connection settings"):
        reckon.client(subscription_key="").book()
    with pytest.raises(SubscriptionKeyError, match="not accepted"):
        reckon.client(subscription_key="someone-elses-key").book()
    reckon.control("expire_tokens")  # a refused token is refreshed once, then the call goes through
    assert client.get("customers", client.page("customers")[0][0]["id"])["name"]
    assert reckon.tokens.refreshes == 1
    reckon.control("expire_tokens")
    reckon.tokens.helper.refresh_token(reckon.tokens.token["refresh_token"])  # rotated away behind its back
    with pytest.raises(errors.AuthError, match="invalid_grant"):
        client.book()


def test_book_in_the_path(reckon):
    other = reckon.client(book_id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(errors.NotFoundError):
        other.page("customers")
    with pytest.raises(errors.PayloadValidationError, match="no Reckon book"):
        reckon.client(book_id=None).page("items")
    assert len(reckon.client(book_id=None).books()) == 1  # listing the books needs none


def test_pages_follow_the_total_count_and_the_servers_maximum(reckon):
    client = reckon.client(per_page=7)
    ids = [c["id"] for c in client.iterate("customers")]
    assert len(ids) == len(set(ids)) == 25 == client.count("customers")
    reckon.control("book", max_perpage=5)  # Reckon caps perpage without saying so
    capped = reckon.client(per_page=20)
    assert sorted(c["id"] for c in capped.iterate("customers")) == sorted(ids)
    assert len(list(capped.changed_since("customers"))) == 25
    owing = client.count("invoices", filter=rc.where("balance", "gt", 0))
    assert 0 < owing < client.count("invoices")


def test_changes_by_stamp_lose_nothing_changed_while_paging(reckon):
    client = reckon.client(per_page=5)
    everything = list(client.changed_since("items"))
    stamps = [i["lastModifiedDateTime"] for i in everything]
    assert stamps == sorted(stamps) and len(everything) == 8
    seen, pages = [], client.changed_since("customers")
    for _ in range(6):
        seen.append(next(pages))
    first = seen[0]  # changed while the rest is being read: it comes again, last
    reckon.control("change", collection="customers", id=first["id"], body={"name": first["name"] + " (AU)"})
    seen += list(pages)
    assert {c["id"] for c in seen} == {c["id"] for c in client.iterate("customers")}
    assert seen[-1]["id"] == first["id"] and seen[-1]["name"].endswith("(AU)")
    since = seen[-2]["lastModifiedDateTime"]
    assert [c["id"] for c in client.changed_since("customers", since)] == [first["id"]]
    with pytest.raises(ReckonValidationError) as refused:  # invoices have no lastModifiedDateTime
        list(client.changed_since("invoices", since))
    assert refused.value.locations == ["filter"]


def test_create_replace_merge_patch_delete(reckon):
    client = reckon.client()
    created = client.create("customers", {"name": "Wombat Web Pty Ltd", "branch": "Sydney", "notes": "new"})
    assert set(created) == {"id", "name"}
    client.replace("customers", created["id"], {"name": "Wombat Web", "notes": "kept"})
    assert "branch" not in client.get("customers", created["id"])  # a PUT replaces all
    client.patch("customers", created["id"], {"notes": None, "organisationName": "Wombat Web Pty Ltd"})
    patched = client.get("customers", created["id"])
    assert "notes" not in patched and patched["organisationName"] == "Wombat Web Pty Ltd"
    client.delete("customers", created["id"])
    with pytest.raises(errors.NotFoundError):
        client.get("customers", created["id"])
    assert isinstance(client.get("invoices", client.page("invoices")[0][0]["id"])["totalAmount"], Decimal)


def test_reckon_400_names_its_locations(reckon):
    client = reckon.client()
    customer = client.page("customers")[0][0]["id"]
    line = {"lineNumber": 1, "itemDetails": {"item": "Site visit", "quantity": 1}, "taxRate": "GST", "taxAmount": 99}
    body = {"customer": customer, "invoiceDate": "2026-03-02T00:00:00Z", "amountTaxStatus": "Exclusive"}
    with pytest.raises(ReckonValidationError) as refused:
        client.create("invoices", dict(body, lineItems=[line]))
    assert refused.value.locations == ["lineItems[0].taxAmount"]
    assert "Tax for line 1 is incorrect" in str(refused.value) and refused.value.reason == "validation"
    assert isinstance(refused.value, errors.PayloadValidationError)


def test_403_names_the_table_and_404_is_not_found(reckon):
    client = reckon.client()
    reckon.control("book", extension=False)
    with pytest.raises(
        PermissionDeniedError, match="refused access to bills .*plan or the connected user's role"
    ) as no:
        list(client.iterate("bills"))
    assert no.value.table == "bills" and isinstance(no.value, errors.PermanentError)
    with pytest.raises(PermissionDeniedError, match="journals"):
        client.create("journals", {"JournalDate": "2026-03-01", "Transactions": []})
    with pytest.raises(errors.NotFoundError, match="invoices"):
        client.get("invoices", "8aa81e9a-d5e9-4cdb-8079-2d7acecf35f0")
    with pytest.raises(errors.ProviderValidationError, match="no DELETE supplier payments operation"):
        client.delete("payments", reckon.docs("payments")[0]["id"])  # read-only in API v2: not a missing record


def test_429_waits_as_long_as_reckon_says(reckon):
    client = reckon.client()
    reckon.control("faults", throttle=2, retry_after=7)
    assert client.page("items")[1] == 8
    assert reckon.sleeps == [7.0, 7.0]
    reckon.control("faults", throttle=1, retry_after=3)
    with pytest.raises(errors.RateLimitedError) as limited:
        reckon.client(max_attempts=1).page("items")
    assert limited.value.retry_after == 3.0


def test_5xx_is_retried_for_a_read_and_unknown_for_a_create(reckon):
    client = reckon.client()
    reckon.control("faults", server_error=2)
    assert client.count("items") == 8 and len(reckon.sleeps) == 2
    reckon.control("faults", server_error=1)
    with pytest.raises(errors.OutcomeUnknownError, match="may have been created"):
        client.create("customers", {"name": "Maybe Pty Ltd"})
    reckon.control("faults", server_error=1)
    client.patch("customers", client.page("customers")[0][0]["id"], {"notes": "retried"})  # a PATCH is repeatable


def test_a_lost_answer_is_outcome_unknown_and_the_write_happened_once(reckon):
    client = reckon.client()
    reckon.control("faults", lose_response=1)
    with pytest.raises(errors.OutcomeUnknownError):
        client.create("customers", {"name": "Lost Answer Pty Ltd"})
    assert [c["name"] for c in reckon.docs("contacts")].count("Lost Answer Pty Ltd") == 1
    reckon.control("faults", lose_response=1)
    assert client.page("items")[1] == 8  # a read is read again


def test_timeouts_on_every_call(reckon):
    client = reckon.client(timeout=(2.0, 0.5))
    assert client.http.timeout == (2.0, 0.5)
    reckon.control("faults", timeout=1, timeout_seconds=2)
    assert client.count("items") == 8  # the read timed out once and was read again
    reckon.control("faults", timeout=1, timeout_seconds=2)
    with pytest.raises(errors.OutcomeUnknownError, match="no answer within the timeout"):
        client.create("customers", {"name": "Slow Pty Ltd"})


def test_the_request_limit_is_a_setting_and_keeps_under_reckons(reckon):
    reckon.control("limits", per_minute=3, window=1)  # the gateway: 3 calls a second
    client = reckon.client(per_minute=3, limit_window=1.1, concurrent=2)
    assert client.http.rate_limiter._max_concurrent == 2
    started = time.monotonic()
    for _ in range(7):
        client.count("items")
    assert time.monotonic() - started >= 2.0  # 7 calls at 3 a second
    assert reckon.stats()["throttled"] == 0  # none refused with 429
    unlimited = reckon.client(max_attempts=1)  # without the setting, the gateway's limit answers
    with pytest.raises(errors.RateLimitedError, match="429"):
        for _ in range(5):
            unlimited.count("items")


class Answers:
    """A client-boundary stub for what the sandbox always sends: pages without X-Total-Count."""

    def __init__(self, pages, link=True):
        self.pages, self.link, self.asked, self.secrets = pages, link, [], ()

    def request(self, method, url, params=None, **kwargs):
        number = params["page"]
        self.asked.append(number)
        answer = requests.Response()
        answer.status_code = 200
        answer._content = json.dumps({"list": self.pages[number - 1]}).encode()
        if self.link:
            rels = ['<x?page=1>; rel="first"'] + (['<x>; rel="next"'] if number < len(self.pages) else [])
            answer.headers["Link"] = ", ".join(rels)
        return answer


def test_pages_without_a_count_follow_the_link_header(reckon):
    stub = Answers([[{"id": "a"}, {"id": "b"}], [{"id": "c"}, {"id": "d"}], [{"id": "e"}, {"id": "f"}]])
    client = reckon.client(http=stub, per_page=2)
    assert [d["id"] for d in client.iterate("customers")] == list("abcdef") and stub.asked == [1, 2, 3]
    assert client.count("customers") == 6
    bare = Answers([[{"id": "a"}, {"id": "b"}], [{"id": "c"}]], link=False)  # no count, no link: a short page ends
    assert [d["id"] for d in reckon.client(http=bare, per_page=2).iterate("items")] == ["a", "b", "c"]
