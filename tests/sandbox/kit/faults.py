"""Fault switches, set through ``POST /_sandbox/faults``, and the guard every API call passes.

Counted faults fire on the next N requests (``{"throttle": 2}``); rates (0..1) fire at random,
drawn from a seeded generator (``{"server_error_rate": 0.05, "seed": 3}``). A provider adds its
own switches with ``COUNTERS`` and ``EXTRA``::

    class Faults(kit.Faults):
        COUNTERS = kit.Faults.COUNTERS + ("fault_in_200",)
        EXTRA = {"auth_shape": "json"}
"""

import copy
import random
import time
from decimal import Decimal


class Faults:
    #: faults counted down one per request
    COUNTERS = ("throttle", "server_error", "timeout", "lose_response", "unauthorized")
    #: faults that also have a ``<name>_rate``
    RATES = ("throttle", "server_error", "timeout", "lose_response")
    #: provider switches and their defaults
    EXTRA = {}

    def __init__(self):
        self.reset()

    def reset(self):
        for name in self.COUNTERS:
            setattr(self, name, 0)
        for name in self.RATES:
            setattr(self, f"{name}_rate", 0.0)
        self.timeout_seconds = 5.0
        self.retry_after = None  # seconds sent in Retry-After with a 429 (None: the provider's own choice)
        self.raw_bytes = {}  # marker text -> bytes (as latin-1 text) put in its place in answers
        for name, value in self.EXTRA.items():
            setattr(self, name, copy.deepcopy(value))
        self.rng = random.Random(7)

    def update(self, values):
        """Set switches; a number with a fraction parsed from JSON (a Decimal) is used as a float."""
        for key, value in values.items():
            if isinstance(value, Decimal):
                value = float(value)
            if key == "seed":
                self.rng = random.Random(value)
            elif hasattr(self, key) and key != "rng":
                setattr(self, key, value)
            else:
                raise ValueError(f"unknown fault switch {key}")

    def take(self, name):
        """Consume one occurrence of a counted fault."""
        count = getattr(self, name)
        if count:
            setattr(self, name, count - 1)
            return True
        return False

    def hit(self, name):
        """A counted occurrence of the fault, else a draw against its rate."""
        rate = getattr(self, f"{name}_rate")
        return self.take(name) or bool(rate and self.rng.random() < rate)


def guarded(sandbox, key, call, *, throttled, failed, kind=None):
    """Run one API call through the fault switches and the limits of ``key`` (a realm, a key).

    ``throttled()`` answers a 429 (switched on or over the limits), ``failed()`` a 5xx; a timeout
    fault sleeps before the call. The concurrency slot is released however the call ends.
    """
    faults, limits = sandbox.faults, sandbox.limits
    if faults.hit("throttle") or not limits.enter(key, kind):
        sandbox.count("throttled")
        return throttled()
    try:
        if faults.hit("server_error"):
            return failed()
        if faults.hit("timeout"):
            time.sleep(faults.timeout_seconds)
        return call()
    finally:
        limits.leave(key)
