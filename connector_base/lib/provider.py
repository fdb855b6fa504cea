"""The interface a provider addon implements so that connector_base can drive it.

``connector.backend._get_adapter()`` returns one of these for a backend. The adapter
talks HTTP and maps between the provider's wire documents and canonical records; it
never touches the ORM. Every method raises the typed errors of ``errors``.
"""

import inspect

KINDS_IN_ORDER = ["account", "tax", "party", "product", "invoice", "payment", "journal_entry"]
#: what a capability declaration says per kind, in this order (the matrix's columns)
ACTIONS = ("read", "create", "update", "delete", "incremental", "push")
#: the variants of a kind (``"<kind>/<variant>"`` keys), in the order a person reads them
VARIANT_ORDER = (
    "customer",
    "vendor",
    "out_invoice",
    "out_refund",
    "in_invoice",
    "in_refund",
    "inbound",
    "outbound",
    "credit_application",
)


def can(read=False, create=False, update=False, delete=False, incremental=False, push=False, note=""):
    """One capability declaration (see ``ProviderAdapter.capabilities``): what is not said is not allowed."""
    return {
        "read": read,
        "create": create,
        "update": update,
        "delete": delete,
        "incremental": incremental,
        "push": push,
        "note": note,
    }


class ProviderAdapter:
    #: canonical kinds this provider can read / write
    readable_kinds = ()
    writable_kinds = ()

    #: A company that is a customer and a vendor: two records at the provider (True:
    #: QuickBooks' Customer and Vendor, bound to one partner each with its role), or one
    #: contact whose ``roles`` carry both (False: Reckon's entityTypes, bound with role "all").
    party_roles_separate = False

    #: the provider's name as a person reads it ("not available from <provider_name>")
    provider_name = "the provider"

    #: what the provider's API allows, per canonical kind or ``"<kind>/<variant>"`` (a role, a
    #: move or payment type): ``{key: {"read": bool, ..., "push": bool, "note": "why not"}}``;
    #: ``capability_notes`` may carry the notes apart (``{key: text}``)
    capabilities = {}
    capability_notes = {}

    #: what ``balances`` measures: "period" (the movements from ``since`` to today) or
    #: "to_date" (each account's balance today, whatever ``since``)
    balance_basis = "to_date"

    @classmethod
    def capability_matrix(cls):
        """The declarations, one row per key in kind order: ``[(key, {action: bool}, note)]``."""
        order = {kind: n for n, kind in enumerate(KINDS_IN_ORDER)}
        rows = []
        variants = {variant: n for n, variant in enumerate(VARIANT_ORDER)}

        def rank(key):
            kind, _slash, variant = key.partition("/")
            return (order.get(kind, 99), variants.get(variant, -1 if not variant else 99), key)

        for key in sorted(cls.capabilities, key=rank):
            entry = cls.capabilities[key]
            note = entry.get("note") or cls.capability_notes.get(key) or cls.capability_notes.get(key.split("/")[0])
            rows.append((key, {action: bool(entry.get(action)) for action in ACTIONS}, note or ""))
        return rows

    def figure(self, name, **kwargs):
        """``balances`` or ``open_items`` as the books-agree check asks for it, whatever the
        adapter's own signature: arguments it does not take are left out (an adapter's
        ``balances()`` without ``since``), and a method that wants more than it is given (a
        per-partner ``open_items(partner)``) is not this figure: None, "not available"."""
        method = getattr(self, name)
        params = inspect.signature(method).parameters
        if any(p.kind is p.VAR_KEYWORD for p in params.values()):
            return method(**kwargs)
        wanted = [
            p.name
            for p in params.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in kwargs
        ]
        if wanted:
            return None
        return method(**{key: value for key, value in kwargs.items() if key in params})

    def balances(self, since=None):
        """{account external id: Decimal} in the home currency, debit positive (see
        ``balance_basis``), or None when the provider's API gives no account balances.

        An adapter written before the name was unified (``account_balances()``) is read as is."""
        legacy = getattr(self, "account_balances", None)
        return legacy() if legacy else None

    def open_items(self):
        """{party external id: {"receivable": Decimal, "payable": Decimal}}: what each
        contact owes and is owed today, in the home currency, or None when the API cannot say
        (for all, or for one side: ``"payable": None``).

        An adapter written before the name was unified (``open_amounts()``, customers'
        ``outstanding``) is read as is: receivables only, payables not available."""
        legacy = getattr(self, "open_amounts", None)
        if not legacy:
            return None
        return {
            party: {"receivable": amounts.get("outstanding") or 0, "payable": None}
            for party, amounts in legacy().items()
        }

    def read(self, kind, external_id):
        """The canonical record ``external_id`` of ``kind``, freshly read."""
        raise NotImplementedError

    def changes(self, kind, since=None):
        """Yield (canonical record, position) for records of ``kind`` changed after
        ``since`` (None: all), oldest first; ``position`` is the new cursor value.

        A document the mapper cannot read is yielded as ``{"external_id": ..., "unmapped":
        {"reason": "<what is wrong, in words>", ...the provider's document or its type}}``: the
        engine quarantines it with that reason and the batch goes on (raising instead would stop
        the whole import at that record, again at every retry)."""
        raise NotImplementedError

    def reference_lists(self):
        """Small lists that documents point to and a person maps once:
        {"payment_term": [(external_id, name, {"due_days": n})], "payment_method": [(external_id, name, {})]}."""
        return {}

    def count(self, kind, since=None):
        """How many records ``changes(kind, since)`` would yield, or None when unknown."""
        return None

    def write(self, kind, record, *, external_id=None, version=None, reference, idempotency_key):
        """Create (no external_id) or update a record; return (external_id, version).

        ``reference`` (e.g. ``odoo:account.move:42``) is stamped on the remote record so
        that ``find_by_reference`` finds a write whose outcome is unknown."""
        raise NotImplementedError

    #: how many new records ``create_many`` takes in one call (1: the provider has no batch)
    batch_size = 1

    def create_many(self, kind, items):
        """Create several records in one call. ``items``: [(record, reference, idempotency_key)].

        Return, item for item, (external_id, version) or the typed error that item met (the
        others are created all the same). Raise only when the call as a whole failed;
        ``OutcomeUnknownError`` when it may have happened."""
        raise NotImplementedError

    def find_by_reference(self, kind, reference):
        """(external_id, version) of the record stamped with ``reference``, or None."""
        raise NotImplementedError

    def finish_found(self, kind, found, data):
        """Finish what a create left half done when its job died after the provider made the
        record and before Odoo bound it (a document a provider makes in two steps, created and
        then approved, may be there unapproved); ``found`` is what ``find_by_reference`` gave,
        ``data`` the canonical record the create was for. Return (external_id, version).
        Default: a create in one step has nothing left to finish."""
        return found

    def delete(self, kind, external_id, version=None):
        raise NotImplementedError

    def test_connection(self):
        """A short description of the connected company; raise on failure."""
        raise NotImplementedError
