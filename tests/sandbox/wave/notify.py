"""Signed change notifications: the sandbox's own addition, Wave publishes no webhooks.

New change events of every business are posted in batches to a configured URL::

    POST <url>
    X-Wave-Signature: <hex HMAC-SHA256 of the raw body, key = the configured secret>
    {"events": [{"id": "<uuid>", "businessId": "...", "entity": "Invoice", "entityId": "...",
                 "operation": "created" | "updated" | "deleted", "occurredAt": "...Z"}]}

An event carries ids only: the receiver reads the record back through the API. A delivery that
gets no 2xx is sent again after 1, 2, 4 ... seconds (``retry_scale`` times), at most 6 times.
"""

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid

import requests

from .schema import format_datetime

_logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


def sign(secret, body):
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Notifier:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.config = {"url": None, "secret": "sandbox-signing-secret", "batch": 50, "retry_scale": 1.0}
        self.cursor = {}  # business uuid -> index of the first event not sent
        self.outbox = []  # (due monotonic, attempt, body bytes)
        self.log = []  # (status or error text, body text)

    def configure(self, values):
        unknown = set(values) - set(self.config)
        if unknown:
            raise ValueError(f"unknown notification setting {', '.join(sorted(unknown))}")
        self.config.update(values)
        return dict(self.config, secret="***")

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
        url = self.config["url"]
        if not url:
            return 0
        with self.sandbox.lock, self.lock:
            events = self._collect()
            size = max(1, int(self.config["batch"]))
            now = time.monotonic()
            for start in range(0, len(events), size):
                body = json.dumps({"events": events[start : start + size]}).encode()
                self.outbox.append((now, 0, body))
            due = [item for item in self.outbox if item[0] <= now]
            self.outbox = [item for item in self.outbox if item[0] > now]
        return sum(self._deliver(url, attempt, body) for _due, attempt, body in due)

    def _deliver(self, url, attempt, body):
        try:
            response = requests.post(
                url,
                data=body,
                headers={"Content-Type": "application/json", "X-Wave-Signature": sign(self.config["secret"], body)},
                timeout=10,
            )
            status = response.status_code
        except requests.RequestException as exc:
            status = f"error: {exc}"
        ok = isinstance(status, int) and 200 <= status < 300
        with self.lock:
            self.log.append((status, body.decode()))
            if not ok and attempt + 1 < MAX_ATTEMPTS:
                delay = (2**attempt) * float(self.config["retry_scale"])
                self.outbox.append((time.monotonic() + delay, attempt + 1, body))
        return 1 if ok else 0
