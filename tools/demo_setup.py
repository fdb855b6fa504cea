# Run inside `odoo shell` by tools/run.sh (CONNECTORS_ROOT in the environment): every provider's
# demo company (country, chart, currency, taxes) and its connection to the provider's sandbox,
# with its accounts and tax codes mapped the way an accountant maps them, so that "Import all"
# brings the whole sandbox company in. The providers are tools/demo/<provider>.py.
import os
import sys

sys.path.insert(0, os.environ["CONNECTORS_ROOT"])
from tools.demo import setup  # noqa: E402

setup.run(env)  # noqa: F821 (provided by odoo shell)
