"""The sandbox's switches: every item the public evidence leaves split, inferred or unknown.

Each setting is one row of the assumptions table in README.md (the ``#`` column), changed with
``POST /_sandbox/settings {"name": value}`` (``GET`` shows them all) or the CLI flag ``--name``.
Defaults follow the strongest evidence; where there is none the sandbox's choice is marked so.
"""

import copy
import json

#: wire values of the record ``type`` by the sandbox's kinds (no source lists them: [U])
TYPES = {
    "invoice": "INVOICE",
    "bill": "BILL",
    "invoicePayment": "INVOICE_PAYMENT",
    "billPayment": "BILL_PAYMENT",
    "transfer": "TRANSFER",
}
#: the records collections (the path segment after ``records/``) and the kind each holds
COLLECTIONS = {
    "invoices": "invoice",
    "bills": "bill",
    "invoicePayments": "invoicePayment",
    "billPayments": "billPayment",
    "transfers": "transfer",
}
#: line, tax and payment field names (all [U]), by the sandbox's own names
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

DEFAULTS = {
    "api_host": None,  # any Host header; a name: only requests for that host are served
    "api_prefix": "/api",
    "auth": ["uuid", "json"],  # Authorization schemes accepted: uuid, json, bearer
    "token_form": "uuid",  # what POST authTokens answers: uuid (text) or json (the token object)
    "credentials": ["form", "basic"],  # how POST authTokens takes the e-mail and password
    "token_ttl": 86400,  # seconds a user token lives
    "types": TYPES,
    "disabled": [],  # collections answering 404, e.g. ["bills"]
    "contacts": "sync",  # sync (POST /api/sync, then /api/sync/{id}/contacts/...), business, both
    "fields": FIELDS,
    "line_detail": True,  # lines and tax totals in each invoice and bill
    "removed_listed": True,  # a removed record stays in lists with removed: true
    "default_limit": 100,
    "max_limit": None,
    "record_path": "flat",  # one record: flat (records/{id}), typed (records/{collection}/{id}), none
    "create_status": 201,
    "create_answer": "record",  # the body of a create: record (JSON) or url (text); Location either way
    "ids_in_create": "refuse",  # a non-null id in a create: refuse (400) or ignore
    "tax_list": False,  # GET /api/businesses/{id}/taxes
    "oauth_refresh": False,  # OAuth token answers carry a refresh token
}
CHOICES = {
    "auth": {"uuid", "json", "bearer"},
    "token_form": {"uuid", "json"},
    "credentials": {"form", "basic"},
    "contacts": {"sync", "business", "both"},
    "record_path": {"flat", "typed", "none"},
    "create_answer": {"record", "url"},
    "ids_in_create": {"refuse", "ignore"},
    "disabled": set(COLLECTIONS) | {"records", "accounts", "contacts"},
}


class Settings:
    def __init__(self, **overrides):
        self.reset()
        self.update(overrides)

    def reset(self):
        self.values = copy.deepcopy(DEFAULTS)

    def __getattr__(self, name):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def update(self, changes):
        """Check every change first, then apply them all (a dict setting is merged)."""
        staged = copy.deepcopy(self.values)
        for name, value in changes.items():
            if name not in DEFAULTS:
                raise ValueError(f"unknown setting {name}")
            staged[name] = _checked(name, value, staged[name])
        self.values = staged
        return self.as_dict()

    def as_dict(self):
        return copy.deepcopy(self.values)

    # ------------------------------------------------------------------ derived
    def prefix_parts(self):
        return [part for part in (self.api_prefix or "").split("/") if part]

    def kind_of_type(self, wire_type):
        return next((kind for kind, value in self.types.items() if value == wire_type), None)

    def field(self, name):
        return self.fields[name]


def _checked(name, value, current):
    default = DEFAULTS[name]
    if isinstance(default, dict):
        if not isinstance(value, dict) or set(value) - set(default):
            raise ValueError(f"{name}: a JSON object with keys among {', '.join(default)}")
        if not all(isinstance(v, str) and v for v in value.values()):
            raise ValueError(f"{name}: every value is a non-empty string")
        return {**current, **value}
    if isinstance(default, list):
        if not isinstance(value, list) or not set(value) <= CHOICES[name]:
            raise ValueError(f"{name}: a list among {', '.join(sorted(CHOICES[name]))}")
        if name != "disabled" and not value:
            raise ValueError(f"{name}: at least one of {', '.join(sorted(CHOICES[name]))}")
        return list(value)
    if name in CHOICES and value not in CHOICES[name]:
        raise ValueError(f"{name}: one of {', '.join(sorted(CHOICES[name]))}")
    if isinstance(default, bool) and not isinstance(value, bool):
        raise ValueError(f"{name}: true or false")
    if name in ("token_ttl", "default_limit", "max_limit", "create_status"):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{name}: a positive whole number")
        if value is None and name != "max_limit":
            raise ValueError(f"{name}: a positive whole number")
    if name in ("api_host", "api_prefix") and value is not None and not isinstance(value, str):
        raise ValueError(f"{name}: text")
    return value


def parse_flag(name, text):
    """A CLI flag's text as the setting's value: JSON when it parses, a comma list for lists."""
    default = DEFAULTS[name]
    if isinstance(default, list) and not text.startswith("["):
        return [item for item in text.split(",") if item]
    if isinstance(default, bool):
        return text.lower() in ("1", "true", "yes", "on")
    if text.lower() in ("none", "null"):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
