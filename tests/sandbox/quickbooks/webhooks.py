"""QuickBooks webhooks: events aggregated per realm, signed, delivered, retried as Intuit does.

The kit's ``Notifier`` signs (``intuit-signature``, base64 HMAC-SHA256 under the verifier token),
posts and retries (only a 200 counts; 10 s, 20 s, 30 s, 5 min ... apart); what is QuickBooks'
own is here: the aggregation, the two payload formats (legacy and CloudEvents) and the fault
switches that duplicate, split (out of order), shuffle or fail deliveries.
"""

import uuid

from ..kit import Notifier, dumps

WEBHOOK_RETRY_DELAYS = (10, 20, 30, 300, 1200, 7200, 14400, 21600)


class Webhooks:
    """Mixed into the Sandbox: ``webhook`` settings, the ``notifier``, ``webhook_outbox``, ``webhook_log``."""

    def __init__(self):
        super().__init__()
        self.notifier = Notifier(
            header="intuit-signature",
            encoding="base64",
            delays=WEBHOOK_RETRY_DELAYS,
            accept=lambda status: status == 200,
        )

    def reset_webhooks(self):
        self.webhook = {"url": None, "format": "legacy", "interval": 1.0, "retry_scale": 1.0}
        self.webhook_cursor = {realm: 0 for realm in self.tenants}
        self.notifier.reset()

    @property
    def webhook_outbox(self):
        """Deliveries waiting: (due monotonic, attempt, payload bytes)."""
        return self.notifier.outbox

    @property
    def webhook_log(self):
        """Deliveries made: (status or error text, payload bytes)."""
        return self.notifier.log

    def flush_webhooks(self, force=False):
        """Aggregate new events into deliveries and send what is due."""
        faults = self.faults
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
            for realm, events in notifications:
                payloads = [self._payload(realm, events)]
                if faults.webhook_out_of_order and len(events) > 1:
                    payloads = [
                        self._payload(realm, events[len(events) // 2 :]),
                        self._payload(realm, events[: len(events) // 2]),
                    ]
                for payload in payloads:
                    copies = 2 if faults.webhook_duplicate else 1
                    if faults.webhook_copies > 1:
                        copies = faults.rng.randint(1, faults.webhook_copies)
                    self.notifier.queue([payload], copies)
        return self.notifier.send_due(
            url,
            self.verifier,
            retry_scale=self.webhook["retry_scale"],
            rng=faults.rng if faults.webhook_shuffle else None,
            fail=lambda: faults.take("webhook_fail"),  # deliveries that get no 200 from us
        )

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
        return self.notifier.sign(self.verifier, payload)


def _past(operation):
    return {"Create": "created", "Update": "updated", "Delete": "deleted", "Merge": "merged", "Void": "voided"}.get(
        operation, operation.lower()
    )
