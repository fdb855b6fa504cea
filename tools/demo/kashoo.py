"""Kashoo: Sandbox Trading Ltd., a British Columbia business in CAD selling to British Columbia
(GST + PST), Ontario (HST) and Quebec (GST + QST) with the Canadian chart (l10n_ca) and its
taxes, on the Kashoo sandbox, signed in through the Sign in to Kashoo wizard with the owner's
e-mail and password. Kashoo sends no webhooks: the demo connection polls every minute (Kashoo's
default is every 5 minutes)."""

import requests

from . import new_name

KEY, LABEL = "kashoo", "Kashoo"
PORT_ENV, PORT = "KASHOO_SANDBOX_PORT", 8767
MODULES = ("l10n_ca",)
COMPANY = "Sandbox Trading Ltd."
ARRIVES = "at the next poll (every minute)"
EMAIL, PASSWORD = "owner@sandbox.example", "sandbox-password"
#: Kashoo's account (by name) -> the Canadian chart's account (template id); Chequing is the bank
#: journal's account
ACCOUNTS = {
    "Accounts Receivable": "l10n_ca_112110",
    "Accounts Payable": "l10n_ca_221110",
    "Owner's Equity": "l10n_ca_313000",
    "Sales": "l10n_ca_411100",
    "Service Revenue": "l10n_ca_411200",
    "Cost of Goods Sold": "l10n_ca_511210",
    "Office Expenses": "l10n_ca_512207",
    "Rent": "l10n_ca_512210",
    "Professional Fees": "l10n_ca_512204",
    "GST Payable": "l10n_ca_231000",
    "PST Payable": "l10n_ca_232000",
    "QST Payable": "l10n_ca_232000",
    "HST Payable": "l10n_ca_233000",
}
#: Kashoo's tax (abbreviation) -> the Canadian chart's sale and purchase taxes
TAXES = {
    "GST": ("GST 5%", "gst_sale_tax_5", "gst_purchase_tax_5"),
    "PST": ("PST BC 7%", "pst_sale_tax_7_bc", "pst_purchase_tax_7_bc"),
    "HST": ("HST 13%", "hst_sale_tax_13", "hst_purchase_tax_13"),
    "QST": ("QST 9.975%", "qst_sale_tax_9975", "qst_purchase_tax_9975"),
}


def sandbox_args(port, odoo_url):
    return ["--port", str(port), "--generate", "--email", EMAIL, "--password", PASSWORD]


def setup(env, url):
    from . import books

    company = books.company(env, COMPANY, "CA", "CAD", "ca_2023", state="BC")
    company.tax_calculation_rounding_method = "round_per_line"  # as Kashoo rounds, each tax per line
    connection = books.backend(
        env,
        {
            "name": "Kashoo sandbox (demo)",
            "provider": KEY,
            "company_id": company.id,
            "api_url": url,
            "rounding_account_id": books.rounding_account(env, company).id,
            "payment_journal_id": env["account.journal"]
            .search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
            .id,
            "sync_start_date": "2020-01-01",
            "conflict_policy": "provider",
            "poll_interval": 1,
        },
    )

    def account(name):
        if name == "Chequing":
            return books.journal_account(env, company, "bank")
        return books.chart(env, company, ACCOUNTS[name])

    docs = requests.get(f"{url}/_sandbox/docs/accounts", timeout=10).json()["accounts"]
    books.map_accounts(env, connection, [(d["id"], d["name"], d["type"], account(d["name"])) for d in docs])
    books.map_taxes(
        env,
        connection,
        [
            (code, name, books.chart(env, company, sale), books.chart(env, company, purchase))
            for code, (name, sale, purchase) in TAXES.items()
        ],
    )
    return connection


def connect(browser, connection):
    """Connect opens Sign in to Kashoo: the owner's e-mail and password, once; Sign in."""
    action = browser.call("connector.backend", "action_connect", [[connection["id"]]])
    if not action or action.get("res_model") != "connector.kashoo.sign.in":
        return connection["display_name"]  # a token Kashoo still takes: connected again without signing in
    context = dict(action.get("context") or {})
    wizard = browser.call(
        action["res_model"],
        "create",
        [{"method": "password", "email": EMAIL, "password": PASSWORD}],
        {"context": context},
    )
    browser.call(action["res_model"], "action_sign_in", [[wizard]], {"context": context})
    return COMPANY


def _first_customer(url):
    contacts = requests.get(f"{url}/_sandbox/docs/contacts", timeout=10).json()["contacts"]
    return next(c["id"] for c in contacts if c.get("customer"))


def change(url):
    """A customer renamed in Kashoo's own screens: the next poll brings it."""
    name = new_name("Customer")
    body = {"contact": _first_customer(url), "fields": {"name": name}}
    requests.post(f"{url}/_sandbox/change", json=body, timeout=10).raise_for_status()
    return "res.partner", name


def example(url):
    body = f'{{"contact": {_first_customer(url)}, "fields": {{"name": "Renamed Customer"}}}}'
    return f"curl -X POST {url}/_sandbox/change -d '{body}'"
