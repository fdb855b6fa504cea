"""Signed notifications (webhooks): JSON bodies posted to a receiver, queued, retried.

A provider turns its own events into bodies and ``queue``s them; its background loop calls
``send_due(url, secret)``, which posts what is due::

    POST <url>
    Content-Type: application/json
    <header>: <HMAC-SHA256 of the raw body under the secret, hex or base64>

What differs between providers is a parameter: the header, the signature's encoding, which
statuses count as delivered (``accept``, 2xx unless said) and the retry delays: a delivery not
accepted is sent again after ``delays[n] * retry_scale`` seconds, ``len(delays)`` times at most.

``outbox`` holds ``(due monotonic, attempt, body)``, ``log`` ``(status or error text, body)``.
"""

import base64
import hashlib
import hmac
import threading
import time

import requests


def _two_hundreds(status):
    return 200 <= status < 300


class Notifier:
    def __init__(self, *, header, encoding="hex", delays=(1, 2, 4, 8, 16), accept=_two_hundreds, timeout=10):
        if encoding not in ("hex", "base64"):
            raise ValueError(f"unknown signature encoding {encoding}")
        self.header = header
        self.encoding = encoding
        self.delays = tuple(delays)
        self.accept = accept
        self.timeout = timeout  # seconds, each delivery
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.outbox = []
            self.log = []
        #: where a sandbox that sends on its own (a loop calling its ``flush``) posts: off while ``url`` is None
        self.config = {"url": None, "secret": "sandbox-signing-secret", "batch": 50, "retry_scale": 1.0}

    def configure(self, values):
        """Change ``config`` (``url``, ``secret``, ``batch``, ``retry_scale``); the secret is not shown back."""
        unknown = set(values) - set(self.config)
        if unknown:
            raise ValueError(f"unknown notification setting {', '.join(sorted(unknown))}")
        self.config.update(values)
        return dict(self.config, secret="***")

    def sign(self, secret, body):
        digest = hmac.new(secret.encode(), body, hashlib.sha256)
        return digest.hexdigest() if self.encoding == "hex" else base64.b64encode(digest.digest()).decode()

    def queue(self, bodies, copies=1):
        """Bodies (bytes) to send at the next ``send_due``, each ``copies`` times."""
        now = time.monotonic()
        with self.lock:
            for body in bodies:
                self.outbox.extend([(now, 0, body)] * copies)

    def send_due(self, url, secret, *, retry_scale=1.0, rng=None, fail=None):
        """Post what is due, in random order when ``rng`` is given; the number of deliveries accepted.

        ``fail()`` true makes that delivery fail as an unreachable receiver would (a fault switch).
        """
        now = time.monotonic()
        with self.lock:
            due = [item for item in self.outbox if item[0] <= now]
            self.outbox = [item for item in self.outbox if item[0] > now]
        if rng is not None:
            rng.shuffle(due)
        return sum(self.deliver(url, secret, attempt, body, retry_scale, fail) for _due, attempt, body in due)

    def deliver(self, url, secret, attempt, body, retry_scale=1.0, fail=None):
        """One POST; queued again after its delay when not accepted. 1 when accepted, else 0."""
        try:
            if fail and fail():
                raise requests.ConnectionError("receiver failure injected")
            response = requests.post(
                url,
                data=body,
                headers={"Content-Type": "application/json", self.header: self.sign(secret, body)},
                timeout=self.timeout,
            )
            status = response.status_code
        except requests.RequestException as exc:
            status = f"error: {exc}"
        accepted = isinstance(status, int) and self.accept(status)
        with self.lock:
            self.log.append((status, body))
            if not accepted and attempt < len(self.delays):
                due = time.monotonic() + self.delays[attempt] * float(retry_scale)
                self.outbox.append((due, attempt + 1, body))
        return 1 if accepted else 0
