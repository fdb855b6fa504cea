"""Pure-Python helpers of the connector suite.

Nothing in this package imports the Odoo ORM: it is unit-tested without a database
(``tests/unit``) and used by connector_base and by the provider addons' clients.
"""
