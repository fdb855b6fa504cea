"""Reckon One's two HTTP entry points: the OAuth redirect and the change-notification receiver.

Reckon documents no webhooks (only a REST-hooks permission in its role model).
``/connector_reckon/webhook`` serves a relay the user runs, or hooks Reckon may add::

    POST /connector_reckon/webhook
    X-Reckon-Signature: <hex HMAC-SHA256 of the raw body under the connection's webhook secret>
    {"events": [{"id": "<event id>", "bookId": "...", "entity": "Invoice", "entityId": "...",
                 "operation": "created" | "updated" | "deleted", "occurredAt": "...Z"}]}

The signature is checked before anything of the body is read (connector_base's
``signed_notification``); an event carries ids only, and every record is read back from
Reckon (the body is never trusted). Polling stays the path that never misses a change.
"""

import json
import logging

from odoo import http
from odoo.http import request

from odoo.addons.connector_base.controllers.oauth import callback_backend
from odoo.addons.connector_base.controllers.webhook import signed_notification, tenants_not_signed
from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.webhook import parse_entity_events

from ..models.connector_backend_connect import CALLBACK_PATH, WEBHOOK_PATH

_logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Reckon-Signature"
LABEL = "Reckon"


class ReckonController(http.Controller):
    @http.route(CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def oauth_callback(self, state=None, code=None, error=None, **kwargs):
        backend = callback_backend("reckon", LABEL, state)
        if error or not code:
            backend.sudo().oauth_state = False
            backend.message_post(
                body=request.env._("Reckon did not authorise the connection: %(error)s", error=error or "no code")
            )
        else:
            try:
                backend._reckon_finish_oauth(code)
            except errors.ConnectorError as exc:
                backend.message_post(body=request.env._("Connecting failed: %(error)s", error=str(exc)[:300]))
        return request.redirect(f"/odoo/connector.backend/{backend.id}")

    @http.route(
        WEBHOOK_PATH, type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=False
    )
    def webhook(self, **kwargs):
        raw, signers, refusal = signed_notification("reckon", LABEL, SIGNATURE_HEADER)
        if refusal:
            return refusal
        try:
            events = parse_entity_events(json.loads(raw), "bookId")
        except (ValueError, TypeError) as exc:
            _logger.warning("Reckon notification with a signed but unreadable body: %s", exc)
            return request.make_response("unreadable body", status=400, headers=[("Content-Type", "text/plain")])
        refusal = tenants_not_signed("reckon", LABEL, {event["tenant"] for event in events}, signers)
        if refusal:
            return refusal
        Backend = request.env(su=True)["connector.backend"]
        queued = Backend._reckon_handle_events(events, raw.decode("utf-8", "replace").replace("\x00", "")[:100000])
        _logger.info("Reckon notification: %d events, %d re-reads queued", len(events), queued)
        return request.make_response("", status=200)
