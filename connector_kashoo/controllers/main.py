"""``/connector_kashoo/webhook``: signed change notifications (a relay today; Kashoo publishes no
webhooks). Polling stays the path that never misses; this only brings a re-read forward.

* ``GET ?challenge=<text>`` (a verification request) answers the text at once, touching nothing.
* ``POST`` a JSON body ``{"business": <id>, "events": [{"id", "type", "record", "operation",
  "time"}]}`` signed in ``X-Kashoo-Signature`` (hex HMAC-SHA256 of the raw body under the
  connection's webhook secret, ``sha256=`` prefix allowed). The signature is checked before the
  body is read; a business is trusted only when a secret of its own connections signed. Each
  event queues a re-read of the record named (the body is never trusted for content)."""

import json
import logging
from datetime import UTC, datetime

from odoo import http
from odoo.http import request

from odoo.addons.connector_base.lib.webhook import verify_signature

from ..models.connector_backend import WEBHOOK_PATH

_logger = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 256 * 1024
SIGNATURE_HEADER = "X-Kashoo-Signature"


def _refuse(status, text, reason, *args):
    _logger.warning("Kashoo webhook refused: " + reason, *args)
    return request.make_response(text, status=status, headers=[("Content-Type", "text/plain")])


def _text(value, limit=100):
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).replace("\x00", "").strip()[:limit] or None


def _moment(value):
    text = _text(value, 40)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment and moment.tzinfo else moment


def parse_events(body):
    """(business, [event]) of a notification body; ValueError when it is not one."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise ValueError("a JSON object with business and events expected")
    business = _text(body.get("business"), 20)
    if not business or not business.isdigit():
        raise ValueError("no business id")
    events = []
    for item in body["events"]:
        if not isinstance(item, dict):
            continue
        record, kind = _text(item.get("record"), 20), _text(item.get("type"), 40)
        if not record or not kind:
            continue
        operation = _text(item.get("operation"), 20) or "updated"
        events.append(
            {
                "type": kind,
                "record": record,
                "operation": operation,
                "dedup": _text(item.get("id"), 200) or f"{business}:{kind}:{record}:{operation}:{item.get('time')}",
                "changed_at": _moment(item.get("time")),
            }
        )
    return business, events


class KashooController(http.Controller):
    @http.route(WEBHOOK_PATH, type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def verify(self, challenge=None, **kwargs):
        """A verification request: the challenge back, within milliseconds, nothing read or stored."""
        text = _text(challenge, 200)
        if not text:
            return request.make_response("challenge expected", status=400, headers=[("Content-Type", "text/plain")])
        return request.make_response(text, status=200, headers=[("Content-Type", "text/plain")])

    @http.route(
        WEBHOOK_PATH, type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=False
    )
    def webhook(self, **kwargs):
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_WEBHOOK_BYTES:
            return _refuse(413, "payload too large", "%s bytes is too large", httprequest.content_length)
        raw = httprequest.get_data()
        if len(raw) > MAX_WEBHOOK_BYTES:
            return _refuse(413, "payload too large", "%s bytes is too large", len(raw))
        signature = httprequest.headers.get(SIGNATURE_HEADER, "")
        Backend = request.env(su=True)["connector.backend"]
        signers = [
            backend
            for backend, secret in Backend._kashoo_webhook_secrets()
            if verify_signature(secret, raw, signature, encoding="hex")
        ]
        if not signers:
            return _refuse(
                401,
                "invalid signature",
                "bad or missing signature (%d bytes from %s)",
                len(raw),
                httprequest.remote_addr,
            )
        try:
            business, events = parse_events(json.loads(raw))
        except (ValueError, TypeError) as exc:
            _logger.warning("Kashoo webhook with a signed but unreadable body: %s", exc)
            return request.make_response("unreadable body", status=400, headers=[("Content-Type", "text/plain")])
        signed = [backend for backend in signers if backend.tenant_id == business]
        if not signed:
            return _refuse(
                401,
                "invalid signature",
                "business %s named by a body no secret of its connections signed",
                business,
            )
        queued = Backend._kashoo_handle_events(signed, business, events, raw.decode("utf-8", "replace")[:100000])
        _logger.info("Kashoo webhook: %d events, %d re-reads queued", len(events), queued)
        return request.make_response("", status=200)
