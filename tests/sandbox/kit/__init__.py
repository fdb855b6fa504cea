"""The sandboxes' shared toolkit: what every loopback provider needs, once.

* ``server``: ``SandboxServer`` (lifecycle, tenants, stats, background loops) and ``Handler``
  (routing, JSON answers, dropped answers, the shared endpoints and their ``shared_routes``),
  ``dumps``/``loads`` that keep Decimal, ``CannotStart``;
* ``oauth``: ``OAuthProvider``, consent page, token endpoint with rotating refresh, revocation,
  static (non-OAuth) tokens;
* ``faults``: ``Faults`` switches and ``guarded``, the gate every API call passes;
* ``limits``: ``Limits``, sliding windows and a concurrency gate per key;
* ``control``: ``Control``, the ``/_sandbox/`` API's shared actions;
* ``notify``: ``Notifier``, signed JSON POSTs to a receiver, queued, retried;
* ``seed``: reading ``<Entity>.json`` directories, generator helpers;
* ``cli``: ``main`` for ``python -m tests.sandbox.<provider>`` (exit 2 on ``CannotStart``).
"""

from .control import Control
from .faults import Faults, guarded
from .limits import Limits
from .notify import Notifier
from .oauth import OAuthProvider
from .server import CannotStart, Handler, SandboxServer, dumps, loads, shared_routes

__all__ = [
    "CannotStart",
    "Control",
    "Faults",
    "Handler",
    "Limits",
    "Notifier",
    "OAuthProvider",
    "SandboxServer",
    "dumps",
    "guarded",
    "loads",
    "shared_routes",
]
