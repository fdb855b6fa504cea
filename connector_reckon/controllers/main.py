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

import hmac
import json
import logging
import re

from werkzeug.exceptions import BadRequest, Forbidden

from odoo import http
from odoo.http import request

from odoo.addons.connector_base.controllers.webhook import signed_notification, tenants_not_signed
from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.webhook import clean_moment, clean_text

from ..models.connector_backend_connect import CALLBACK_PATH, WEBHOOK_PATH

_logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Reckon-Signature"
LABEL = "Reckon"


def parse_events(body):
    """The events of a notification body as dicts (book, entity, id, operation, dedup,
    changed_at); items not shaped like events are skipped."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise ValueError('no "events" list')
    events = []
    for item in body["events"]:
        if not isinstance(item, dict):
            continue
        book, entity = clean_text(item.get("bookId"), 64), clean_text(item.get("entity"), 40)
        record_id = clean_text(item.get("entityId"), 64)
        if not (book and entity and record_id):
            continue
        operation = (clean_text(item.get("operation"), 20) or "updated").lower()
        occurred = clean_text(item.get("occurredAt"), 40)
        events.append(
            {
                "book": book,
                "entity": entity,
                "id": record_id,
                "operation": operation.capitalize(),
                "dedup": clean_text(item.get("id"), 100) or f"{book}:{entity}:{record_id}:{operation}:{occurred}",
                "changed_at": clean_moment(occurred),
            }
        )
    return events


class ReckonController(http.Controller):
    @http.route(CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def oauth_callback(self, state=None, code=None, error=None, **kwargs):
        backend_id, _sep, _rest = (state or "").partition(":")
        if not re.fullmatch(r"[0-9]{1,9}", backend_id):  # ASCII digits of a database id only
            raise BadRequest("missing or malformed state")
        backend = request.env["connector.backend"].sudo().browse(int(backend_id)).exists()
        if (
            not backend
            or backend.provider != "reckon"
            or not backend.oauth_state
            or not hmac.compare_digest(backend.oauth_state, state)
        ):
            _logger.warning("Reckon OAuth callback with an unknown state for backend %s", backend_id)
            raise Forbidden("This authorization does not match a connection being set up. Start again.")
        user = request.env.user
        if not user.has_group("connector_base.group_connector_manager"):
            _logger.warning("Reckon OAuth callback for backend %s refused: user %s is no manager", backend.id, user.id)
            raise Forbidden("Only a Connector Manager can connect a book.")
        if backend.company_id not in user.company_ids:
            _logger.warning("Reckon OAuth callback for backend %s refused: user %s not in its company", backend.id, user.id)
            raise Forbidden("This connection belongs to a company you do not work in.")
        backend = backend.with_user(user).with_company(backend.company_id)
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
            events = parse_events(json.loads(raw))
        except (ValueError, TypeError) as exc:
            _logger.warning("Reckon notification with a signed but unreadable body: %s", exc)
            return request.make_response("unreadable body", status=400, headers=[("Content-Type", "text/plain")])
        refusal = tenants_not_signed("reckon", LABEL, {event["book"] for event in events}, signers)
        if refusal:
            return refusal
        Backend = request.env(su=True)["connector.backend"]
        queued = Backend._reckon_handle_events(events, raw.decode("utf-8", "replace").replace("\x00", "")[:100000])
        _logger.info("Reckon notification: %d events, %d re-reads queued", len(events), queued)
        return request.make_response("", status=200)
