{
    "name": "Accounting Connectors: Kashoo",
    "summary": "Keep Odoo and Kashoo in step: contacts, accounts, taxes, invoices, bills, payments",
    "version": "18.0.1.0.0",
    "author": "Odoo Accounting Connectors",
    "website": "https://github.com/odoo-accounting-connectors/connectors",
    "license": "LGPL-3",
    "category": "Accounting/Accounting",
    "depends": ["connector_base"],
    "external_dependencies": {"python": ["requests", "stdnum"]},
    "data": [
        "security/ir.model.access.csv",
        "data/queue_job_channel_data.xml",
        "views/connector_backend_views.xml",
        "views/kashoo_sign_in_views.xml",
    ],
    "installable": True,
    "development_status": "Alpha",
}
