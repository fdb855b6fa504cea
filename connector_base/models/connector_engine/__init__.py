"""The engine (``connector.engine``): canonical records in, Odoo records out, and back.

Every import is an upsert through ``connector.binding`` inside a savepoint: a record that
cannot be imported goes to quarantine with a typed reason and leaves nothing half-written;
the batch goes on. Records new to a connection are created a page at a time (one ORM
create, one binding and one log insert per page); when a page is refused, its records
take the one-record path, which finds the culprit. Dependencies (the partner of an invoice, the
invoice of a payment) are imported first. Exports map an Odoo record to its canonical
form and hand it to the provider adapter with an idempotency key and a reference stamp.

One AbstractModel in files by concern: ``upsert`` defines it, the others extend it
(``_inherit``). A kind ``k`` is imported by ``_import_k`` (and, with a page path, by
``_prepare_new_k`` and ``_create_new_k``) in the kind's file, and exported through
``_to_canonical_k``.

- ``upsert``: one record in (savepoint, quarantine and its resolution, the binding,
  unchanged records and echoes, dependencies first); ``content_hash``, ``reference_for``
- ``page``: a page of records in (unchanged ones skipped, new ones created together)
- ``remote_deletes``: a deletion at the provider, by the connection's policy
- ``parties``: contacts (partner values, matching to existing partners, ranks)
- ``products``: products
- ``lookups``: accounts and taxes (their mapping tables), currencies, journals, lock dates
- ``documents``: invoices, bills and credit notes (values, total settled, state)
- ``payments``: payments, their allocation to documents, re-applying them after an update
- ``credits``: credit notes applied to invoices (credit applications), in and out
- ``journal_entries``: journal entries
- ``export``: Odoo records out, one by one or in the provider's batches
- ``to_canonical``: the canonical form of an Odoo record, for export
"""

from . import upsert
from . import page
from . import remote_deletes
from . import parties
from . import products
from . import lookups
from . import documents
from . import payments
from . import journal_entries
from . import export
from . import to_canonical
from . import credits
from .documents import ONE_CENT
from .payments import PAYABLE_TYPES
from .upsert import KIND_MODELS, VOLATILE_KEYS, content_hash, reference_for
