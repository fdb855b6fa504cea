"""QuickBooks' two HTTP entry points: the OAuth redirect and the webhook receiver."""

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

from ..models.connector_backend import CALLBACK_PATH, WEBHOOK_PATH

_logger = logging.getLogger(__name__)

#: Intuit aggregates events but stays far below this; anything larger is refused unread
MAX_WEBHOOK_BYTES = 1024 * 1024


def _refuse(status, text, reason, *args):
    """A plain-text refusal of a webhook, with its one security log line."""
    _logger.warning("QuickBooks webhook refused: " + reason, *args)
    return request.make_response(text, status=status, headers=[("Content-Type", "text/plain")])


def _text(value, limit=100):
    """A webhook field as a short string, or None: bodies are signed, not trusted."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).replace("\x00", "").strip()
    return text[:limit] or None


def _moment(value):
    """An ISO 8601 time of the body as a naive UTC datetime, or None."""
    text = _text(value, 40)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    if moment and moment.tzinfo:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _event(realm, entity, doc_id, operation, dedup, deleted_id=None, changed_at=None):
    realm, entity, doc_id = _text(realm), _text(entity, 40), _text(doc_id, 40)
    if not (realm and entity and doc_id):
        return None
    event = {
        "realm": realm,
        "entity": entity,
        "id": doc_id,
        "operation": _text(operation, 20) or "Update",
        "dedup": _text(dedup, 250) or f"{realm}:{entity}:{doc_id}",
        "changed_at": _moment(changed_at),
    }
    if _text(deleted_id, 40):
        event["deleted_id"] = _text(deleted_id, 40)
    return event


def parse_events(body):
    """Webhook events from either payload format, as dicts (realm, entity, id, operation, dedup).

    Legacy: ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [...]}}]}``.
    CloudEvents: a JSON array of events with ``type`` ``qbo.<entity>.<operation>.v1``.
    Items that are not shaped like events are skipped."""
    events = []
    if isinstance(body, dict) and "eventNotifications" in body:
        notifications = body["eventNotifications"]
        for notification in notifications if isinstance(notifications, list) else []:
            if not isinstance(notification, dict):
                continue
            change = notification.get("dataChangeEvent")
            items = change.get("entities") if isinstance(change, dict) else None
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict):
                    continue
                realm = notification.get("realmId")
                operation = _text(item.get("operation"), 20) or "Update"
                dedup = f"{realm}:{item.get('name')}:{item.get('id')}:{operation}:{item.get('lastUpdated')}"
                event = _event(
                    realm,
                    item.get("name"),
                    item.get("id"),
                    operation,
                    dedup,
                    item.get("deletedId"),
                    item.get("lastUpdated"),
                )
                if event:
                    events.append(event)
        return events
    if isinstance(body, list):
        operations = {
            "created": "Create",
            "updated": "Update",
            "deleted": "Delete",
            "merged": "Merge",
            "voided": "Void",
            "emailed": "Emailed",
        }
        for item in body:
            if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                continue
            parts = item["type"].split(".")
            if len(parts) < 3 or parts[0] != "qbo":
                continue
            entity = next((name for name in _ENTITY_NAMES if name.lower() == parts[1].lower()), parts[1])
            data = item.get("data") if isinstance(item.get("data"), dict) else {}
            event = _event(
                item.get("intuitaccountid"),
                entity,
                item.get("intuitentityid"),
                operations.get(parts[2], parts[2].capitalize()),
                f"ce:{item.get('id')}",
                data.get("deletedid"),
                item.get("time"),
            )
            if event:
                events.append(event)
        return events
    raise ValueError("neither the legacy nor the CloudEvents webhook format")


_ENTITY_NAMES = (
    "Account",
    "Bill",
    "BillPayment",
    "CreditMemo",
    "Customer",
    "Invoice",
    "Item",
    "JournalEntry",
    "Payment",
    "Purchase",
    "TaxCode",
    "Term",
    "Vendor",
    "VendorCredit",
    "PaymentMethod",
    "Estimate",
)


class QuickBooksController(http.Controller):
    @http.route(CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def oauth_callback(self, state=None, code=None, realmId=None, error=None, **kwargs):  # noqa: N803 (Intuit's name)
        backend_id, _sep, _rest = (state or "").partition(":")
        # ASCII digits of a database id only: str.isdigit() also takes "²", which int() refuses
        if not re.fullmatch(r"[0-9]{1,9}", backend_id):
            raise BadRequest("missing or malformed state")
        backend = request.env["connector.backend"].sudo().browse(int(backend_id)).exists()
        if not backend or not backend.oauth_state or not hmac.compare_digest(backend.oauth_state, state):
            _logger.warning("QuickBooks OAuth callback with an unknown state for backend %s", backend_id)
            raise Forbidden("This authorization does not match a connection being set up. Start again.")
        user = request.env.user
        if not user.has_group("connector_base.group_connector_manager"):
            _logger.warning(
                "QuickBooks OAuth callback for backend %s refused: user %s is no Connector Manager", backend.id, user.id
            )
            raise Forbidden("Only a Connector Manager can connect a company.")
        if backend.company_id not in user.company_ids:
            _logger.warning(
                "QuickBooks OAuth callback for backend %s refused: user %s has no access to its company",
                backend.id,
                user.id,
            )
            raise Forbidden("This connection belongs to a company you do not work in.")
        backend = backend.with_user(user).with_company(backend.company_id)
        if error or not code or not realmId:
            backend.sudo().oauth_state = False
            backend.message_post(
                body=request.env._("QuickBooks did not authorise the connection: %(error)s", error=error or "no code")
            )
        else:
            try:
                backend._qbo_finish_oauth(code, realmId)
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
        if "json" not in (httprequest.mimetype or "json"):
            return _refuse(400, "JSON expected", "content type %s", httprequest.mimetype)
        raw = httprequest.get_data()
        if len(raw) > MAX_WEBHOOK_BYTES:  # a body sent without a Content-Length
            return _refuse(413, "payload too large", "%s bytes is too large", len(raw))
        signature = httprequest.headers.get("intuit-signature", "")
        env = request.env(su=True)
        Backend = env["connector.backend"]
        signers = [
            backend
            for backend, verifier in Backend._qbo_webhook_verifiers()
            if verify_signature(verifier, raw, signature, encoding="base64")
        ]
        if not signers:
            return _refuse(
                401,
                "invalid signature",
                "bad or missing intuit-signature (%d bytes from %s)",
                len(raw),
                httprequest.remote_addr,
            )
        try:
            events = parse_events(json.loads(raw))
        except (ValueError, TypeError, AttributeError) as exc:
            _logger.warning("QuickBooks webhook with a signed but unreadable body: %s", exc)
            return request.make_response("unreadable body", status=400, headers=[("Content-Type", "text/plain")])
        # a verifier vouches for the realms of its own connections only
        foreign = Backend._qbo_realms_not_signed({event["realm"] for event in events}, signers)
        if foreign:
            return _refuse(
                401,
                "invalid signature",
                "realm %s named by a body that no verifier of its connections signed (%d bytes from %s)",
                ", ".join(foreign),
                len(raw),
                httprequest.remote_addr,
            )
        queued = Backend._qbo_handle_events(events, raw.decode("utf-8", "replace").replace("\x00", "")[:100000])
        _logger.info("QuickBooks webhook: %d events, %d re-reads queued", len(events), queued)
        return request.make_response("", status=200)
