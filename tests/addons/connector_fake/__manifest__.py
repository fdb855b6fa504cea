{
    "name": "Accounting Connectors: fake provider (tests only)",
    "summary": "An in-database provider that drives connector_base's engine in tests. Never install it in production.",
    "version": "18.0.1.0.0",
    "author": "Odoo Accounting Connectors",
    "website": "https://github.com/odoo-accounting-connectors/connectors",
    "license": "LGPL-3",
    "category": "Hidden/Tests",
    "depends": ["connector_base"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
}
