"""The QuickBooks plug-in of `make bench` and `make chaos`: the QuickBooks sandbox
(tests/sandbox/quickbooks) with Intuit's limits on, a connection made through its consent page,
its documents generated, changed and read back. The chaos stream's QuickBooks-side changes are
in quickbooks_stream.py."""

import json
import os

from tools.providers import Doc, Provider, consent_code
from tools.providers.quickbooks_stream import QuickBooksStream, money

# QuickBooks account types -> the Odoo account type they map to in the harness company
ACCOUNT_TYPES = {
    "Bank": "asset_cash",
    "Accounts Receivable": "asset_receivable",
    "Other Current Asset": "asset_current",
    "Accounts Payable": "liability_payable",
    "Credit Card": "liability_current",
    "Other Current Liability": "liability_current",
    "Equity": "equity",
    "Income": "income",
    "Cost of Goods Sold": "expense_direct_cost",
    "Expense": "expense",
}
# the generated company's sales tax codes and their rates
TAX_CODES = {"2": 7.25, "3": 8.25, "4": 8.625}
ENTITY_KIND = {"Customer": "party", "Item": "product", "Invoice": "invoice", "Payment": "payment"}


class QuickBooks(QuickBooksStream, Provider):
    name = "quickbooks"
    label = "QuickBooks"
    addons = ("connector_quickbooks",)
    change_detection = "webhook"
    webhook_path = "/connector_quickbooks/webhook"
    write_ceiling_per_min = 40 * 30  # batch requests a minute x items a batch
    tax_rates = tuple(TAX_CODES.values())
    export_tax = 8.25
    fuzz = (
        "connector_quickbooks",
        "/connector_quickbooks:TestQuickBooksWebhookSecurity",
        4,  # three on the webhook, one on the OAuth callback
        "the webhook and OAuth callback routes",
    )

    def __init__(self):
        from tests.sandbox.quickbooks import Fault, Sandbox

        self.sandbox = Sandbox()
        self.refusals = (Fault,)
        self.qbo_customers = []  # ids of customers created in QuickBooks during the chaos stream
        self.qbo_invoices = []

    # ---------------------------------------------------------------- the sandbox
    def generate(self, customers, items, invoices, payments, lines_per_invoice=None, seed=None):
        extra = {"lines_per_invoice": lines_per_invoice} if lines_per_invoice else {}
        if seed is not None:
            extra["seed"] = seed
        self.sandbox.generate(
            customers=customers,
            items=items,
            invoices=invoices,
            payments=payments,
            bills=0,
            journal_entries=0,
            credit_memos=0,
            **extra,
        )

    def start(self):
        # QBO_SANDBOX_PORT: a fixed port (a run beside others on one machine), else any free one
        self.sandbox.start(port=int(os.environ.get("QBO_SANDBOX_PORT") or 0))

    def expire_tokens(self):
        self.sandbox.expire_access_tokens()

    def send_notifications(self, url, **options):
        self.sandbox.webhook.update(url=url, **options)

    def pending_notifications(self):
        return len(self.sandbox.webhook_outbox)

    def stats(self):
        stats = self.sandbox.stats
        return {
            "requests": stats["requests"],
            "throttled": stats["throttled"],
            "replayed": stats["replayed"],
            "token_refreshes": stats.get("refresh_grants", 0),
            "webhook_deliveries": len(self.sandbox.webhook_log),
        }

    # ---------------------------------------------------------------- the connection
    def backend_values(self):
        url = self.sandbox.url
        return {
            "name": "QuickBooks sandbox",
            "provider": "quickbooks",
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "webhook_secret": "sandbox-verifier",
            **self.sandbox.endpoint_values(url),
        }

    def connect(self, backend):
        """Connect through the sandbox's consent page, as the accountant would; the work of the
        OAuth callback is done here directly (no Odoo server needs to run)."""
        sandbox = self.sandbox
        realm = sandbox.company.realm_id
        code = consent_code(
            backend.action_connect()["url"], sandbox.endpoint_values(sandbox.url)["auth_url"], realmId=realm
        )
        backend._qbo_finish_oauth(code, realm)

    def account_rows(self):
        return [
            (doc["Id"], doc["Name"], ACCOUNT_TYPES[doc["AccountType"]])
            for doc in self.sandbox.company.snapshot("Account")
        ]

    def tax_codes(self):
        return dict(TAX_CODES)

    # ---------------------------------------------------------------- its side
    def customers(self):
        return self.sandbox.company.snapshot("Customer")

    def rename_customer(self, customer, n):
        name = f"{customer['DisplayName']} renamed {n}"
        self.sandbox.company.write(
            "Customer",
            {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "DisplayName": name},
            operation="update",
            sparse=True,
        )
        return name

    def add_customers(self, count, tag):
        for n in range(count):
            self.sandbox.company.write(
                "Customer",
                {"DisplayName": f"Memory {tag} {n}", "PrimaryEmailAddr": {"Address": f"m{tag}{n}@memory.example"}},
            )

    def webhook_request(self, customer):
        body = json.dumps(
            {
                "eventNotifications": [
                    {
                        "realmId": self.sandbox.company.realm_id,
                        "dataChangeEvent": {
                            "entities": [
                                {
                                    "name": "Customer",
                                    "id": customer["Id"],
                                    "operation": "Update",
                                    "lastUpdated": f"2026-11-22T10:00:{int(customer['Id']) % 60:02d}Z-{customer['Id']}",
                                }
                            ]
                        },
                    }
                ]
            }
        ).encode()
        return body, {"intuit-signature": self.sandbox.sign(body)}

    def paid_on_provider(self):
        ids = set()
        for payment in self.sandbox.company.snapshot("Payment"):
            for line in payment.get("Line", []):
                for link in line.get("LinkedTxn", []):
                    ids.add(link["TxnId"])
        return ids

    def doc_id(self, external_id):
        return external_id.split("/")[-1]

    def read_side(self):
        from odoo.addons.connector_quickbooks.lib import mappers

        side = {}
        for entity, kind in ENTITY_KIND.items():
            rows = []
            for doc in self.sandbox.company.snapshot(entity):
                note = str(doc.get("PrivateNote") or "")
                rows.append(
                    Doc(
                        id=doc["Id"],
                        external_id=mappers.ext_id(entity, doc["Id"]) if kind in mappers.PREFIXED_KINDS else doc["Id"],
                        stamp=note if note.startswith("odoo:") else None,
                        voided=bool(doc.get("_voided")),
                        total=money(doc["TotalAmt"]) if kind in ("invoice", "payment") else None,
                        balance=money(doc["Balance"]) if kind == "invoice" else None,
                    )
                )
            side[entity] = (kind, rows)
        return side

    def count(self, kind):
        entity = {v: k for k, v in ENTITY_KIND.items()}[kind]
        return len(self.sandbox.company.snapshot(entity))

    def export_counters(self):
        return {
            "throttled": self.sandbox.stats["throttled"],
            "batch_requests": len([key for key in self.sandbox.stats["by_requestid"] if key.startswith("b")]),
        }

    def secrets(self):
        values = self.backend_values()
        secrets = {"client secret": values["client_secret"], "webhook verifier": values["webhook_secret"]}
        secrets.update({f"access token {t[:6]}…": t for t in self.sandbox.access_tokens})
        secrets.update({f"refresh token {t[:6]}…": t for t in self.sandbox.refresh_tokens})
        return secrets


PLUGIN = QuickBooks
