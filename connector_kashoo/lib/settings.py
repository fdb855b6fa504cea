"""Every unknown of Kashoo's API as a setting of the connection, checked before use.

Kashoo publishes no schema, example response or error body (../shared/fixtures/kashoo/EVIDENCE.md):
the base URL and prefix, how a token is sent, the record ``type`` values, how contacts are listed
and the names of line and tax fields are the public clients' (several sources, one source or
none). Each is a field of ``KashooSettings`` with the best-supported value as default; ``probe``
checks them against the server at connect and proposes corrections. ``as_dict``/``from_dict``
store them as JSON on the connection.
"""

import copy
import dataclasses
import string
from dataclasses import dataclass, field

AUTH_MODES = ("token_uuid", "token_json", "oauth2")
CREDENTIALS = ("form", "basic")
RECORD_PATHS = ("flat", "typed", "none")

#: what a Kashoo record can be for this connector: role -> (canonical kind, detail, collection)
#: (detail: the move type of a document, the payment type of a payment)
ROLES = {
    "invoice": ("invoice", "out_invoice", "invoices"),
    "bill": ("invoice", "in_invoice", "bills"),
    "invoice_payment": ("payment", "inbound", "invoicePayments"),
    "bill_payment": ("payment", "outbound", "billPayments"),
    "transfer": ("journal_entry", None, "transfers"),
    "skip": (None, None, None),  # a type a person chose not to import (the probe still reports it)
}
#: the wire ``type`` of each role: [U] (no source lists them; PROVIDERS.md's INVOICE is illustrative)
TYPE_MAP = {
    "INVOICE": "invoice",
    "BILL": "bill",
    "INVOICE_PAYMENT": "invoice_payment",
    "BILL_PAYMENT": "bill_payment",
    "TRANSFER": "transfer",
}
#: line, tax and payment field names: all [U]; the sandbox's names by default
FIELDS = {
    "lines": "lines",
    "line_description": "description",
    "line_quantity": "quantity",
    "line_unit_price": "unitPrice",
    "line_amount": "amount",
    "line_account": "account",
    "line_taxes": "taxes",
    "taxes": "taxes",
    "tax_name": "name",
    "tax_abbreviation": "abbreviation",
    "tax_rate": "rate",
    "tax_amount": "amount",
    "tax_included": "taxIncluded",
    "paid_invoice": "invoiceRecordId",
    "paid_bill": "billRecordId",
}
#: Kashoo account types ([S] a ``type=`` filter exists; its values [U]) -> canonical account types
ACCOUNT_TYPES = {
    "ASSET": "current_assets",
    "LIABILITY": "current_liabilities",
    "EQUITY": "equity",
    "INCOME": "income",
    "EXPENSE": "expense",
}
#: contacts: the legacy sync session ([S] [C-JA]); ``{business}``, ``{sync}`` and ``{role}``
#: (customers, vendors) are filled in; without ``{role}`` one list carries customer/vendor flags
CONTACTS_SYNC = "/sync/{sync}/contacts/{role}"


