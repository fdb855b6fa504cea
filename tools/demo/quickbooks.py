"""QuickBooks Online: Demo Garden Supplies Inc. (US, USD with EUR, California sales taxes, the
generic chart), the database's main company, on the QuickBooks sandbox (webhooks to Odoo)."""

import requests

from . import new_name

KEY, LABEL = "quickbooks", "QuickBooks"
PORT_ENV, PORT = "QBO_SANDBOX_PORT", 8765
SMOKE_PORT_ENV = "RUN_SMOKE_SANDBOX_PORT"  # its name from before there were other sandboxes
MODULES = ("l10n_us",)
COMPANY = "Demo Garden Supplies Inc."
ARRIVES = "by webhook within about a second"


def sandbox_args(port, odoo_url):
    return ["--port", str(port), "--generate", "--webhook-url", f"{odoo_url}/connector_quickbooks/webhook"]


def setup(env, url):
    from tests.sandbox.quickbooks.server import Sandbox

    from . import books

    company = books.company(env, COMPANY, "US", "USD", "generic_coa", state="CA", main=True)
    company.tax_calculation_rounding_method = "round_globally"
    env.ref("base.EUR").active = True

    def account(code, name=None, kind=None):
        return books.account(env, company, code, name, kind)

    # California sales taxes as the sandbox company has them, in their own tax group (the generic
    # chart's default group would print them as "Tax 15%" on invoices)
    taxes = {
        rate: books.tax(env, company, name, rate, group="Sales Tax", invoice_label=name)
        for rate, name in ((7.25, "California 7.25%"), (8.25, "Santa Clara 8.25%"), (8.625, "San Francisco 8.625%"))
    }
    connection = books.backend(
        env,
        {
            "name": "QuickBooks sandbox (demo)",
            "provider": KEY,
            "company_id": company.id,
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "webhook_secret": "sandbox-verifier",
            **Sandbox.endpoint_values(url),
            "rounding_account_id": books.rounding_account(env, company).id,
            "sync_start_date": "2020-01-01",
            "conflict_policy": "provider",
        },
    )
    # what an accountant maps each of the sandbox company's accounts to in the generic chart
    by_name = {
        "Checking": account("101401"),
        "Savings": account("101405", "Savings", "asset_cash"),
        "Accounts Receivable (A/R)": account("121000"),
        "Inventory Asset": account("110100"),
        "Accounts Payable (A/P)": account("211000"),
        "Mastercard": account("201100"),
        "Board of Equalization Payable": account("252000"),
        "Opening Balance Equity": account("301000"),
        "Sales of Product Income": account("400000"),
        "Services": account("400100", "Service Revenue", "income"),
        "Cost of Goods Sold": account("500000"),
        "Rent or Lease": account("612000"),
        "Utilities": account("613000", "Utilities", "expense"),
        "Office Expenses": account("614000", "Office Expenses", "expense"),
    }
    docs = requests.get(f"{url}/_sandbox/docs/Account", timeout=10).json()["Account"]
    books.map_accounts(env, connection, [(d["Id"], d["Name"], d["AccountType"], by_name[d["Name"]]) for d in docs])
    rates = {"2": 7.25, "3": 8.25, "4": 8.625}
    docs = requests.get(f"{url}/_sandbox/docs/TaxCode", timeout=10).json()["TaxCode"]
    books.map_taxes(env, connection, [(d["Id"], d["Name"], taxes[rates[d["Id"]]], None) for d in docs])
    return connection


def connect(browser, connection):
    """Connect, then Intuit's consent page: the sandbox company chosen, back to Odoo."""
    action = browser.call("connector.backend", "action_connect", [[connection["id"]]])
    return browser.consent(action["url"])


def change(url):
    """A new customer, entered in QuickBooks: its webhook brings it to Odoo within a second."""
    name = new_name("Customer")
    requests.post(
        f"{url}/_sandbox/change", json={"entity": "Customer", "body": {"DisplayName": name}}, timeout=10
    ).raise_for_status()
    return "res.partner", name


def example(url):
    return (
        f"curl -X POST {url}/_sandbox/change "
        """-d '{"entity": "Customer", "body": {"DisplayName": "Brand New Customer"}}'"""
    )
