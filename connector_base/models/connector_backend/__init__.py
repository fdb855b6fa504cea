"""The connection (``connector.backend``): one connected external company for one Odoo company.

One model in files by concern: ``settings`` defines it (all its fields), the others extend it
(``_inherit``). Provider addons extend it in turn and override the hooks of ``connect``.

- ``settings``: the model, its fields and the per-kind directions
- ``connect``: secrets, the OAuth token and its single-flight refresh, the provider hooks,
  the connection's state and the buttons that change it
- ``health``: the figures on the form (quarantine, error rate, jobs waiting, progress)
- ``jobs``: the queue_job jobs (the runner, the import, sweep, re-read, export and retry
  bodies) and what enqueues them from the form and from Odoo's side
- ``crons``: the poll and the nightly sweep
- ``webhooks``: verified provider events into the inbox, and their re-reads queued
"""

from . import settings
from . import connect
from . import health
from . import jobs
from . import crons
from . import webhooks
from .connect import SECRET_FIELDS, TOKEN_LOCK_SPACE
from .jobs import ECHO_PRIORITY, SWEEP_PRIORITY, WEBHOOK_PRIORITY
from .settings import DIRECTION_FIELDS, DIRECTIONS
