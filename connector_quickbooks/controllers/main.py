"""QuickBooks' two HTTP entry points: the OAuth redirect and the webhook receiver."""

import hmac
import json
import logging

from werkzeug.exceptions import BadRequest, Forbidden

from odoo import http
from odoo.http import request

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.webhook import verify_signature

from ..models.connector_backend import CALLBACK_PATH, WEBHOOK_PATH

_logger = logging.getLogger(__name__)


def parse_events(body):
    """Webhook events from either payload format, as dicts (realm, entity, id, operation, dedup).

    Legacy: ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [...]}}]}``.
    CloudEvents: a JSON array of events with ``type`` ``qbo.<entity>.<operation>.v1``."""
    events = []
    if isinstance(body, dict) and "eventNotifications" in body:
        for notification in body["eventNotifications"] or []:
            realm = str(notification.get("realmId") or "")
            for item in (notification.get("dataChangeEvent") or {}).get("entities") or []:
                operation = item.get("operation") or "Update"
                event = {
                    "realm": realm,
                    "entity": item.get("name"),
                    "id": str(item.get("id")),
                    "operation": operation,
                    "dedup": f"{realm}:{item.get('name')}:{item.get('id')}:{operation}:{item.get('lastUpdated')}",
                }
                if item.get("deletedId"):
                    event["deleted_id"] = str(item["deletedId"])
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
            parts = str(item.get("type") or "").split(".")
            if len(parts) < 3 or parts[0] != "qbo":
                continue
            entity = next((name for name in _ENTITY_NAMES if name.lower() == parts[1].lower()), parts[1])
            event = {
                "realm": str(item.get("intuitaccountid") or ""),
                "entity": entity,
                "id": str(item.get("intuitentityid")),
                "operation": operations.get(parts[2], parts[2].capitalize()),
                "dedup": f"ce:{item.get('id')}",
            }
            data = item.get("data") or {}
            if data.get("deletedid"):
                event["deleted_id"] = str(data["deletedid"])
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
        if not backend_id.isdigit():
            raise BadRequest("missing or malformed state")
        backend = request.env["connector.backend"].sudo().browse(int(backend_id)).exists()
        if not backend or not backend.oauth_state or not hmac.compare_digest(backend.oauth_state, state):
            _logger.warning("QuickBooks OAuth callback with an unknown state for backend %s", backend_id)
            raise Forbidden("This authorization does not match a connection being set up. Start again.")
        if not request.env.user.has_group("connector_base.group_connector_manager"):
            raise Forbidden("Only a Connector Manager can connect a company.")
        backend = backend.with_user(request.env.user).with_company(backend.company_id)
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
        raw = request.httprequest.get_data()
        signature = request.httprequest.headers.get("intuit-signature", "")
        env = request.env(su=True)
        Backend = env["connector.backend"]
        verified = any(
            verify_signature(verifier, raw, signature, encoding="base64")
            for _backend, verifier in Backend._qbo_webhook_verifiers()
        )
        if not verified:
            _logger.warning(
                "QuickBooks webhook refused: bad or missing intuit-signature (%d bytes from %s)",
                len(raw),
                request.httprequest.remote_addr,
            )
            return request.make_response("invalid signature", status=401, headers=[("Content-Type", "text/plain")])
        try:
            events = parse_events(json.loads(raw))
        except ValueError as exc:
            _logger.warning("QuickBooks webhook with a signed but unreadable body: %s", exc)
            return request.make_response("unreadable body", status=400, headers=[("Content-Type", "text/plain")])
        queued = Backend._qbo_handle_events(events, raw.decode("utf-8", "replace")[:100000])
        _logger.info("QuickBooks webhook: %d events, %d re-reads queued", len(events), queued)
        return request.make_response("", status=200)
