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

Tax = env["account.tax"]
taxes = {}
for rate in (7.25, 8.25, 8.625):
    taxes[rate] = Tax.search(
        [("company_id", "=", company.id), ("amount", "=", rate), ("type_tax_use", "=", "sale")], limit=1
    ) or Tax.create({"name": f"Sales tax {rate}%", "amount": rate, "type_tax_use": "sale", "company_id": company.id})
Account = env["account.account"]


def account(kind):
    return Account.search([("company_ids", "in", company.ids), ("account_type", "=", kind)], limit=1)


rounding = Account.search([("code", "=", "999100"), ("company_ids", "in", company.ids)], limit=1) or Account.create(
    {"name": "Tax rounding differences", "code": "999100", "account_type": "expense", "company_ids": company.ids}
)
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
by_type = {
    "Bank": account("asset_cash"),
    "Accounts Receivable": account("asset_receivable"),
    "Other Current Asset": account("asset_current"),
    "Accounts Payable": account("liability_payable"),
    "Credit Card": account("liability_credit_card") or account("liability_current"),
    "Other Current Liability": account("liability_current"),
    "Equity": account("equity"),
    "Income": account("income"),
    "Cost of Goods Sold": account("expense_direct_cost"),
    "Expense": account("expense"),
}
for doc in requests.get(f"{sandbox}/_sandbox/docs/Account", timeout=10).json()["Account"]:
    env["connector.account.mapping"].create(
        {
            "backend_id": backend.id,
            "external_id": doc["Id"],
            "external_name": doc["Name"],
            "external_type": doc["AccountType"],
            "account_id": by_type[doc["AccountType"]].id,
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
