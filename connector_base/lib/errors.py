"""One error taxonomy for every provider (DESIGN.md §5).

Each error says what the engine must do with it:

* ``RetryableError`` and its subclasses: try again later (queue_job retry with backoff);
  ``retry_after`` is the provider's own hint in seconds, when it gave one.
* ``OutcomeUnknownError``: a write may or may not have happened; look the record up
  before any retry, never write blindly again.
* ``AuthError``: the credentials are no longer accepted; the backend needs a person to
  reconnect it, and its jobs wait.
* ``PermanentError`` and its subclasses: this record cannot go through without a person;
  it goes to quarantine with ``reason``, one of ``QUARANTINE_REASONS``.
"""

QUARANTINE_REASONS = [
    ("mapping_missing", "Mapping missing"),
    ("partner_ambiguous", "Partner ambiguous"),
    ("name_collision", "Name collision"),
    ("closed_period", "Closed period"),
    ("currency_mismatch", "Currency mismatch"),
    ("rounding_diff", "Rounding difference"),
    ("validation", "Validation"),
    ("conflict", "Conflict"),
    ("outcome_unknown", "Outcome unknown"),
    ("auth", "Authentication"),
]


class ConnectorError(Exception):
    """Base class of every error the connector raises on purpose."""

    reason = "validation"

    def __init__(self, message, *, details=None):
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def __str__(self):
        return self.message


class RetryableError(ConnectorError):
    """A transient failure: the same call may succeed later."""

    def __init__(self, message, *, retry_after=None, details=None):
        super().__init__(message, details=details)
        self.retry_after = retry_after


class RateLimitedError(RetryableError):
    """The provider throttled us (HTTP 429 or its equivalent)."""


class TransientError(RetryableError):
    """A network error, a timeout on a read, or a 5xx answer."""


class LockBusyError(RetryableError):
    """Another worker holds the lock on this record or cursor."""


class StaleObjectError(RetryableError):
    """The version token we sent is stale (QuickBooks 5010): re-read, merge, retry."""


class OutcomeUnknownError(ConnectorError):
    """A write timed out or lost its response: it may have been committed."""

    reason = "outcome_unknown"


class AuthError(ConnectorError):
    """Credentials refused for good (invalid_grant, revoked app, 401 after a refresh)."""

    reason = "auth"


class PermanentError(ConnectorError):
    """The record cannot be synchronised as it is: a person has to look at it."""


class PayloadValidationError(PermanentError):
    """A payload that does not match the canonical schema or its business rules."""

    reason = "validation"


class MappingMissingError(PermanentError):
    """An account, tax, payment method or term has no Odoo counterpart yet.

    ``mapping_model`` and ``external_id`` name the mapping row the record waits on,
    so that confirming that mapping re-queues the record.
    """

    reason = "mapping_missing"

    def __init__(self, message, *, mapping_model, external_id, details=None):
        super().__init__(message, details=details)
        self.mapping_model = mapping_model
        self.external_id = external_id


class PartnerAmbiguousError(PermanentError):
    """A contact a person must match to an Odoo partner (several fit, none is certain, or its
    tax id was refused). ``review``: the values of its Partner Matching row, written after the
    record is rolled back; the record then waits on that row (``mapping_model``,
    ``external_id``), so that choosing its partner re-queues it."""

    reason = "partner_ambiguous"

    def __init__(self, message, *, details=None, review=None):
        super().__init__(message, details=details)
        self.review = review
        if review:
            self.mapping_model = "connector.partner.match"
            self.external_id = str(review["external_id"])


class NameCollisionError(PermanentError):
    """The provider already has another record with this name (QuickBooks 6240)."""

    reason = "name_collision"


class ClosedPeriodError(PermanentError):
    reason = "closed_period"


class CurrencyMismatchError(PermanentError):
    reason = "currency_mismatch"


class RoundingDiffError(PermanentError):
    reason = "rounding_diff"


class ConflictError(PermanentError):
    """Both sides changed the record and the conflict policy asks a person."""

    reason = "conflict"


class NotFoundError(PermanentError):
    """The provider has no record with this id (anymore)."""

    reason = "validation"


class MissingReferenceError(NotFoundError):
    """A record refers to another that the provider does not have, or has no longer active.

    A person imports it (once it is in the provider) or maps it: ``mapping_model`` and
    ``external_id`` name what the record waits on, as for ``MappingMissingError``. Still a
    ``NotFoundError``: read for the record itself, it means that record is gone."""

    reason = "mapping_missing"

    def __init__(self, message, *, mapping_model, external_id, details=None):
        super().__init__(message, details=details)
        self.mapping_model = mapping_model
        self.external_id = external_id


class ProviderValidationError(PermanentError):
    """The provider refused the payload as invalid (a 400 with a business fault)."""

    reason = "validation"
