"""What every demo company needs on the Odoo side, used by the providers' ``setup`` inside
``odoo shell``: the company with its country, currency and chart, accounts found in the chart or
made, the taxes, and the connection's account and tax mappings confirmed (as an accountant
confirms them), so that Import all brings the whole sandbox company in."""

from odoo import Command


def company(env, name, country, currency, chart, state=None, main=False):
    """The demo company ``name`` (the database's main company when ``main``), with its chart
    loaded; the admin works in it."""
    Company = env["res.company"]
    currency_rec = env.ref(f"base.{currency}")
    currency_rec.active = True
    country_rec = env.ref(f"base.{country.lower()}")
    vals = {"name": name, "country_id": country_rec.id}
    if state:
        vals["state_id"] = (
            env["res.country.state"].search([("country_id", "=", country_rec.id), ("code", "=", state)], limit=1).id
        )
    found = env.company if main else Company.search([("name", "=", name)], limit=1)
    if found:
        found.write(vals)
    else:
        found = Company.create(dict(vals, currency_id=currency_rec.id))
    if not found.chart_template:
        if found.currency_id != currency_rec:
            found.currency_id = currency_rec
        env["account.chart.template"].try_loading(chart, found, install_demo=False)
    env.ref("base.user_admin").write({"company_ids": [Command.link(found.id)]})
    return found


def chart(env, company, xmlid):
    """An account (or tax) of the company's chart by its template id (``receivable``)."""
    return env["account.chart.template"].with_company(company).ref(xmlid)


def journal_account(env, company, kind):
    """The account of the company's first bank (or cash) journal."""
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", kind)], limit=1)
    return journal.default_account_id


def account(env, company, code, name, kind):
    """The company's account with this code, made when its chart has none."""
    Account = env["account.account"].with_company(company)
    found = Account.search([("code", "=", code), ("company_ids", "in", company.ids)], limit=1)
    return found or Account.create({"code": code, "name": name, "account_type": kind, "company_ids": company.ids})


def rounding_account(env, company):
    return account(env, company, "999100", "Tax rounding differences", "expense")


def tax(env, company, name, rate, use="sale", group=None, **flags):
    """The company's tax of this name and use, made (or brought in line) with these figures."""
    Tax = env["account.tax"]
    vals = {"name": name, "amount": rate, "type_tax_use": use, "company_id": company.id, **flags}
    if group:
        found_group = env["account.tax.group"].search([("name", "=", group), ("company_id", "=", company.id)], limit=1)
        vals["tax_group_id"] = (
            found_group or env["account.tax.group"].create({"name": group, "company_id": company.id})
        ).id
    found = Tax.search([("name", "=", name), ("type_tax_use", "=", use), ("company_id", "=", company.id)], limit=1)
    if found:
        found.write(vals)
        return found
    return Tax.create(vals)


def backend(env, values):
    """The demo's connection of this provider (one per provider), made with ``values``."""
    Backend = env["connector.backend"]
    return Backend.search([("provider", "=", values["provider"])], limit=1) or Backend.create(values)


def map_accounts(env, connection, rows):
    """``rows``: (external id, the provider's name, its type, the Odoo account) -> confirmed mappings."""
    Mapping = env["connector.account.mapping"]
    for external_id, name, kind, odoo_account in rows:
        vals = {"external_name": name, "external_type": kind, "account_id": odoo_account.id, "confirmed": True}
        found = Mapping.search([("backend_id", "=", connection.id), ("external_id", "=", str(external_id))])
        if found:
            found.write(vals)
        else:
            Mapping.create(dict(vals, backend_id=connection.id, external_id=str(external_id)))


def map_taxes(env, connection, rows):
    """``rows``: (external id, the provider's name, sale tax, purchase tax or None) -> confirmed mappings."""
    Mapping = env["connector.tax.mapping"]
    for external_id, name, sale, purchase in rows:
        vals = {"external_name": name, "tax_id": sale.id, "confirmed": True}
        if purchase:
            vals["purchase_tax_id"] = purchase.id
        found = Mapping.search([("backend_id", "=", connection.id), ("external_id", "=", str(external_id))])
        if found:
            found.write(vals)
        else:
            Mapping.create(dict(vals, backend_id=connection.id, external_id=str(external_id)))
