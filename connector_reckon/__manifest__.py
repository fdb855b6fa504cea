{
    "name": "Accounting Connectors: Reckon One",
    "summary": "Keep Odoo and Reckon One in step: customers and suppliers, items, accounts, taxes (read), "
    "invoices, credit notes, receipts, bills and journals where the book allows",
    "version": "18.0.1.0.0",
    "author": "Odoo Accounting Connectors",
    "website": "https://github.com/odoo-accounting-connectors/connectors",
    "license": "LGPL-3",
    "category": "Accounting/Accounting",
    "depends": ["connector_base"],
    "external_dependencies": {"python": ["requests", "authlib"]},
    "data": [
        "security/connector_reckon_security.xml",
        "security/ir.model.access.csv",
        "data/queue_job_channel_data.xml",
        "views/connector_backend_views.xml",
    ],
    "installable": True,
    "development_status": "Alpha",
}
