"""Provider plug-ins of `make bench` and `make chaos` (PROVIDER=quickbooks, the default).

The harness (tools/harness.py, tools/bench_*.py, tools/chaos_*.py) does everything that is the
same for every provider: the database, the company, its taxes and the Odoo server with the job
runner; the phases, their timing and the report's keys; the ORM ceiling; the fault schedule,
the SIGKILLs, the token expiry, the reconciliation; both sides compared record by record (lost,
duplicated, unbalanced, amount mismatches, untyped failures, secrets in plain text).

A plug-in is a subclass of ``Provider`` in tools/providers/<name>.py, named in ``PLUGINS``
below; it implements only what differs:

- who it is: ``name`` (the connector.backend provider and the reports' key), ``label``,
  ``addons`` to install, ``change_detection`` ("webhook" or "poll"), its published limits
  (``write_ceiling_per_min``, or ``request_limit_per_min``: the configured request limit of a
  provider that publishes none), what it cannot do (``limits_note``), whether a lapsed access
  token is renewed without a person (``renews_tokens``);
- its company: ``country``, ``currency``, ``other_currencies``, ``tax_rounding`` and its sales
  taxes as Odoo taxes (``odoo_taxes``: by default one per rate of ``tax_rates``), the tax the
  bench's exported invoices carry (``export_tax``);
- its sandbox: ``generate`` (N customers, items, invoices, payments), ``start``, ``stop``,
  ``set_faults`` (the harness's schedule in the kit's names), ``expire_tokens``,
  ``send_notifications`` and ``pending_notifications`` (webhook providers), ``stats``;
- the connection: ``backend_values``, ``connect`` (through the sandbox's consent page),
  ``account_rows`` and ``tax_codes`` (the harness writes the mappings);
- changes on its side: ``customers``, ``rename_customer``, ``add_customers``,
  ``webhook_request`` (webhook providers), ``stream_operations`` (the chaos stream's changes
  made in the provider, with their weights), ``paid_on_provider``, ``doc_id``;
- its side read for the comparison: ``read_side`` (per entity, ``Doc`` rows), ``count``,
  ``export_counters``, ``secrets``.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

import requests

# provider name -> (label, plug-in module under tools.providers or None when not built yet)
PLUGINS = {
    "quickbooks": ("QuickBooks", "quickbooks"),
    "wave": ("Wave", "wave"),
    "kashoo": ("Kashoo", "kashoo"),
    "reckon": ("Reckon", "reckon"),
}


class Refused(Exception):
    """The provider refused a change made on its side, as a user would see it at once."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class NotBuilt(Exception):
    """The provider is known but its plug-in is not there yet (or the name is unknown)."""


def refusal(name):
    """The one line that refuses PROVIDER=name, or None when its plug-in is there."""
    if name not in PLUGINS:
        return f"PROVIDER={name}: no such provider (one of {', '.join(PLUGINS)})"
    label, module = PLUGINS[name]
    if module is None:
        return f"PROVIDER={name}: the {label} plug-in is not built yet"
    return None


def load(name):
    """The plug-in of provider ``name``, an instance of its ``Provider`` subclass."""
    refused = refusal(name)
    if refused:
        raise NotBuilt(refused)
    return import_module(f"tools.providers.{PLUGINS[name][1]}").PLUGIN()


@dataclass
class Doc:
    """One provider record as the comparison needs it."""

    id: str  # the provider's id, in messages
    external_id: str  # connector.binding.external_id of the record
    stamp: str = None  # the mark of the Odoo record it was exported from, None when made there
    voided: bool = False
    total: Decimal = None  # invoices: total and balance; payments: total is the amount
    balance: Decimal = None
    draft: bool = False  # a draft on the provider's side (Wave's DRAFT invoices): a draft in Odoo too


