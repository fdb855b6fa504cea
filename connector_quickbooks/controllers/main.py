"""QuickBooks' two HTTP entry points: the OAuth redirect and the webhook receiver."""

import logging

from odoo import http

from odoo.addons.connector_base.controllers.webhook import (
    SignedEndpoint,
    moment_field,
    oauth_callback_backend,
    oauth_callback_end,
    text_field,
)

from ..models.connector_backend import CALLBACK_PATH, WEBHOOK_PATH

_logger = logging.getLogger(__name__)

#: Intuit aggregates events but stays far below a megabyte, the endpoint's limit
ENDPOINT = SignedEndpoint(
    "quickbooks",
    label="QuickBooks webhook",
    logger=_logger,
    header="intuit-signature",
    encoding="base64",
    tenant=("realm", "realm"),
    json_only=True,
)
_text = text_field


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
        "changed_at": moment_field(changed_at),
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
        backend = oauth_callback_backend(state, "quickbooks", label="QuickBooks", logger=_logger)
        refusal = error or (not (code and realmId) and "no code")
        return oauth_callback_end(backend, "QuickBooks", refusal, lambda: backend._qbo_finish_oauth(code, realmId))

    @http.route(
        WEBHOOK_PATH, type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=False
    )
    def webhook(self, **kwargs):
        return ENDPOINT.receive(parse_events, "_qbo_handle_events")
