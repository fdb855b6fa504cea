"""``/connector_kashoo/webhook``: signed change notifications (a relay today; Kashoo publishes no
webhooks). Polling stays the path that never misses; this only brings a re-read forward.

* ``GET ?challenge=<text>`` (a verification request) answers the text at once, touching nothing.
* ``POST`` a JSON body ``{"business": <id>, "events": [{"id", "type", "record", "operation",
  "time"}]}`` signed in ``X-Kashoo-Signature`` (hex HMAC-SHA256 of the raw body under the
  connection's webhook secret, ``sha256=`` prefix allowed). The signature is checked before the
  body is read; a business is trusted only when a secret of its own connections signed. Each
  event queues a re-read of the record named (the body is never trusted for content)."""

import logging

from odoo import http

from odoo.addons.connector_base.controllers.webhook import (
    SignedEndpoint,
    challenge_answer,
    moment_field,
    text_field,
)

from ..models.connector_backend import WEBHOOK_PATH

_logger = logging.getLogger(__name__)

ENDPOINT = SignedEndpoint(
    "kashoo",
    label="Kashoo webhook",
    logger=_logger,
    header="X-Kashoo-Signature",
    tenant=("business", "business"),
    max_bytes=256 * 1024,
)
_text = text_field


def parse_events(body):
    """The events of a notification body, each naming the body's business; ValueError when it
    is not one."""
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
                "business": business,
                "type": kind,
                "record": record,
                "operation": operation,
                "dedup": _text(item.get("id"), 200) or f"{business}:{kind}:{record}:{operation}:{item.get('time')}",
                "changed_at": moment_field(item.get("time")),
            }
        )
    return events


class KashooController(http.Controller):
    @http.route(WEBHOOK_PATH, type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def verify(self, challenge=None, **kwargs):
        return challenge_answer(challenge)

    @http.route(
        WEBHOOK_PATH, type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=False
    )
    def webhook(self, **kwargs):
        return ENDPOINT.receive(parse_events, "_kashoo_handle_events")
