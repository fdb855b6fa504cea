# Run inside `odoo shell` by tools/run.sh on a new demo database (SANDBOX_URL in the environment).
# Sets up the demo company like the QuickBooks sandbox's (USD, EUR, California sales taxes) and a
# QuickBooks connection pointing at the sandbox, with its accounts and tax codes already mapped
# the way an accountant would map them (so that "Import all" brings the whole company in).
import os

import requests

env = env  # noqa: F821,PLW0127 (provided by odoo shell)
sandbox = os.environ["SANDBOX_URL"]
company = env.company
company.write({"name": "Demo Garden Supplies Inc.", "country_id": env.ref("base.us").id})
if not company.chart_template:
    env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
company.tax_calculation_rounding_method = "round_globally"
env.ref("base.EUR").active = True
env.ref("base.user_admin").write({"password": "admin"})

Account = env["account.account"]


def account(code, name=None, kind=None):
    """The generic chart's account with this code, created (name, type) when the chart has none."""
    found = Account.search([("code", "=", code), ("company_ids", "in", company.ids)], limit=1)
    return found or Account.create({"code": code, "name": name, "account_type": kind, "company_ids": company.ids})


# California sales taxes as QuickBooks' sandbox company has them, in their own tax group (the
# generic chart's default group would print them as "Tax 15%" on invoices)
Tax = env["account.tax"]
group = env["account.tax.group"].search([("name", "=", "Sales Tax"), ("company_id", "=", company.id)], limit=1)
group = group or env["account.tax.group"].create({"name": "Sales Tax", "company_id": company.id})
taxes = {}
for rate, name in ((7.25, "California 7.25%"), (8.25, "Santa Clara 8.25%"), (8.625, "San Francisco 8.625%")):
    tax = Tax.search(
        [("company_id", "=", company.id), ("amount", "=", rate), ("type_tax_use", "=", "sale")], limit=1
    ) or Tax.create({"name": name, "amount": rate, "type_tax_use": "sale", "company_id": company.id})
    tax.write({"name": name, "tax_group_id": group.id, "invoice_label": name})
    taxes[rate] = tax
rounding = account("999100", "Tax rounding differences", "expense")
backend = env["connector.backend"].search([("provider", "=", "quickbooks")], limit=1) or env[
    "connector.backend"
].create(
    {
        "name": "QuickBooks sandbox (demo)",
        "provider": "quickbooks",
        "company_id": company.id,
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
        "webhook_secret": "sandbox-verifier",
        "api_url": sandbox,
        "auth_url": f"{sandbox}/connect/oauth2",
        "token_url": f"{sandbox}/oauth2/v1/tokens/bearer",
        "revoke_url": f"{sandbox}/v2/oauth2/tokens/revoke",
        "rounding_account_id": rounding.id,
        "sync_start_date": "2020-01-01",
        "conflict_policy": "provider",
    }
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
for doc in requests.get(f"{sandbox}/_sandbox/docs/Account", timeout=10).json()["Account"]:
    env["connector.account.mapping"].create(
        {
            "backend_id": backend.id,
            "external_id": doc["Id"],
            "external_name": doc["Name"],
            "external_type": doc["AccountType"],
            "account_id": by_name[doc["Name"]].id,
            "confirmed": True,
        }
    )
rates = {"2": 7.25, "3": 8.25, "4": 8.625}
for doc in requests.get(f"{sandbox}/_sandbox/docs/TaxCode", timeout=10).json()["TaxCode"]:
    env["connector.tax.mapping"].create(
        {
            "backend_id": backend.id,
            "external_id": doc["Id"],
            "external_name": doc["Name"],
            "tax_id": taxes[rates[doc["Id"]]].id,
            "confirmed": True,
        }
    )
env.cr.commit()
print("demo company ready:", company.name, company.chart_template, "- connection", backend.id)
