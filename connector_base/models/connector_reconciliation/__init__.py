"""Books agree: ``connector.reconciliation`` (one check of a connection on a date) and its lines.

- ``reconciliation``: the models, their figures and states, the one activity per check
- ``figures``: what Odoo holds (counts, partners' open items, accounts' balances) and the lines
  comparing them with what the adapter says
- ``records``: the sample of recently synchronised records compared field by field, and the
  links whose Odoo record is gone
- ``explain``: why a difference is there (a record difference, an open quarantine row, a job
  still waiting), or flagged
- ``backend``: the connection's settings, *Check now*, the nightly cron and the job
"""

from . import reconciliation
from . import figures
from . import records
from . import explain
from . import backend
