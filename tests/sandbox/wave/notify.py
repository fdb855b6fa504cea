"""Signed change notifications: the sandbox's own addition, Wave publishes no webhooks.

New change events of every business are posted in batches to a configured URL (the kit's
``Notifier`` signs, sends and retries)::

    POST <url>
    X-Wave-Signature: <hex HMAC-SHA256 of the raw body, key = the configured secret>
    {"events": [{"id": "<uuid>", "businessId": "...", "entity": "Invoice", "entityId": "...",
                 "operation": "created" | "updated" | "deleted", "occurredAt": "...Z"}]}

An event carries ids only: the receiver reads the record back through the API. A delivery that
gets no 2xx is sent again after 1, 2, 4 ... seconds (``retry_scale`` times), at most 6 times.
"""

import json
import uuid

from .. import kit
from .schema import format_datetime


class Notifier(kit.Notifier):
    def __init__(self, sandbox):
        self.sandbox = sandbox
        super().__init__(header="X-Wave-Signature", encoding="hex", delays=(1, 2, 4, 8, 16))

    def reset(self):
        super().reset()
        self.cursor = {}  # business uuid -> index of the first event not sent

    def skip_existing(self):
        """Seeds and generated companies send nothing: start after their events."""
        for business in self.sandbox.businesses.values():
            self.cursor[business.uuid] = len(business.events)

    def _collect(self):
        events = []
        for business in self.sandbox.businesses.values():
            start = self.cursor.get(business.uuid, 0)
            for moment, kind, wire_id, operation in business.events[start:]:
                events.append(
                    {
                        "id": str(uuid.uuid4()),
                        "businessId": business.id,
                        "entity": kind,
                        "entityId": wire_id,
                        "operation": operation,
                        "occurredAt": format_datetime(moment),
                    }
                )
            self.cursor[business.uuid] = len(business.events)
        return events

    def flush(self):
        """Queue new events and send what is due; returns the number of deliveries that got a 2xx."""
        config = self.config
        if not config["url"]:
            return 0
        with self.sandbox.lock:
            events = self._collect()
            size = max(1, int(config["batch"]))
            self.queue(
                json.dumps({"events": events[start : start + size]}).encode() for start in range(0, len(events), size)
            )
        return self.send_due(config["url"], config["secret"], retry_scale=config["retry_scale"])