@dataclass
class KashooSettings:
    """A connection's view of Kashoo's API. ``business_id`` is chosen at connect."""

    base_url: str = "https://api.kashoo.com"  # [M]; app.kashoo.net in the current doc's example [S]
    api_prefix: str = "/api"  # [M]
    business_id: int | None = None
    auth_mode: str = "token_uuid"  # TOKEN uuid: [M], TOKEN json: [M], OAuth bearer [U]
    credentials: str = "form"  # how POST authTokens takes e-mail and password: form [M] or basic [S]
    oauth_authorize_url: str | None = None  # [U]: given by Kashoo with the app's client id
    oauth_token_url: str | None = None
    oauth_revoke_url: str | None = None
    oauth_scope: str | None = None
    page_size: int = 100  # what clients use [M]; Kashoo's default and maximum [U]
    type_map: dict = field(default_factory=lambda: dict(TYPE_MAP))
    contacts_path: str = CONTACTS_SYNC
    fields: dict = field(default_factory=lambda: dict(FIELDS))
    account_types: dict = field(default_factory=lambda: dict(ACCOUNT_TYPES))
    tax_list: bool = False  # GET /businesses/{id}/taxes answers (no source shows it)
    compound_taxes: list = field(default_factory=list)  # abbreviations charged on the taxes before them
    record_path: str = "flat"  # one record: records/{id} (flat), records/{collection}/{id} (typed), none
    disabled: dict = field(default_factory=dict)  # role, "contacts", "accounts" or "records" -> reason
    poll_window_days: int = 35
    home_currency: str = "CAD"
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    max_attempts: int = 5
    per_minute: int | None = None  # a client-side limit; Kashoo's own is [U] (429 is honoured)

    def __post_init__(self):
        if isinstance(self.fields, dict):
            self.fields = {**FIELDS, **self.fields}  # a name not given keeps its default
        self.check()

    # ------------------------------------------------------------------ checks
    def check(self):
        """Raise ValueError naming every setting that cannot work."""
        problems = []
        if not str(self.base_url or "").startswith(("http://", "https://")):
            problems.append(f"base_url: {self.base_url!r} is not an http(s) URL")
        if self.api_prefix and not str(self.api_prefix).startswith("/"):
            problems.append(f"api_prefix: {self.api_prefix!r} starts with /")
        for name, allowed in (("auth_mode", AUTH_MODES), ("credentials", CREDENTIALS), ("record_path", RECORD_PATHS)):
            if getattr(self, name) not in allowed:
                problems.append(f"{name}: one of {', '.join(allowed)}, not {getattr(self, name)!r}")
        if self.auth_mode == "oauth2" and not self.oauth_token_url:
            problems.append("oauth_token_url: an OAuth connection needs the token URL Kashoo gave with the app")
        for name in ("page_size", "poll_window_days", "max_attempts"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(f"{name}: a whole number of at least 1, not {value!r}")
        bad_roles = {t: r for t, r in self.type_map.items() if r not in ROLES or not isinstance(t, str) or not t}
        if bad_roles:
            problems.append(f"type_map: roles among {', '.join(ROLES)}; not {bad_roles}")
        names = self.fields if isinstance(self.fields, dict) else {}
        if set(names) != set(FIELDS) or not all(isinstance(v, str) and v for v in names.values()):
            problems.append(f"fields: names for {', '.join(FIELDS)} only")
        try:
            names = {name for _text, name, _spec, _conv in string.Formatter().parse(self.contacts_path) if name}
        except (ValueError, TypeError):
            names = {"?"}
        if names - {"business", "sync", "role"} or not str(self.contacts_path).startswith("/"):
            problems.append("contacts_path: a path under the prefix (/...) with {business}, {sync} or {role}")
        if len(str(self.home_currency or "")) != 3:
            problems.append("home_currency: an ISO 4217 code")
        if problems:
            raise ValueError("; ".join(problems))

    # ------------------------------------------------------------------ derived
    @property
    def api_url(self):
        return str(self.base_url).rstrip("/") + (self.api_prefix or "").rstrip("/")

    @property
    def timeout(self):
        return (float(self.connect_timeout), float(self.read_timeout))

    def field(self, name):
        return self.fields[name]

    def role_of_type(self, wire_type):
        """The role of a wire ``type``, or None when the map does not know it."""
        return self.type_map.get(wire_type) if isinstance(wire_type, str) else None

    def types_of_role(self, role):
        return sorted(t for t, r in self.type_map.items() if r == role)

    def is_off(self, name):
        return name in self.disabled

    def with_changes(self, **changes):
        """A copy with ``changes`` applied (and checked)."""
        return dataclasses.replace(copy.deepcopy(self), **changes)

    # ------------------------------------------------------------------ storage
    def as_dict(self):
        return copy.deepcopy(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data):
        """Settings from stored JSON; a key this version does not know is refused, not dropped."""
        data = dict(data or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown Kashoo settings: {', '.join(sorted(unknown))}")
        return cls(**data)
