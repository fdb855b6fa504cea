"""Wave's two HTTP entry points: the OAuth redirect and the change-notification receiver.

Wave publishes no webhooks. ``/connector_wave/webhook`` serves a relay the user runs (an
automation that watches Wave) and any notifications Wave may add::

    POST /connector_wave/webhook
    X-Wave-Signature: <hex HMAC-SHA256 of the raw body under the connection's signing secret>
    {"events": [{"id": "<event id>", "businessId": "...", "entity": "Invoice", "entityId": "...",
                 "operation": "created" | "updated" | "deleted", "occurredAt": "...Z"}]}

The signature is checked before anything of the body is read; an event carries ids only and
every record is read back from Wave (the body is never trusted). Polling stays the path that
never misses a change.
"""

import logging

from odoo import http

from odoo.addons.connector_base.controllers.webhook import (
    SignedEndpoint,
    moment_field,
    oauth_callback_backend,
    oauth_callback_end,
    text_field,
)

from ..models.connector_backend_connect import CALLBACK_PATH, WEBHOOK_PATH

_logger = logging.getLogger(__name__)

ENDPOINT = SignedEndpoint(
    "wave", label="Wave notification", logger=_logger, header="X-Wave-Signature", tenant=("business", "business")
)


def _text(value, limit=200):
    return text_field(value, limit)


def parse_events(body):
    """The events of a notification body as dicts (business, entity, id, operation, dedup,
    changed_at); items not shaped like events are skipped."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise ValueError('no "events" list')
    events = []
    for item in body["events"]:
        if not isinstance(item, dict):
            continue
        business, entity = _text(item.get("businessId")), _text(item.get("entity"), 40)
        record_id = _text(item.get("entityId"))
        if not (business and entity and record_id):
            continue
        operation = (_text(item.get("operation"), 20) or "updated").lower()
        occurred = _text(item.get("occurredAt"), 40)
        events.append(
            {
                "business": business,
                "entity": entity,
                "id": record_id,
                "operation": operation.capitalize(),
                "dedup": _text(item.get("id"), 100) or f"{business}:{entity}:{record_id}:{operation}:{occurred}",
                "changed_at": moment_field(occurred),
            }
        )
    return events


class WaveController(http.Controller):
    @http.route(CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def oauth_callback(self, state=None, code=None, businessId=None, error=None, **kwargs):  # noqa: N803 (Wave's name)
        backend = oauth_callback_backend(state, "wave", label="Wave", logger=_logger, what="business")
        return oauth_callback_end(
            backend,
            "Wave",
            error or (not code and "no code"),
            lambda: backend._wave_finish_oauth(code, _text(businessId)),
        )

    @http.route(
        WEBHOOK_PATH, type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=False
    )
    def webhook(self, **kwargs):
        return ENDPOINT.receive(parse_events, "_wave_handle_events")
