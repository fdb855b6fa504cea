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
    oauth_callback_backend,
    oauth_callback_end,
    text_field,
)
from odoo.addons.connector_base.lib.webhook import MAX_EVENT_ID, parse_entity_events

from ..models.connector_backend_connect import CALLBACK_PATH, WEBHOOK_PATH

_logger = logging.getLogger(__name__)

ENDPOINT = SignedEndpoint(
    "wave", label="Wave notification", logger=_logger, header="X-Wave-Signature", tenant=("tenant", "business")
)


def parse_events(body):
    """The events of a notification body, each naming its business as its tenant."""
    return parse_entity_events(body, "businessId")


class WaveController(http.Controller):
    @http.route(CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def oauth_callback(self, state=None, code=None, businessId=None, error=None, **kwargs):  # noqa: N803 (Wave's name)
        backend = oauth_callback_backend(state, "wave", label="Wave", logger=_logger, what="business")
        return oauth_callback_end(
            backend,
            "Wave",
            error or (not code and "no code"),
            lambda: backend._wave_finish_oauth(code, text_field(businessId, MAX_EVENT_ID)),
        )

    @http.route(
        WEBHOOK_PATH, type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=False
    )
    def webhook(self, **kwargs):
        return ENDPOINT.receive(parse_events, "_wave_handle_events")
