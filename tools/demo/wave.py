"""Wave: Sandbox Consulting Inc., a Rhode Island business in USD (state and county sales taxes and
a compound city surcharge), on the Wave sandbox, connected through Wave's consent page where the
business is chosen. Odoo 18 Community has no US chart of its own: the company has the US
localisation (l10n_us) and the generic chart, as Odoo gives a US company. Wave sends no webhooks:
the connection polls every minute."""

import requests

from . import new_name

KEY, LABEL = "wave", "Wave"
PORT_ENV, PORT = "WAVE_SANDBOX_PORT", 8766
MODULES = ("l10n_us",)
COMPANY = "Sandbox Consulting Inc."
ARRIVES = "at the next poll (every minute)"
#: the sandbox's business keeps its id from one `make run` to the next (a connection holds the
#: records of one business)
BUSINESS_UUID = "5d1f3c52-7a4e-4b8e-9f6a-0c2d8e4b7a10"
#: Wave's sales taxes of the generated US business, as Odoo computes them (the surcharge is
#: charged on the amount with the taxes before it)
TAXES = {
    "State Sales Tax": {"amount": 6.25, "sequence": 1, "include_base_amount": True},
    "County Tax": {"amount": 1.0, "sequence": 2, "include_base_amount": True, "is_base_affected": False},
    "City Surcharge": {"amount": 0.5, "sequence": 3},
}


def sandbox_args(port, odoo_url):
    return ["--port", str(port), "--generate", "--business-uuid", BUSINESS_UUID]


def setup(env, url):
    from tests.sandbox.wave.server import WaveSandbox

    from . import books

    company = books.company(env, COMPANY, "US", "USD", "generic_coa", state="RI")
    company.tax_calculation_rounding_method = "round_per_line"  # Wave rounds each tax of each line
    tax_payable = books.chart(env, company, "tax_payable")
    taxes = {}
    for name, figures in TAXES.items():
        taxes[name] = books.tax(env, company, name, figures["amount"], group="Sales Tax", **figures)
        taxes[name].invoice_repartition_line_ids.filtered(
            lambda line: line.repartition_type == "tax"
        ).account_id = tax_payable
        taxes[name].refund_repartition_line_ids.filtered(
            lambda line: line.repartition_type == "tax"
        ).account_id = tax_payable
    generic = env["product.product"].search([("name", "=", "Services (Wave)"), ("company_id", "=", company.id)])
    generic = generic or env["product.product"].create(
        {"name": "Services (Wave)", "type": "service", "list_price": 0, "company_id": company.id, "taxes_id": False}
    )
    connection = books.backend(
        env,
        {
            "name": "Wave sandbox (demo)",
            "provider": KEY,
            "company_id": company.id,
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            **WaveSandbox.endpoint_values(url),
            "rounding_account_id": books.rounding_account(env, company).id,
            "sync_start_date": "2020-01-01",
            "conflict_policy": "provider",
            "wave_generic_product_id": generic.id,
        },
    )

    def account(xmlid_or_code, name=None, kind=None):
        if name:
            return books.account(env, company, xmlid_or_code, name, kind)
        return books.chart(env, company, xmlid_or_code)

    # what an accountant maps each account of Wave's default chart to in the generic chart
    by_name = {
        "Cash on Hand": books.journal_account(env, company, "cash"),
        "Operating Bank Account": books.journal_account(env, company, "bank"),
        "Accounts Receivable": account("receivable"),
        "Accounts Payable": account("payable"),
        "Sales Tax Payable": tax_payable,
        "Owner Investment / Drawings": account("300100", "Owner Investment / Drawings", "equity"),
        "Owner's Equity": account("capital"),
        "Sales": account("income"),
        "Consulting Income": account("400100", "Consulting Income", "income"),
        "Discounts": account("400200", "Discounts", "income"),
        "Uncategorized Income": account("other_income"),
        "Cost of Goods Sold": account("cost_of_goods_sold"),
        "Office Supplies": account("expense"),
        "Uncategorized Expense": account("600100", "Uncategorized Expense", "expense"),
        "Visa Credit Card": account("credit_card"),
    }
    docs = requests.get(f"{url}/_sandbox/docs/Account", timeout=10).json()["Account"]
    books.map_accounts(env, connection, [(d["id"], d["name"], d["subtype"], by_name[d["name"]]) for d in docs])
    docs = requests.get(f"{url}/_sandbox/docs/SalesTax", timeout=10).json()["SalesTax"]
    books.map_taxes(env, connection, [(d["id"], d["name"], taxes[d["name"]], None) for d in docs])
    return connection


def connect(browser, connection):
    """Connect, then Wave's consent page: the business chosen there, back to Odoo."""
    action = browser.call("connector.backend", "action_connect", [[connection["id"]]])
    return browser.consent(action["url"], choose=COMPANY)


def _first_customer(url):
    return requests.get(f"{url}/_sandbox/docs/Customer", timeout=10).json()["Customer"][0]["id"]


def change(url):
    """A customer renamed in Wave's own screens: the next poll (every minute) brings it."""
    name = new_name("Customer")
    body = {"kind": "Customer", "id": _first_customer(url), "fields": {"name": name}}
    requests.post(f"{url}/_sandbox/change", json=body, timeout=10).raise_for_status()
    return "res.partner", name


def example(url):
    body = f'{{"kind": "Customer", "id": "{_first_customer(url)}", "fields": {{"name": "Renamed Customer"}}}}'
    return f"curl -X POST {url}/_sandbox/change -d '{body}'"
