"""The Reckon plug-in of `make bench` and `make chaos`: the Reckon One sandbox (tests/sandbox/reckon:
identity server, API gateway with its subscription key and request limit, the v2 API held to
Reckon's openapi.yaml when ../shared has it) with its request limit on, a connection made through
its OAuth sign-in page and its one book, an Australian company (AUD; GST 10% and GST-free,
BAS-excluded and input-taxed lines; a quarter of the invoices tax-inclusive) generated, changed and
read back. The chaos stream's Reckon-side changes are in reckon_stream.py.

What differs from QuickBooks: no webhooks Reckon sends (polling; the connector's notification
endpoint serves a relay the harness does not run), no published request limit (the gateway
answers 429: the sandbox and the connection are both set to 240 a minute, the connection's
default), no batch endpoint, no multi-currency (a book keeps one currency), deleted documents
simply disappear (no void); taxes are rates and groups read by effective date.
"""

from decimal import Decimal

from tools.providers import Doc, Provider, Refused, consent_code
from tools.providers.reckon_stream import ReckonStream

T = 30  # seconds, every request of the plug-in to the sandbox's pages
CLIENT_ID, CLIENT_SECRET = "sandbox-client", "sandbox-secret"
KEY = "sandbox-subscription-key"
CENT = Decimal("0.01")
#: the compared tables: (table, kind, external id prefix or None)
ENTITIES = (
    ("invoices", "invoice", "Invoice"),
    ("creditnotes", "invoice", "CreditNote"),
    ("receipts", "payment", "Receipt"),
)


def money(value):
    return Decimal(str(value or 0)).quantize(CENT)


