"""The Wave plug-in of `make bench` and `make chaos`: the Wave sandbox (tests/sandbox/wave, which
executes every query and mutation against Wave's published schema) with its request limit on,
a connection made through its OAuth consent page and business choice, its company generated
(USD, CAD customers among them, three sales taxes one of which is compound), changed and read
back. The chaos stream's Wave-side changes are in wave_stream.py.

Wave differs from QuickBooks in what the harness sees: it announces no changes (polling; the
connector's notification endpoint serves a relay, which the harness does not run), publishes no
request limit (the sandbox and the connection are both set to about 60 requests a minute and 2
at once, the figures third parties report), has no batch endpoint, no bills, and its vendors are
read-only; deleted invoices simply disappear (no void).
"""

from decimal import Decimal

from tools.providers import Doc, Provider, Refused, consent_code
from tools.providers.wave_stream import WaveStream

T = 30  # seconds, every request of the plug-in to the sandbox's control API
#: the generated US business's sales taxes (tests/sandbox/wave/generate.py) as Odoo taxes: the
#: compound one is charged on the amount and the taxes before it
TAXES = {
    "State Sales Tax": {"amount": 6.25, "sequence": 1, "include_base_amount": True},
    "County Tax": {"amount": 1.0, "sequence": 2, "include_base_amount": True, "is_base_affected": False},
    "City Surcharge": {"amount": 0.5, "sequence": 3},
}
ENTITY_KIND = {"Customer": "party", "Product": "product", "Invoice": "invoice", "InvoicePayment": "payment"}
CENT = Decimal("0.01")


class Wave(WaveStream, Provider):
    name = "wave"
    label = "Wave"
    addons = ("connector_wave",)
    change_detection = "poll"
    webhook_path = None  # /connector_wave/webhook serves a relay the user runs; Wave sends nothing
    write_ceiling_per_min = None  # Wave publishes none
    request_limit_per_min = 60  # configured: the sandbox answers 429 past it, the connection keeps under it
    limits_note = (
        "no bills, bill payments or credit notes in Wave's public API; vendors read-only; no published request "
        "limit: about 60 requests a minute and 2 at once configured (third-party figures); no batch endpoint; no "
        "webhooks (polling every minute)"
    )
    country = "us"
    company_name = "Sandbox Consulting Inc."
    other_currencies = ("CAD",)
    tax_rounding = "round_per_line"  # Wave rounds each tax of each line
    export_tax = "State Sales Tax"
    poll_minutes = 1
    # N/5 invoices exported at about 3 requests each under 60 requests a minute: 500 makes it about 5 minutes
    bench_n = 500
    import_kinds = ("account", "tax", "party", "product", "invoice", "payment")
    fuzz = None
    refusals = (Refused,)

    def __init__(self):
        from tests.sandbox.wave.server import WaveSandbox

        self.sandbox = WaveSandbox()
        self.wave_customers = []  # ids of customers created in Wave during the chaos stream
        self.wave_invoices = []

    # ---------------------------------------------------------------- the sandbox
    def generate(self, customers, items, invoices, payments, lines_per_invoice=None, seed=None):
        # Wave has no lines-per-invoice knob: its generator makes one to three lines an invoice
        self.sandbox.generate(
            customers=customers,
            vendors=max(1, customers // 10),
            products=max(3, items),
            invoices=invoices,
            payments=payments,
            second_currency="CAD",
            seed=7 if seed is None else seed,
        )

    def expire_tokens(self):
        self.sandbox.oauth.expire_access_tokens()

    # ---------------------------------------------------------------- the connection
    def backend_values(self):
        url = self.sandbox.url
        return {
            "name": "Wave sandbox",
            "provider": "wave",
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            **self.sandbox.endpoint_values(url),
            "wave_per_minute": self.request_limit_per_min,
            "wave_concurrent": 2,
        }

    def connect(self, backend):
        """Connect, Wave's consent page (the business chosen there), and the callback's work done
        here directly (no Odoo server needs to run); the token answer names the business."""
        authorize = self.sandbox.endpoint_values(self.sandbox.url)["auth_url"]
        code = consent_code(backend.action_connect()["url"], authorize, T, businessId=self.business.id)
        backend._wave_finish_oauth(code)
        if backend.state != "connected":
            raise RuntimeError(f"the Wave connection is {backend.state} after the consent page")

    def account_rows(self):
        from odoo.addons.connector_wave.lib.mappers.catalog import SUBTYPE_TYPES

        return [(doc["id"], doc["name"], SUBTYPE_TYPES[doc["subtype"]]) for doc in self.business.snapshot("Account")]

    def odoo_taxes(self):
        return {name: {"name": name, **values} for name, values in TAXES.items()}

    def tax_codes(self):
        return {doc["id"]: doc["name"] for doc in self.business.snapshot("SalesTax")}

    # ---------------------------------------------------------------- its side
    def customers(self):
        return sorted(self.business.snapshot("Customer"), key=lambda d: d["n"])

    def rename_customer(self, customer, n):
        """Renamed in Wave's own screens (the sandbox's control API): its modifiedAt moves."""
        name = f"{customer['name']} renamed {n}"
        self.control("change", kind="Customer", id=customer["id"], fields={"name": name})
        return name

    def add_customers(self, count, tag):
        from tests.sandbox.wave.store import CONTACT_FIELDS

        business = self.business
        with business.lock:
            for n in range(count):
                business.add(
                    "Customer",
                    {
                        **dict.fromkeys(CONTACT_FIELDS),
                        "name": f"Memory {tag} {n}",
                        "email": f"m{tag}{n}@memory.example",
                        "currency": business.currency(),
                        "isArchived": False,
                        "shippingDetails": None,
                        "address": None,
                    },
                )

    def paid_on_provider(self):
        business = self.business
        with business.lock:
            return {business.ref("Invoice", p["invoice"]) for p in business.records("InvoicePayment")}

    def read_side(self):
        from tests.sandbox.wave import totals

        business = self.business
        side = {}
        with business.lock:
            for entity, kind in ENTITY_KIND.items():
                rows = []
                for record in business.records(entity):
                    wire_id = business.ref(entity, record["n"])
                    stamp_field = {"Customer": "displayId", "Product": None}.get(entity, "memo")
                    stamp = _stamp(record.get(stamp_field)) if stamp_field else None
                    total = balance = None
                    draft = False
                    if kind == "invoice":
                        figures = totals.compute(business, record)
                        total, balance = figures["total"], figures["amountDue"]
                        draft = record["status"] == "DRAFT"
                    elif kind == "payment":
                        total = Decimal(str(record["amount"])).quantize(CENT)
                    rows.append(Doc(wire_id, wire_id, stamp=stamp, total=total, balance=balance, draft=draft))
                side[entity] = (kind, rows)
        return side

    def count(self, kind):
        entity = {v: k for k, v in ENTITY_KIND.items()}[kind]
        return len(self.business.records(entity))

    def secrets(self):
        oauth = self.sandbox.oauth
        secrets = {"client secret": "sandbox-secret"}
        with self.sandbox.lock:
            secrets.update({f"access token {t[:6]}…": t for t in oauth.access_tokens})
            secrets.update({f"refresh token {t[:6]}…": t for t in oauth.refresh_tokens})
        return secrets


def _stamp(text):
    from odoo.addons.connector_wave.lib.mappers.common import STAMP

    found = STAMP.search(str(text or ""))
    return found.group(0) if found else None


PLUGIN = Wave
