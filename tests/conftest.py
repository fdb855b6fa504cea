"""pytest setup: the connector addons are importable as odoo.addons.<name>.

Importing an addon's pure-Python ``lib`` package needs no database and no Odoo server:
only the ``odoo`` package on the path (installed in .venv by the bootstrap)."""

import os

import odoo.addons

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in odoo.addons.__path__:
    odoo.addons.__path__.append(ROOT)
