"""Reckon One: Harbourside Services Pty Ltd, an Australian business in AUD with GST at 10%
(GST-free, export, input-taxed and BAS-excluded lines too) on the Australian chart (l10n_au), on
the Reckon sandbox, connected through Reckon's sign-in and consent page, the book chosen among
those the sign-in reaches. Every call also carries the API subscription key. Reckon sends no
webhooks: the connection polls every minute."""

import requests

from . import new_name

KEY, LABEL = "reckon", "Reckon One"
PORT_ENV, PORT = "RECKON_SANDBOX_PORT", 8768
MODULES = ("l10n_au",)
COMPANY = "Harbourside Services Pty Ltd"
ARRIVES = "at the next poll (every minute)"
SUBSCRIPTION_KEY = "sandbox-subscription-key"
#: the sandbox's book keeps its id, and its records theirs, from one `make run` to the next (a
#: connection holds the records of one book)
BOOK_ID = "3b0c6f1e-5a2d-4c8e-9d47-a1f0e2b6c913"
#: Reckon's ledger account (by name) -> the Australian chart's account (template id), or
#: (code, name, type) of one the chart lacks; the cheque account is the bank journal's
ACCOUNTS = {
    "Business Savings Account": ("11120", "Business Savings Account", "asset_cash"),
    "Trade Debtors": "au_11200",
    "Inventory": "au_11330",
    "Office Equipment": "au_13310",
    "Trade Creditors": "au_21200",
    "GST Collected": "au_21310",
    "GST Paid": "au_21330",
    "Business Credit Card": "au_21110",
    "Owner's Capital": "au_31100",
    "Sales": "au_41110",
    "Consulting Income": ("41140", "Consulting Income", "income"),
    "Reimbursed Fees": "au_46000",
    "Cost of Sales": "au_51110",
    "Rent": ("62130", "Rent", "expense"),
    "Electricity": "au_62920",
    "Bank Fees": ("61940", "Bank Fees", "expense"),
    "Stationery": "au_62300",
}
#: Reckon's tax code -> the Australian chart's sale and purchase taxes (template ids; None where
#: Reckon's code is for one side only). BAS excluded has no tax in the chart: it is made (0%).
TAXES = {
    "GST": ("au_tax_sale_10", "au_tax_purchase_10_service"),
    "FRE": ("au_tax_sale_exempt", "au_tax_purchase_0_service"),
    "EXP": ("au_tax_sale_0", None),
    "ITS": ("au_tax_sale_input", "au_tax_purchase_0_service"),
    "CAP": (None, "au_tax_purchase_capital_service"),
    "N-T": ("N-T", "N-T"),
}


def sandbox_args(port, odoo_url):
    return ["--port", str(port), "--generate", "--subscription-key", SUBSCRIPTION_KEY, "--book-id", BOOK_ID]


def _docs(url, table):
    return requests.get(f"{url}/_sandbox/docs/{table}", timeout=10).json()[table]


def setup(env, url):
    from tests.sandbox.reckon.server import Sandbox

    from . import books

    company = books.company(env, COMPANY, "AU", "AUD", "au")
    company.tax_calculation_rounding_method = "round_per_line"  # Reckon rounds each line's tax
    bank = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
    connection = books.backend(
        env,
        {
            "name": "Reckon One sandbox (demo)",
            "provider": KEY,
            "company_id": company.id,
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "reckon_subscription_key": SUBSCRIPTION_KEY,
            **Sandbox.endpoint_values(url),
            "reckon_per_minute": 240,  # under the sandbox's 300 a minute, as under Reckon's gateway
            "reckon_concurrent": 4,
            "rounding_account_id": books.rounding_account(env, company).id,
            "payment_journal_id": bank.id,
            "sync_start_date": "2020-01-01",
            "conflict_policy": "provider",
            "poll_interval": 1,
        },
    )

    def account(name):
        if name == "Business Cheque Account":
            return bank.default_account_id
        found = ACCOUNTS[name]
        return books.account(env, company, *found) if isinstance(found, tuple) else books.chart(env, company, found)

    docs = _docs(url, "ledgeraccounts")
    books.map_accounts(env, connection, [(d["id"], d["name"], d["accountType"], account(d["name"])) for d in docs])

    def tax(template, use):
        if not template:
            return None
        if template == "N-T":
            return books.tax(env, company, "0% N-T", 0.0, use=use, description="BAS excluded")
        return books.chart(env, company, template)

    rows = []
    for entity, table in (("TaxRate", "taxrates"), ("TaxGroup", "taxgroups")):
        for doc in _docs(url, table):
            sale, purchase = TAXES[doc["name"]]
            first = tax(sale, "sale") or tax(purchase, "purchase")  # a purchase-only code: its tax first
            rows.append((f"{entity}/{doc['id']}", doc["name"], first, tax(purchase, "purchase") if sale else None))
    books.map_taxes(env, connection, rows)
    return connection


def connect(browser, connection):
    """Connect, then Reckon's sign-in and consent page (it picks no book), back to Odoo: the
    book named like the company is chosen among those listed, unless it is the only one (then
    Odoo uses it at once)."""
    action = browser.call("connector.backend", "action_connect", [[connection["id"]]])
    browser.consent(action["url"])
    state = browser.call("connector.backend", "read", [[connection["id"]], ["state", "tenant_name"]])[0]
    if state["state"] == "connected":
        return state["tenant_name"]
    listed = browser.call(
        "connector.reckon.book", "search_read", [[("backend_id", "=", connection["id"])], ["id", "name"]]
    )
    book = next((b for b in listed if b["name"].startswith(COMPANY)), None)
    if not book:
        return None  # connect.py says the connection is not connected
    browser.call("connector.backend", "write", [[connection["id"]], {"reckon_book_id": book["id"]}])
    browser.call("connector.backend", "action_reckon_use_book", [[connection["id"]]])
    return book["name"]


def _first_customer(url):
    return next(c for c in _docs(url, "contacts") if c["entityTypes"]["isCustomer"])


def change(url):
    """A customer renamed in Reckon One's own screens: the next poll (every minute) brings it."""
    name = new_name("Customer")
    customer = _first_customer(url)
    body = {"collection": "customers", "id": customer["id"], "body": _renamed(customer, name)}
    requests.post(f"{url}/_sandbox/change", json=body, timeout=10).raise_for_status()
    return "res.partner", name


def _renamed(customer, name):
    """The customer as Reckon One's screen saves it (the whole contact), under a new name."""
    body = {key: customer[key] for key in ("businessNumber1", "notes", "status", "creditLimit") if customer.get(key)}
    if customer.get("paymentTerms"):
        body["paymentTerms"] = customer["paymentTerms"]["name"]
    for key in ("addresses", "phoneNumbers", "electronicAddresses"):
        body[key] = [dict(row, type=row["type"]["name"]) for row in customer.get(key) or []]
    return dict(body, name=name, organisationName=name)


def example(url):
    customer = _first_customer(url)
    body = f'{{"collection": "customers", "id": "{customer["id"]}", "body": {{"name": "Renamed Customer"}}}}'
    return f"curl -X POST {url}/_sandbox/change -d '{body}'"
