"""The sandboxes' shared toolkit: what every loopback provider needs, once.

* ``server``: ``SandboxServer`` (lifecycle, tenants, stats, background loops) and ``Handler``
  (routing, JSON answers, dropped answers), ``dumps``/``loads`` that keep Decimal;
* ``oauth``: ``OAuthProvider``, consent page, token endpoint with rotating refresh, revocation;
* ``faults``: ``Faults`` switches and ``guarded``, the gate every API call passes;
* ``limits``: ``Limits``, sliding windows and a concurrency gate per key;
* ``control``: ``Control``, the ``/_sandbox/`` API's shared actions;
* ``seed``: reading ``<Entity>.json`` directories, generator helpers;
* ``cli``: ``main`` for ``python -m tests.sandbox.<provider>``.
"""

from .control import Control
from .faults import Faults, guarded
from .limits import Limits
from .oauth import OAuthProvider
from .server import Handler, SandboxServer, dumps, loads

__all__ = ["Control", "Faults", "Handler", "Limits", "OAuthProvider", "SandboxServer", "dumps", "guarded", "loads"]
