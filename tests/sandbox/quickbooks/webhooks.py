"""QuickBooks webhooks: events aggregated per realm, signed, delivered, retried as Intuit does.

The delivery runs in the sandbox's background loop; fault switches duplicate, split (out of
order), shuffle or fail deliveries.
"""

import base64
import hashlib
import hmac
import time
import uuid

import requests

from ..kit import dumps

WEBHOOK_RETRY_DELAYS = (10, 20, 30, 300, 1200, 7200, 14400, 21600)


class Webhooks:
    """Mixed into the Sandbox: ``webhook`` settings, ``webhook_outbox``, ``webhook_log``."""

    def reset_webhooks(self):
        self.webhook = {"url": None, "format": "legacy", "interval": 1.0, "retry_scale": 1.0}
        self.webhook_cursor = {realm: 0 for realm in self.tenants}
        self.webhook_outbox = []  # (due_monotonic, attempt, payload bytes)
        self.webhook_log = []  # (status or error, payload)

    def flush_webhooks(self, force=False):
        """Aggregate new events into deliveries and send what is due."""
        with self.lock:
            url = self.webhook["url"]
            if not url:
                return 0
            notifications = []
            for realm, company in self.companies.items():
                start = self.webhook_cursor.get(realm, 0)
                events = company.events[start:]
                if not events:
                    continue
                newest = events[-1][0]
                age = (company.now() - newest).total_seconds()
                if not force and age < self.webhook["interval"] and len(events) < 50:
                    continue
                self.webhook_cursor[realm] = len(company.events)
                notifications.append((realm, events))
            now = time.monotonic()
            for realm, events in notifications:
                payloads = [self._payload(realm, events)]
                if self.faults.webhook_out_of_order and len(events) > 1:
                    payloads = [
                        self._payload(realm, events[len(events) // 2 :]),
                        self._payload(realm, events[: len(events) // 2]),
                    ]
                for payload in payloads:
                    copies = 2 if self.faults.webhook_duplicate else 1
                    if self.faults.webhook_copies > 1:
                        copies = self.faults.rng.randint(1, self.faults.webhook_copies)
                    self.webhook_outbox.extend([(now, 0, payload)] * copies)
            due = [item for item in self.webhook_outbox if item[0] <= now]
            if self.faults.webhook_shuffle:
                self.faults.rng.shuffle(due)
            self.webhook_outbox = [item for item in self.webhook_outbox if item[0] > now]
        sent = 0
        for _due, attempt, payload in due:
            sent += self._deliver(url, attempt, payload)
        return sent

    def _payload(self, realm, events):
        if self.webhook["format"] == "cloudevents":
            body = []
            for moment, entity, doc_id, operation, extra in events:
                event = {
                    "specversion": "1.0",
                    "id": str(uuid.uuid4()),
                    "source": "intuit.sandbox",
                    "type": f"qbo.{entity.lower()}.{_past(operation)}.v1",
                    "datacontenttype": "application/json",
                    "time": moment.isoformat(),
                    "intuitentityid": doc_id,
                    "intuitaccountid": realm,
                }
                if operation == "Merge":
                    event["data"] = {"deletedid": extra.get("deletedId"), "mergedintoid": extra.get("mergedIntoId")}
                body.append(event)
            return dumps(body)
        entities = []
        for moment, entity, doc_id, operation, extra in events:
            item = {"name": entity, "id": doc_id, "operation": operation, "lastUpdated": moment.isoformat()}
            if operation == "Merge":
                item["deletedId"] = extra.get("deletedId")
                item["id"] = extra.get("mergedIntoId")
            entities.append(item)
        return dumps({"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": entities}}]})

    def sign(self, payload):
        return base64.b64encode(hmac.new(self.verifier.encode(), payload, hashlib.sha256).digest()).decode()

    def _deliver(self, url, attempt, payload):
        status = None
        try:
            if self.faults.webhook_fail:
                self.faults.webhook_fail -= 1
                raise requests.ConnectionError("receiver failure injected")
            response = requests.post(
                url,
                data=payload,
                headers={"Content-Type": "application/json", "intuit-signature": self.sign(payload)},
                timeout=10,  # Intuit waits a few seconds; a plain number (Odoo's test harness compares it)
            )
            status = response.status_code
        except requests.RequestException as exc:
            status = f"error: {exc}"
        with self.lock:
            self.webhook_log.append((status, payload))
            if status != 200 and attempt < len(WEBHOOK_RETRY_DELAYS):
                delay = WEBHOOK_RETRY_DELAYS[attempt] * self.webhook["retry_scale"]
                self.webhook_outbox.append((time.monotonic() + delay, attempt + 1, payload))
        return 1 if status == 200 else 0


def _past(operation):
    return {"Create": "created", "Update": "updated", "Delete": "deleted", "Merge": "merged", "Void": "voided"}.get(
        operation, operation.lower()
    )
