"""QuickBooks documents <-> canonical records (connector_base/schemas), pure functions.

External ids of the canonical records: ``Customer/58`` and ``Vendor/56`` for parties
(QuickBooks numbers the two lists separately), ``Invoice/130``, ``CreditMemo/..``,
``Bill/..``, ``VendorCredit/..`` for documents, ``Payment/..`` and ``BillPayment/..``
for payments; plain ids for items, accounts, tax codes, terms, payment methods and
journal entries.

The functions live by direction: ``common`` (ids, references, tables), ``reading`` (QuickBooks
to canonical) and ``writing`` (canonical to QuickBooks); all are importable from here.
"""

from .common import *  # noqa: F403  (the names every user of the mappers reads from one place)
from .reading import *  # noqa: F403
from .writing import *  # noqa: F403
