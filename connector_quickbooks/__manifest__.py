{
    "name": "Accounting Connectors: QuickBooks Online",
    "summary": "Keep Odoo and QuickBooks Online in step: contacts, products, accounts, taxes, invoices, payments",
    "version": "18.0.1.1.0",
    "author": "Odoo Accounting Connectors",
    "website": "https://github.com/odoo-accounting-connectors/connectors",
    "license": "LGPL-3",
    "category": "Accounting/Accounting",
    "depends": ["connector_base"],
    "external_dependencies": {"python": ["requests", "authlib"]},
    "data": [
        "data/queue_job_channel_data.xml",
        "views/connector_backend_views.xml",
    ],
    "installable": True,
    "development_status": "Alpha",
}
