"""Seeding helpers: documents from a directory, and small tools for generators.

A directory holds one ``<Entity>.json`` per record type, a JSON array of documents in the
provider's own shape (as its API returns them). Generators are deterministic for a seed.
"""

import os
from decimal import Decimal

from .server import loads


def read_directory(path, entities):
    """``{entity: [documents]}`` for each ``<entity>.json`` in ``path``, in the order of ``entities``."""
    found = {}
    for entity in entities:
        file = os.path.join(path, f"{entity}.json")
        if os.path.exists(file):
            with open(file, "rb") as handle:
                found[entity] = loads(handle.read())
    return found


def unique_name(rng, used, n, *pools):
    """A name made of one choice from each pool, not in ``used`` (then added to it); ``n`` breaks ties."""
    while True:
        name = " ".join(rng.choice(pool) for pool in pools)
        if name not in used:
            break
        name = f"{name} {n}"
        if name not in used:
            break
    used.add(name)
    return name


def amount(rng, low_cents, high_cents):
    """A Decimal amount drawn in whole cents."""
    return Decimal(rng.randint(low_cents, high_cents)) / 100
