"""Inside ``odoo shell`` (tools/demo_setup.py): every provider's demo company and connection,
made once. A provider whose connection exists is left as it is; one whose sandbox is not running
is left out (it is made by the next `make run` that has it)."""

from . import available, providers, url


def run(env):
    env.ref("base.user_admin").write({"password": "admin"})
    env.cr.commit()
    for provider in providers():
        found = env["connector.backend"].search([("provider", "=", provider.KEY)], limit=1)
        if found:
            print(f"demo: {provider.LABEL}: connection {found.id} of {found.company_id.name} already set up")
            continue
        if not available(provider):
            print(f"demo: {provider.LABEL}: its sandbox is not running, its demo company is left out")
            continue
        connection = provider.setup(env, url(provider))
        env.cr.commit()
        company = connection.company_id
        chart = f"{company.chart_template}, {company.currency_id.name}"
        print(f"demo: {provider.LABEL}: {company.name} ({chart}), connection {connection.id}")
