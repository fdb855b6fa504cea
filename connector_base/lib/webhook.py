"""Webhook signature checks: HMAC over the raw body, hex or base64, constant time."""

import base64
import binascii
import hashlib
import hmac


def compute_signature(secret, body, *, encoding="base64", digestmod=hashlib.sha256):
    if isinstance(secret, str):
        secret = secret.encode()
    if isinstance(body, str):
        body = body.encode()
    digest = hmac.new(secret, body, digestmod).digest()
    if encoding == "hex":
        return digest.hex()
    if encoding == "base64":
        return base64.b64encode(digest).decode()
    raise ValueError(f"unknown signature encoding {encoding!r}")


def verify_signature(secret, body, signature, *, encoding="base64", digestmod=hashlib.sha256):
    """True when ``signature`` is the HMAC of ``body`` under ``secret``.

    Accepts a ``sha256=`` prefix; compares digests in constant time; never raises on a
    malformed signature (it is simply not valid).
    """
    if not secret or not signature or body is None:
        return False
    if isinstance(secret, str):
        secret = secret.encode()
    if isinstance(body, str):
        body = body.encode()
    if isinstance(signature, bytes):
        signature = signature.decode("ascii", "replace")
    signature = signature.strip()
    if "=" in signature[:8] and signature.split("=", 1)[0].lower() in ("sha256", "sha1", "sha512"):
        signature = signature.split("=", 1)[1]
    try:
        if encoding == "hex":
            given = bytes.fromhex(signature)
        elif encoding == "base64":
            given = base64.b64decode(signature, validate=True)
        else:
            raise ValueError(f"unknown signature encoding {encoding!r}")
    except (ValueError, binascii.Error):
        return False
    expected = hmac.new(secret, body, digestmod).digest()
    return hmac.compare_digest(expected, given)


def clean_text(value, limit=200):
    """A field of a notification body as a short string, or None: bodies are signed, not trusted."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).replace("\x00", "").strip()[:limit] or None


def clean_moment(value):
    """An ISO 8601 time of a notification body as a naive UTC datetime, or None."""
    from datetime import UTC, datetime

    text = clean_text(value, 40)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment and moment.tzinfo else moment


#: the longest tenant or record id an event may carry (an event with a longer one is skipped,
#: never cut to another id): Wave's base64 ids of ``Business:<uuid>;InvoicePayment:<19 digits>``
#: are 108 characters
MAX_EVENT_ID = 120


def clean_id(value):
    """A tenant or record id of a notification body, or None (also when it is too long to be one)."""
    text = clean_text(value, MAX_EVENT_ID + 1)
    return text if text and len(text) <= MAX_EVENT_ID else None


def parse_entity_events(body, tenant_field):
    """The events of a relay's notification body ``{"events": [{"id", <tenant_field>, "entity",
    "entityId", "operation", "occurredAt"}]}`` as dicts (tenant, entity, id, operation, dedup,
    changed_at); items not shaped like events (an id longer than ``MAX_EVENT_ID`` included) are
    skipped. ValueError when it has no events list."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise ValueError('no "events" list')
    events = []
    for item in body["events"]:
        if not isinstance(item, dict):
            continue
        tenant, entity = clean_id(item.get(tenant_field)), clean_text(item.get("entity"), 40)
        record_id = clean_id(item.get("entityId"))
        if not (tenant and entity and record_id):
            continue
        operation = (clean_text(item.get("operation"), 20) or "updated").lower()
        occurred = clean_text(item.get("occurredAt"), 40)
        events.append(
            {
                "tenant": tenant,
                "entity": entity,
                "id": record_id,
                "operation": operation.capitalize(),
                "dedup": clean_text(item.get("id"), 100) or f"{tenant}:{entity}:{record_id}:{operation}:{occurred}",
                "changed_at": clean_moment(occurred),
            }
        )
    return events
