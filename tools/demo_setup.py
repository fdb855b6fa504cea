# Run inside `odoo shell` by tools/run.sh on a new demo database.
company = env.company  # noqa: F821 (provided by odoo shell)
company.write({"name": "Demo Garden Supplies Inc.", "country_id": env.ref("base.us").id})  # noqa: F821
if not company.chart_template:
    env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)  # noqa: F821
env.ref("base.user_admin").write({"password": "admin"})  # noqa: F821
env.cr.commit()  # noqa: F821
print("demo company ready:", company.name, company.chart_template)
