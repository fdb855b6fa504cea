"""Reckon One's two HTTP entry points: the OAuth redirect and the change-notification receiver.

Reckon documents no webhooks (only a REST-hooks permission in its role model).
``/connector_reckon/webhook`` serves a relay the user runs, or hooks Reckon may add::

    POST /connector_reckon/webhook
    X-Reckon-Signature: <hex HMAC-SHA256 of the raw body under the connection's webhook secret>
    {"events": [{"id": "<event id>", "bookId": "...", "entity": "Invoice", "entityId": "...",
                 "operation": "created" | "updated" | "deleted", "occurredAt": "...Z"}]}

The signature is checked before anything of the body is read (connector_base's
``SignedEndpoint``); an event carries ids only, and every record is read back from
Reckon (the body is never trusted). Polling stays the path that never misses a change.
"""

import logging

from odoo import http

from odoo.addons.connector_base.controllers.webhook import (
    SignedEndpoint,
    oauth_callback_backend,
    oauth_callback_end,
)
from odoo.addons.connector_base.lib.webhook import parse_entity_events

from ..models.connector_backend_connect import CALLBACK_PATH, WEBHOOK_PATH

_logger = logging.getLogger(__name__)

LABEL = "Reckon"
ENDPOINT = SignedEndpoint(
    "reckon",
    label="Reckon notification",
    logger=_logger,
    header="X-Reckon-Signature",
    tenant=("tenant", "book"),
)


def parse_events(body):
    """The events of a notification body, each naming its book as its tenant."""
    return parse_entity_events(body, "bookId")


class ReckonController(http.Controller):
    @http.route(CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def oauth_callback(self, state=None, code=None, error=None, **kwargs):
        backend = oauth_callback_backend(state, "reckon", label=LABEL, logger=_logger, what="book")
        refusal = error or (None if code else "no code")
        return oauth_callback_end(backend, LABEL, refusal, lambda: backend._reckon_finish_oauth(code))

    @http.route(
        WEBHOOK_PATH, type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=False
    )
    def webhook(self, **kwargs):
        return ENDPOINT.receive(parse_events, "_reckon_handle_events")