class Reckon(ReckonStream, Provider):
    name = "reckon"
    label = "Reckon"
    addons = ("connector_reckon",)
    change_detection = "poll"
    webhook_path = None  # /connector_reckon/webhook serves a relay the user runs; Reckon sends nothing
    write_ceiling_per_min = None  # Reckon publishes none
    request_limit_per_min = 240  # configured: the sandbox's gateway answers 429 past it, the connection keeps under it
    limits_note = (
        "no published request limit: 240 requests a minute and 4 at once configured (the gateway answers 429); no "
        "batch endpoint; no webhooks (polling every minute); one currency a book; supplier payments read-only in "
        "the v2 API; deleted documents disappear (no void)"
    )
    country = "au"
    currency = "AUD"
    company_name = "Harbourside Services Pty Ltd"
    other_currencies = ()
    tax_rounding = "round_per_line"  # Reckon rounds each line's tax
    export_tax = ("GST", "sale")
    poll_minutes = 1
    # N/5 invoices exported at a few requests each under 240 a minute
    bench_n = 500
    import_kinds = ("account", "tax", "party", "product", "invoice", "payment")
    fuzz = None
    refusals = (Refused,)

    def __init__(self):
        from tests.sandbox.reckon.server import Sandbox

        self.sandbox = Sandbox(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, subscription_key=KEY)
        self.sandbox.limits.configure({"per_minute": self.request_limit_per_min, "concurrent": 4})
        self.reckon_customers = []  # ids of customers created in Reckon during the chaos stream
        self.reckon_invoices = []

    # ---------------------------------------------------------------- the sandbox
    def generate(self, customers, items, invoices, payments, lines_per_invoice=None, seed=None):
        # Reckon's generator makes one to four lines an invoice (and a BAS-excluded line on some)
        self.sandbox.generate(
            customers=customers,
            suppliers=max(1, customers // 10),
            both=min(3, customers),
            items=max(8, items),
            invoices=invoices,
            receipts=payments,
            credit_notes=max(1, invoices // 50),
            bills=0,  # bills and journals are the sandbox's extension, not Reckon's v2 document
            journals=0,
            payments=0,
            seed=1 if seed is None else seed,
        )

    def expire_tokens(self):
        self.sandbox.oauth.expire_access_tokens()

    # ---------------------------------------------------------------- the connection
    def backend_values(self):
        url = self.sandbox.url
        return {
            "name": "Reckon sandbox",
            "provider": "reckon",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "reckon_subscription_key": KEY,
            **self.sandbox.endpoint_values(url),
            "reckon_per_minute": self.request_limit_per_min,
            "reckon_concurrent": 4,
        }

    def connect(self, backend):
        """Connect, Reckon's sign-in page, and the callback's work done here directly (no Odoo
        server needs to run); the one book is used at once (with several, the first is chosen
        on the form)."""
        authorize = self.sandbox.endpoint_values(self.sandbox.url)["auth_url"]
        code = consent_code(backend.action_connect()["url"], authorize, T)
        if not backend._reckon_finish_oauth(code):
            backend.reckon_book_id = backend.env["connector.reckon.book"].search(
                [("reckon_id", "=ilike", self.business.id)], limit=1
            )
            backend.action_reckon_use_book()
        if backend.state != "connected":
            raise RuntimeError(f"the Reckon connection is {backend.state} after the sign-in page")

    def account_rows(self):
        from odoo.addons.connector_reckon.lib.mappers import account_to_canonical

        return [
            (doc["id"], doc["name"], account_to_canonical(doc)["type"])
            for doc in self.business.snapshot("ledgeraccounts")
        ]

    def odoo_taxes(self):
        return {
            (code, use): {"name": f"{code} {rate}% ({use})", "amount": rate, "type_tax_use": use}
            for code, rate in (("GST", 10), ("FRE", 0))
            for use in ("sale", "purchase")
        }

    def tax_codes(self):
        """Every tax rate and tax group: 10% to GST, 0% to GST-free, sales and purchases as Reckon
        allows them on each."""
        codes = {}
        for table, prefix, sales, purchases in (
            ("taxrates", "TaxRate", "useOnSales", "useOnPurchases"),
            ("taxgroups", "TaxGroup", "useOnSales", "useOnPurchases"),
        ):
            for doc in self.business.snapshot(table):
                code = "GST" if Decimal(str(doc.get("rate") or 0)) else "FRE"
                keys = {}
                if doc.get(sales):
                    keys["tax_id"] = (code, "sale")
                if doc.get(purchases):
                    keys["purchase_tax_id" if "tax_id" in keys else "tax_id"] = (code, "purchase")
                codes[f"{prefix}/{doc['id']}"] = keys
        return codes

    # ---------------------------------------------------------------- its side
    def customers(self):
        return [c for c in self.business.snapshot("contacts") if (c.get("entityTypes") or {}).get("isCustomer")]

    def rename_customer(self, customer, n):
        """Renamed in Reckon One's own screens: its lastModifiedDateTime moves."""
        name = f"{customer['name']} renamed {n}"
        self.change_contact(customer, name=name)
        return name

    def change_contact(self, customer, **fields):
        """A contact changed in place, its lastModifiedDateTime moved (the store stamps it)."""
        book = self.business
        with book.lock:
            book.put("contacts", dict(book.get("contacts", customer["id"]), **fields))

    def add_customers(self, count, tag):
        from tests.sandbox.reckon.records import Customers

        book = self.business
        with book.lock:
            for n in range(count):
                book.put(
                    "contacts",
                    Customers().build(book, {"name": f"Memory {tag} {n}", "status": "Active"}),
                )

    def paid_on_provider(self):
        paid = set()
        for receipt in self.business.snapshot("receipts"):
            paid.update(str(link["transactionId"]) for link in receipt.get("transactionLinks") or [])
        return paid

    def doc_id(self, external_id):
        return str(external_id).partition("/")[2] or str(external_id)

    def read_side(self):
        side = {}
        book = self.business
        contacts = book.snapshot("contacts")
        side["contacts"] = ("party", [Doc(str(c["id"]), str(c["id"])) for c in contacts])
        for table, kind, prefix in ENTITIES:
            rows = []
            for doc in book.snapshot(table):
                total = balance = None
                draft = False
                if kind == "invoice":
                    total, balance = money(doc.get("totalAmount")), money(doc.get("balance"))
                    draft = doc.get("status") == "Draft"
                else:
                    total = money(doc.get("totalAmount"))
                rows.append(
                    Doc(
                        str(doc["id"]),
                        f"{prefix}/{doc['id']}",
                        stamp=_stamp(doc),
                        total=total,
                        balance=balance,
                        draft=draft,
                    )
                )
            side[table] = (kind, rows)
        return side

    def count(self, kind):
        tables = {"invoice": ("invoices", "creditnotes"), "payment": ("receipts",)}[kind]
        return sum(len(self.business.snapshot(t)) for t in tables)

    def secrets(self):
        oauth = self.sandbox.oauth
        secrets = {"client secret": CLIENT_SECRET, "subscription key": KEY}
        with self.sandbox.lock:
            secrets.update({f"access token {t[:6]}…": t for t in oauth.access_tokens})
            secrets.update({f"refresh token {t[:6]}…": t for t in oauth.refresh_tokens})
        return secrets


def _stamp(doc):
    """The Odoo stamp the connector writes on a document it exported (its notes), or None."""
    from odoo.addons.connector_reckon.lib.mappers.common import STAMP

    for value in doc.values():
        if isinstance(value, str):
            found = STAMP.search(value)
            if found:
                return found.group(0)
    return None


PLUGIN = Reckon
