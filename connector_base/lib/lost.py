"""Idempotency without keys: a create whose answer was lost is looked up before it is sent again.

A provider that takes no idempotency key is given the Odoo record a write came from as a stamp,
``odoo:<model>:<id>``, where the provider keeps text (a memo, a display id, an external id).
When a create's answer is lost (a timeout or a dropped connection after sending) the create may
or may not have happened: the engine looks the record up at once (``find_by_reference``), and
any later create of the same reference looks it up again first, since the job that lost the
answer may have rolled back after finding it. Only the lookup itself is the provider's own.

``LostWrites`` keeps, in this process and across jobs (a retry is another job with another
adapter), what each create sent (records carrying no stamp are found by it) and which creates
lost their answer; keys are the provider's (its URL, the tenant, the reference), and the memory
is bounded and thread-safe."""

import re
import threading
from collections import OrderedDict
from contextlib import contextmanager

from . import errors

STAMP = re.compile(r"odoo:[a-z0-9_.]+:[0-9]+")


def stamps(text):
    """The ``odoo:<model>:<id>`` stamps in a text, in order."""
    return STAMP.findall(text or "")


def carries(text, reference):
    """Whether a text carries the stamp ``reference``."""
    return bool(reference) and reference in stamps(text)


class LostWrites:
    def __init__(self, keep=2000):
        self.keep = keep
        self._attempts = OrderedDict()  # key -> what the create sent
        self._lost = OrderedDict()  # keys of creates whose answer was lost
        self._lock = threading.Lock()

    def _put(self, store, key, value):
        with self._lock:
            store[key] = value
            store.move_to_end(key)
            while len(store) > self.keep:
                store.popitem(last=False)

    def remember(self, key, attempt):
        """What a create of ``key`` is about to send."""
        self._put(self._attempts, key, attempt)

    def attempt(self, key):
        """What the last create of ``key`` sent, or None (another process, or long ago)."""
        with self._lock:
            return self._attempts.get(key)

    def was_lost(self, key):
        with self._lock:
            return key in self._lost

    def forget(self, key):
        """A create of ``key`` is settled: answered, or found."""
        with self._lock:
            self._lost.pop(key, None)

    def found_before(self, key, find):
        """What ``find()`` finds when an earlier create of ``key`` lost its answer, else None:
        a create whose answer was lost stays lost until a write settles it."""
        if not self.was_lost(key):
            return None
        found = find()
        if found:
            self.forget(key)
        return found

    def clear(self):
        """Forget everything: what a new process knows."""
        with self._lock:
            self._attempts.clear()
            self._lost.clear()

    @contextmanager
    def creating(self, key):
        """Around a create: a lost answer (``OutcomeUnknownError``) marks ``key`` lost; an answer
        settles it."""
        try:
            yield
        except errors.OutcomeUnknownError:
            self._put(self._lost, key, True)
            raise
        self.forget(key)
