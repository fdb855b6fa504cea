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

import hmac
import json
import logging
import re
from datetime import UTC, datetime

from werkzeug.exceptions import BadRequest, Forbidden

from odoo import http
from odoo.http import request

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.webhook import verify_signature

from ..models.connector_backend_connect import CALLBACK_PATH, WEBHOOK_PATH

_logger = logging.getLogger(__name__)

#: a relay batches a few events; anything larger is refused unread
MAX_WEBHOOK_BYTES = 1024 * 1024
SIGNATURE_HEADER = "X-Wave-Signature"


def _refuse(status, text, reason, *args):
    """A plain-text refusal of a notification, with its one security log line."""
    _logger.warning("Wave notification refused: " + reason, *args)
    return request.make_response(text, status=status, headers=[("Content-Type", "text/plain")])


def _text(value, limit=200):
    """A field of the body as a short string, or None: bodies are signed, not trusted."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).replace("\x00", "").strip()[:limit] or None


def _moment(value):
    """An ISO 8601 time as a naive UTC datetime, or None."""
    text = _text(value, 40)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment and moment.tzinfo else moment


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
                "changed_at": _moment(occurred),
            }
        )
    return events


class WaveController(http.Controller):
    @http.route(CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def oauth_callback(self, state=None, code=None, businessId=None, error=None, **kwargs):  # noqa: N803 (Wave's name)
        backend_id, _sep, _rest = (state or "").partition(":")
        # ASCII digits of a database id only: str.isdigit() also takes "²", which int() refuses
        if not re.fullmatch(r"[0-9]{1,9}", backend_id):
            raise BadRequest("missing or malformed state")
        backend = request.env["connector.backend"].sudo().browse(int(backend_id)).exists()
        if (
            not backend
            or backend.provider != "wave"
            or not backend.oauth_state
            or not hmac.compare_digest(backend.oauth_state, state)
        ):
            _logger.warning("Wave OAuth callback with an unknown state for backend %s", backend_id)
            raise Forbidden("This authorization does not match a connection being set up. Start again.")
        user = request.env.user
        if not user.has_group("connector_base.group_connector_manager"):
            _logger.warning(
                "Wave OAuth callback for backend %s refused: user %s is no Connector Manager", backend.id, user.id
            )
            raise Forbidden("Only a Connector Manager can connect a business.")
        if backend.company_id not in user.company_ids:
            _logger.warning(
                "Wave OAuth callback for backend %s refused: user %s has no access to its company", backend.id, user.id
            )
            raise Forbidden("This connection belongs to a company you do not work in.")
        backend = backend.with_user(user).with_company(backend.company_id)
        if error or not code:
            backend.sudo().oauth_state = False
            backend.message_post(
                body=request.env._("Wave did not authorise the connection: %(error)s", error=error or "no code")
            )
        else:
            try:
                backend._wave_finish_oauth(code, _text(businessId))
            except errors.ConnectorError as exc:
                backend.message_post(body=request.env._("Connecting failed: %(error)s", error=str(exc)[:300]))
        return request.redirect(f"/odoo/connector.backend/{backend.id}")

    @http.route(
        WEBHOOK_PATH, type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=False
    )
    def webhook(self, **kwargs):
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_WEBHOOK_BYTES:
            return _refuse(413, "payload too large", "%s bytes is too large", httprequest.content_length)
        raw = httprequest.get_data()
        if len(raw) > MAX_WEBHOOK_BYTES:  # a body sent without a Content-Length
            return _refuse(413, "payload too large", "%s bytes is too large", len(raw))
        signature = httprequest.headers.get(SIGNATURE_HEADER, "")
        Backend = request.env(su=True)["connector.backend"]
        signers = [
            backend
            for backend, secret in Backend._wave_webhook_secrets()
            if verify_signature(secret, raw, signature, encoding="hex")
        ]
        if not signers:
            return _refuse(
                401,
                "invalid signature",
                "bad or missing %s (%d bytes from %s)",
                SIGNATURE_HEADER,
                len(raw),
                httprequest.remote_addr,
            )
        try:
            events = parse_events(json.loads(raw))
        except (ValueError, TypeError) as exc:
            _logger.warning("Wave notification with a signed but unreadable body: %s", exc)
            return request.make_response("unreadable body", status=400, headers=[("Content-Type", "text/plain")])
        # a secret vouches for the businesses of its own connections only
        foreign = Backend._wave_businesses_not_signed({event["business"] for event in events}, signers)
        if foreign:
            return _refuse(
                401,
                "invalid signature",
                "business %s named by a body that none of its connections signed (%d bytes from %s)",
                ", ".join(foreign),
                len(raw),
                httprequest.remote_addr,
            )
        queued = Backend._wave_handle_events(events, raw.decode("utf-8", "replace").replace("\x00", "")[:100000])
        _logger.info("Wave notification: %d events, %d re-reads queued", len(events), queued)
        return request.make_response("", status=200)