class Provider:
    """What the harness asks of a provider (see the module's docstring). Every method that
    raises NotImplementedError is the plug-in's to write; the others are shared."""

    name = ""
    label = ""
    addons = ()  # besides connector_base
    change_detection = "webhook"  # "poll": the bench measures change-to-Odoo latency by polling
    webhook_path = None  # the Odoo route its notifications reach
    write_ceiling_per_min = None  # the provider's published write ceiling, records a minute
    request_limit_per_min = None  # no published ceiling: the request limit configured (sandbox and connection)
    limits_note = None  # what the provider's API does not allow, said in the reports
    renews_tokens = True  # False: an expired token needs a person to sign in again (no chaos expiry)
    country = "us"  # the company's country (base.<country>)
    company_name = "Garden Supplies Inc."
    currency = None  # the company's currency when not the chart's (USD)
    other_currencies = ("EUR",)  # activated for the generated company's foreign documents
    tax_rounding = "round_globally"  # as the provider rounds taxes
    tax_rates = ()  # the sales tax rates of the generated company (an Odoo tax each)
    export_tax = None  # the key in ``odoo_taxes`` of the tax on the invoices the bench posts in Odoo
    poll_minutes = 1  # the connection's poll interval when the bench measures polling
    bench_n = 10000  # `make bench`'s default size
    products = True  # False: invoice lines carry an account, not a product (Kashoo has no products)
    # the kinds the harness imports and compares, in order (those the connection reads)
    import_kinds = ("account", "tax", "party", "product", "invoice", "payment")
    # the chaos fuzz tier: (addon, test tags, number of fuzz tests, what they fuzz) or None
    fuzz = None

    # ---------------------------------------------------------------- the sandbox
    # ``self.sandbox``: the plug-in's sandbox on the kit (tests/sandbox/kit): started, stopped,
    # its fault switches and counters read the same way for every provider
    def generate(self, customers, items, invoices, payments, lines_per_invoice=None, seed=None):
        raise NotImplementedError

    def start(self):
        self.sandbox.start()

    def stop(self):
        self.sandbox.stop()

    def set_faults(self, schedule):
        """``schedule``: throttle_rate, server_error_rate, timeout_rate, lose_response_rate,
        timeout_seconds, retry_after, seed (rates 0 when off), and for a provider with webhooks
        webhook_copies, webhook_shuffle: the kit's switches by the same names."""
        self.sandbox.faults.update(schedule)

    @property
    def business(self):
        """The sandbox's company (its first tenant), which the harness's company mirrors."""
        return self.sandbox.tenant()

    def expire_tokens(self):
        raise NotImplementedError

    def send_notifications(self, url, **options):
        """Deliver change notifications to ``url`` (None: stop); options: interval, retry_scale."""
        raise NotImplementedError

    def pending_notifications(self):
        return 0

    def stats(self):
        """{requests, throttled, replayed, token_refreshes, webhook_deliveries} so far."""
        stats = self.sandbox.stats
        return {
            "requests": stats.get("requests", 0),
            "throttled": stats.get("throttled", 0),
            "replayed": stats.get("replayed", stats.get("lost_answers", 0)),
            "token_refreshes": stats.get("refresh_grants", 0),
            "webhook_deliveries": 0,
        }

    def control(self, action, **body):
        """POST the sandbox's control API (``/_sandbox/<action>``): a change made in the provider's
        own screens. An answer 400 (the provider refused) raises the plug-in's first refusal."""
        answer = requests.post(f"{self.sandbox.url}/_sandbox/{action}", json=body, timeout=30)
        if answer.status_code == 400 and self.refusals:
            raise self.refusals[0]("refused", answer.text[:300])
        answer.raise_for_status()
        return answer.json()

    # ---------------------------------------------------------------- the connection
    def backend_values(self):
        raise NotImplementedError

    def connect(self, backend):
        raise NotImplementedError

    def account_rows(self):
        """[(external id, name, type)] of the sandbox's accounts; the type is an Odoo account type
        or a canonical one (connector_base's ``ACCOUNT_TYPES``)."""
        raise NotImplementedError

    def odoo_taxes(self):
        """{key: account.tax values} of the company's taxes (``type_tax_use`` "sale" unless said)."""
        return {rate: {"name": f"Sales tax {rate}%", "amount": rate} for rate in self.tax_rates}

    def tax_codes(self):
        """{external tax code id: key of ``odoo_taxes``} (mapped as the sales tax), or {id: {mapping
        field: key}} (``tax_id``, ``purchase_tax_id``, ...) when more than one is mapped."""
        raise NotImplementedError

    # ---------------------------------------------------------------- its side
    def customers(self):
        raise NotImplementedError

    def rename_customer(self, customer, n):
        """Rename it on the provider's side; return the new name Odoo should show."""
        raise NotImplementedError

    def add_customers(self, count, tag):
        raise NotImplementedError

    def webhook_request(self, customer):
        """(body bytes, headers) of a signed notification that ``customer`` changed."""
        raise NotImplementedError

    def stream_operations(self, chaos):
        """[(event name, function, weight)]: the chaos stream's changes on the provider's side.
        A function may raise one of ``refusals`` (the provider refused, as a user would see)."""
        raise NotImplementedError

    refusals = ()

    def paid_on_provider(self):
        """Provider ids of the invoices it has payments for."""
        raise NotImplementedError

    def doc_id(self, external_id):
        """The provider id within a binding's external id."""
        return external_id

    def read_side(self):
        """{entity: (kind, [Doc])} for every entity compared (the chaos run's end)."""
        raise NotImplementedError

    def count(self, kind):
        raise NotImplementedError

    def export_counters(self):
        """{throttled, batch_requests, requests} so far (the bench's export phase reports the difference)."""
        stats = self.sandbox.stats
        return {"throttled": stats.get("throttled", 0), "batch_requests": 0, "requests": stats.get("requests", 0)}

    def secrets(self):
        """{what: value} that must never be found in plain text in the database or the log."""
        raise NotImplementedError


def consent_code(start_url, authorize_url, timeout=30, **choice):
    """Through a sandbox's consent page (the kit's: a hidden ticket, ``choice`` such as the
    company to connect, Connect) as the accountant would, from the URL Odoo's Connect gives;
    the authorization code its redirect carries, for the plug-in to finish the OAuth callback's
    work directly (no Odoo server needs to run)."""
    session = requests.Session()
    page = session.get(start_url, timeout=timeout)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        authorize_url, allow_redirects=False, timeout=timeout, data={"ticket": ticket, **choice, "decision": "connect"}
    )
    return re.search(r"code=([^&]+)", answer.headers["Location"]).group(1)
