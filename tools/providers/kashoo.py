"""The Kashoo plug-in of `make bench` and `make chaos`: the Kashoo sandbox (tests/sandbox/kashoo,
built from the public evidence) with its request limit on, a connection signed in as a manager
does it (the e-mail and password once, through the sign-in wizard), a Canadian company (British
Columbia, selling to BC, Ontario and Quebec: GST + PST, HST, GST + QST; a quarter of the
documents tax-included) generated, changed and read back. The chaos stream's Kashoo-side
changes are in kashoo_stream.py.

What differs from QuickBooks: no webhooks and no modified-since filter (a rolling window of
record dates is re-read every poll), no products (lines carry an account), amounts in integer
cents, removed records flagged ``removed``, no token refresh (a lapsed user token means signing
in again, so the chaos run does not expire it), no batch endpoint.
"""

from decimal import Decimal

from tools.providers import Doc, Provider, Refused
from tools.providers.kashoo_stream import KashooStream

EMAIL, PASSWORD = "owner@sandbox.example", "sandbox-password"
WEBHOOK_SECRET = "kashoo-relay-secret"
RATES = {"GST": 5.0, "PST": 7.0, "HST": 13.0, "QST": 9.975}
#: the compared entities: (entity, kind, the wire types listed)
ENTITIES = (
    ("invoices", "invoice", ("INVOICE",)),
    ("bills", "invoice", ("BILL",)),
    ("invoicePayments", "payment", ("INVOICE_PAYMENT",)),
    ("billPayments", "payment", ("BILL_PAYMENT",)),
)


def cents(value):
    return (Decimal(int(value or 0)) / 100).quantize(Decimal("0.01"))


class Kashoo(KashooStream, Provider):
    name = "kashoo"
    label = "Kashoo"
    addons = ("connector_kashoo",)
    change_detection = "poll"
    webhook_path = None  # /connector_kashoo/webhook serves a relay the user runs; Kashoo sends nothing
    write_ceiling_per_min = None
    request_limit_per_min = 600  # the sandbox's configured limit (Kashoo publishes none)
    limits_note = (
        "no webhooks and no modified-since filter (a rolling window of record dates re-read every poll); no "
        "products; contacts and accounts are created, never changed, through the API; user tokens are not "
        "refreshed (a lapsed one means signing in again); no published request limit (600 a minute configured)"
    )
    renews_tokens = False
    country = "ca"
    currency = "CAD"
    company_name = "Sandbox Trading Ltd."
    other_currencies = ()
    tax_rounding = "round_per_line"  # Kashoo rounds each tax of each line
    export_tax = ("GST", "sale")
    poll_minutes = 1  # the connection's default is 5; the bench polls every minute
    bench_n = 500
    import_kinds = ("account", "tax", "party", "invoice", "payment")
    products = False
    fuzz = None
    refusals = (Refused,)

    def __init__(self):
        from tests.sandbox.kashoo.server import KashooSandbox

        self.sandbox = KashooSandbox(email=EMAIL, password=PASSWORD, per_minute=self.request_limit_per_min)
        self.kashoo_contacts = []
        self.kashoo_invoices = []

    # ---------------------------------------------------------------- the sandbox
    def generate(self, customers, items, invoices, payments, lines_per_invoice=None, seed=None):
        # no products in Kashoo (``items`` has nothing to make); one to four lines a document
        self.sandbox.generate(
            customers=customers,
            vendors=max(1, customers // 10),
            invoices=invoices,
            bills=max(1, invoices // 10),
            payments=payments,
            seed=7 if seed is None else seed,
        )

    def expire_tokens(self):
        self.sandbox.auth.expire_all()

    # ---------------------------------------------------------------- the connection
    def backend_values(self):
        return {
            "name": "Kashoo sandbox",
            "provider": "kashoo",
            "api_url": self.sandbox.url,
            "webhook_secret": WEBHOOK_SECRET,
            "request_timeout": 10,
        }

    def connect(self, backend):
        """Connect as a manager does: the button opens the sign-in wizard, the e-mail and password
        sign in once (the password is not kept), and the probe runs."""
        env = backend.env
        backend.payment_journal_id = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", backend.company_id.id)], limit=1
        )
        action = backend.action_connect()
        wizard = (
            env[action["res_model"]]
            .with_context(action["context"])
            .create({"method": "password", "email": EMAIL, "password": PASSWORD})
        )
        wizard.action_sign_in()
        if backend.state != "connected":
            raise RuntimeError(f"the Kashoo connection is {backend.state} after signing in")

    def account_rows(self):
        from odoo.addons.connector_kashoo.lib.mappers import account_to_canonical
        from odoo.addons.connector_kashoo.lib.settings import KashooSettings

        settings = KashooSettings()
        return [
            (str(doc["id"]), doc["name"], account_to_canonical(doc, settings)["type"])
            for doc in self.business.snapshot("accounts")
        ]

    def odoo_taxes(self):
        return {
            (code, use): {"name": f"{code} {use}", "amount": rate, "type_tax_use": use}
            for code, rate in RATES.items()
            for use in ("sale", "purchase")
        }

    def tax_codes(self):
        return {code: {"tax_id": (code, "sale"), "purchase_tax_id": (code, "purchase")} for code in RATES}

    # ---------------------------------------------------------------- its side
    def customers(self):
        return [c for c in self.business.snapshot("contacts") if c.get("customer") and not c.get("removed")]

    def rename_customer(self, customer, n):
        """Renamed in Kashoo's own screens (the sandbox's control API)."""
        name = f"{customer['name']} renamed {n}"
        self.control("change", contact=customer["id"], fields={"name": name})
        return name

    def add_customers(self, count, tag):
        business = self.business
        with self.sandbox.lock:
            for n in range(count):
                business.add_contact({"name": f"Memory {tag} {n}", "email": f"m{tag}{n}@memory.example"}, ["customer"])

    def live_records(self, *types):
        return [r for r in self.business.snapshot("records") if r.get("type") in types and not r.get("removed")]

    def paid_on_provider(self):
        return {str(r.get("invoiceRecordId")) for r in self.live_records("INVOICE_PAYMENT")}

    def read_side(self):
        from odoo.addons.connector_kashoo.lib.mappers import split_memo

        side = {}
        contacts = [c for c in self.business.snapshot("contacts") if not c.get("removed")]
        side["contacts"] = ("party", [Doc(str(c["id"]), str(c["id"])) for c in contacts])
        for entity, kind, types in ENTITIES:
            rows = []
            for doc in self.live_records(*types):
                stamp = split_memo(doc.get("memo"))[0]
                balance = cents(doc["balanceDue"]) if kind == "invoice" else None
                rows.append(
                    Doc(str(doc["id"]), str(doc["id"]), stamp=stamp, total=cents(doc["amount"]), balance=balance)
                )
            side[entity] = (kind, rows)
        return side

    def count(self, kind):
        types = {"invoice": ("INVOICE", "BILL"), "payment": ("INVOICE_PAYMENT", "BILL_PAYMENT")}[kind]
        return len(self.live_records(*types))

    def secrets(self):
        with self.sandbox.lock:
            tokens = list(self.sandbox.auth.tokens)
        secrets = {"password": PASSWORD, "webhook secret": WEBHOOK_SECRET}
        secrets.update({f"user token {t[:6]}…": t for t in tokens})
        return secrets


PLUGIN = Kashoo
