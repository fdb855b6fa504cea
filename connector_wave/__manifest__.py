{
    "name": "Accounting Connectors: Wave (coming soon)",
    "summary": "Coming soon: registers Wave as a provider; it cannot connect to Wave yet",
    "version": "18.0.1.0.0",
    "author": "Odoo Accounting Connectors",
    "website": "https://github.com/odoo-accounting-connectors/connectors",
    "license": "LGPL-3",
    "category": "Accounting/Accounting",
    "depends": ["connector_base"],
    "data": [
        "data/queue_job_channel_data.xml",
    ],
    "installable": True,
    "development_status": "Alpha",
}
