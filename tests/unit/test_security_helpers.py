import base64
import hashlib
import hmac
import threading
import time

import pytest
from cryptography.fernet import Fernet

from odoo.addons.connector_base.lib import errors, secrets, webhook
from odoo.addons.connector_base.lib.oauth import OAuth2Helper, TokenManager


def test_signature_base64_and_hex():
    body = b'{"eventNotifications": []}'
    sig = base64.b64encode(hmac.new(b"verifier", body, hashlib.sha256).digest()).decode()
    assert webhook.verify_signature("verifier", body, sig)
    assert webhook.verify_signature(
        "verifier", body, webhook.compute_signature("verifier", body, encoding="hex"), encoding="hex"
    )
    assert webhook.verify_signature(
        "verifier", body, "sha256=" + hmac.new(b"verifier", body, hashlib.sha256).hexdigest(), encoding="hex"
    )


@pytest.mark.parametrize("sig", ["", None, "not base64 !!", "AAAA", base64.b64encode(b"x" * 32).decode()])
def test_bad_signatures_are_refused_without_raising(sig):
    assert not webhook.verify_signature("verifier", b"{}", sig)


def test_signature_over_a_modified_body_fails():
    sig = webhook.compute_signature("k", b'{"a":1}')
    assert not webhook.verify_signature("k", b'{"a": 1}', sig)
    assert not webhook.verify_signature("", b'{"a":1}', sig)


def test_secret_box_round_trip_and_ciphertext_hides_plaintext():
    box = secrets.SecretBox(Fernet.generate_key().decode())
    token = box.encrypt("s3cr3t-client-secret")
    assert "s3cr3t" not in token
    assert box.decrypt(token) == "s3cr3t-client-secret"
    other = secrets.SecretBox(Fernet.generate_key())
    with pytest.raises(secrets.SecretKeyMissing, match="key changed"):
        other.decrypt(token)


def test_key_comes_from_config_or_environment_only():
    assert secrets.resolve_key("cfg", environ={}) == "cfg"
    assert secrets.resolve_key(None, environ={"CONNECTOR_SECRET_KEY": "env"}) == "env"
    with pytest.raises(secrets.SecretKeyMissing, match="connector_secret_key"):
        secrets.resolve_key(None, environ={})
    with pytest.raises(secrets.SecretKeyMissing):
        secrets.SecretBox("not-a-key")


def test_single_flight_refresh_under_concurrency():
    store = {"token": {"access_token": "old", "refresh_token": "r1", "expires_at": time.time() - 10}}
    calls = []

    def refresh(refresh_token):
        calls.append(refresh_token)
        time.sleep(0.05)
        return {"access_token": f"new{len(calls)}", "refresh_token": "r2", "expires_at": time.time() + 3600}

    manager = TokenManager(load=lambda: dict(store["token"]), save=lambda t: store.update(token=t), refresh=refresh)
    results = []
    threads = [threading.Thread(target=lambda: results.append(manager.access_token())) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["r1"]
    assert results == ["new1"] * 10
    assert store["token"]["refresh_token"] == "r2"  # the rotated refresh token is kept


def test_rejected_token_is_refreshed_once():
    store = {"token": {"access_token": "a1", "refresh_token": "r1", "expires_at": time.time() + 3600}}
    calls = []

    def refresh(rt):
        calls.append(rt)
        return {"access_token": "a2", "refresh_token": "r2", "expires_at": time.time() + 3600}

    manager = TokenManager(load=lambda: store["token"], save=lambda t: store.update(token=t), refresh=refresh)
    assert manager.access_token(rejected="a1") == "a2"
    assert manager.access_token(rejected="a1") == "a2"  # somebody already replaced it
    assert calls == ["r1"]


def test_oauth_authorization_url_carries_state_and_scope():
    helper = OAuth2Helper(
        client_id="cid",
        client_secret="sec",
        authorize_url="http://127.0.0.1:1/authorize",
        token_url="http://127.0.0.1:1/token",
        redirect_uri="http://localhost:8069/cb",
        scope="com.intuit.quickbooks.accounting",
    )
    url = helper.authorization_url("st4te")
    assert "state=st4te" in url and "client_id=cid" in url and "response_type=code" in url
    assert "scope=com.intuit.quickbooks.accounting" in url
    with pytest.raises(errors.AuthError):
        helper.refresh_token(None)


def test_a_relays_events_are_read_as_ids_only_and_odd_items_are_skipped():
    body = {
        "events": [
            {"id": "e1", "bookId": "B-1", "entity": "Invoice", "entityId": "42", "occurredAt": "2026-11-22T10:00:00Z"},
            {"bookId": "B-1", "entity": "Customer", "entityId": 7, "operation": "DELETED"},
            {"bookId": "B-1", "entity": "Item"},  # no id: skipped
            "not an event",
            {"bookId": True, "entity": "Item", "entityId": "9"},  # a boolean is no book id
        ]
    }
    first, second = webhook.parse_entity_events(body, "bookId")
    assert (first["tenant"], first["entity"], first["id"], first["operation"]) == ("B-1", "Invoice", "42", "Updated")
    assert first["dedup"] == "e1" and first["changed_at"].isoformat() == "2026-11-22T10:00:00"
    assert (second["id"], second["operation"], second["changed_at"]) == ("7", "Deleted", None)
    assert second["dedup"] == "B-1:Customer:7:deleted:None"
    with pytest.raises(ValueError):
        webhook.parse_entity_events({"event": []}, "bookId")


def test_a_relays_wave_events_keep_wave_s_long_base64_ids_whole():
    business_uuid = "3f1c9a52-6a4e-4f7e-9d0b-8e2a6c5b7d10"
    business = base64.b64encode(f"Business:{business_uuid}".encode()).decode()
    payment = base64.b64encode(f"Business:{business_uuid};InvoicePayment:{13 * 10**18}".encode()).decode()
    assert len(payment) == 108  # Wave's longest ids, beyond the 64 characters once kept
    body = {"events": [{"businessId": business, "entity": "InvoicePayment", "entityId": payment}]}
    (event,) = webhook.parse_entity_events(body, "businessId")
    assert (event["tenant"], event["id"]) == (business, payment)
    assert event["dedup"] == f"{business}:InvoicePayment:{payment}:updated:None"
    # a limit stays: a signed body is still not trusted with ids of any length, and an id too
    # long to be one is skipped, never cut into another record's id
    too_long = dict(body["events"][0], entityId="Q" * 500)
    assert webhook.parse_entity_events({"events": [too_long, body["events"][0]]}, "businessId") == [event]
