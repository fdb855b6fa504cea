"""Signed change notifications: the sandbox's assumption (README table, row 48), Kashoo documents
no webhooks. Off until a receiver is configured (``POST /_sandbox/notifications {"url",
"secret"}``, or ``--notify-url``); then what changes through the API or ``/_sandbox/change`` is
posted in batches, per business (the kit's ``Notifier`` signs, sends and retries)::

    POST <url>
    X-Kashoo-Signature: <hex HMAC-SHA256 of the raw body, key = the configured secret>
    {"business": 123456789, "events": [{"id": "<uuid>", "type": "INVOICE" | "contact" | "account" | ...,
                                        "record": 200000123, "operation": "created" | "updated" | "deleted",
                                        "time": "...Z"}]}

A record's ``type`` is its wire type (the ``types`` setting). An event carries ids only: the
receiver reads the record back through the API. Seeding and generating send nothing. A delivery
that gets no 2xx is sent again after 1, 2, 4 ... seconds (``retry_scale`` times), 6 times at most.
"""

import json
import uuid

from .. import kit


class Notifier(kit.Notifier):
    def __init__(self, sandbox):
        self.sandbox = sandbox
        super().__init__(header="X-Kashoo-Signature", encoding="hex", delays=(1, 2, 4, 8, 16))

    def reset(self):
        super().reset()
        self.cursor = {}  # business id -> index of its first change not sent

    def configure(self, values):
        shown = super().configure(values)
        if self.config["url"]:  # what changed before the receiver was named is not sent
            for business in self.sandbox.tenants.values():
                self.cursor.setdefault(business.id, len(business.changes))
        return shown

    def _bodies(self, size):
        for business in self.sandbox.tenants.values():
            start = self.cursor.get(business.id, 0)
            events = [
                {"id": str(uuid.uuid4()), "type": what, "record": record_id, "operation": operation, "time": moment}
                for moment, what, record_id, operation in business.changes[start:]
            ]
            self.cursor[business.id] = len(business.changes)
            for first in range(0, len(events), size):
                yield json.dumps({"business": business.id, "events": events[first : first + size]}).encode()

    def flush(self):
        """Queue new changes and send what is due; the number of deliveries that got a 2xx."""
        config = self.config
        if not config["url"]:
            return 0
        with self.sandbox.lock:
            self.queue(list(self._bodies(max(1, int(config["batch"])))))
        return self.send_due(config["url"], config["secret"], retry_scale=config["retry_scale"])
